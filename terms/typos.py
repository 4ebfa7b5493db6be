"""Kanji typos found with the morphological analyser and the document's own vocabulary.

A typo of a Japanese text is most often a kanji converted with the wrong homophone
(金融期関 for 金融機関, 解徐 for 解除, 保障金 for 保証金).  The candidates are runs of up to
three kanji words (2–6 characters) that occur once in the document.  A candidate is
reported when changing one of its kanji gives a word that is better attested:

* the candidate is not a common word of the dictionary — the analyser had to split it into
  single kanji, read part of it as a proper noun (倍償) or not know it at all — and the
  changed string is a dictionary word or occurs at least twice in the document; or
* the candidate is a dictionary word used once (保障金) while the changed string is the
  document's own usage, found at least twice (保証金);

and, in both cases, the two kanji are read alike (one reading in common in the dictionary,
or the same reading of the two strings as wholes).  A candidate the analyser does not know
at all may also differ in a kanji of another reading, when the changed string is a
dictionary word the document uses (摘用 → 適用).  Each finding is ranked; a weaker one
(the changed string only in the dictionary, not in the document) comes after.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .analyser import Analyser, Token, analyser, is_kanji

__all__ = ["Typo", "find_typos"]

MAX_TOKENS = 3
MAX_CHARS = 6
_NUMERALS = set("〇一二三四五六七八九十百千万")
_PRODUCTIVE = set("等的上内外中化性用後前時毎別")


@dataclass(frozen=True)
class Typo:
    """``wrong`` at ``start`` of the text cited as ``citation`` should probably read ``right``.
    ``score`` ranks the findings (higher is surer); ``evidence`` says why, in English."""

    citation: str
    start: int
    wrong: str
    right: str
    score: int
    right_count: int
    in_dictionary: bool

    @property
    def changed(self) -> tuple[str, str]:
        """The kanji written and the kanji meant (both strings when more than one differs)."""
        diff = [(a, b) for a, b in zip(self.wrong, self.right, strict=True) if a != b]
        if len(diff) == 1:
            return diff[0]
        return "".join(a for a, _ in diff), "".join(b for _, b in diff)


@dataclass(frozen=True)
class _Window:
    citation: str
    start: int
    text: str
    tokens: tuple[Token, ...]


def _all_kanji(s: str) -> bool:
    return bool(s) and all(is_kanji(c) for c in s)


def _kanji_head(t: Token) -> Token:
    """A word with okurigana cut to its kanji (解|徐に → 徐, 間|与し → 与): a typo can make the
    analyser read the wrong kanji together with the kana after it."""
    k = 0
    while k < len(t.surface) and is_kanji(t.surface[k]):
        k += 1
    if k == 0 or k == len(t.surface):
        return t
    return replace(t, surface=t.surface[:k], end=t.start + k)


def _windows(citation: str, text: str, tokens: Sequence[Token]) -> list[_Window]:
    out = []
    for i in range(len(tokens)):
        for j in range(i + 1, min(i + MAX_TOKENS, len(tokens)) + 1):
            span = list(tokens[i:j])
            if j > i + 1:
                span[-1] = _kanji_head(span[-1])
            if not _all_kanji(span[-1].surface) or (j > i + 1 and span[-1].start != span[-2].end):
                break
            w = text[span[0].start:span[-1].end]
            if len(w) > MAX_CHARS:
                break
            if len(w) >= 2:
                out.append(_Window(citation, span[0].start, w, tuple(span)))
            if span[-1] is not tokens[j - 1]:
                break  # a cut word ends the window
    return out


def find_typos(texts: Sequence[tuple[str, str]], an: Analyser | None = None) -> list[Typo]:
    """Probable kanji typos in ``texts`` (``(citation, text)`` pairs: the document's units),
    surest first; of overlapping candidates only the surest is kept."""
    an = an or analyser()
    full = "\n".join(t for _, t in texts)
    doc_kanji = frozenset({c for c in full if is_kanji(c)} - _NUMERALS)
    tokenized = [(citation, text, an.tokens(text)) for citation, text in texts]
    windows = [(text, _windows(citation, text, tokens)) for citation, text, tokens in tokenized]
    vocabulary = Counter(w.text for _, ws in windows for w in ws)
    hits: list[Typo] = _homophone_compounds(tokenized, full)
    for _, ws in windows:
        for w in ws:
            if full.count(w.text) == 1:
                hits += _candidates(an, w, doc_kanji, vocabulary, full)
    kept: list[Typo] = []
    for t in sorted(hits, key=_rank):
        if not any(k.citation == t.citation and k.start < t.start + len(t.wrong) and t.start < k.start + len(k.wrong)
                   for k in kept):  # fmt: skip
            kept.append(t)
    return sorted(kept, key=lambda t: (-t.score, t.citation, t.start))


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _homophone_compounds(tokenized: Sequence[tuple[str, str, Sequence[Token]]], full: str) -> list[Typo]:
    """A compound of two or three words, used once, that reads exactly like a compound the text
    writes at least twice with other kanji in one or two places (自動ポルノ for 児童ポルノ, both
    read ジドウポルノ; the text writes 児童ポルノ four times)."""
    by_reading: dict[str, Counter[str]] = {}
    once: list[tuple[str, int, str, str]] = []
    for citation, text, tokens in tokenized:
        for i in range(len(tokens)):
            for j in range(i + 1, min(i + MAX_TOKENS, len(tokens)) + 1):
                span = tokens[i:j]
                if j > i + 1 and span[-1].start != span[-2].end:
                    break
                surface = text[span[0].start:span[-1].end]
                if not all(is_kanji(c) or _is_katakana(c) for c in surface) or len(surface) > 2 * MAX_CHARS:
                    break
                if not any(is_kanji(c) for c in surface) or any(t.numeral for t in span):
                    continue
                reading = "".join(t.reading for t in span)
                by_reading.setdefault(reading, Counter())[surface] += 1
                if j > i + 1 and full.count(surface) == 1:
                    once.append((citation, span[0].start, surface, reading))
    out = []
    for citation, start, surface, reading in once:
        for other, n in by_reading[reading].items():
            if n < 2 or len(other) != len(surface) or other == surface:
                continue
            diff = [(a, b) for a, b in zip(surface, other, strict=True) if a != b]
            if len(diff) <= 2 and all(is_kanji(a) and is_kanji(b) for a, b in diff):
                out.append(Typo(citation, start, surface, other, 3 + (len(diff) == 1), n, False))
    return out


def _rank(t: Typo) -> tuple:
    # a long dictionary word is the strongest evidence (金融期関 → 金融機関, not 期関 → 期間)
    return (-(t.in_dictionary and len(t.right) >= 3), -t.score, -len(t.wrong), -t.right_count, t.citation, t.start,
            t.right)


@lru_cache(maxsize=4096)
def _pool(an: Analyser, ch: str, doc_kanji: frozenset[str]) -> frozenset[str]:
    """Kanji ``ch`` may have been typed for: those read like it, and the document's kanji whose
    reading the dictionary does not give (賠, 摘)."""
    return frozenset(an.homophones(ch, doc_kanji) | {c for c in doc_kanji if not an.char_readings(c, names=False)})


def _weak(w: _Window) -> bool:
    """Did the analyser have to break the string up?  A lone kanji that is not an affix (金融|期|関),
    two lone kanji in a row (認|障), a person's name (倍償), an unknown word (摘用)."""
    lone = [t for t in w.tokens if len(t.surface) == 1]
    return (any(t.oov or t.person_name for t in w.tokens) or len(lone) >= 2
            or any(not t.affix for t in lone))  # fmt: skip


def _pieces(w: _Window, weak: bool) -> list[tuple[int, str, bool]]:
    """The window, and when the analyser broke it up, its substrings of two or more kanji
    (期器内 was read 期|器内, the typo is in 期器); each with whether it ends on word bounds."""
    if not weak:
        return [(0, w.text, True)]
    bounds = {t.start - w.start for t in w.tokens} | {t.end - w.start for t in w.tokens}
    n = len(w.text)
    return [(i, w.text[i:j], i in bounds and j in bounds) for i in range(n) for j in range(i + 2, n + 1)]


def _candidates(an: Analyser, w: _Window, doc_kanji: frozenset[str], vocabulary: Counter[str],
                full: str) -> list[Typo]:
    if any(t.numeral or c in _NUMERALS for t in w.tokens for c in t.surface):
        return []  # 二項, 前三号: a wrong number is a citation fault, checked elsewhere
    if w.tokens[0].affix and w.tokens[0].surface in _PRODUCTIVE:
        return []  # 等|標ぼう: a window that starts with the suffix of the word before spans two words
    weak = _weak(w)
    oov = any(t.oov for t in w.tokens)
    out = []
    lone = {t.start - w.start for t in w.tokens if len(t.surface) == 1}
    suffixes = {t.start - w.start + 1 for t in w.tokens if t.affix and t.surface in _PRODUCTIVE}
    for offset, text, aligned in _pieces(w, weak):
        if offset + len(text) in suffixes or offset + 1 in suffixes:
            continue  # 金等 is 金 + 等, a suffix that follows any noun: not a word to correct (nor 等標)
        word = an.is_word(text)
        if not word and not weak:
            continue  # a compound of ordinary words (基本利用料): the analyser knows every part
        for k, ch in enumerate(text):
            # 績 (in 免|績): a lone kanji the dictionary has only as a name, so its reading is unknown
            unread = offset + k in lone and not an.char_readings(ch, names=False)
            pool = set(_pool(an, ch, doc_kanji))
            if oov or unread:
                pool |= doc_kanji
            if oov:
                pool |= an.dictionary_kanji
            pool -= _NUMERALS | {ch}
            for c in pool:
                right = text[:k] + c + text[k + 1:]
                n = vocabulary[right]
                in_dict = an.is_word(right)
                strict = bool(an.char_readings(ch, names=False) & an.char_readings(c, names=False))
                alike = strict or bool(an.char_readings(ch) & an.char_readings(c)) or \
                    an.reading(text) == an.reading(right)
                if word:  # a dictionary word used once, where the document elsewhere writes `right`
                    if not (n >= 1 and full.count(right) >= 2 and an.reading(text) == an.reading(right)):
                        continue
                elif not (in_dict or n >= 2) or not (alike or (oov and in_dict) or (unread and in_dict and n >= 1)):
                    continue
                elif not aligned and n < 2:
                    continue  # a piece cut out of a word: only the document's own word will do
                score = 2 + (n >= 2) + in_dict - word - (not alike)
                out.append(Typo(w.citation, w.start + offset, text, right, score, n, in_dict))
    return out
