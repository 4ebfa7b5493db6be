"""The Japanese morphological analyser the lint reads the text with: SudachiPy and its core
dictionary (sudachidict-core), loaded once per process.

Only three questions are asked of it: how a text splits into words (split mode C, the
longest units), whether a string is a common word of the dictionary (a proper noun such as
倍償 or 東京 does not count), and how a kanji or a word is read (its katakana reading).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property

__all__ = ["Analyser", "Token", "analyser", "is_kanji"]


def is_kanji(ch: str) -> bool:
    """A CJK ideograph or the iteration mark 々."""
    return "\u4e00" <= ch <= "\u9fff" or ch == "々"


@dataclass(frozen=True)
class Token:
    """A word of a text: ``start``/``end`` are character offsets into that text."""

    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    reading: str
    oov: bool

    @property
    def proper(self) -> bool:
        return len(self.pos) > 1 and self.pos[1] == "固有名詞"

    @property
    def person_name(self) -> bool:
        """A proper noun the dictionary knows only as a person's name (倍償, 徐)."""
        return self.proper and len(self.pos) > 2 and self.pos[2] == "人名"

    @property
    def affix(self) -> bool:
        return self.pos[0] in ("接尾辞", "接頭辞")

    @property
    def numeral(self) -> bool:
        return len(self.pos) > 1 and self.pos[1] == "数詞"


class Analyser:
    """SudachiPy with the core dictionary.  Readings and dictionary look-ups are memoised."""

    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode

        self._dict = Dictionary(dict="core")
        self._tok = self._dict.tokenizer(mode=SplitMode.C)
        self._readings: dict[str, str] = {}
        self._words: dict[str, bool] = {}
        self._char_readings: dict[tuple[str, bool], frozenset[str]] = {}

    def tokens(self, text: str) -> list[Token]:
        """The words of ``text``, with their offsets, parts of speech and readings."""
        out = []
        for m in self._tok.tokenize(text):
            out.append(Token(m.surface(), m.begin(), m.end(), tuple(m.part_of_speech()), m.reading_form(),
                             m.is_oov()))  # fmt: skip
        return out

    def is_word(self, s: str) -> bool:
        """Is ``s`` a common (not proper) word of the dictionary, as one entry?"""
        if s not in self._words:
            self._words[s] = any(m.surface() == s and m.part_of_speech()[1] != "固有名詞"
                                 for m in self._dict.lookup(s))  # fmt: skip
        return self._words[s]

    def reading(self, s: str) -> str:
        """The katakana reading of ``s`` read on its own (an unknown word reads as itself)."""
        if s not in self._readings:
            self._readings[s] = "".join(m.reading_form() for m in self._tok.tokenize(s))
        return self._readings[s]

    def char_readings(self, ch: str, names: bool = True) -> frozenset[str]:
        """Every reading the dictionary gives the single character ``ch`` as a word; with
        ``names=False`` not those it has only as a person's name (績 is イサオ only as a name)."""
        if (ch, names) not in self._char_readings:
            self._char_readings[ch, names] = frozenset(
                m.reading_form() for m in self._dict.lookup(ch)
                if m.surface() == ch and (names or m.part_of_speech()[2] != "人名"))  # fmt: skip
        return self._char_readings[ch, names]

    @cached_property
    def dictionary_kanji(self) -> frozenset[str]:
        """The ideographs of the basic block that are dictionary entries on their own."""
        return frozenset(c for cs in self.kanji_by_reading.values() for c in cs)

    @cached_property
    def kanji_by_reading(self) -> dict[str, frozenset[str]]:
        """Reading → the kanji the dictionary reads that way (every ideograph of the basic block
        that is a dictionary entry on its own)."""
        index: dict[str, set[str]] = {}
        for cp in range(0x4E00, 0xA000):
            ch = chr(cp)
            for r in self.char_readings(ch):
                index.setdefault(r, set()).add(ch)
        return {r: frozenset(v) for r, v in index.items()}

    def homophones(self, ch: str, among: Iterable[str] = ()) -> set[str]:
        """Kanji read like ``ch`` (one reading in common), from the dictionary and ``among``."""
        rs = self.char_readings(ch)
        out: set[str] = set()
        for r in rs:
            out |= self.kanji_by_reading.get(r, frozenset())
        out |= {c for c in among if rs & self.char_readings(c)}
        out.discard(ch)
        return out


@cache
def analyser() -> Analyser:
    """The process's analyser (loading the dictionary takes about 0.1 s)."""
    return Analyser()
