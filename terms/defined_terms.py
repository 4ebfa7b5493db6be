"""Defined terms (定義語) and the variants of them a text uses without defining.

A terms text defines its words in passing: 「本サービスの利用を希望する者（以下「申込者」と
いいます）」 (4-1), 「…（以下、「秘密情報」という）」 (33-1), 「（本条において以下「作業の委託」
といいます。）」.  Every 「X」といいます / 「X」という is taken as a definition of X.

A variant is a string that differs from a defined term of three or more characters in one
character of the same script (機密情報 for 秘密情報, 申込人 for 申込者), or in its plural
suffix (第三者ら for 第三者等); whose changed first or last character is not part of a
longer kanji compound; that is not defined itself, not part of an occurrence of a defined
term, and not a dictionary word the document itself uses twice or more (its own vocabulary).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .analyser import Analyser, analyser, is_kanji

__all__ = ["Definition", "Variant", "find_definitions", "find_variants"]

_DEFINITION_RE = re.compile(r"「([^「」\n]{2,20})」と(?:いいます|いう|言います|言う|称します|称する)")


@dataclass(frozen=True)
class Definition:
    term: str
    citation: str
    start: int


@dataclass(frozen=True)
class Variant:
    """``text`` at ``start`` of the unit ``citation`` is a variant of the defined ``term``."""

    citation: str
    start: int
    text: str
    term: str
    defined_in: str


def find_definitions(texts: Sequence[tuple[str, str]]) -> list[Definition]:
    """The terms the text defines, first definition of each, in document order."""
    out: dict[str, Definition] = {}
    for citation, text in texts:
        for m in _DEFINITION_RE.finditer(text):
            out.setdefault(m.group(1), Definition(m.group(1), citation, m.start(1)))
    return list(out.values())


def _script(ch: str) -> str:
    if is_kanji(ch):
        return "kanji"
    name = unicodedata.name(ch, "")
    if "KATAKANA" in name or ch == "ー":
        return "katakana"
    if "HIRAGANA" in name:
        return "hiragana"
    return "latin" if ch.isascii() and ch.isalnum() else "other"


def _edits(term: str) -> list[tuple[re.Pattern[str], int]]:
    """One pattern per position: the term with that character replaced by another of its script."""
    classes = {"kanji": r"[\u4e00-\u9fff々]", "katakana": r"[\u30a1-\u30faー]", "hiragana": r"[\u3041-\u3096]",
               "latin": r"[A-Za-z0-9]"}  # fmt: skip
    out = []
    for k, ch in enumerate(term):
        cls = classes.get(_script(ch))
        if cls is None:
            continue
        pattern = re.escape(term[:k]) + f"(?!{re.escape(ch)}){cls}" + re.escape(term[k + 1:])
        out.append((re.compile(pattern), k))
    if term.endswith(_PLURALS):  # 第三者等 written 第三者ら, 第三者たち
        stem = next(term[:-len(p)] for p in _PLURALS if term.endswith(p))
        others = "|".join(re.escape(p) for p in _PLURALS if not term.endswith(p))
        out.append((re.compile(re.escape(stem) + f"(?:{others})"), len(term) - 1))
    return out


_PLURALS = ("等", "ら", "たち", "など", "ども")


def find_variants(texts: Sequence[tuple[str, str]], definitions: Sequence[Definition] | None = None,
                  an: Analyser | None = None) -> list[Variant]:  # fmt: skip
    """Undefined variants of the defined terms, in document order."""
    an = an or analyser()
    definitions = list(definitions if definitions is not None else find_definitions(texts))
    defined = {d.term for d in definitions}
    full = "\n".join(t for _, t in texts)
    out: list[Variant] = []
    for citation, text in texts:
        taken = [(m.start(), m.end()) for d in definitions for m in re.finditer(re.escape(d.term), text)]
        for d in definitions:
            if len(d.term) < 3:
                continue
            last = len(d.term) - 1
            for pattern, k in _edits(d.term):
                for m in pattern.finditer(text):
                    s, e, v = m.start(), m.end(), m.group(0)
                    if v in defined or any(a < e and s < b for a, b in taken):
                        continue
                    if (k == 0 and is_kanji(v[0]) and s > 0 and is_kanji(text[s - 1])) or \
                            (k == last and is_kanji(v[-1]) and e < len(text) and is_kanji(text[e])):
                        continue  # the changed character belongs to a longer compound (当該機密…, 本料金額)
                    if full.count(v) >= 2 and an.is_word(v):
                        continue  # the document's own word
                    out.append(Variant(citation, s, v, d.term, d.citation))
    return out
