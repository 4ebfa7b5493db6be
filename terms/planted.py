"""Copies of a terms text with planted faults, to measure what `yakkan lint` finds.

Each copy has one fault, planted where the text has what the fault needs, chosen with a
seeded random generator (the same seed gives the same copies):

* ``typo``: one kanji of a dictionary word of the text replaced by a kanji it is commonly
  confused with (``CONFUSIONS``: 経/径, 除/徐, 者/社, …), where the result is not itself
  used in the text;
* ``term-variant``: one occurrence of a defined term (not its definition) with one character
  replaced by a near-synonym (``NEAR_SYNONYMS``: 秘密情報 → 機密情報, 申込者 → 申込人);
* ``numbering``: an article heading's number skipped or repeated, a paragraph's or an item's
  number skipped;
* ``width``: one article heading, paragraph or item number written in the other width
  (第12条 among 第１１条, （３） or (３) among (1), (2), ２． among 1., …);
* ``citation``: a citation made to point nowhere (第N条 → an article that does not exist,
  第M項, 第K号 → a paragraph or item the unit does not have, 第N章 → no such chapter, 前項,
  前号 → 前九項, 前九号: more units back than there are).

A planted fault counts as found when the lint of the copy has a finding of one of the
fault's kinds, not in the lint of the original text, located at the planted line (or at the
start of the paragraph or item that holds it), and, for typos and variants, about the
planted word.
"""

from __future__ import annotations

import random
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .analyser import analyser, is_kanji
from .defined_terms import find_definitions
from .findings import Finding, find_references, texts, units
from .lint import lint
from .reviewed import Reviewed
from .structure import load_terms

__all__ = ["CONFUSIONS", "KINDS", "NEAR_SYNONYMS", "Measure", "Plant", "measure", "plant"]

KINDS = ("typo", "term-variant", "numbering", "width", "citation")

#: kanji commonly written one for the other (same reading, similar shape)
CONFUSIONS = ("経径", "除徐", "者社", "証障", "賠倍", "関間", "機期", "績積", "適摘", "復複", "償賞", "制製",
              "規既", "務努", "講構", "義議", "績責")  # fmt: skip

#: a character of a defined term and a near-synonym a drafter might write instead
NEAR_SYNONYMS = {"者": "人", "秘": "機", "本": "当", "通": "連", "報": "況", "料": "代", "勢": "集",
                 "法": "令", "委": "依", "託": "嘱", "理": "営", "諾": "認", "社": "方", "金": "額",
                 "人": "者", "情": "事", "利": "使", "約": "定", "等": "ら"}  # fmt: skip

FOUND_BY = {
    "typo": ("typo",),
    "term-variant": ("undefined-term",),
    "numbering": ("numbering",),
    "width": ("digit-width", "heading-style", "bracket"),
    "citation": ("dangling-reference", "wrong-reference"),
}

_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_HW = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Plant:
    """One planted fault: the copy's text, the 1-based line changed, the text before and after."""

    kind: str
    text: str
    line: int
    before: str
    after: str
    word: str = ""  # the planted word (typos and variants)
    pair: str = ""  # the confusion, right kanji then wrong (typos)

    @property
    def description(self) -> str:
        return f"line {self.line}: {self.before.strip()[:40]} → {self.after.strip()[:40]}"


def _replace_line(lines: list[str], k: int, old: str, new: str, start: int = -1) -> str:
    at = lines[k].index(old) if start < 0 else start
    changed = lines[k][:at] + new + lines[k][at + len(old):]
    return "\n".join(lines[:k] + [changed] + lines[k + 1:]) + "\n"


def _typos(text: str, lines: list[str]) -> Iterator[Plant]:
    an = analyser()
    for k, raw in enumerate(lines):
        for t in an.tokens(raw):
            w = t.surface
            if len(w) < 2 or not all(is_kanji(c) for c in w) or not an.is_word(w):
                continue
            for pair in CONFUSIONS:
                for a, b in (pair, pair[::-1]):
                    i = w.find(a)
                    if i < 0:
                        continue
                    new = w[:i] + b + w[i + 1:]
                    if new in text:
                        continue  # the text uses it: not a typo
                    yield Plant("typo", _replace_line(lines, k, w, new, t.start), k + 1, raw,
                                raw[:t.start] + new + raw[t.end:], new, a + b)


