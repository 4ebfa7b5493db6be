"""What the docs show, as plain data for the templates: one `DocModel` per language.

Everything is read from the spec, the terms text (`yakkan.terms`), the drafting
findings (`yakkan.terms.findings`), the coverage table (`yakkan.model.coverage`) and
the analysed lifecycle; nothing here restates a rule. Each article of the terms is
paired with the model elements that cite it, paragraph by paragraph (the literate view).

The spec's own texts (guard rules, interpretations, property titles and reviewer notes,
out-of-scope reasons, limitations) are shown in Japanese from their `ja` fields on the
Japanese pages; where a `ja` field is empty the English is shown and the element is listed
in `untranslated`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup, escape

from yakkan.model.coverage import coverage_table
from yakkan.model.spec import Spec
from yakkan.terms.findings import Finding
from yakkan.terms.lint import lint
from yakkan.terms.structure import Article, CitationError, Terms, load_terms

from .analysis import Lifecycle
from .figures import is_yen
from .i18n import FINDING_KINDS_JA, SIM_KEYS_JA, event_name, state_name, t, ui
from .readable import Readable
from .why import Why

_UI_KEYS = {"ja": ui("ja"), "en": ui("en")}
FOREVER_NOTE = {"ja": "未設定", "en": "unset"}
KIND_ORDER = ("state", "transition", "guard", "interpretation", "property", "event", "parameter",
              "variable", "procedure", "limitation")  # fmt: skip
KIND_NAMES = {
    "ja": {"state": "状態", "event": "イベント", "transition": "遷移", "guard": "条件",
           "parameter": "パラメータ", "variable": "変数", "procedure": "手続き",
           "interpretation": "解釈", "property": "プロパティ", "limitation": "限界"},
    "en": {"state": "state", "event": "event", "transition": "transition", "guard": "guard",
           "parameter": "parameter", "variable": "variable", "procedure": "procedure",
           "interpretation": "interpretation", "property": "property", "limitation": "limitation"},
}  # fmt: skip


def anchor(citation: str) -> str:
    """HTML id of a citation on the terms page: 17-1(2) → c17-1_i2, 5(3) → c5_i3."""
    base, _, item = citation.partition("(")
    return "c" + base + (f"_i{item.rstrip(')')}" if item else "")


@dataclass
class Ref:
    """A model element citing an article, as the terms page lists it."""

    kind: str
    id: str
    citation: str
    label: str
    href: str
    lines: list[str] = field(default_factory=list)  # readable details (guard, effects …), HTML
    text_lines: list[str] = field(default_factory=list)  # the same as plain text (Markdown)
    note: str = ""  # the doc text, the interpretation …
    badge: str = ""  # a verdict, "finding" …
    rules: list[str] = field(default_factory=list)  # guard rules of a transition citing the same article


@dataclass
class ParagraphView:
    number: int | None  # None: the whole article
    anchor: str
    lead: str
    items: list[tuple[str, str, list[str]]]  # (anchor, "(n)", text and sub-items)
    refs: list[Ref]


@dataclass
class ArticleView:
    number: int
    title: str
    heading: str
    chapter: int
    chapter_title: str
    anchor: str
    rows: list[ParagraphView]
    out_of_scope: str | None
    findings: list[Finding]
    limitations: list[str]

    @property
    def covered(self) -> bool:
        """Some element of the model (not only a stated limitation) cites the article."""
        return any(ref.kind != "limitation" for r in self.rows for ref in r.refs)


class DocModel:
    """The docs' content in one language (`ja` or `en`)."""

    def __init__(self, spec: Spec, lang: str, life: Lifecycle | None = None,
                 terms: Terms | None = None, verdicts: dict[str, dict[str, Any]] | None = None) -> None:  # fmt: skip
        self.spec = spec
        self.lang = lang
        self.life = life or Lifecycle(spec)
        self.terms = terms or load_terms(spec.terms_path)
        self.text = Readable(spec)
        self.verdicts = verdicts or {}
        self.profile_titles: dict[str, str] = {}  # a simulation's profiles in this language (site)

    # -- small helpers ------------------------------------------------------------------------

    def t(self, key: str, **kw: Any) -> str:
        return t(self.lang, key, **kw)

    def state_name(self, s: str) -> str:
        return state_name(self.spec, s, self.lang)

    def event_name(self, e: str) -> str:
        return event_name(self.spec, e, self.lang)

    def kind_name(self, kind: str) -> str:
        return KIND_NAMES[self.lang][kind]

    def tr(self, en: str, ja: str) -> str:
        """A text of the spec in this language: its Japanese on the Japanese pages, the
        English when it has none (see `untranslated`)."""
        return ja if self.lang == "ja" and ja else en

    @cached_property
    def untranslated(self) -> list[str]:
        """The elements whose text the Japanese pages show in English (their `ja` is empty),
        named in Japanese; empty on the English pages."""
        if self.lang != "ja":
            return []
        spec, out = self.spec, []
        for tr in spec.transitions:
            out += [f"遷移 {tr.id} の条件{n}" for n, c in enumerate(tr.guard, 1) if not c.rule_ja]
        out += [i.id for i in spec.interpretations.values() if not (i.title_ja and i.text_ja)]
        out += [p.id for p in spec.properties.values() if not (p.title_ja and p.reviewer_ja)]
        out += [x.id for x in spec.lemmas.values() if not x.doc_ja]
        out += [f"第{n}条のモデル対象外の理由" for n in spec.out_of_scope if not spec.out_of_scope_ja.get(n)]
        out += [f"モデルの限界{n}" for n, x in enumerate(spec.limitations, 1) if not x.get("ja")]
        return out

    def out_of_scope(self, article: int) -> str | None:
        """Why `article` is out of scope, in this language (None: it is not)."""
        reason = self.spec.out_of_scope.get(article)
        return None if reason is None else self.tr(reason, self.spec.out_of_scope_ja.get(article, ""))

    def property_title(self, pid: str | None, default: str = "") -> str:
        p = self.spec.properties.get(pid or "")
        return self.tr(p.title, p.title_ja) if p else default

    def value(self, value: Any, typ: Any) -> str:
        """A parameter's or literal's value as a reviewer reads it."""
        if getattr(typ, "kind", None) == "date" and isinstance(value, int):
            if value >= self.spec.constants.get("FOREVER", dt.date.max.toordinal()):
                return f"FOREVER ({FOREVER_NOTE[self.lang]})"
            return dt.date.fromordinal(value).isoformat()
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    def canonical(self, citation: str) -> str:
        try:
            return self.terms.canonical(citation)
        except CitationError:
            return citation

    # -- states, events, transitions --------------------------------------------------------------

    @cached_property
    def states(self) -> list[dict[str, Any]]:
        out = []
        for sid, d in self.spec.states.items():
            out.append({
                "id": sid, "name": self.state_name(sid), "ja": d.ja, "en": d.en,
                "articles": d.articles, "initial": d.initial, "final": d.final, "parent": d.parent,
                "children": d.children, "compound": d.compound,
                "internal": [self.event_name(tr.event) for tr in self.life.internals.get(sid, ())],
                "internal_ids": list(dict.fromkeys(tr.id for tr in self.life.internals.get(sid, ()))),
                "outgoing": [e.transition.id for e in self.life.edges if e.source == sid],
                "incoming": [e.transition.id for e in self.life.edges if e.target == sid],
            })  # fmt: skip
        return out

    @cached_property
    def internal_matrix(self) -> dict[str, Any]:
        """Events that keep the state × leaf states: where each is accepted (✓ per transition)."""
        leaves = list(self.life.order)
        rows: dict[str, dict[str, Any]] = {}
        for tr in self.spec.transitions:
            kept = [s for s in tr.sources if tr.target in (None, s)]
            if not kept:
                continue
            row = rows.setdefault(tr.event, {"event": tr.event, "name": self.event_name(tr.event),
                                             "by": self.spec.events[tr.event].by, "states": {}})  # fmt: skip
            for s in kept:
                row["states"].setdefault(s, []).append(tr.id)
        return {"columns": [{"id": s, "name": self.state_name(s)} for s in leaves], "rows": list(rows.values())}

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        out = []
        for name, ev in self.spec.events.items():
            args = []
            for a in ev.args:
                typ = a.type.enum or a.type.kind
                default = "" if a.default is None else str(a.default)
                if a.default is not None and a.default != "today":
                    default = self.value(a.default, a.type)
                args.append({"name": a.name, "type": typ, "default": default})
            out.append({
                "name": name, "ja": ev.ja, "by": ev.by, "by_name": self.t(ev.by), "args": args,
                "articles": ev.articles, "creates": ev.creates,
                "at": self.text.expr(ev.at.text, self.lang) if ev.at is not None else "",
                "phase": ev.phase or "",
                "transitions": [tr.id for tr in self.spec.transitions if tr.event == name],
                "scheduled_by": [tr.id for tr in self.life.schedulers.get(name, ())],
            })  # fmt: skip
        return out

    def sources_text(self, tr: Any) -> str:
        return ", ".join(self.state_name(s) if s in self.spec.states else self._nested_name(s)
                         for s in tr.source_spec)  # fmt: skip

    def _nested_name(self, ref: str) -> str:
        leaf = ref.split(".")[-1]
        return self.state_name(leaf) if leaf in self.spec.states else ref

    @cached_property
    def transitions(self) -> list[dict[str, Any]]:
        out = []
        for tr in self.spec.transitions:
            out.append({
                "id": tr.id, "event": tr.event, "event_name": self.event_name(tr.event),
                "by": self.spec.events[tr.event].by, "sources": self.sources_text(tr),
                "source_ids": tr.sources,
                "target": self.state_name(tr.target) if tr.target else self.t("same"),
                "target_id": tr.target, "articles": tr.articles, "line": tr.line,
                "guard": [{"text": self.text.clause(c, self.lang, tr.event),
                           "html": self.text.clause_html(c, self.lang, tr.event, tree=True),
                           "inline": self.text.clause_html(c, self.lang, tr.event),
                           "source": getattr(c.expr, "source", None) or c.expr.text,
                           "rule": self.tr(c.rule, c.rule_ja), "rule_en": c.rule,
                           "articles": c.articles} for c in tr.guard],
                "effects": [self.text.effect(e, self.lang, tr.event) for e in tr.effect_texts],
                "effects_html": [self.text.effect(e, self.lang, tr.event, html=True) for e in tr.effect_texts],
                "effect_sources": list(tr.effect_texts),
            })  # fmt: skip
        return out

    @cached_property
    def transition_by_id(self) -> dict[str, dict[str, Any]]:
        return {x["id"]: x for x in self.transitions}

    @cached_property
    def parameters(self) -> list[dict[str, Any]]:
        return [{"name": p.name, "label": self.name_label(p.name), "type": self.type_name(p.type),
                 "default": self.value(p.default, p.type),
                 "domain": "" if p.minimum is None else self.t("at_least", n=self.value(p.minimum, p.type)),
                 "scope": self.t("scope_terms" if p.scope == "terms" else "scope_contract"),
                 "articles": p.articles, "doc": self.name_doc(p.name, p.doc), "written": p.written}
                for p in self.spec.parameters.values()]  # fmt: skip

    @cached_property
    def variables(self) -> list[dict[str, Any]]:
        return [{"name": v.name, "label": self.name_label(v.name), "type": self.type_name(v.type),
                 "init": v.init.text, "init_html": self.text.expr_html(v.init.text, self.lang),
                 "articles": v.articles, "doc": self._variable_doc(v)}
                for v in self.spec.variables.values() if not v.scratch]  # fmt: skip

    @cached_property
    def derived(self) -> list[dict[str, str]]:
        return [{"name": n, "label": self.name_label(n), "text": self.text.expr(x, self.lang),
                 "html": self.text.expr_html(x, self.lang, tree=True), "source": x}
                for n, x in self.spec.derived.items()]  # fmt: skip

    @cached_property
    def procedures(self) -> list[dict[str, Any]]:
        return [{"name": p.name, "label": self.name_label(p.name), "doc": self.name_doc(p.name, p.doc),
                 "articles": p.articles, "parameter": p.parameter,
                 "body": [self.text.effect(b, self.lang) for b in p.body],
                 "body_html": [self.text.effect(b, self.lang, html=True) for b in p.body]}
                for p in self.spec.procedures.values()]  # fmt: skip

    @cached_property
    def time_advance(self) -> list[str]:
        return [self.text.effect(x, self.lang) for x in self.spec.time_advance_texts]

    @cached_property
    def time_advance_html(self) -> list[str]:
        return [self.text.effect(x, self.lang, html=True) for x in self.spec.time_advance_texts]

    def _variable_doc(self, v: Any) -> str:
        """A variable's description; a record's field (`breach['37-1'].committed`) by the field's."""
        if v.record is not None:
            record, value, fname = v.record
            f = self.spec.records[record].fields[fname]
            return f"「{value}」：{f.doc_ja}" if self.lang == "ja" and f.doc_ja else f"{value}: {f.doc or v.doc}"
        return self.name_doc(v.name, v.doc)

    def name_label(self, name: str) -> str:
        """A name of the spec as the page's reader calls it (its identifier in English)."""
        entry = self.spec.names_ja.get(name) if self.lang == "ja" else None
        if entry is None and self.lang == "ja" and name in self.spec.variables and self.spec.variables[name].record:
            record, value, fname = self.spec.variables[name].record
            doc = self.spec.records[record].fields[fname].doc_ja.rstrip("。")
            return f"「{value}」：{doc}" if doc else name
        return entry.name if entry else name

    def name_doc(self, name: str, doc: str) -> str:
        entry = self.spec.names_ja.get(name)
        return self.tr(doc, entry.doc if entry else "")

    def type_name(self, typ: Any) -> str:
        if self.lang == "ja":
            return {"int": "整数", "bool": "真偽", "date": "日付"}.get(typ.kind, "列挙")
        return typ.enum or typ.kind

    # -- interpretations, properties, findings ----------------------------------------------------

    @cached_property
    def interpretations(self) -> list[dict[str, Any]]:
        return [{"id": i.id, "title": self.tr(i.title, i.title_ja), "articles": i.articles,
                 "text": self.tr(i.text, i.text_ja), "title_en": i.title, "text_en": i.text,
                 "finding": "(finding)" in i.text} for i in self.spec.interpretations.values()]  # fmt: skip

    @cached_property
    def properties(self) -> list[dict[str, Any]]:
        out = []
        for p in self.spec.properties.values():
            formula_html = None
            if p.kind == "response":
                trigger = self.text.expr(str(getattr(p.trigger, "source", None) or p.trigger.text), self.lang)
                response = self.text.expr(str(getattr(p.response, "source", None) or p.response.text), self.lang)
                if self.lang == "ja":
                    within = "".join(x for x in (f"{p.within_months}か月" if p.within_months else "",
                                                 f"{p.within_days}日" if p.within_days else "") if x)  # fmt: skip
                    formula = f"{trigger} ⇒ {within}以内に {response}"
                else:
                    within = " ".join(x for x in (f"{p.within_months} months" if p.within_months else "",
                                                  f"{p.within_days} days" if p.within_days else "") if x)  # fmt: skip
                    formula = f"{trigger} ⇒ within {within}: {response}"
            elif p.formula is not None:
                formula = self.text.expr(str(getattr(p.formula, "source", None) or p.text), self.lang)
                formula_html = self.text.expr_html(str(getattr(p.formula, "source", None) or p.text), self.lang,
                                                   tree=True)  # fmt: skip
            else:  # a structural check: what it checks, in words
                key = f"check_{p.check}"
                formula = self.t(key) if key in _UI_KEYS[self.lang] else (p.check or p.text)
            out.append({
                "id": p.id, "kind": p.kind, "title": self.tr(p.title, p.title_ja), "articles": p.articles,
                "kind_name": self.t(f"kind_{p.kind}"), "formula_html": formula_html,
                "expect": p.expect, "reviewer": self.tr(p.reviewer, p.reviewer_ja), "formula": formula,
                "source": p.text, "title_en": p.title, "reviewer_en": p.reviewer,
                "finding": p.expect == "violated", "verdict": self.verdicts.get(p.id),
            })  # fmt: skip
        return out

    @cached_property
    def lemmas(self) -> list[dict[str, Any]]:
        """The spec's supporting invariants, read like the properties' formulas."""
        return [{"id": x.id, "doc": self.tr(x.doc, x.doc_ja), "doc_en": x.doc, "articles": x.articles,
                 "when": self.text.expr(x.when_text, self.lang) if x.when_text else "",
                 "holds": self.text.expr(x.holds_text, self.lang), "source_when": x.when_text,
                 "when_html": self.text.expr_html(x.when_text, self.lang) if x.when_text else "",
                 "holds_html": self.text.expr_html(x.holds_text, self.lang),
                 "source_holds": x.holds_text} for x in self.spec.lemmas.values()]  # fmt: skip

    @cached_property
    def _why(self) -> Why:
        return Why(self.text)

    def why(self, label: str) -> Markup:
        """One lemma of a proof (as the verifier labels it) as a sentence of this language."""
        return self._why.sentence(label, self.lang)

    def reason(self, text: str) -> str:
        """A verdict's reason (the verifier's English) in this language."""
        from yakkan.lang import translate

        return translate(text, self.lang)

    def verdict_name(self, verdict: str) -> str:
        key = f"verdict_{verdict}"
        return self.t(key) if key in _UI_KEYS[self.lang] else verdict

    def sim_reason(self, reason: str) -> Markup:
        """Why the simulator does not monitor a property, in this language; a reason it
        gives that the docs do not know is shown as the simulator's English, marked."""
        from yakkan.simulate.report import NOT_MONITORED_REASON, NOT_MONITORED_TEXT

        if reason == NOT_MONITORED_REASON:
            return Markup(escape(self.t("sim_reason_graph")))
        if reason == NOT_MONITORED_TEXT:
            return Markup(escape(self.t("sim_reason_text")))
        return Markup('<span lang="en">{}</span>').format(reason) if self.lang == "ja" else Markup(escape(reason))

    def finding_kind(self, kind: str) -> Markup:
        """A finding's kind in this language; one the docs do not know is marked as a name."""
        if self.lang == "ja":
            if kind in FINDING_KINDS_JA:
                return Markup(escape(FINDING_KINDS_JA[kind]))
            return Markup('<span class="name">{}</span>').format(kind)
        return Markup(escape(kind))

    def sim_key(self, key: str) -> Markup:
        """A key of the simulator's report (`money.charged`, `events.sent.pay`, a state, an
        event, how a contract ended) as this page's reader reads it; a profile's name or an
        unknown key is marked as a name."""
        if self.lang != "ja":
            return Markup(escape(key))
        parts = key.split(".")
        words = []
        for part in parts:
            if self.lang == "ja" and part in SIM_KEYS_JA:
                words.append(SIM_KEYS_JA[part])
            elif self.lang == "ja" and key in SIM_KEYS_JA:
                return Markup(escape(SIM_KEYS_JA[key]))
            elif part in self.profile_titles:
                words.append(self.profile_titles[part])
            elif part in self.spec.states:
                words.append(self.state_name(part))
            elif part in self.spec.events:
                words.append(self.event_name(part))
            elif self.lang == "ja" and f"EndedBy.{part}" in self.spec.names_ja:
                words.append(self.spec.names_ja[f"EndedBy.{part}"].name)
            elif self.lang == "ja" and part.replace("-", "").replace("(", "").replace(")", "").isdigit():
                words.append(part)  # a citation
            else:
                words.append(str(Markup('<span class="name">{}</span>').format(part)) if self.lang == "ja"
                             else part)  # fmt: skip
        escaped = [w if w.startswith("<span") else str(escape(w)) for w in words]
        return Markup(" · ".join(escaped))

    def plot_caption(self, name: str) -> str:
        key = f"plot_{name}"
        return self.t(key) if key in _UI_KEYS[self.lang] else name

    def figure_value(self, name: str, value: Any) -> str:
        """A figure of the contract as a reader reads it: yen, a date (or 未設定), yes/no, a name."""
        spec = self.spec
        typ = spec.variables[name].type if name in spec.variables else \
            spec.parameters[name].type if name in spec.parameters else None  # fmt: skip
        if value is None:
            return "—"
        if typ is not None and typ.kind == "date" and isinstance(value, int):
            return self.value(value, typ).split(" ")[0] if value < spec.constants.get("FOREVER", 1 << 30) \
                else FOREVER_NOTE[self.lang]  # fmt: skip
        if isinstance(value, bool):
            return {"ja": ("はい", "いいえ"), "en": ("yes", "no")}[self.lang][0 if value else 1]
        if isinstance(value, int):
            return f"¥{value:,}" if is_yen(spec, name) else f"{value:,}"
        if typ is not None and typ.kind == "enum":
            entry = spec.names_ja.get(f"{typ.enum}.{value}") if self.lang == "ja" else None
            return entry.name if entry else str(value)
        return str(value)

    def step_args(self, event: str, args: Any) -> list[tuple[str, str]]:
        """An event's arguments as (name, value) in this language: 「金額」 ¥666,009."""
        ev = self.spec.events.get(event)
        out = []
        for name, value in args:
            a = ev.arg(name) if ev else None
            label = self.name_label(a.expr_name) if a else name
            if self.lang == "ja" and a and label == a.expr_name:
                label = self.name_label(name)
            if a is not None and a.type.kind == "int" and isinstance(value, int):
                shown = f"¥{value:,}" if a.expr_name in ("amount", "new_base_fee", "new_option_fee") else f"{value:,}"
            elif a is not None and a.type.kind == "enum":
                entry = self.spec.names_ja.get(f"{a.type.enum}.{value}") if self.lang == "ja" else None
                shown = entry.name if entry else str(value)
            elif isinstance(value, dt.date):
                shown = value.isoformat()
            elif isinstance(value, int) and a is not None and a.type.kind == "date":
                shown = dt.date.fromordinal(value).isoformat()
            else:
                shown = str(value)
            out.append((label, shown))
        return out

    def lemma_doc(self, lid: str) -> str:
        """A spec lemma's sentence in this page's language."""
        x = self.spec.lemmas[lid]
        return self.tr(x.doc, x.doc_ja)

    @cached_property
    def text_findings(self) -> list[Finding]:
        """What `yakkan lint` reports on the terms text (the reviewed and accepted ones left out)."""
        return [f.finding for f in lint(self.terms).shown()]

    @cached_property
    def limitations(self) -> list[dict[str, Any]]:
        return [{"articles": tuple(x.get("articles", ())), "text": self.tr(x["text"], x.get("ja", "")),
                 "text_en": x["text"]} for x in self.spec.limitations]  # fmt: skip

    @cached_property
    def coverage(self) -> list[dict[str, Any]]:
        rows = []
        for r in coverage_table(self.spec):
            kinds: dict[str, int] = {}
            for el in r.elements:
                k = el.split(" ", 1)[0]
                kinds[k] = kinds.get(k, 0) + 1
            status = ("encoded" if r.elements else "") + (" + " if r.elements and r.out_of_scope else "") + \
                ("out_of_scope" if r.out_of_scope else "")
            rows.append({"article": r.article, "title": r.title, "elements": list(r.elements),
                         "citations": list(r.citations), "out_of_scope": self.out_of_scope(r.article),
                         "kinds": kinds, "status": status or "none"})  # fmt: skip
        return rows

    # -- the literate view ----------------------------------------------------------------------

    def _refs(self) -> Iterator[Ref]:
        """Every citing element as a Ref (one per citation)."""
        L = self.lang
        for s in self.states:
            for c in s["articles"]:
                note = self.t("final") if s["final"] else self.t("initial") if s["initial"] else ""
                yield Ref("state", s["id"], c, f'{s["name"]} ({s["id"]})', f"states.html#s-{s['id']}", note=note)
        for e in self.events:
            for c in e["articles"]:
                label = f'{e["ja"]} ({e["name"]})' if L == "ja" else f'{e["name"]} ({e["ja"]})'
                yield Ref("event", e["name"], c, label, f"events.html#e-{e['name']}", note=e["by_name"])
        for tr in self.transitions:
            if tr["target_id"] is None:
                label = f'{tr["event_name"]}: {tr["sources"]} ({tr["target"]})'
            else:
                label = f'{tr["event_name"]}: {tr["sources"]} → {tr["target"]}'
            lines = [Markup("[{}]").format(g["inline"]) for g in tr["guard"]]
            lines += [Markup("⟹ {}").format(x) for x in tr["effects_html"]]
            text_lines = [f"[{g['text']}]" for g in tr["guard"]] + [f"⟹ {x}" for x in tr["effects"]]
            for c in tr["articles"]:
                yield Ref("transition", tr["id"], c, label, f"transitions.html#t-{tr['id']}", lines=lines,
                          text_lines=text_lines)  # fmt: skip
            for g in tr["guard"]:
                for c in g["articles"]:
                    yield Ref("guard", tr["id"], c, f"{label}", f"transitions.html#t-{tr['id']}",
                              lines=[Markup("[{}]").format(g["inline"])], text_lines=[f"[{g['text']}]"],
                              note=g["rule"])  # fmt: skip
        for p in self.parameters:
            for c in p["articles"]:
                # the words of the article that write the value, beside it (P67)
                quoted = f"「{p['written']}」" if p["written"] else ""
                yield Ref("parameter", p["name"], c, f'{p["label"]} = {p["default"]}{quoted}',
                          f"states.html#p-{p['name']}", note=p["doc"])  # fmt: skip
        for v in self.variables:
            for c in v["articles"]:
                yield Ref("variable", v["name"], c, v["label"], f"states.html#v-{v['name']}", note=v["doc"])
        for p in self.procedures:
            for c in p["articles"]:
                href = f"transitions.html#pr-{p['name']}"
                yield Ref("procedure", p["name"], c, p["label"] if self.lang == "ja" else f'{p["name"]}()', href,
                          note=p["doc"])  # fmt: skip
        for i in self.interpretations:
            for c in i["articles"]:
                yield Ref("interpretation", i["id"], c, f'{i["id"]} {i["title"]}', f"interpretations.html#{i['id']}",
                          note=i["text"], badge="finding" if i["finding"] else "")  # fmt: skip
        for p in self.properties:
            for c in p["articles"]:
                yield Ref("property", p["id"], c, f'{p["id"]} {p["title"]}', f"properties.html#{p['id']}",
                          note=p["reviewer"], badge=self._verdict_badge(p))  # fmt: skip
        for n, lim in enumerate(self.limitations, 1):
            for c in lim["articles"]:
                yield Ref("limitation", f"L{n}", c, lim["text"], "coverage.html#limitations")

    def _verdict_badge(self, p: dict[str, Any]) -> str:
        v = p.get("verdict")
        if v:
            return v["verdict"]
        return "finding" if p["finding"] else ""

    @cached_property
    def articles(self) -> list[ArticleView]:
        """Every article in order, each paragraph beside the elements citing it."""
        by_cite: dict[tuple[int, int | None], list[Ref]] = {}
        for ref in self._refs():
            try:
                c, _ = self.terms.locate(ref.citation)
            except CitationError:
                continue
            ref.citation = self.canonical(ref.citation)
            art = self.terms.article(c.article)
            para = c.paragraph if not art.single_paragraph else art.paragraphs[0].number
            by_cite.setdefault((c.article, para), []).append(ref)
        findings: dict[int, list[Finding]] = {}
        for f in self.text_findings:
            try:
                n = self.terms.locate(f.citation)[0].article
            except CitationError:
                continue
            findings.setdefault(n, []).append(f)
        limits: dict[int, list[str]] = {}
        for lim in self.limitations:
            for c in lim["articles"]:
                try:
                    n = self.terms.locate(c)[0].article
                except CitationError:
                    continue
                limits.setdefault(n, [])
                if lim["text"] not in limits[n]:
                    limits[n].append(lim["text"])
        chapters = {c.number: c.title for c in self.terms.chapters}
        out = []
        for art in self.terms.articles:
            rows = self._rows(art, by_cite)
            out.append(ArticleView(
                number=art.number, title=art.title, heading=art.heading, chapter=art.chapter,
                chapter_title=chapters.get(art.chapter, ""), anchor=f"c{art.number}", rows=rows,
                out_of_scope=self.out_of_scope(art.number), findings=findings.get(art.number, []),
                limitations=limits.get(art.number, []),
            ))  # fmt: skip
        return out

    def _rows(self, art: Article, by_cite: dict[tuple[int, int | None], list[Ref]]) -> list[ParagraphView]:
        rows = []
        whole = _sorted(by_cite.get((art.number, None), []))
        if whole and not art.single_paragraph:
            rows.append(ParagraphView(None, f"c{art.number}-all", "", [], whole))
        for p in art.paragraphs:
            cite = str(art.number) if art.single_paragraph else f"{art.number}-{p.number}"
            items = []
            for it in p.items:
                sub = [f"{_roman(k)}. {s}" for k, s in enumerate(it.subitems, 1)]
                items.append((anchor(f"{cite}({it.number})"), f"({it.number})", [it.text, *sub]))
            rows.append(ParagraphView(
                number=None if art.single_paragraph else p.number, anchor=anchor(cite), lead=p.text,
                items=items, refs=_sorted(by_cite.get((art.number, p.number), [])),
            ))  # fmt: skip
        return rows

    @cached_property
    def verdict_summary(self) -> dict[str, Any] | None:
        """The verifier's verdicts at a glance: how many of each, which differ from what the
        spec expects (to fix), and which are findings (violated, as expected)."""
        if not self.verdicts:
            return None
        counts: dict[str, int] = {}
        for v in self.verdicts.values():
            counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
        titled = [(pid, self.property_title(pid, pid), v) for pid, v in sorted(self.verdicts.items())]
        return {
            "counts": [{"verdict": k, "name": self.verdict_name(k), "n": n} for k, n in sorted(counts.items())],
            "total": len(self.verdicts), "unverified": len(set(self.spec.properties) - set(self.verdicts)),
            "mismatches": [{"id": pid, "title": title, "verdict": self.verdict_name(v["verdict"])}
                           for pid, title, v in titled if v["matches"] is False],
            "findings": [{"id": pid, "title": title, "verdict": self.verdict_name(v["verdict"])}
                         for pid, title, v in titled if v["matches"] and v["verdict"] == "violated"],
        }  # fmt: skip

    # -- summary ---------------------------------------------------------------------------------

    @cached_property
    def summary(self) -> dict[str, Any]:
        arts = self.articles
        return {
            "articles": len(arts), "encoded": sum(1 for a in arts if a.covered),
            "out_of_scope": sum(1 for a in arts if a.out_of_scope and not a.covered),
            "both": sum(1 for a in arts if a.out_of_scope and a.covered),
            "states": len(self.spec.leaf_states), "events": len(self.spec.events),
            "transitions": len(self.spec.transitions), "interpretations": len(self.spec.interpretations),
            "properties": len(self.spec.properties), "findings": len(self.text_findings),
            "interp_findings": sum(1 for i in self.interpretations if i["finding"]),
        }  # fmt: skip


def _sorted(refs: list[Ref]) -> list[Ref]:
    """Refs by kind, then as they came; one entry per element and citation.

    A guard clause citing the same article as its transition is shown within the
    transition, as a rule the transition's refusal cites."""
    seen: set[tuple[str, str, str, str]] = set()
    out: list[Ref] = []
    transitions = {(r.id, r.citation): r for r in refs if r.kind == "transition"}
    for r in sorted(refs, key=lambda r: KIND_ORDER.index(r.kind)):
        if r.kind == "guard" and (r.id, r.citation) in transitions:
            host = transitions[(r.id, r.citation)]
            if r.note not in host.rules:
                host.rules.append(r.note)
            continue
        key = (r.kind, r.id, r.citation, r.note)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _roman(n: int) -> str:
    return "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ"[n - 1] if 1 <= n <= 10 else str(n)
