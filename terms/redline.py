"""A redline of two versions of a terms text, aligned by article, paragraph and item.

Each unit (the preamble, an article's title, a paragraph's lead text, an item with its
sub-items, the 付則) of the old text is paired with the unit of the same citation in the
new text; inside a changed unit the characters deleted and inserted are marked
(difflib's SequenceMatcher over characters). Unchanged articles and units are folded:
a reader sees their citations, not their text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .structure import Article, Terms

Segment = tuple[str, str]  # ("=", text) kept, ("-", text) deleted, ("+", text) inserted


@dataclass(frozen=True)
class UnitDiff:
    """One unit of the text: `citation` such as "7-1", "17-1(2)", "7 (title)", "付則"."""

    citation: str
    kind: str  # unchanged, changed, added, removed
    old: str = ""
    new: str = ""

    @property
    def segments(self) -> list[Segment]:
        return char_diff(self.old, self.new)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"citation": self.citation, "kind": self.kind}
        if self.kind != "unchanged":
            out.update(old=self.old, new=self.new, segments=[list(s) for s in self.segments])
        return out


@dataclass(frozen=True)
class ArticleDiff:
    """One article (number 0 is the preamble, -1 the 付則): its units in text order."""

    number: int
    title_old: str
    title_new: str
    kind: str
    units: tuple[UnitDiff, ...] = field(default=())

    @property
    def label(self) -> str:
        return "前文" if self.number == 0 else "付則" if self.number == -1 else f"第{self.number}条"

    @property
    def label_en(self) -> str:
        return "Preamble" if self.number == 0 else "Supplementary provisions" if self.number == -1 else \
            f"Article {self.number}"  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {"article": self.label, "number": self.number, "kind": self.kind, "title_old": self.title_old,
                "title_new": self.title_new, "units": [u.to_json() for u in self.units]}  # fmt: skip


def char_diff(old: str, new: str) -> list[Segment]:
    """Character-level marks; an unchanged run of one character between two changes is
    folded into them, so a rewritten phrase reads as one deletion and one insertion."""
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            raw.append(("=", old[i1:i2]))
        else:
            if i2 > i1:
                raw.append(("-", old[i1:i2]))
            if j2 > j1:
                raw.append(("+", new[j1:j2]))
    # fold a one-character equal run sitting between two changes into both sides
    out: list[Segment] = []
    k = 0
    while k < len(raw):
        op, text = raw[k]
        if op == "=" and len(text) == 1 and 0 < k < len(raw) - 1 and raw[k - 1][0] != "=" and raw[k + 1][0] != "=":
            out.append(("-", text))
            out.append(("+", text))
        else:
            out.append((op, text))
        k += 1
    merged: list[Segment] = []
    dels, inss = "", ""
    for op, text in out + [("=", "")]:
        if op == "-":
            dels += text
        elif op == "+":
            inss += text
        else:
            if dels:
                merged.append(("-", dels))
            if inss:
                merged.append(("+", inss))
            dels, inss = "", ""
            if text:
                merged.append(("=", text))
    return merged


def _units(article: Article) -> dict[str, str]:
    """The article's units by citation, in text order."""
    n = article.number
    out = {f"{n} (title)": article.title}
    for p in article.paragraphs:
        base = str(n) if article.single_paragraph else f"{n}-{p.number}"
        if p.text or not p.items:
            out[base] = p.text
        for it in p.items:
            out[f"{base}({it.number})"] = it.full_text()
    return out


def _pair(number: int, old: dict[str, str], new: dict[str, str], t_old: str, t_new: str) -> ArticleDiff:
    units = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is None:
            units.append(UnitDiff(key, "added", new=b or ""))
        elif b is None:
            units.append(UnitDiff(key, "removed", old=a))
        else:
            units.append(UnitDiff(key, "unchanged" if a == b else "changed", a, b))
    if not old:
        kind = "added"
    elif not new:
        kind = "removed"
    else:
        kind = "unchanged" if all(u.kind == "unchanged" for u in units) else "changed"
    return ArticleDiff(number, t_old, t_new, kind, tuple(units))


def _sentences(text: str) -> list[str]:
    """The 付則 a line or a sentence a unit (its revisions are added one sentence at a time)."""
    return [x for x in re.split(r"(?<=。)|\n", text) if x.strip()]


def redline(old: Terms, new: Terms) -> list[ArticleDiff]:
    """The preamble, every article (by number) and the 付則, each with its units."""
    out = [_pair(0, {"前文": old.preamble}, {"前文": new.preamble}, "", "")]
    a_old = {a.number: a for a in old.articles}
    a_new = {a.number: a for a in new.articles}
    for n in sorted(set(a_old) | set(a_new)):
        x, y = a_old.get(n), a_new.get(n)
        out.append(_pair(n, _units(x) if x else {}, _units(y) if y else {}, x.title if x else "",
                         y.title if y else ""))  # fmt: skip
    sup_old = {f"付則 {k + 1}": s for k, s in enumerate(_sentences(old.supplementary))}
    sup_new = {f"付則 {k + 1}": s for k, s in enumerate(_sentences(new.supplementary))}
    out.append(_pair(-1, sup_old, sup_new, "", ""))
    return out


def changed_articles(diffs: list[ArticleDiff]) -> list[int]:
    """Numbers of the articles (not the preamble nor the 付則) whose text changed."""
    return [d.number for d in diffs if d.number > 0 and d.kind != "unchanged"]


def folded_runs(diffs: list[ArticleDiff]) -> list[list[ArticleDiff] | ArticleDiff]:
    """The diffs with runs of unchanged articles grouped (a list) for folding."""
    out: list[list[ArticleDiff] | ArticleDiff] = []
    for d in diffs:
        if d.kind == "unchanged":
            if out and isinstance(out[-1], list):
                out[-1].append(d)
            else:
                out.append([d])
        else:
            out.append(d)
    return out
