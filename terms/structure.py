"""Structure of a Japanese terms-of-service text (約款) extracted from a PDF.

``load_terms`` turns the plain text into chapters (章), articles (条), paragraphs (項),
items (号) and sub-items (ⅰ., ⅱ., …), rejoining lines that the PDF extraction broke
mid-sentence.  Units are cited as ``A``, ``A-P`` or ``A-P(I)`` ("17", "17-2", "17-1(1)").
An article that consists of one paragraph only (第５条, 第１３条, …) is cited without a
paragraph number: its items are ``5(1)``; ``5-1(1)`` is accepted and normalised to ``5(1)``.

Layout rules the parser relies on (and records notes about when the text breaks them):

* A heading line ``第N章　title`` starts a chapter, ``第N条（title）`` an article, ``付則`` /
  ``附則`` the supplementary provisions.  Text before the first heading is the preamble.
* Article, chapter, paragraph and item numbers may use full- or half-width digits.
* ``N.`` at the start of a line opens paragraph N when the article numbers its paragraphs
  (its first line is ``1. …``).  When the article opens with unnumbered text, that text is
  the implicit paragraph 1 and ``1.``, ``2.``, … lines are its items (第５条, 第１８条).
  Inside a paragraph whose items are written ``(1)`` a ``1.`` line is never an item.
* ``(N)`` / ``（N）`` opens item N of the current paragraph; ``ⅰ.`` opens a sub-item of the
  current item.
* Any other line continues the innermost open unit; lines are joined without spaces and
  blank runs (page breaks) are ignored.  Outside items, a line after a visibly short line
  ending in ``。`` starts a new, unnumbered paragraph (第３４条's "前項の定めに拘らず…").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

__all__ = [
    "Article",
    "Chapter",
    "Citation",
    "CitationError",
    "Item",
    "Marker",
    "ParseNote",
    "Paragraph",
    "Terms",
    "TermsError",
    "format_citation",
    "load_terms",
    "parse_citation",
    "to_int",
]


# --------------------------------------------------------------------------- errors


class TermsError(ValueError):
    """The terms text cannot be structured.  Carries ``path``, ``line`` (1-based, 0 when the
    problem is not tied to a line), ``message`` (what is wrong) and ``hint`` (what to fix);
    ``str()`` reads ``path:line: message`` followed by ``  fix: hint``, the layout of
    ``yakkan.model.errors.InputError``, whose attribute names it shares."""

    column: int | None = None
    where: str | None = None

    def __init__(self, path: str | Path | None, line: int, message: str,
                 hint: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.message = message
        self.hint = hint or ("correct the terms text at this line: articles are headed 第N条, paragraphs "
                             "numbered 2, 3, …, items （1）, （2）, …")
        hint = self.hint
        where = str(self.path) if self.path is not None else "<terms>"
        if line:
            where = f"{where}:{line}"
        text = f"{where}: {message}"
        if hint:
            text += f"\n  fix: {hint}"
        super().__init__(text)


class CitationError(ValueError):
    """A citation is malformed or names a unit that the terms do not have."""


# --------------------------------------------------------------------------- numbers

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                 "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100}
_ROMAN_SUBITEMS = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻ"
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def to_int(text: str) -> int:
    """Number written with half-/full-width digits or kanji numerals (第十二条 → 12)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    if not s or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in s):
        raise ValueError(f"not a number: {text!r}")
    for c in s:
        if c in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[c] if current else _KANJI_DIGITS[c]
        else:
            total += (current or 1) * _KANJI_UNITS[c]
            current = 0
    return total + current


def _roman_to_int(text: str) -> int:
    s = unicodedata.normalize("NFKC", text).lower()
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN_VALUES[c]
        nxt = _ROMAN_VALUES[s[i + 1]] if i + 1 < len(s) else 0
        total += -v if v < nxt else v
    return total


def _subitem_marker(n: int) -> str:
    return f"{_ROMAN_SUBITEMS[n - 1]}." if 1 <= n <= len(_ROMAN_SUBITEMS) else f"({n})."


