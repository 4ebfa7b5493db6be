"""The figures the terms write, against the parameters that hold them.

A ``scope: terms`` parameter whose value the terms fix quotes the words of its article
that write it (``written: 満３ヶ月`` for ``minimum_term_months``, 7-1; the loader checks that
they write one number). The structural check ``figures_as_written`` (P67) checks that the
words are in an article the parameter cites and that the number they write is the
parameter's value (1460 basis points are written 14.6 %): an edit of the spec's figure
without the terms, or of the terms without the spec, turns the gate red — and a review of
a new text shows the flip (the spec still loads: `yakkan review` reports the stale
articles). A parameter whose figure the terms leave to the company or do not write
(the tax rate, the renewal period, the records' retention days) quotes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .staleness import numbers_in
from .structure import Terms


def compact(text: str) -> str:
    """``text`` in NFKC (full-width digits as half-width), without spaces and line breaks:
    the terms wrap their lines anywhere."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _quoted(words: str) -> re.Pattern[str]:
    """The words as a pattern that a longer number does not match (３ヶ月前 is not in
    １３ヶ月前, nor 12を乗じた in 112を乗じた)."""
    return re.compile(r"(?<![\d.])" + re.escape(compact(words)) + r"(?![\d.])")


def figure_of(value: Any, words: str) -> str:
    """How the words write ``value``: a percentage for a basis-point value (1460 → 14.6,
    when the words write %), else the value itself."""
    percent = "%" in unicodedata.normalize("NFKC", words)
    number = value / 100 if percent else value
    return str(float(number)).removesuffix(".0")


def unit_text(terms: Terms, citation: str) -> str:
    """The whole text of the article, paragraph or item a citation names."""
    _, node = terms.locate(citation)
    return node.text() if hasattr(node, "paragraphs") else node.full_text()


def where_written(terms: Terms, words: str, citations: Iterable[str]) -> str | None:
    """The first of ``citations`` whose text holds ``words``, else None."""
    want = _quoted(words)
    for cite in citations:
        if terms.exists(cite) and want.search(compact(unit_text(terms, cite))):
            return cite
    return None


@dataclass(frozen=True)
class Figure:
    """A parameter's value beside the words of the terms that write it."""

    parameter: str
    value: Any
    written: str
    articles: tuple[str, ...]  # the articles the parameter cites
    citation: str | None  # where the words are (None: not in any article the parameter cites)
    numbers: tuple[str, ...]  # the numbers the words write

    @property
    def as_written(self) -> bool:
        return self.citation is not None and figure_of(self.value, self.written) in self.numbers

    def problem(self) -> str:
        """What is wrong, in a sentence the message catalogue renders in Japanese."""
        if self.citation is None:
            return f"the words '{self.written}' of parameter {self.parameter} are not in {', '.join(self.articles)}"
        return (f"{self.citation} writes '{self.written}' ({', '.join(self.numbers)}), "
                f"but parameter {self.parameter} is {self.value}")  # fmt: skip

    def statement(self) -> str:
        return f"{self.citation} writes '{self.written}': parameter {self.parameter} is {self.value}"


def figures(spec: Any, terms: Terms) -> list[Figure]:
    """Every quoted figure of ``spec``, in the order of its parameters."""
    out = []
    for p in spec.parameters.values():
        if p.written is None:
            continue
        where = where_written(terms, p.written, p.articles)
        out.append(Figure(p.name, p.default, p.written, tuple(p.articles), where, tuple(sorted(numbers_in(p.written)))))
    return out


def load(spec: Any) -> list[Figure]:
    """`figures` of ``spec`` against the terms text beside it."""
    from .structure import load_terms

    return figures(spec, load_terms(spec.terms_path))
