"""The article coverage table: for every article, the model elements that encode it or the
reason it is out of scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yakkan.terms.structure import load_terms

from .spec import Spec, iter_citations


@dataclass(frozen=True)
class CoverageRow:
    article: int
    title: str
    elements: tuple[str, ...]
    citations: tuple[str, ...]
    out_of_scope: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article, "title": self.title, "elements": list(self.elements),
            "citations": list(self.citations), "out_of_scope": self.out_of_scope,
        }  # fmt: skip


def article_of(citation: str) -> int:
    """17 for '17-1(2)', 5 for '5(3)'."""
    return int(citation.split("-")[0].split("(")[0])


def coverage_table(spec: Spec) -> list[CoverageRow]:
    """One row per article of the terms, in order."""
    terms = load_terms(spec.terms_path)
    by_article: dict[int, dict[str, None]] = {}
    cites: dict[int, dict[str, None]] = {}
    for cite, element in iter_citations(spec):
        n = article_of(cite)
        by_article.setdefault(n, {})[element] = None
        cites.setdefault(n, {})[cite] = None
    return [
        CoverageRow(
            article=a.number,
            title=a.title,
            elements=tuple(by_article.get(a.number, {})),
            citations=tuple(sorted(cites.get(a.number, {}), key=_cite_key)),
            out_of_scope=spec.out_of_scope.get(a.number),
        )
        for a in terms.articles
    ]


def _cite_key(cite: str) -> tuple[int, ...]:
    nums, cur = [], ""
    for ch in cite:
        if ch.isdigit():
            cur += ch
        elif cur:
            nums.append(int(cur))
            cur = ""
    if cur:
        nums.append(int(cur))
    return tuple(nums)