def _digit_kind(s: str) -> str:
    digits = [c for c in s if c.isdigit()]
    if all(c.isascii() for c in digits):
        return "half-width"
    return "full-width" if all("０" <= c <= "９" for c in digits) else "mixed"


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class Item:
    """号.  ``text`` is the item's own text without its marker; ``subitems`` the texts of
    its ⅰ., ⅱ., … sub-items without markers."""

    number: int
    text: str
    subitems: tuple[str, ...] = ()
    line: int = 0

    def full_text(self) -> str:
        lines = [self.text]
        lines += [f"{_subitem_marker(k)}{s}" for k, s in enumerate(self.subitems, 1)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Paragraph:
    """項.  ``text`` is the lead text (without a ``1.`` marker and without the items)."""

    number: int
    text: str
    items: tuple[Item, ...] = ()
    line: int = 0

    def item(self, n: int) -> Item:
        for it in self.items:
            if it.number == n:
                return it
        raise KeyError(n)

    def full_text(self) -> str:
        """Lead text followed by one line per item, ``(n)text``, and per sub-item."""
        lines = [self.text] if self.text else []
        for it in self.items:
            lines.append(f"({it.number}){it.full_text()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Article:
    """条.  ``line`` is the 1-based line of the ``第N条`` heading; ``heading`` that line as
    written (stripped)."""

    number: int
    title: str
    chapter: int
    paragraphs: tuple[Paragraph, ...]
    line: int
    heading: str = ""

    @property
    def single_paragraph(self) -> bool:
        return len(self.paragraphs) == 1

    def paragraph(self, n: int) -> Paragraph:
        for p in self.paragraphs:
            if p.number == n:
                return p
        raise KeyError(n)

    def text(self) -> str:
        """The article's full text.  Paragraphs are numbered ``1. `` when there are several
        (also when the source left them unnumbered, as 第３４条 does); items are rendered
        ``(n)`` and sub-items ``ⅰ.``, each on its own line."""
        numbered = len(self.paragraphs) > 1
        out = []
        for p in self.paragraphs:
            body = p.full_text()
            out.append(f"{p.number}. {body}" if numbered else body)
        return "\n".join(out)


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    line: int = 0
    heading: str = ""


@dataclass(frozen=True)
class ParseNote:
    """Something the parser had to interpret (an unnumbered paragraph, a numbering jump).
    ``text_findings`` reports these as drafting findings."""

    line: int
    citation: str
    kind: str
    message: str
    message_ja: str = ""


@dataclass(frozen=True)
class Marker:
    """How a paragraph (``1.``) or item (``(1)``) number is written: ``digits`` is ``half-width``
    or ``full-width``, ``brackets`` the bracket (or full stop) characters around it."""

    line: int
    citation: str
    level: str  # "paragraph" or "item"
    text: str
    digits: str
    brackets: str


@dataclass(frozen=True)
class Citation:
    article: int
    paragraph: int | None = None
    item: int | None = None

    def __str__(self) -> str:
        return format_citation(self)


_CITE_RE = re.compile(r"(\d+)(?:[-‐‑‒–—−](\d+))?(?:\((\d+)\))?")
_CITE_JA_RE = re.compile(
    r"第([0-9一二三四五六七八九十百]+)条(?:第([0-9一二三四五六七八九十百]+)項)?"
    r"(?:第([0-9一二三四五六七八九十百]+)号)?"
)


def parse_citation(text: str) -> Citation:
    """Parse ``"17"``, ``"17-1"``, ``"17-1(1)"``, ``"5(1)"`` (full-width forms and the
    Japanese ``第17条第1項第1号`` are accepted too).  Raises ``CitationError``."""
    if not isinstance(text, str):
        raise CitationError(f"{text!r} is not a citation string")
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _CITE_RE.fullmatch(s) or _CITE_JA_RE.fullmatch(s)
    if not m:
        raise CitationError(
            f"{text!r} is not a citation: write A, A-P or A-P(I) "
            "(article, paragraph, item), e.g. 17, 17-1, 17-1(1), or 5(1) for an item of a "
            "single-paragraph article"
        )
    nums = [to_int(g) if g is not None else None for g in m.groups()]
    if any(n == 0 for n in nums):
        raise CitationError(f"{text!r}: article, paragraph and item numbers start at 1")
    return Citation(nums[0], nums[1], nums[2])


def format_citation(c: Citation | tuple[int, int | None, int | None] | str) -> str:
    """``Citation(17, 1, 1)`` → ``"17-1(1)"``; ``Citation(5, None, 2)`` → ``"5(2)"``."""
    if isinstance(c, str):
        c = parse_citation(c)
    elif not isinstance(c, Citation):
        c = Citation(*c)
    s = str(c.article)
    if c.paragraph is not None:
        s += f"-{c.paragraph}"
    if c.item is not None:
        s += f"({c.item})"
    return s


def _span(numbers: list[int]) -> str:
    if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(map(str, numbers))


@dataclass(frozen=True)
class Terms:
    path: Path
    title: str
    preamble: str
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]
    supplementary: str
    effective_dates: tuple[date, ...]
    notes: tuple[ParseNote, ...] = field(default=(), compare=False)
    markers: tuple[Marker, ...] = field(default=(), compare=False)

    # ---- lookup
    def article(self, n: int) -> Article:
        for a in self.articles:
            if a.number == n:
                return a
        raise CitationError(f"{n}: there is no article {n}; {self._article_range()}")

    def chapter(self, n: int) -> Chapter:
        for c in self.chapters:
            if c.number == n:
                return c
        raise CitationError(f"there is no chapter {n}; chapters are "
                            f"{_span([c.number for c in self.chapters]) or 'none'}")

    def chapter_articles(self, n: int) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.chapter == n)

    def _article_range(self) -> str:
        return f"articles are {_span([a.number for a in self.articles])}"

    def locate(self, citation: str | Citation) -> tuple[Citation, Article | Paragraph | Item]:
        """Canonical citation and the unit it names.  Raises ``CitationError``."""
        c = citation if isinstance(citation, Citation) else parse_citation(citation)
        shown = citation if isinstance(citation, str) else format_citation(c)
        shown = shown.strip()
        try:
            art = self.article(c.article)
        except CitationError:
            raise CitationError(
                f"{shown}: there is no article {c.article}; {self._article_range()}"
            ) from None
        a = art.number
        if c.paragraph is None and c.item is None:
            return Citation(a), art
        if not art.paragraphs:
            raise CitationError(f"{shown}: article {a} has no text")
        if art.single_paragraph:
            para = art.paragraphs[0]
            if c.paragraph not in (None, para.number):
                hint = f" and its items as {a}(1)–{a}({len(para.items)})" if para.items else ""
                raise CitationError(
                    f"{shown}: article {a} has a single paragraph: cite it as {a}{hint}")
            if c.item is None:
                return Citation(a), art
            return Citation(a, None, c.item), self._item(shown, para, c.item, f"article {a}")
        numbers = [p.number for p in art.paragraphs]
        if c.paragraph is None:
            raise CitationError(
                f"{shown}: article {a} has paragraphs {_span(numbers)}; cite an item with its "
                f"paragraph, e.g. {a}-P({c.item})")
        try:
            para = art.paragraph(c.paragraph)
        except KeyError:
            raise CitationError(
                f"{shown}: article {a} has paragraphs {_span(numbers)}") from None
        if c.item is None:
            return Citation(a, para.number), para
        item = self._item(shown, para, c.item, f"paragraph {a}-{para.number}")
        return Citation(a, para.number, c.item), item

    @staticmethod
    def _item(shown: str, para: Paragraph, n: int, where: str) -> Item:
        if not para.items:
            raise CitationError(f"{shown}: {where} has no items")
        try:
            return para.item(n)
        except KeyError:
            nums = [it.number for it in para.items]
            span = f"({nums[0]})–({nums[-1]})" if len(nums) > 1 else f"({nums[0]}) only"
            raise CitationError(f"{shown}: {where} has items {span}") from None

    def canonical(self, citation: str | Citation) -> str:
        """Normalised citation (``"5-1(2)"`` → ``"5(2)"``, ``"１７－１"`` → ``"17-1"``)."""
        return format_citation(self.locate(citation)[0])

    def resolve(self, citation: str | Citation) -> str:
        """Japanese text of the cited unit: an article as ``Article.text()``, a paragraph as
        its lead text plus one ``(n)…`` line per item, an item as its text plus one ``ⅰ.…``
        line per sub-item.  Raises ``CitationError``."""
        _, unit = self.locate(citation)
        if isinstance(unit, Article):
            return unit.text()
        return unit.full_text()

    def exists(self, citation: str | Citation) -> bool:
        try:
            self.locate(citation)
        except CitationError:
            return False
        return True

    def citations(self) -> list[str]:
        """Every citable unit in document order (articles, paragraphs, items)."""
        out: list[str] = []
        for a in self.articles:
            out.append(str(a.number))
            if a.single_paragraph:
                out += [f"{a.number}({it.number})" for it in a.paragraphs[0].items]
                continue
            for p in a.paragraphs:
                out.append(f"{a.number}-{p.number}")
                out += [f"{a.number}-{p.number}({it.number})" for it in p.items]
        return out

    def cite(self, article: int, paragraph: int | None = None, item: int | None = None) -> str:
        """Canonical citation string for numbers known to exist."""
        return self.canonical(Citation(article, paragraph, item))


