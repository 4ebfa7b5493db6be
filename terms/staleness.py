"""Stale encodings: an article's text changed but the spec elements that cite it did not.

For every article whose text differs between two versions, the elements of the new spec
that cite the article (any of its paragraphs or items) and are the same as in the old
spec are listed, with the numbers of the changed text that no parameter citing the article
holds ("7-1 says ６ (months); minimum_term_months = 3"). An article counts as re-read when
the new spec's `reread:` section records the fingerprint of its new text — written by
`yakkan review OLD NEW --reread ARTICLE` once a person has read the article against its
encoding. A stale article that was not re-read makes the review exit 1.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError

from .redline import ArticleDiff
from .structure import Article, CitationError, Terms


def fingerprint(article: Article) -> str:
    """16 hex digits of the article's title and text (what a re-read is recorded against)."""
    return hashlib.sha256(f"{article.title}\n{article.text()}".encode()).hexdigest()[:16]


def article_of(citation: str) -> int | None:
    """The article number a citation ("17-1(2)", "9", "37-2") names."""
    m = re.match(r"\s*(\d+)", unicodedata.normalize("NFKC", str(citation)))
    return int(m.group(1)) if m else None


def numbers_in(text: str) -> set[str]:
    """The numbers written in a text, full-width digits read as half-width ("満６ヶ月" → 6);
    a fraction written 「２分の１」 is not a quantity a parameter holds and is skipped."""
    plain = re.sub(r"\d+分の\d+", "", unicodedata.normalize("NFKC", text))
    return {_canon(m) for m in re.findall(r"\d+(?:\.\d+)?", plain)}


def _canon(number: str) -> str:
    return str(float(number)).removesuffix(".0")


