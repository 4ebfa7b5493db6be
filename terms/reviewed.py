"""Reviewed findings of one terms text, kept as data beside it.

``clara-msp-terms-2024-04-01.ja.txt`` has ``clara-msp-terms-2024-04-01.findings.yaml``::

    findings:
      - id: typo@23-1(16):他社            # a finding of the lint, by its id
        status: accepted                  # reviewed: not a fault (or accepted as it is)
        reason: 他社 (other companies) is meant; 他者 would be any other person
      - kind: wrong-reference             # a finding a reviewer made, that no check finds
        citation: "6-1"
        text: 第５条の申込み               # reported while the cited unit still says this
        status: open
        en: 6-1 forms the contract when the company accepts 「第５条の申込み」, …
        ja: 6-1は「第５条の申込み」を承諾したときに契約が成立するとしていますが、…

``status`` is ``open`` (a fault: reported) or ``accepted`` (reported only with ``--all``);
an accepted entry needs a ``reason``.  Bad entries are bad input: ``file:line: what`` and a
``fix:`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError
from yakkan.model.yamlio import line_of, read_yaml

from .findings import Finding, units
from .structure import Article, CitationError, Terms

__all__ = ["STATUSES", "Reviewed", "ReviewedEntry", "load_reviewed", "reviewed_path"]

STATUSES = ("open", "accepted")


@dataclass(frozen=True)
class ReviewedEntry:
    """One entry: either ``id`` of a finding the lint makes, or a reviewer's own finding
    (``kind``, ``citation``, ``text``, ``en``, ``ja``)."""

    id: str
    status: str
    reason: str = ""
    kind: str = ""
    citation: str = ""
    text: str = ""
    en: str = ""
    ja: str = ""
    line: int = 0

    @property
    def own(self) -> bool:
        """A reviewer's finding (not one the lint makes)."""
        return bool(self.text)


@dataclass(frozen=True)
class Reviewed:
    path: Path | None
    entries: tuple[ReviewedEntry, ...] = ()

    def entry(self, finding_id: str) -> ReviewedEntry | None:
        for e in self.entries:
            if e.id == finding_id:
                return e
        return None

    def own_findings(self, terms: Terms) -> list[tuple[Finding, ReviewedEntry]]:
        """The reviewer's findings whose text is still in the cited unit."""
        out = []
        for e in self.entries:
            if not e.own:
                continue
            try:
                c, unit = terms.locate(e.citation)
            except CitationError:
                continue
            if isinstance(unit, Article):
                text = unit.heading + unit.text()
            else:
                text = "\n".join(u.text for u in units(terms) if u.citation == terms.canonical(c))
            i = text.find(e.text)
            if i < 0:
                continue
            line = next(((u.item.line if u.item else u.paragraph.line) or u.article.line
                         for u in units(terms) if u.citation == terms.canonical(c)), unit_line(unit))  # fmt: skip
            excerpt = text[max(0, i - 8):i + len(e.text) + 12]
            out.append((Finding(e.citation, e.kind, e.en, excerpt, e.ja, e.text, line), e))
        return out


def unit_line(unit: object) -> int:
    return getattr(unit, "line", 0) or 0


def reviewed_path(terms_path: Path) -> Path:
    """``x.ja.txt`` → ``x.findings.yaml`` beside it."""
    return terms_path.with_name(terms_path.name.split(".")[0] + ".findings.yaml")


def load_reviewed(terms_path: Path, path: Path | None = None) -> Reviewed:
    """The reviewed findings beside ``terms_path`` (none when there is no such file)."""
    p = path or reviewed_path(terms_path)
    if not p.exists():
        return Reviewed(None)
    root = read_yaml(p)
    if root is None:
        return Reviewed(p)
    if not isinstance(root, dict) or not isinstance(root.get("findings", []), list):
        raise InputError("expected a mapping with a list `findings:`", p, 1,
                         hint="write `findings:` followed by one `- id: …` entry per reviewed finding")
    entries = []
    seen: set[str] = set()
    for k, node in enumerate(root.get("findings") or []):
        entries.append(_entry(p, k, node, seen))
    return Reviewed(p, tuple(entries))


def _entry(p: Path, k: int, node: Any, seen: set[str]) -> ReviewedEntry:
    where = f"findings[{k}]"
    line = line_of(node) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise InputError("an entry must be a mapping", p, line, where=where,
                         hint="write `- id: KIND@CITATION:SUBJECT` with `status:` and `reason:`")
    known = {"id", "status", "reason", "kind", "citation", "text", "en", "ja"}
    for key in node:
        if key not in known:
            raise InputError(f"unknown key `{key}`", p, line_of(node, key), where=where,
                             hint=f"the keys are {', '.join(sorted(known))}")
    status = node.get("status")
    if status not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}", p,
                         line_of(node, "status") or line, where=where,
                         hint="open: a fault to report; accepted: reviewed and accepted, with a reason")
    if status == "accepted" and not str(node.get("reason") or "").strip():
        raise InputError("an accepted finding needs a reason", p, line, where=where,
                         hint="add `reason:` saying why the finding is not a fault (or is accepted)")
    text = str(node.get("text") or "")
    if text:
        missing = [x for x in ("kind", "citation", "en", "ja") if not node.get(x)]
        if missing:
            raise InputError(f"a reviewer's finding (with `text`) needs {', '.join(missing)}", p, line, where=where,
                             hint="give kind, citation, the text it is about, and the en and ja messages")
        fid = f"{node['kind']}@{node['citation']}:{text}"
    elif node.get("id"):
        fid = str(node["id"])
    else:
        raise InputError("an entry needs `id` (a finding of the lint) or `text` (a reviewer's finding)", p, line,
                         where=where, hint="copy the id that `yakkan lint --json` prints for the finding")
    if fid in seen:
        raise InputError(f"{fid} is listed twice", p, line, where=where, hint="keep one entry per finding")
    seen.add(fid)
    return ReviewedEntry(fid, status, str(node.get("reason") or ""), str(node.get("kind") or ""),
                         str(node.get("citation") or ""), text, str(node.get("en") or ""),
                         _JOIN_RE.sub("", str(node.get("ja") or "")), line or 0)  # fmt: skip


# a folded YAML string joins its lines with a space, which Japanese does not put between words
_JOIN_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