# --------------------------------------------------------------------------- parser

_NUM = r"[0-9０-９]+|[〇一二三四五六七八九十百]+"
# headings stand on their own line; the title is separated by a space or parenthesised, so
# that a wrapped body line such as "第４章に定める契約者の義務…" is not taken for one
_CHAPTER_RE = re.compile(
    rf"第({_NUM})章(?:[\s\u3000]+([^\s\u3000。、][^。、]{{0,30}})|[（(]([^（()）]+)[）)])"
)
_ARTICLE_RE = re.compile(
    rf"第({_NUM})条(?:[\s\u3000]*([（(])([^（()）]*)([）)])|[\s\u3000]+([^\s\u3000。、]{{1,20}}))?"
)
_SUPPLEMENTARY_RE = re.compile(r"[付附]\s*則")
_PARA_RE = re.compile(r"([0-9０-９]+)[.．](?![0-9０-９])[\s\u3000]*")
_ITEM_RE = re.compile(r"[(（]([0-9０-９]+)[)）][\s\u3000]*")
_SUBITEM_RE = re.compile(r"([ⅰ-ⅿⅠ-Ⅿ]+|[ivx]{1,4})[.．][\s\u3000]*")
_DATE_RE = re.compile(r"(\d{4}|令和\d+|令和元|平成\d+|平成元)年(\d{1,2})月(\d{1,2})日")
_ERAS = {"令和": 2018, "平成": 1988}