def _value_forms(value: Any) -> set[str]:
    """How a parameter's value may be written in the text: itself, or a basis-point or
    per-mille figure as a percentage (1460 bp → 14.6 %)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return set()
    return {_canon(str(value)), _canon(str(value / 100))}


@dataclass(frozen=True)
class Element:
    """A spec element that cites articles: `section` and `name` as the spec writes them."""

    section: str
    name: str
    articles: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.section}{self.name}" if self.name.startswith("[") else f"{self.section}.{self.name}"


@dataclass(frozen=True)
class NumberMismatch:
    """Numbers a changed unit newly writes that no parameter citing the unit holds."""

    citation: str  # the unit of the new text
    numbers: tuple[str, ...]
    parameters: tuple[tuple[str, Any], ...]  # (name, value) of the parameters citing the unit

    def to_json(self) -> dict[str, Any]:
        return {"citation": self.citation, "numbers": list(self.numbers),
                "parameters": {k: v for k, v in self.parameters}}  # fmt: skip


@dataclass(frozen=True)
class StaleArticle:
    article: int
    unchanged: tuple[Element, ...]
    numbers: tuple[NumberMismatch, ...] = field(default=())
    reread: bool = False
    fingerprint: str = ""

    @property
    def stale(self) -> bool:
        return bool(self.unchanged or self.numbers) and not self.reread

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "stale": self.stale, "reread": self.reread, "fingerprint": self.fingerprint,
                "unchanged": [e.label for e in self.unchanged],
                "numbers": [n.to_json() for n in self.numbers]}  # fmt: skip


def _articles_in(node: Any) -> list[str]:
    """Every citation listed under an `articles` key anywhere inside `node` (a transition's
    guard clauses cite articles of their own)."""
    out: list[str] = []
    if isinstance(node, Mapping):
        for k, v in node.items():
            if k == "articles" and isinstance(v, list):
                out += [str(x) for x in v]
            else:
                out += _articles_in(v)
    elif isinstance(node, list):
        for v in node:
            out += _articles_in(v)
    return out


def elements(doc: Mapping[str, Any]) -> dict[str, tuple[Element, Any]]:
    """Every element of a raw spec document that cites an article, by label, with its raw value."""
    out: dict[str, tuple[Element, Any]] = {}
    for section, body in doc.items():
        if section in ("meta", "reread"):
            continue
        if section == "out_of_scope" and isinstance(body, Mapping):
            for art, reason in body.items():
                el = Element(section, str(art), (str(art),))
                out[el.label] = (el, reason)
        elif isinstance(body, Mapping):
            for name, value in body.items():
                arts = _articles_in(value) if isinstance(value, Mapping | list) else []
                if arts:
                    el = Element(str(section), str(name), tuple(dict.fromkeys(arts)))
                    out[el.label] = (el, value)
        elif isinstance(body, list):
            seen: set[str] = set()
            for k, value in enumerate(body, 1):
                name = str(value.get("id", "")) if isinstance(value, Mapping) else ""
                name = name or f"[{', '.join(_articles_in(value)) or k}]"
                while name in seen:
                    name += "'"
                seen.add(name)
                arts = _articles_in(value)
                if arts:
                    el = Element(str(section), name, tuple(dict.fromkeys(arts)))
                    out[el.label] = (el, value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def staleness(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], new_terms: Terms,
              text_diffs: Iterable[ArticleDiff], reread: Mapping[str, str]) -> list[StaleArticle]:  # fmt: skip
    """For each article whose text changed: the new spec's elements citing it that did not
    change, and the parameters citing a changed unit whose value the unit no longer writes."""
    old_els, new_els = elements(old_doc), elements(new_doc)
    params = new_doc.get("parameters") or {}
    out = []
    for d in text_diffs:
        if d.number <= 0 or d.kind == "unchanged":
            continue
        n = d.number
        units = [u.citation.removesuffix(" (title)") for u in d.units if u.kind != "unchanged"]
        unchanged = tuple(
            el for label, (el, value) in new_els.items()
            if any(_touches(c, u) for c in el.articles for u in units)
            and label in old_els and _plain(old_els[label][1]) == _plain(value)
        )  # fmt: skip
        mismatches = []
        for u in d.units:
            if u.kind not in ("changed", "added") or u.citation.endswith("(title)"):
                continue
            added = numbers_in(u.new) - numbers_in(u.old)
            citing = [(str(k), p.get("default")) for k, p in params.items() if isinstance(p, Mapping)
                      and p.get("scope") == "terms" and any(_covers(str(c), u.citation) for c in p.get("articles", []))]
            held = set().union(*(_value_forms(v) for _, v in citing)) if citing else set()
            missing = sorted(added - held, key=float)
            if citing and missing:
                mismatches.append(NumberMismatch(u.citation, tuple(missing), tuple(citing)))
        try:
            fp = fingerprint(new_terms.article(n))
        except (KeyError, CitationError):
            fp = ""
        out.append(StaleArticle(n, unchanged, tuple(mismatches), reread=bool(fp) and reread.get(str(n)) == fp,
                                fingerprint=fp))  # fmt: skip
    return out


def _touches(citation: str, unit: str) -> bool:
    """Whether an element citing `citation` reads the changed `unit`: the same unit, one
    inside the other ("7" and "7-1", "17-1" and "17-1(2)"), or the article of either."""
    c = unicodedata.normalize("NFKC", citation).strip()
    return _covers(c, unit) or _covers(unit, c) or c == str(article_of(unit))


def _covers(citation: str, unit: str) -> bool:
    """Whether a parameter's citation ("7-1", "12") reaches a unit of the text ("7-1", "12-2(1)")."""
    c = unicodedata.normalize("NFKC", citation).strip()
    return unit == c or unit.startswith(c + "-") or unit.startswith(c + "(")


# -- recording a re-read -------------------------------------------------------------------

_HEADER = ("  # Articles whose text the encoding above was re-read against: article -> fingerprint\n"
           "  # of its text, written by `yakkan review OLD NEW --reread ARTICLE` (until then the review\n"
           "  # reports an article whose text changed while its citing elements did not as stale).\n")  # fmt: skip


