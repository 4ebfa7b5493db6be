"""`yakkan lint`: every drafting finding of a terms text, less those reviewed and accepted.

The findings come from the structure checks (``yakkan.terms.findings``: references,
numbering, headings, widths, brackets), the typo check (``yakkan.terms.typos``), the
defined-term check (``yakkan.terms.defined_terms``) and the reviewer's own findings kept
beside the text (``yakkan.terms.reviewed``).  Each carries an ``id``; the reviewed-findings
file marks ids ``accepted`` (shown only with ``--all``) or ``open``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError

from .defined_terms import find_definitions, find_variants
from .findings import TITLE, Finding, find_text_findings, texts, units
from .reviewed import Reviewed, ReviewedEntry, load_reviewed
from .structure import Terms, TermsError, load_terms
from .typos import find_typos

__all__ = ["LintFinding", "LintReport", "lint", "lint_file", "load_terms_input", "typo_findings",
           "variant_findings"]  # fmt: skip


@dataclass(frozen=True)
class LintFinding:
    """A finding and what review said of it: ``new`` (not reviewed), ``open`` or ``accepted``."""

    finding: Finding
    status: str = "new"
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.to_json(), "status": self.status, "reason": self.reason or None}


@dataclass(frozen=True)
class LintReport:
    terms_path: Path
    reviewed_path: Path | None
    findings: tuple[LintFinding, ...]
    stale: tuple[ReviewedEntry, ...] = field(default=())

    def shown(self, all_findings: bool = False) -> list[LintFinding]:
        return [f for f in self.findings if all_findings or f.status != "accepted"]

    def to_json(self, all_findings: bool = False) -> dict[str, Any]:
        return {
            "terms": str(self.terms_path),
            "reviewed": str(self.reviewed_path) if self.reviewed_path else None,
            "findings": [f.to_json() for f in self.shown(all_findings)],
            "accepted": sum(1 for f in self.findings if f.status == "accepted"),
            "stale": [{"id": e.id, "line": e.line} for e in self.stale],
        }  # fmt: skip


def _lines(terms: Terms) -> dict[str, int]:
    out: dict[str, int] = {"preamble": 1}
    for u in units(terms):
        out.setdefault(u.citation, (u.item.line if u.item else u.paragraph.line) or u.article.line)
    for a in terms.articles:
        out[f"{a.number}{TITLE}"] = a.line  # a finding in an article's heading
        out.setdefault(str(a.number), a.line)
    return out


def _exact_line(raw: list[str], start: int, word: str) -> int:
    """The line, from the unit's first line ``start`` on, where ``word`` is written (possibly
    broken over two lines by the PDF extraction); ``start`` when it is not found nearby."""
    for k in range(max(0, start - 1), min(len(raw), start + 20)):
        line = raw[k].rstrip()
        if word in line or any(line.endswith(word[:j]) for j in range(1, len(word))):
            return k + 1
    return start


def _raw_lines(terms: Terms) -> list[str]:
    try:
        return terms.path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return []


def _cite(citation: str) -> str:
    """The citation of a text of ``texts()``: an article's title is cited as the article."""
    return citation.removesuffix(TITLE)


def typo_findings(terms: Terms) -> list[Finding]:
    """The typo check's findings (``yakkan.terms.typos``)."""
    pairs = texts(terms)
    by_cite = dict(pairs)
    lines, raw = _lines(terms), _raw_lines(terms)
    out = []
    for t in find_typos(pairs):
        text = by_cite.get(t.citation, "")
        excerpt = text[max(0, t.start - 6):t.start + len(t.wrong) + 6]
        a, b = t.changed
        if t.right_count >= 2:
            why_en = f"the text writes 「{t.right}」 {t.right_count} times elsewhere"
            why_ja = f"本文の他の箇所では「{t.right}」が{t.right_count}回使われています"
        else:
            why_en = f"「{t.right}」 is a dictionary word and 「{t.wrong}」 is not"
            why_ja = f"「{t.right}」は辞書にある語で、「{t.wrong}」は辞書にありません"
        c = _cite(t.citation)
        out.append(Finding(
            c, "typo",
            f"{c}: 「{t.wrong}」 should probably read 「{t.right}」 ({a} for {b}; {why_en})", excerpt,
            f"{c}：「{t.wrong}」は「{t.right}」の誤りと思われます（{b}が{a}になっています。{why_ja}）",
            t.wrong, _exact_line(raw, lines.get(t.citation, 0), t.wrong)))  # fmt: skip
    return out


def variant_findings(terms: Terms) -> list[Finding]:
    """Undefined variants of defined terms (``yakkan.terms.defined_terms``)."""
    pairs = texts(terms)
    by_cite = dict(pairs)
    lines, raw = _lines(terms), _raw_lines(terms)
    out = []
    for v in find_variants(pairs, find_definitions(pairs)):
        text = by_cite.get(v.citation, "")
        excerpt = text[max(0, v.start - 6):v.start + len(v.text) + 6]
        c, d = _cite(v.citation), _cite(v.defined_in)
        out.append(Finding(
            c, "undefined-term",
            f"{c}: 「{v.text}」 is used but never defined; the defined term is 「{v.term}」 (defined in {d})", excerpt,
            f"{c}：「{v.text}」は定義されていない語です。定義語は「{v.term}」です（{d}で定義）",
            v.text, _exact_line(raw, lines.get(v.citation, 0), v.text)))  # fmt: skip
    return out


def lint(terms: Terms, reviewed: Reviewed | None = None) -> LintReport:
    """Every finding of ``terms``, in document order, marked with its review status."""
    reviewed = reviewed if reviewed is not None else load_reviewed(terms.path)
    found = find_text_findings(terms) + typo_findings(terms) + variant_findings(terms)
    own = reviewed.own_findings(terms)
    order = {c: k for k, c in enumerate(terms.citations())}
    order["preamble"] = -1
    order["supplementary"] = len(order) + 1
    lines = _lines(terms)
    found = [f if f.line else replace(f, line=lines.get(f.citation, 0)) for f in found]
    out: list[LintFinding] = []
    seen: set[str] = set()
    for f in found:
        if f.id in seen:
            continue
        seen.add(f.id)
        e = reviewed.entry(f.id)
        out.append(LintFinding(f, e.status, e.reason) if e else LintFinding(f))
    raw = _raw_lines(terms)
    for f, e in own:
        f = replace(f, line=_exact_line(raw, f.line, e.text))
        if f.id not in seen:
            seen.add(f.id)
            out.append(LintFinding(f, e.status, e.reason))
    out.sort(key=lambda x: (order.get(terms.canonical(x.finding.citation) if terms.exists(x.finding.citation)
                                      else x.finding.citation, len(order)), x.finding.line))  # fmt: skip
    stale = tuple(e for e in reviewed.entries if e.id not in seen)
    return LintReport(terms.path, reviewed.path, tuple(out), stale)


def load_terms_input(path: Path) -> Terms:
    """``load_terms`` for the command line: a text that cannot be structured is bad input."""
    try:
        return load_terms(path)
    except TermsError as exc:
        raise InputError(exc.message, exc.path, exc.line or None, hint=exc.hint) from None


def lint_file(path: Path, reviewed: Path | None = None) -> LintReport:
    terms = load_terms_input(path)
    return lint(terms, load_reviewed(terms.path, reviewed))