@dataclass
class _ItemB:
    number: int
    line: int
    parts: list[str]
    subitems: list[list[str]] = field(default_factory=list)

    def build(self) -> Item:
        return Item(self.number, "".join(self.parts),
                    tuple("".join(s) for s in self.subitems), self.line)


@dataclass
class _ParaB:
    number: int
    line: int
    numbered: bool
    parts: list[str]
    items: list[_ItemB] = field(default_factory=list)
    item_style: str | None = None  # "paren" for (1), "dot" for 1.

    def build(self) -> Paragraph:
        return Paragraph(self.number, "".join(self.parts),
                         tuple(i.build() for i in self.items), self.line)


@dataclass
class _ArticleB:
    number: int
    title: str
    chapter: int
    line: int
    heading: str
    paras: list[_ParaB] = field(default_factory=list)
    mode: str | None = None  # "numbered" or "implicit"


class _Parser:
    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        widths = sorted(_display_width(x.strip()) for x in lines if x.strip())
        full = widths[int(len(widths) * 0.9)] if widths else 80
        self.short = full * 0.75  # a line this narrow ending in 。 ends its paragraph
        self.chapters: list[Chapter] = []
        self.articles: list[_ArticleB] = []
        self.notes: list[tuple[int, Citation, str, str, str]] = []
        self.preamble: list[tuple[int, str]] = []
        self.supplementary: list[tuple[int, str]] = []
        self.in_supplementary = False
        self.prev: str = ""  # previous non-blank body line (stripped)
        self.marker = ""  # the number marker of the line being read ("(1)", "２．")
        self.markers: list[tuple[int, Citation, str, str]] = []

    def error(self, line: int, message: str, hint: str) -> TermsError:
        return TermsError(self.path, line, message, hint)

    def mark(self, line: int, where: Citation, level: str) -> None:
        """Record how the number of the paragraph or item starting on ``line`` is written."""
        self.markers.append((line, where, level, self.marker))

    def note(self, line: int, where: Citation, kind: str, message: str, message_ja: str = "") -> None:
        self.notes.append((line, where, kind, message, message_ja))

    # ---- driver
    def run(self) -> Terms:
        for ln, raw in enumerate(self.lines, 1):
            s = raw.strip(" \t\u3000\ufeff")
            if not s:
                continue
            if self.in_supplementary:
                self.supplementary.append((ln, s))
            elif self.heading(ln, s):
                self.prev = ""
            elif self.articles:
                self.body(ln, s)
                self.prev = s
            elif self.chapters:
                raise self.error(
                    ln, f"text between the heading of chapter {self.chapters[-1].number} and "
                        f"its first article: {s[:30]!r}",
                    "move the text into an article or the preamble, or add the missing "
                    "第N条（…） heading above it")
            else:
                self.preamble.append((ln, s))
        if not self.articles:
            raise self.error(
                0, "no articles found: no line is an article heading such as 第１条（約款の適用）",
                "check that the file is the extracted terms text and that each 第N条（…） "
                "heading stands on a line of its own")
        return self.finish()

    def heading(self, ln: int, s: str) -> bool:
        m = _CHAPTER_RE.fullmatch(s)
        if m:
            n = to_int(m.group(1))
            expected = self.chapters[-1].number + 1 if self.chapters else 1
            if n != expected:
                where = Citation(self.articles[-1].number + 1 if self.articles else 1)
                self.note(ln, where, "numbering",
                          f"chapter numbers out of sequence: 第{m.group(1)}章 where 第{expected}章 was expected",
                          f"章番号が連続していません：第{expected}章のところが第{m.group(1)}章になっています")
            self.chapters.append(Chapter(n, (m.group(2) or m.group(3)).strip(), ln, s))
            return True
        m = _ARTICLE_RE.fullmatch(s)
        if m:
            n = to_int(m.group(1))
            expected = self.articles[-1].number + 1 if self.articles else 1
            if n != expected:
                prev = f" after 第{self.articles[-1].number}条" if self.articles else ""
                what, what_ja = ("repeats", "重複") if any(a.number == n for a in self.articles) else \
                    ("skips", "欠番") if n > expected else ("goes back", "逆行")
                self.note(ln, Citation(n), "numbering",
                          f"article numbers out of sequence ({what}): 第{m.group(1)}条{prev}; expected 第{expected}条",
                          f"条番号が連続していません（{what_ja}）：第{expected}条のところが第{m.group(1)}条になっています")
            title = (m.group(3) if m.group(2) else m.group(5) or "").strip()
            chapter = self.chapters[-1].number if self.chapters else 0
            self.articles.append(_ArticleB(n, title, chapter, ln, s))
            return True
        if _SUPPLEMENTARY_RE.fullmatch(s):
            if not self.articles:
                raise self.error(ln, "付則 (supplementary provisions) before any article",
                                 "the supplementary provisions come after the last article")
            self.in_supplementary = True
            return True
        return False

    # ---- article body
    def body(self, ln: int, s: str) -> None:
        art = self.articles[-1]
        cur = art.paras[-1] if art.paras else None
        a = art.number

        m = _SUBITEM_RE.match(s)
        if m and cur is not None and cur.items and not _PARA_RE.match(s):
            item = cur.items[-1]
            k = _roman_to_int(m.group(1))
            if k != len(item.subitems) + 1:
                self.note(ln, Citation(a, cur.number, item.number), "numbering",
                          f"sub-item {m.group(1)}. follows {len(item.subitems)} sub-item(s)",
                          f"細目{m.group(1)}.の前に細目が{len(item.subitems)}個しかありません")
            item.subitems.append([s[m.end():]])
            return
        if m and (cur is None or not cur.items) and not _PARA_RE.match(s):
            where = Citation(a, cur.number if cur else 1)
            self.note(ln, where, "numbering",
                      f"sub-item {m.group(1)}. in 第{a}条 outside any item; it is read as text of the paragraph — "
                      "a sub-item line (ⅰ.…) must follow an item line such as (1)…",
                      f"第{a}条の細目{m.group(1)}.がどの号にも属していません（項の本文として読みました）。"
                      "細目は (1)… のような号の行の後に置いてください")

        m = _ITEM_RE.match(s)
        if m:
            self.marker = m.group(0).strip(" \t\u3000")
            if cur is None:
                art.mode = "implicit"
                cur = _ParaB(1, ln, False, [])
                art.paras.append(cur)
            self.add_item(art, cur, to_int(m.group(1)), ln, s[m.end():], "paren")
            return

        m = _PARA_RE.match(s)
        if m:
            self.marker = m.group(0).strip(" \t\u3000")
            self.numbered_line(art, cur, to_int(m.group(1)), ln, s[m.end():])
            return

        # plain text
        if cur is None:
            art.mode = "implicit"
            art.paras.append(_ParaB(1, ln, False, [s]))
            return
        if cur.items:
            item = cur.items[-1]
            (item.subitems[-1] if item.subitems else item.parts).append(s)
            return
        if self.prev.endswith("。") and _display_width(self.prev) < self.short:
            number = cur.number + 1
            art.paras.append(_ParaB(number, ln, False, [s]))
            if art.mode == "implicit":
                what = f"第{a}条 does not number its paragraphs, but"
            else:
                what = f"in 第{a}条, after paragraph {cur.number},"
            self.note(ln, Citation(a, number), "unnumbered-paragraph",
                      f"{what} a new paragraph without a number starts at line {ln} "
                      f"(「{s[:12]}…」); it is read as {a}-{number} — number the paragraphs "
                      "1., 2., … as the other articles do",
                      f"第{a}条で、{ln}行目から項番号のない段落（「{s[:12]}…」）が始まります。第{number}項と"
                      "読みました。他の条と同じく 1.、2.… と項番号を付けてください")
            return
        cur.parts.append(s)

    def numbered_line(self, art: _ArticleB, cur: _ParaB | None, n: int, ln: int,
                      text: str) -> None:
        a = art.number
        if cur is None:
            art.mode = "numbered"
            if n != 1:
                self.note(ln, Citation(a, n), "numbering",
                          f"the first paragraph of 第{a}条 is numbered {n}",
                          f"第{a}条の最初の項の番号が{n}になっています")
            self.mark(ln, Citation(a, n), "paragraph")
            art.paras.append(_ParaB(n, ln, True, [text]))
            return
        next_item = len(cur.items) + 1
        can_be_item = cur.item_style in (None, "dot") and n == next_item
        if art.mode == "implicit":
            if can_be_item:
                self.add_item(art, cur, n, ln, text, "dot")
            elif n == cur.number + 1:
                art.mode = "numbered"
                self.mark(ln, Citation(a, n), "paragraph")
                art.paras.append(_ParaB(n, ln, True, [text]))
            elif cur.item_style == "dot":
                self.add_item(art, cur, n, ln, text, "dot")
            else:
                self.new_paragraph_out_of_sequence(art, cur, n, ln, text)
            return
        # numbered mode
        if n == cur.number + 1:
            self.mark(ln, Citation(a, n), "paragraph")
            art.paras.append(_ParaB(n, ln, True, [text]))
        elif can_be_item and (cur.item_style == "dot"
                              or re.search(r"各号|以下の|次の", "".join(cur.parts))):
            self.add_item(art, cur, n, ln, text, "dot")
        else:
            self.new_paragraph_out_of_sequence(art, cur, n, ln, text)

    def new_paragraph_out_of_sequence(self, art: _ArticleB, cur: _ParaB, n: int, ln: int,
                                      text: str) -> None:
        a = art.number
        what_ja = "重複" if n <= cur.number else "欠番"
        self.note(ln, Citation(a, n), "numbering",
                  f"paragraph {n}. follows paragraph {cur.number} in 第{a}条 "
                  f"(expected {cur.number + 1}.)",
                  f"第{a}条の項番号が連続していません（{what_ja}）：第{cur.number}項の次が{n}.になっています"
                  f"（{cur.number + 1}.のはずです）")
        self.mark(ln, Citation(a, n), "paragraph")
        art.mode = "numbered"
        art.paras.append(_ParaB(n, ln, True, [text]))

    def add_item(self, art: _ArticleB, cur: _ParaB, n: int, ln: int, text: str,
                 style: str) -> None:
        if cur.item_style and cur.item_style != style:
            self.note(ln, Citation(art.number, cur.number), "numbering",
                      "items mix the (1) and 1. numbering styles", "号の番号の書き方に (1) と 1. が混在しています")
        cur.item_style = cur.item_style or style
        if n != len(cur.items) + 1:
            k = len(cur.items)
            what_ja = "重複" if n <= k else "欠番"
            self.note(ln, Citation(art.number, cur.number), "numbering",
                      f"item {n} follows item {k} (expected {k + 1})",
                      f"号の番号が連続していません（{what_ja}）：第{k}号の次が第{n}号になっています"
                      f"（第{k + 1}号のはずです）")
        self.mark(ln, Citation(art.number, cur.number, n), "item")
        cur.items.append(_ItemB(n, ln, [text]))

    # ---- result
    def finish(self) -> Terms:
        articles = []
        for b in self.articles:
            paras = tuple(p.build() for p in b.paras)
            articles.append(Article(b.number, b.title, b.chapter, paras, b.line, b.heading))
        preamble = _join_block(self.preamble, self.short)
        supplementary = _join_block(self.supplementary, self.short)
        single = {a.number for a in articles if a.single_paragraph}
        notes = tuple(
            ParseNote(line, format_citation(
                Citation(c.article, None, c.item) if c.article in single else c), kind, msg, ja)
            for line, c, kind, msg, ja in self.notes)
        markers = tuple(
            Marker(line, format_citation(Citation(c.article, None, c.item) if c.article in single and c.item
                                         else c), level, text, _digit_kind(text), re.sub(r"[0-9０-９]", "", text))
            for line, c, level, text in self.markers)  # fmt: skip
        return Terms(
            path=self.path,
            title=_title(preamble, self.path),
            preamble=preamble,
            chapters=tuple(self.chapters),
            articles=tuple(articles),
            supplementary=supplementary,
            effective_dates=_dates(supplementary),
            notes=notes,
            markers=markers,
        )