def record_reread(spec_path: Path, terms: Terms, articles: Iterable[str], current: Mapping[str, str]) -> dict[str, str]:
    """Write the fingerprints of `articles` of `terms` into the spec's `reread:` section
    (replacing the section, which stays the file's last block); returns the new section."""
    from yakkan.model.limits import read_input_bytes, write_output

    section = dict(current)
    for a in articles:
        n = article_of(a)
        if n is None or str(n) != unicodedata.normalize("NFKC", str(a)).strip():
            raise InputError(f"--reread {a}: not an article number", hint="e.g. --reread 7 (an article, not 7-1)")
        try:
            section[str(n)] = fingerprint(terms.article(n))
        except (KeyError, CitationError):
            raise InputError(f"--reread {a}: the terms text {terms.path.name} has no article {n}",
                             hint="name an article of the new version's terms text") from None
    text = read_input_bytes(spec_path).decode("utf-8")
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.startswith("reread:")), None)
    if start is not None:
        end = start + 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t", "\n", "\r", "#") or not lines[end]):
            end += 1
        head, tail = lines[:start], lines[end:]
    else:
        head, tail = lines, []
    # the lines before the section stay as they are: the verifier's cache ignores only the section
    body = "".join(head)
    if body and not body.endswith("\n"):
        body += "\n"
    body += "reread:\n" + _HEADER
    body += "".join(f'  "{k}": "{v}"\n' for k, v in sorted(section.items(), key=lambda kv: int(kv[0])))
    body += "".join(tail)
    write_output(spec_path, body)
    return section


# -- constants copied from a changed parameter ---------------------------------------------------


@dataclass(frozen=True)
class CopiedConstant:
    """An element citing a parameter's article that still writes the parameter's old value
    (P11's title saying 14.6% after late_rate_bp became 1000; P06's "12 ×")."""

    parameter: str
    old: Any
    new: Any
    element: str
    written: str  # the old value as the element writes it
    reread: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "old": self.old, "new": self.new, "element": self.element,
                "written": self.written, "reread": self.reread}  # fmt: skip


_CITATION = re.compile(r"第\s*\d+\s*[条章項号]|\d+-\d+(?:\(\d+\))?|\(\d+\)|[0-9]{4}-[0-9]{2}-[0-9]{2}|[A-Za-z]+\d+")


def _texts(value: Any) -> str:
    """The texts of a raw element (formulas, titles, rules, docs, translations) without its
    `articles` lists, citations, dates and ids (P11, L06), which hold numbers of their own."""
    parts: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, Mapping):
            for k, x in v.items():
                if k != "articles":
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            parts.append(v)

    walk(value)
    return _CITATION.sub(" ", unicodedata.normalize("NFKC", "\n".join(parts)))


def copied_constants(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], new_terms: Terms,
                     reread: Mapping[str, str]) -> list[CopiedConstant]:  # fmt: skip
    """For each parameter fixed by the terms whose value changed: the elements citing one of
    its articles that still write the old value. Re-reading the parameter's articles
    (`--reread`) accepts them."""
    old_params, new_params = old_doc.get("parameters") or {}, new_doc.get("parameters") or {}
    els = elements(new_doc)
    out = []
    for name, p in new_params.items():
        q = old_params.get(name)
        if not isinstance(p, Mapping) or not isinstance(q, Mapping) or p.get("scope") != "terms":
            continue
        a, b = q.get("default"), p.get("default")
        if a == b or isinstance(a, bool) or not isinstance(a, int):
            continue
        cites = [str(c) for c in p.get("articles", [])]
        arts = {article_of(c) for c in cites}
        done = all(_reread(new_terms, n, reread) for n in arts if n is not None)
        for label, (el, value) in els.items():
            if label == f"parameters.{name}" or not any(_touches(c, u) for c in el.articles for u in cites):
                continue
            text = _texts(value)
            for form in sorted(_value_forms(a), key=len, reverse=True):
                # a number in a fraction (1/12, 12分の1) is a ratio, not the value written again
                if re.search(r"(?<![\d./])" + re.escape(form) + r"(?![\d.]|分の|/\d)", text):
                    out.append(CopiedConstant(str(name), a, b, label, form, done))
                    break
    return out


def _reread(terms: Terms, n: int, reread: Mapping[str, str]) -> bool:
    try:
        return reread.get(str(n)) == fingerprint(terms.article(n))
    except (KeyError, CitationError):
        return False