def _variants(text: str, lines: list[str]) -> Iterator[Plant]:
    terms_texts = texts(_parse(text))
    for d in find_definitions(terms_texts):
        if len(d.term) < 3:
            continue
        for k, raw in enumerate(lines):
            for m in re.finditer(re.escape(d.term), raw):
                if raw[m.end():m.end() + 1] == "」":
                    continue  # the definition itself
                for i, ch in enumerate(d.term):
                    if ch not in NEAR_SYNONYMS:
                        continue
                    new = d.term[:i] + NEAR_SYNONYMS[ch] + d.term[i + 1:]
                    if new in text:
                        continue
                    yield Plant("term-variant", _replace_line(lines, k, d.term, new, m.start()), k + 1, raw,
                                raw[:m.start()] + new + raw[m.end():], new)


_HEADING_RE = re.compile(r"^(\s*第)([0-9０-９]+)(条)")
_PARA_RE = re.compile(r"^(\s*)([0-9０-９]+)([.．])")
_ITEM_RE = re.compile(r"^(\s*[(（])([0-9０-９]+)([)）])")


def _renumber(digits: str, n: int) -> str:
    s = str(n)
    return s.translate(_FW) if all("０" <= c <= "９" for c in digits) else s


def _numbering(text: str, lines: list[str]) -> Iterator[Plant]:
    for k, raw in enumerate(lines):
        for rx, deltas in ((_HEADING_RE, (1, -1)), (_PARA_RE, (1,)), (_ITEM_RE, (1,))):
            m = rx.match(raw)
            if not m:
                continue
            n = int(m.group(2).translate(_HW))
            if rx is not _HEADING_RE and n < 2:
                continue
            for d in deltas:
                if n + d < 1:
                    continue
                new = raw[:m.start(2)] + _renumber(m.group(2), n + d) + raw[m.end(2):]
                yield Plant("numbering", "\n".join(lines[:k] + [new] + lines[k + 1:]) + "\n", k + 1, raw, new)


def _widths(text: str, lines: list[str]) -> Iterator[Plant]:
    for k, raw in enumerate(lines):
        for rx in (_HEADING_RE, _PARA_RE, _ITEM_RE):
            m = rx.match(raw)
            if not m:
                continue
            digits = m.group(2)
            flipped = digits.translate(_HW) if digits != digits.translate(_HW) else digits.translate(_FW)
            variants = [raw[:m.start(2)] + flipped + raw[m.end(2):]]
            if rx is not _HEADING_RE:  # the punctuation in the other width too: （３）, ２．
                wide = "".join(unicodedata.normalize("NFKC", c) if ord(c) > 0xFF00 else chr(ord(c) + 0xFEE0)
                               for c in m.group(1).strip() + m.group(3))  # fmt: skip
                if rx is _ITEM_RE:
                    variants.append(raw[:m.start(1)] + m.group(1).replace(m.group(1).strip(), wide[0]) + flipped
                                    + wide[-1] + raw[m.end(3):])  # fmt: skip
                else:
                    variants.append(raw[:m.start(2)] + flipped + wide[-1] + raw[m.end(3):])
            for new in variants:
                yield Plant("width", "\n".join(lines[:k] + [new] + lines[k + 1:]) + "\n", k + 1, raw, new)


def _broken(raw: str, last_article: int, last_chapter: int) -> str | None:
    """``raw`` made to point nowhere, or None when it is not a form this knows."""
    subs = (
        (r"第([0-9０-９一二三四五六七八九十]+)条", last_article + 3),  # no such article
        (r"第([0-9０-９]+)章", last_chapter + 2),  # no such chapter
        (r"第([0-9０-９]+)項", 9),  # no such paragraph
        (r"第([0-9０-９]+)号", 20),  # no such item
    )
    for rx, n in subs:
        if m := re.match(rx, raw):
            return raw[:m.start(1)] + _renumber(m.group(1), n) + raw[m.end(1):]
    for rel, far in (("前項", "前九項"), ("前号", "前九号")):
        if raw.startswith(rel):  # more units before this one than there are
            return far + raw[len(rel):]
    if m := re.match(r"本項第([0-9０-９]+)号", raw):
        return raw[:m.start(1)] + _renumber(m.group(1), 20) + raw[m.end(1):]
    return None


def _citations(text: str, lines: list[str]) -> Iterator[Plant]:
    terms = _parse(text)
    last_article = terms.articles[-1].number
    last_chapter = terms.chapters[-1].number if terms.chapters else 0
    first_line = {}
    for u in units(terms):
        first_line.setdefault(u.citation, (u.item.line if u.item else u.paragraph.line) or u.article.line)
    done: set[tuple[int, str]] = set()
    for ref in find_references(terms):
        new = None if ref.external or ref.problem else _broken(ref.raw, last_article, last_chapter)
        if new is None:
            continue
        for k in range(max(0, first_line.get(ref.source, 1) - 1), len(lines)):
            if ref.raw in lines[k] and not _is_heading(lines[k]) and (k, ref.raw) not in done:
                done.add((k, ref.raw))
                line = lines[k]
                yield Plant("citation", _replace_line(lines, k, ref.raw, new), k + 1, line,
                            line.replace(ref.raw, new, 1), new)
                break