def _join_block(lines: list[tuple[int, str]], short: float) -> str:
    """Join preamble/supplementary lines; keep a line break after a short line ending in 。
    and around caption lines such as （実施日）."""
    out: list[str] = []
    prev = ""
    for _, s in lines:
        caption = re.fullmatch(r"[（(][^（）()]*[）)]", s) is not None
        prev_caption = re.fullmatch(r"[（(][^（）()]*[）)]", prev) is not None
        if not out or caption or prev_caption or (
                prev.endswith("。") and _display_width(prev) < short):
            out.append(s)
        else:
            out[-1] += s
        prev = s
    return "\n".join(out)


def _title(preamble: str, path: Path) -> str:
    company = re.match(r"(.+?)[（(]以下「当社」", preamble)
    service = re.search(r"当社が提供する(.+?)[（(]以下「本サービス」", preamble)
    if company and service:
        suffix = "約款" if "約款" in preamble else ""
        return f"{company.group(1).strip()} {service.group(1).strip()}{suffix}"
    first = preamble.split("\n", 1)[0].strip()
    return first[:60] if first else path.stem


def _dates(text: str) -> tuple[date, ...]:
    out: list[date] = []
    for m in _DATE_RE.finditer(unicodedata.normalize("NFKC", text)):
        y = m.group(1)
        if y[:2] in _ERAS:
            y = _ERAS[y[:2]] + (1 if y[2:] == "元" else int(y[2:]))
        try:
            d = date(int(y), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if d not in out:
            out.append(d)
    return tuple(out)


def load_terms(path: str | Path) -> Terms:
    """Parse a terms text file.  Raises ``TermsError`` (path, line, message) when the text
    cannot be structured."""
    from yakkan.model.errors import InputError
    from yakkan.model.limits import decode_text, read_input_bytes

    p = Path(path)
    try:
        raw = decode_text(read_input_bytes(p), p, encoding="utf-8-sig")
    except InputError as e:
        hint = "pass the path of the extracted terms text (.txt)" if e.message == "file not found" else e.hint
        raise TermsError(p, e.line or 0, e.message, hint) from None
    return _Parser(p, raw.splitlines()).run()

