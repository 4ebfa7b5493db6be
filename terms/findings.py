"""Mechanical drafting checks on a parsed terms text (``yakkan.terms.structure``).

``find_text_findings(terms)`` returns ``Finding`` records (citation, kind, English and
Japanese messages, verbatim excerpt of the Japanese text) in document order.  Nothing here
knows the wording of one text: what a reviewer found in one text is kept beside it as data
(``yakkan.terms.reviewed``), and the typo and defined-term checks read the text with the
morphological analyser (``yakkan.terms.typos``, ``yakkan.terms.defined_terms``).

* cross-references (第N条, 第N条第M項第K号, 第M項, 第K号, 前条, 前二条, 前項, 前各項, 前号,
  前三号, 前各号, 本条, 本項, 同条, 第N章, with 各号 and ①② suffixes) are resolved against
  the parsed structure; references into statutes (同法第２１条, …法律第122号) are skipped.
  A target that does not exist, a 各号 target without items, a 「…に定めるX」 whose target
  does not mention X, and a quoted heading that differs from the article's heading are
  reported;
* ``SEMANTIC_RULES``: a reference whose context contradicts its target (a liability cap
  "based on" an item that excludes all liability);
* numbering notes from the parser (skipped, repeated or unnumbered articles, paragraphs and
  items), heading styles (bracket widths, digit widths), the widths of paragraph and item
  numbers, bracket pairs in the text, item counts announced in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

from .structure import (
    Article,
    Citation,
    CitationError,
    Item,
    Paragraph,
    Terms,
    format_citation,
    to_int,
)

__all__ = [
    "SEMANTIC_RULES",
    "TITLE",
    "Finding",
    "Reference",
    "SemanticRule",
    "find_references",
    "find_text_findings",
    "texts",
    "units",
]


@dataclass(frozen=True)
class Finding:
    """``citation`` is a canonical citation ("17-3", "5(2)"), ``"preamble"`` or
    ``"supplementary"``; ``excerpt`` is a verbatim piece of the (joined) Japanese text;
    ``subject`` the words the finding is about (the typo, the reference as written), which
    with the kind and the citation makes its ``id``, the key a reviewed-findings file uses."""

    citation: str
    kind: str
    message_en: str
    excerpt: str
    message_ja: str = ""
    subject: str = ""
    line: int = 0

    @property
    def id(self) -> str:
        return f"{self.kind}@{self.citation}:{self.subject or self.excerpt[:16]}"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "citation": self.citation, "kind": self.kind, "line": self.line or None,
                "message_en": self.message_en, "message_ja": self.message_ja, "excerpt": self.excerpt}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """A cross-reference found in the text.  ``targets`` are canonical citations (or
    ``"chapter N"``); empty when the reference is external or cannot be resolved."""

    source: str
    raw: str
    targets: tuple[str, ...]
    external: bool = False
    problem: str = ""


@dataclass(frozen=True)
class SemanticRule:
    """A reference followed by text matching ``context`` whose target matches ``target``
    contradicts itself.  ``message`` is formatted with src, raw, target, alt."""

    name: str
    context: str
    target: str
    message: str
    message_ja: str


SEMANTIC_RULES: tuple[SemanticRule, ...] = (
    SemanticRule(
        name="cap-on-excluded-liability",
        context=r"^に基づき[^。]{0,20}?責任を負う(?!わ)",
        target=r"一切の損害賠償責任を負わない",
        message=(
            "{src} limits the damages the company pays when it is liable 「{raw}に基づき」, "
            "but {target} excludes all liability (一切の損害賠償責任を負わない), so the cap "
            "can never apply{alt}"
        ),
        message_ja=(
            "{src}は「{raw}に基づき」責任を負う場合の賠償額を制限していますが、{target}は一切の損害賠償責任を"
            "負わないと定めているので、この上限が適用される場合がありません"
        ),
    ),
)


# --------------------------------------------------------------------------- units

_FW = str.maketrans("0123456789", "０１２３４５６７８９")


def _fw(n: int) -> str:
    return str(n).translate(_FW)


@dataclass(frozen=True)
class _Unit:
    citation: str
    article: Article
    paragraph: Paragraph
    item: Item | None
    text: str  # the unit's own text (lead text, item text or sub-item text)


def units(terms: Terms) -> list[_Unit]:
    """Every paragraph, item and sub-item with its own text, in document order (an article
    numbered twice keeps the citations of its own paragraphs)."""
    out = []
    for a in terms.articles:
        for p in a.paragraphs:
            pn = None if a.single_paragraph else p.number
            cp = format_citation(Citation(a.number, pn))
            out.append(_Unit(cp, a, p, None, p.text))
            for it in p.items:
                ci = format_citation(Citation(a.number, pn, it.number))
                out.append(_Unit(ci, a, p, it, it.text))
                out += [_Unit(ci, a, p, it, s) for s in it.subitems]
    return out


TITLE = ":title"


def texts(terms: Terms) -> list[tuple[str, str]]:
    """``(citation, text)`` of the preamble, every article's title (cited ``N:title``) and
    unit, and the supplementary provisions."""
    out = [("preamble", terms.preamble)]
    heads = {a.number: a for a in terms.articles}
    for u in units(terms):
        if u.article.number in heads:
            out.append((f"{u.article.number}{TITLE}", heads.pop(u.article.number).title))
        out.append((u.citation, u.text))
    return [*out, ("supplementary", terms.supplementary)]


def _own_text(terms: Terms, citation: str) -> str:
    _, unit = terms.locate(citation)
    if isinstance(unit, Article):
        return unit.title + unit.text()
    if isinstance(unit, Paragraph):
        return unit.text
    return unit.full_text()


def _excerpt(text: str, start: int, end: int, before: int = 10, after: int = 16) -> str:
    return text[max(0, start - before):min(len(text), end + after)]


# --------------------------------------------------------------------------- references

_N = r"[0-9０-９]+|[一二三四五六七八九十百]+"
_CIRC = "[①-⑳]"
_TAIL = (
    rf"(?:第(?P<p>{_N})項)?(?:第(?P<i>{_N})号)?"
    rf"(?P<circ>{_CIRC}(?:(?:、|,|および|及び|並びに|ならびに|または|又は|と)?{_CIRC})*)?"
    r"(?P<each>各号)?"
)
_ABS_RE = re.compile(rf"第(?P<a>{_N})条(?P<title>（[^（）]*）)?" + _TAIL)
_CHAPTER_RE = re.compile(rf"第(?P<ch>{_N})章")
_REL_RE = re.compile(r"(?P<rel>[前本同])(?P<cnt>各|[二三四五六七八九])?(?P<lvl>[条項号])" + _TAIL)
_PARA_RE = re.compile(
    rf"第(?P<p>{_N})項(?:第(?P<i>{_N})号)?(?P<circ>{_CIRC}+)?(?P<each>各号)?")
_ITEM_RE = re.compile(rf"第(?P<i>{_N})号")
_START_RE = re.compile("[第前本同]")
_STATUTE_END = re.compile(r"(法|法律|政令|省令|規則|条例|同法)$")
_KEYWORD_RE = re.compile(
    r"^(?:に|で)(?P<verb>定める|定めた|規定する|規定される|例示する|例示した|掲げる|記載の)"
    r"(?P<noun>[^をがはにへでと、。）（「」]+)")
_GENERIC_NOUNS = {"事項", "事由", "行為", "場合", "もの", "こと", "内容", "規定", "定め", "措置",
                  "とおり", "方法"}
_VERB_STEMS = {"例示する": "例示", "例示した": "例示", "掲げる": "掲げ"}


def _external(text: str, start: int) -> bool:
    """Does the reference at ``start`` point into a statute rather than these terms?"""
    prefix = text[:start]
    if _STATUTE_END.search(prefix):
        return True
    if prefix.endswith(("）", ")")):
        depth = 0
        for k in range(len(prefix) - 1, -1, -1):
            ch = prefix[k]
            if ch in "）)":
                depth += 1
            elif ch in "（(":
                depth -= 1
                if depth == 0:
                    content, before = prefix[k + 1:-1], prefix[:k]
                    return bool(re.search(r"法律第|法」", content) or _STATUTE_END.search(before))
    return False


@dataclass
class _Match:
    kind: str  # "abs", "chapter", "rel", "para", "item"
    m: re.Match[str]
    external: bool


def _scan(text: str) -> list[_Match]:
    out: list[_Match] = []
    pos = 0
    for s in _START_RE.finditer(text):
        if s.start() < pos:
            continue
        for kind, rx in (("abs", _ABS_RE), ("chapter", _CHAPTER_RE), ("rel", _REL_RE),
                         ("para", _PARA_RE), ("item", _ITEM_RE)):
            m = rx.match(text, s.start())
            if m:
                out.append(_Match(kind, m, kind != "rel" and _external(text, m.start())))
                pos = m.end()
                break
    return out


class _Dangling(Exception):
    pass


def _count(cnt: str | None, base: int) -> list[int]:
    if cnt == "各":
        return list(range(1, base))
    n = to_int(cnt) if cnt else 1
    return list(range(base - n, base))


def _targets(terms: Terms, u: _Unit, mt: _Match, last: list[Citation]) -> list[Citation]:
    """Citations a reference points at (raises ``_Dangling`` when it cannot point anywhere)."""
    m, a, p = mt.m, u.article.number, u.paragraph.number
    g = m.groupdict()
    P = to_int(g["p"]) if g.get("p") else None
    Ii = to_int(g["i"]) if g.get("i") else None
    if mt.kind == "abs":
        return [Citation(to_int(g["a"]), P, Ii)]
    if mt.kind == "para":
        return [Citation(a, P, Ii)]
    if mt.kind == "item":
        return [Citation(a, p, Ii)]
    rel, cnt, lvl = g["rel"], g["cnt"], g["lvl"]
    word = m.group(0)[: m.start("lvl") - m.start() + 1]
    if lvl == "条":
        if rel == "本":
            arts = [a]
        elif rel == "同":
            if not last:
                raise _Dangling(f"「{word}」 has no earlier article reference to refer back to")
            arts = [last[-1].article]
        else:
            arts = _count(cnt, a)
            if not arts or arts[0] < 1:
                raise _Dangling(f"「{word}」 in article {a}: there are not enough preceding "
                                "articles")
        if len(arts) == 1:
            return [Citation(arts[0], P, Ii)]
        return [Citation(x) for x in arts]
    if lvl == "項":
        if rel == "本":
            paras = [p]
        elif rel == "同":
            if not last or last[-1].paragraph is None:
                raise _Dangling(f"「{word}」 has no earlier paragraph reference to refer back to")
            return [Citation(last[-1].article, last[-1].paragraph, Ii)]
        else:
            paras = _count(cnt, p)
            if not paras or paras[0] < 1:
                where = "a single-paragraph article" if u.article.single_paragraph else \
                    f"paragraph {p}"
                raise _Dangling(f"「{word}」 in {where}: there is no preceding paragraph")
        if len(paras) == 1:
            return [Citation(a, paras[0], Ii)]
        return [Citation(a, x) for x in paras]
    # 号
    if u.item is None:
        raise _Dangling(f"「{word}」 outside an item: only an item can refer to the item before it")
    if rel in "本同":
        return [Citation(a, p, u.item.number)]
    items = _count(cnt, u.item.number)
    if not items or items[0] < 1:
        raise _Dangling(f"「{word}」 in item {u.item.number}: there is no preceding item")
    return [Citation(a, p, x) for x in items]


def _target_items(terms: Terms, c: Citation) -> tuple[Item, ...]:
    _, unit = terms.locate(c)
    if isinstance(unit, Article):
        return unit.paragraphs[0].items if unit.single_paragraph else ()
    if isinstance(unit, Paragraph):
        return unit.items
    return ()


def find_references(terms: Terms) -> list[Reference]:
    """Every cross-reference in the article texts, resolved to canonical citations."""
    return [r for r, *_ in _references(terms)]


def _references(terms: Terms):
    for u in units(terms):
        last: list[Citation] = []
        last_external = False
        for mt in _scan(u.text):
            raw = mt.m.group(0)
            if mt.kind == "rel" and mt.m.group("rel") == "同" and last_external:
                mt.external = True  # 同条 after 同法第２１条 stays in the statute
            if mt.external:
                last_external = True
                yield Reference(u.citation, raw, (), True), u, mt, []
                continue
            last_external = False
            if mt.kind == "chapter":
                n = to_int(mt.m.group("ch"))
                ok = any(c.number == n for c in terms.chapters)
                yield (Reference(u.citation, raw, (f"chapter {n}",), False,
                                 "" if ok else f"there is no chapter {n}"), u, mt, [])
                continue
            try:
                cits = _targets(terms, u, mt, last)
            except _Dangling as e:
                yield Reference(u.citation, raw, (), False, str(e)), u, mt, []
                continue
            shown, problem = [], ""
            for c in cits:
                try:
                    shown.append(terms.canonical(c))
                except CitationError as e:
                    problem = str(e)
                    shown.append(format_citation(c))
            last[:] = cits
            yield Reference(u.citation, raw, tuple(shown), False, problem), u, mt, cits


# --------------------------------------------------------------------------- checks


def _ja_ref(u: _Unit, target: str, terms: Terms) -> str:
    """How the unit ``u`` would refer to ``target`` in Japanese."""
    c, _ = terms.locate(target)
    a = u.article.number
    if c.article != a:
        s = f"第{_fw(c.article)}条"
        if c.paragraph:
            s += f"第{_fw(c.paragraph)}項"
        return s + (f"第{_fw(c.item)}号" if c.item else "")
    para = c.paragraph or 1
    if c.item and para == u.paragraph.number:
        if u.item is not None and c.item == u.item.number - 1:
            return "前号"
        return f"第{_fw(c.item)}号"
    s = "前項" if para == u.paragraph.number - 1 else f"第{_fw(para)}項"
    return s + (f"第{_fw(c.item)}号" if c.item else "")


def _reference_findings(terms: Terms) -> list[Finding]:
    out: list[Finding] = []
    for ref, u, mt, cits in _references(terms):
        m, text = mt.m, u.text
        ex = _excerpt(text, m.start(), m.end())
        if ref.external:
            continue
        if ref.problem:
            out.append(Finding(u.citation, "dangling-reference",
                               f"{u.citation}: 「{ref.raw}」 does not resolve: {ref.problem}", ex,
                               f"{u.citation}：「{ref.raw}」の参照先がありません（{_problem_ja(ref, u)}）", ref.raw))
            continue
        after = text[m.end():]
        if mt.kind == "chapter":
            out += _keyword_check(terms, u, ref, mt, after, ex, chapter=True)
            continue
        if m.groupdict().get("each"):
            for c, shown in zip(cits, ref.targets, strict=True):
                if not _target_items(terms, c):
                    out.append(_each_finding(terms, u, ref.raw, c, shown, ex))
        title = m.groupdict().get("title")
        if title:
            actual = terms.article(cits[0].article).title
            if title[1:-1] != actual:
                out.append(Finding(
                    u.citation, "title-mismatch",
                    f"{u.citation} cites 第{_fw(cits[0].article)}条 as {title}, but that "
                    f"article is headed （{actual}）", ex,
                    f"{u.citation}は第{_fw(cits[0].article)}条を{title}として引用していますが、同条の見出しは"
                    f"（{actual}）です", ref.raw))
        circ = m.groupdict().get("circ")
        if circ and len(cits) == 1:
            target_text = terms.resolve(cits[0])
            missing = [ch for ch in re.findall(_CIRC, circ) if ch not in target_text]
            if missing:
                out.append(Finding(
                    u.citation, "dangling-reference",
                    f"{u.citation}: 「{ref.raw}」 names {''.join(missing)}, which "
                    f"{ref.targets[0]} does not list", ex,
                    f"{u.citation}：「{ref.raw}」の{''.join(missing)}は{ref.targets[0]}にありません", ref.raw))
        out += _keyword_check(terms, u, ref, mt, after, ex, chapter=False, cits=cits)
        for rule in SEMANTIC_RULES:
            if not re.search(rule.context, after) or len(cits) != 1:
                continue
            if not re.search(rule.target, terms.resolve(cits[0])):
                continue
            out.append(Finding(u.citation, "semantic", rule.message.format(
                src=u.citation, raw=ref.raw, target=ref.targets[0],
                alt=_open_liability(terms, cits[0])), _excerpt(text, m.start(), m.end(), 4, 24),
                rule.message_ja.format(src=u.citation, raw=ref.raw, target=ref.targets[0]), ref.raw))
    return out


def _problem_ja(ref: Reference, u: _Unit) -> str:
    """The reason a reference does not resolve, in Japanese (the English one names the units)."""
    targets = "、".join(ref.targets)
    if "no items" in ref.problem:
        return f"{targets}には号がありません"
    if "there is no" in ref.problem or "has paragraphs" in ref.problem or "has items" in ref.problem:
        return f"{targets}は存在しません" if targets else "該当する条項が存在しません"
    if "single paragraph" in ref.problem:
        return f"{targets}の条は一つの項だけからなります"
    return f"{u.citation}から見て該当する条項がありません"


def _open_liability(terms: Terms, c: Citation) -> str:
    """Sibling items of an exclusion that leave some liability open (a carve-out)."""
    if c.item is None:
        return ""
    _, para = terms.locate(Citation(c.article, c.paragraph))
    assert isinstance(para, Paragraph)
    keep = [it for it in para.items if it.number != c.item
            and re.search(r"ないかぎり|ない限り|を除き|場合を除", it.text)]
    if not keep:
        return ""
    where = ", ".join(terms.cite(c.article, c.paragraph, it.number) for it in keep)
    cond = re.search(r"([^、]{0,12}(?:ないかぎり|ない限り))", keep[0].text)
    hint = f" (「{cond.group(1)}」)" if cond else ""
    return (f"; the only liability {terms.cite(c.article, c.paragraph)} leaves open is the "
            f"carve-out in {where}{hint}; the cap probably meant that case, or liability in "
            "general")


def _each_finding(terms: Terms, u: _Unit, raw: str, c: Citation, shown: str,
                  ex: str) -> Finding:
    art = terms.article(c.article)
    here = c.paragraph or 1
    candidates = sorted((p for p in art.paragraphs if p.items and p.number != here),
                        key=lambda p: (p.number > here, abs(p.number - here)))
    msg = f"{u.citation}: 「{raw}」 points at the items (各号) of {shown}, which has no items"
    msg_ja = f"{u.citation}：「{raw}」は{shown}の各号を指していますが、{shown}には号がありません"
    if candidates:
        p = candidates[0]
        pc = terms.cite(art.number, p.number)
        first, last = p.items[0].number, p.items[-1].number
        ja = _ja_ref(u, pc, terms)
        msg += (f"; the items are in {pc} ({pc}({first})–({last})), so 「{ja}各号」 was "
                "probably meant")
        msg_ja += f"。号があるのは{pc}（{pc}({first})〜({last})）なので、「{ja}各号」の誤りと思われます"
    return Finding(u.citation, "wrong-reference", msg, ex, msg_ja, raw)


def _keyword_check(terms: Terms, u: _Unit, ref: Reference, mt: _Match, after: str, ex: str,
                   *, chapter: bool, cits: list[Citation] | None = None) -> list[Finding]:
    km = _KEYWORD_RE.match(after)
    if not km:
        return []
    noun = re.sub(r"(内|外|等|など)+$", "", km.group("noun"))
    stem = _VERB_STEMS.get(km.group("verb"))
    if len(noun) < 2 or (noun in _GENERIC_NOUNS and stem is None):
        return []

    def mentions(text: str) -> bool:
        return noun in text and (stem is None or stem in text)

    phrase = ref.raw + km.group(0)
    if chapter:
        n = to_int(mt.m.group("ch"))

        def chapter_text(k: int) -> str:
            titles = [a.title for a in terms.chapter_articles(k)]
            return terms.chapter(k).title + "".join(titles)

        if mentions(chapter_text(n)):
            return []
        others = [c.number for c in terms.chapters
                  if c.number != n and mentions(chapter_text(c.number))]
        msg = (f"{u.citation}: 「{phrase}」 — chapter {n} is 「{terms.chapter(n).title}」 and "
               f"none of its headings mentions 「{noun}」")
        msg_ja = (f"{u.citation}：「{phrase}」— 第{_fw(n)}章は「{terms.chapter(n).title}」で、その見出しに"
                  f"「{noun}」はありません")
        if others:
            k = others[0]
            msg += (f"; chapter {k} is 「{terms.chapter(k).title}」, so 「第{_fw(k)}章」 was "
                    "probably meant")
            msg_ja += f"。第{_fw(k)}章は「{terms.chapter(k).title}」なので、「第{_fw(k)}章」の誤りと思われます"
        return [Finding(u.citation, "wrong-reference", msg, ex, msg_ja, ref.raw)]
    if not cits or len(cits) != 1:
        return []
    target = ref.targets[0]
    art = terms.article(cits[0].article)
    if mentions(art.title + terms.resolve(cits[0])):
        return []
    # candidates: units of the referring article with the cited number at another level,
    # then the units before the referring one, nearest first
    cited_numbers = {x for x in (cits[0].article if cits[0].article != u.article.number else None,
                                 cits[0].paragraph, cits[0].item) if x}
    order = list(dict.fromkeys(x.citation for x in units(terms) if x.article is u.article))
    here = order.index(u.citation)
    candidates = [c for c in order if c not in (u.citation, target)
                  and not u.citation.startswith(c + "(")]

    def rank(c: str) -> tuple[int, int]:
        # the cited number one level down first (第１条 → 第１項), then nearest before
        cc = terms.locate(c)[0]
        if cc.item is None and cc.paragraph in cited_numbers:
            level = 0
        elif cc.item in cited_numbers:
            level = 1
        else:
            level = 2
        pos = order.index(c)
        return level, here - pos if pos < here else 1000 + pos - here

    suggestion = next(
        (c for c in sorted(candidates, key=rank) if mentions(_own_text(terms, c))), None)
    what = f"article {art.number} (「{art.title}」)" if cits[0].paragraph is None and \
        cits[0].item is None else target
    gist = f"「{noun}」" + (f" together with {stem}" if stem else "")
    msg = f"{u.citation}: 「{phrase}」 refers to {what}, which does not mention {gist}"
    what_ja = f"第{_fw(art.number)}条（{art.title}）" if cits[0].paragraph is None and cits[0].item is None \
        else target
    msg_ja = f"{u.citation}：「{phrase}」の参照先{what_ja}には「{noun}」{'や' + stem if stem else ''}がありません"
    if suggestion:
        msg += f"; {suggestion} does, so 「{_ja_ref(u, suggestion, terms)}」 was probably meant"
        msg_ja += f"。{suggestion}にあるので、「{_ja_ref(u, suggestion, terms)}」の誤りと思われます"
    return [Finding(u.citation, "wrong-reference", msg, ex, msg_ja, ref.raw)]


def _heading_findings(terms: Terms) -> list[Finding]:
    out: list[Finding] = []
    styles, widths = {}, {}
    for a in terms.articles:
        m = re.match(r"第([0-9０-９一二三四五六七八九十百]+)条\s*(?:([（(]).*?([）)]))?", a.heading)
        if not m:
            continue
        widths[a.number] = _digit_width(m.group(1))
        if m.group(2):
            styles[a.number] = m.group(2) + m.group(3)
    if styles:
        usual, count = Counter(styles.values()).most_common(1)[0]
        for n, st in styles.items():
            if st == usual:
                continue
            a = terms.article(n)
            detail = _bracket_detail(st)
            out.append(Finding(
                str(n), "heading-style",
                f"heading {a.heading} {detail}; {count} of {len(styles)} article headings use "
                f"{usual[0]}…{usual[1]}", a.heading,
                f"見出し {a.heading} の括弧が他と異なります（{len(styles)}条中{count}条は{usual[0]}…{usual[1]}）",
                st, a.line))
    out += _width_findings(terms, widths, "article")
    ch_widths = {}
    for c in terms.chapters:
        m = re.match(r"第([0-9０-９一二三四五六七八九十百]+)章", c.heading)
        if m:
            ch_widths[c.number] = _digit_width(m.group(1))
    out += _width_findings(terms, ch_widths, "chapter")
    return out


def _bracket_detail(pair: str) -> str:
    o, c = pair
    w = {"（": "full-width （", "(": "half-width (", "）": "full-width ）", ")": "half-width )"}
    if unicodedata.normalize("NFKC", o) == "(" and unicodedata.normalize("NFKC", c) == ")":
        if (o == "（") != (c == "）"):
            return f"opens with {w[o]} but closes with {w[c]}"
        return f"uses {w[o]}…{w[c]}"
    return f"uses {o}…{c}"


def _digit_width(s: str) -> str:
    if all(c.isascii() for c in s):
        return "half-width"
    if all("０" <= c <= "９" for c in s):
        return "full-width"
    return "kanji" if not any(c.isdigit() for c in s) else "mixed"


def _width_findings(terms: Terms, widths: dict[int, str], what: str) -> list[Finding]:
    if not widths:
        return []
    usual, count = Counter(widths.values()).most_common(1)[0]
    out = []
    for n, w in widths.items():
        if w == usual:
            continue
        if what == "article":
            heading, cit = terms.article(n).heading, str(n)
        else:
            ch = terms.chapter(n)
            heading = ch.heading
            cit = str(terms.chapter_articles(n)[0].number) if terms.chapter_articles(n) else "1"
        what_ja = "条" if what == "article" else "章"
        out.append(Finding(
            cit, "digit-width",
            f"{what} heading {heading} writes its number in {w} digits; {count} of "
            f"{len(widths)} {what} headings use {usual} digits", heading,
            f"見出し {heading} の番号が{_WIDTH_JA[w]}です（{len(widths)}個の{what_ja}見出しのうち{count}個は"
            f"{_WIDTH_JA[usual]}）", heading, terms.article(n).line if what == "article" else terms.chapter(n).line))
    return out


_WIDTH_JA = {"half-width": "半角数字", "full-width": "全角数字", "kanji": "漢数字", "mixed": "全角・半角の混在"}


def _marker_findings(terms: Terms) -> list[Finding]:
    """Paragraph and item numbers written in the minority width (（３） among (1), (2), …; ２． among 1.)."""
    out: list[Finding] = []
    for level, level_ja in (("paragraph", "項"), ("item", "号")):
        marks = [m for m in terms.markers if m.level == level]
        if not marks:
            continue
        styles = [_marker_style(m.text) for m in marks]
        usual, count = Counter(styles).most_common(1)[0]
        for m, st in zip(marks, styles, strict=True):
            if st == usual:
                continue
            shown = {"half-width": "半角", "full-width": "全角", "mixed": "全角・半角の混在"}
            out.append(Finding(
                m.citation, "digit-width",
                f"{m.citation}: the {level} number 「{m.text}」 is written in {st[0]} digits with {st[1]} "
                f"punctuation; {count} of {len(marks)} {level} numbers use {usual[0]} digits with {usual[1]} "
                "punctuation", m.text,
                f"{m.citation}：{level_ja}番号「{m.text}」は数字が{shown[st[0]]}、記号が{shown[st[1]]}です"
                f"（{len(marks)}個中{count}個は数字{shown[usual[0]]}・記号{shown[usual[1]]}）", m.text, m.line))
    return out


def _marker_style(text: str) -> tuple[str, str]:
    digits = [c for c in text if c.isdigit()]
    punct = [c for c in text if not c.isdigit()]
    return _width(digits), _width(punct)


def _width(chars: list[str]) -> str:
    wide = [unicodedata.east_asian_width(c) in "WF" for c in chars]
    return "full-width" if all(wide) else "half-width" if not any(wide) else "mixed"


_OPEN = {"（": "）", "(": ")", "「": "」", "『": "』", "［": "］", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_WIDTH_TWIN = {"（": ")", "(": "）", "［": "]", "[": "］"}


def _bracket_findings(citation: str, text: str) -> list[Finding]:
    out: list[Finding] = []
    ja = {"preamble": "前文", "supplementary": "付則"}.get(citation, citation)
    stack: list[tuple[str, int]] = []
    for k, ch in enumerate(text):
        if ch in _OPEN:
            stack.append((ch, k))
        elif ch in _CLOSE:
            if stack and _OPEN[stack[-1][0]] == ch:
                stack.pop()
            elif stack and _WIDTH_TWIN.get(stack[-1][0]) == ch:
                o, start = stack.pop()
                out.append(Finding(
                    citation, "bracket",
                    f"{citation}: 「{o}」 is closed by 「{ch}」 (mixed full-/half-width "
                    f"parentheses); write 「{o}{_OPEN[o]}」",
                    text[start:k + 1] if k - start < 40 else _excerpt(text, k, k + 1),
                    f"{ja}：「{o}」が「{ch}」で閉じられています（全角と半角の括弧の混在）。「{o}{_OPEN[o]}」と"
                    "書いてください", o + ch))
            else:
                out.append(Finding(citation, "bracket",
                                   f"{citation}: 「{ch}」 closes a bracket that was never opened",
                                   _excerpt(text, k, k + 1),
                                   f"{ja}：閉じ括弧「{ch}」に対応する開き括弧がありません", ch))
    for o, start in stack:
        out.append(Finding(citation, "bracket", f"{citation}: 「{o}」 is never closed",
                           _excerpt(text, start, start + 1), f"{ja}：「{o}」が閉じられていません", o))
    return out


def _structure_findings(terms: Terms) -> list[Finding]:
    out = [Finding(n.citation, "numbering", n.message, _note_excerpt(terms, n.line, n.citation),
                   n.message_ja or n.message, "", n.line) for n in terms.notes]
    for u in units(terms):
        if u.item is not None:
            continue
        p = u.paragraph
        if re.search(r"(以下|次)の各号", p.text) and not p.items:
            out.append(Finding(u.citation, "missing-items",
                               f"{u.citation} announces items (各号) but has none", p.text[:30],
                               f"{u.citation}は「各号」と言いながら号がありません", "各号", p.line))
        m = re.search(r"以下の([0-9０-９一二三四五六七八九十]+)(通り|つ|種類)", p.text)
        if m and p.items and to_int(m.group(1)) != len(p.items):
            out.append(Finding(
                u.citation, "count-mismatch",
                f"{u.citation} announces {to_int(m.group(1))} {m.group(2)} but lists "
                f"{len(p.items)} items", _excerpt(p.text, m.start(), m.end()),
                f"{u.citation}は「{m.group(0)}」としていますが、号は{len(p.items)}個です", m.group(0), p.line))
    return out


def _note_excerpt(terms: Terms, line: int, citation: str) -> str:
    for a in terms.articles:
        if a.line == line:
            return a.heading
    for c in terms.chapters:
        if c.line == line:
            return c.heading
    try:
        return _own_text(terms, citation)[:20]
    except CitationError:
        return ""


def _metadata_findings(terms: Terms) -> list[Finding]:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", terms.path.name)
    if not m or not terms.effective_dates:
        return []
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return []
    if d in terms.effective_dates:
        return []
    listed = ", ".join(x.isoformat() for x in terms.effective_dates)
    return [Finding("supplementary", "metadata",
                    f"the file name says {d.isoformat()} but the 付則 gives the dates {listed}",
                    terms.supplementary[:40], f"ファイル名の日付は{d.isoformat()}ですが、付則の日付は{listed}です",
                    d.isoformat())]


def find_text_findings(terms: Terms) -> list[Finding]:
    """All drafting findings in document order (preamble first, supplementary last)."""
    found = (_bracket_findings("preamble", terms.preamble)
             + _heading_findings(terms)
             + _structure_findings(terms)
             + _marker_findings(terms)
             + _reference_findings(terms)
             + _bracket_findings("supplementary", terms.supplementary))
    for u in units(terms):
        found += _bracket_findings(u.citation, u.text)
    order = {c: k for k, c in enumerate(terms.citations())}
    order["preamble"] = -1
    order["supplementary"] = len(order) + 1
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda f: order.get(f.citation, len(order)))