def _is_heading(line: str) -> bool:
    return bool(_HEADING_RE.match(line) or re.match(r"\s*第[0-9０-９]+章[\s\u3000]", line))


def _parse(text: str):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "terms.txt"
        p.write_text(text, encoding="utf-8")
        return load_terms(p)


_GENERATORS: dict[str, Callable[[str, list[str]], Iterator[Plant]]] = {
    "typo": _typos, "term-variant": _variants, "numbering": _numbering, "width": _widths, "citation": _citations,
}  # fmt: skip


def plant(text: str, kind: str, n: int, seed: int = 0) -> list[Plant]:
    """``n`` copies of ``text``, each with one planted fault of ``kind`` (fewer if the text
    offers fewer places), spread over the text and, for typos, over the confusion pairs."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    candidates = list(_GENERATORS[kind](text, lines))
    rng = random.Random(f"{seed}:{kind}")
    rng.shuffle(candidates)
    if kind == "typo":  # one pair after the other, so that every confusion is tried
        by_pair: dict[str, list[Plant]] = {}
        for c in candidates:
            by_pair.setdefault("".join(sorted(c.pair)), []).append(c)
        order = [p for ps in zip(*by_pair.values(), strict=False) for p in ps]
        candidates = order + [c for c in candidates if c not in order]
    out: list[Plant] = []
    used: set[int] = set()
    for c in candidates:
        if c.line in used:
            continue
        used.add(c.line)
        out.append(c)
        if len(out) == n:
            break
    return out


@dataclass
class Measure:
    """Recall per kind over the planted copies, and the copies' new findings away from the
    planted line (false positives, or consequences of the fault: a renumbered article makes
    the citations of the articles after it point elsewhere)."""

    planted: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    missed: dict[str, list[Plant]] = field(default_factory=dict)
    other_findings: dict[str, list[str]] = field(default_factory=dict)

    def recall(self, kind: str) -> float:
        return self.found.get(kind, 0) / self.planted[kind] if self.planted.get(kind) else 0.0


def _matches(plant_: Plant, x: Finding, starts: list[int]) -> bool:
    """Is ``x`` a finding of the planted fault: one of its kinds, at its line or at the start of
    the paragraph or item holding it, and (typos, variants) about the planted word?"""
    start = max((s for s in starts if s <= plant_.line), default=plant_.line)
    if x.kind not in FOUND_BY[plant_.kind] or not start <= x.line <= plant_.line:
        return False
    return not plant_.word or plant_.word in x.excerpt or plant_.word in x.subject or \
        bool(x.subject and x.subject in plant_.word)


def _near(plant_: Plant, x: Finding, starts: list[int]) -> bool:
    start = max((s for s in starts if s <= plant_.line), default=plant_.line)
    return start <= x.line <= plant_.line


def measure(path: Path, per_kind: int = 6, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> Measure:
    """Lint ``per_kind`` planted copies of the text at ``path`` per kind of fault (the
    reviewed-findings file is not read: every finding counts)."""
    text = path.read_text(encoding="utf-8")
    baseline = {f.finding.id for f in lint(load_terms(path), Reviewed(None)).findings}
    result = Measure()
    with tempfile.TemporaryDirectory() as d:
        copy = Path(d) / path.name
        for kind in kinds:
            plants = plant(text, kind, per_kind, seed)
            result.planted[kind] = len(plants)
            result.found[kind] = 0
            for p in plants:
                copy.write_text(p.text, encoding="utf-8")
                terms = load_terms(copy)
                new = [f.finding for f in lint(terms, Reviewed(None)).findings if f.finding.id not in baseline]
                starts = sorted({a.line for a in terms.articles}
                                | {x.line for a in terms.articles for x in a.paragraphs}
                                | {i.line for a in terms.articles for x in a.paragraphs for i in x.items})
                if any(_matches(p, x, starts) for x in new):
                    result.found[kind] += 1
                else:
                    result.missed.setdefault(kind, []).append(p)
                result.other_findings.setdefault(kind, []).extend(
                    x.id for x in new if not _near(p, x, starts))
    return result
