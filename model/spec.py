"""The contract spec: what it holds, and how it is loaded and checked.

A spec is a YAML file (see contracts/clara-msp/spec.yaml). `load_spec` reads it, checks
every name, type-checks every expression and every article citation against the terms
text, and returns a `Spec`: plain frozen data from which the executable machine, the Z3
encoding, the monitors, the diagrams and the docs are derived. Nothing in a spec is
executed as Python; expressions go through `yakkan.model.expr`.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError, did_you_mean, plain_token_error
from .expr import BOOL, DATE, INT, MAX_LENGTH, Assign, Expr, ExprError, Type, enum_type, parse_effect, parse_expr
from .names import check_spec_document
from .records import NamedSet, Record, RecordField, Rewriter, field_variable
from .yamlio import line_of, read_yaml, value_position

BUILTIN_TYPES = {"int": INT, "bool": BOOL, "date": DATE}
PARTIES = ("customer", "company", "calendar")
PHASES = ("start", "end")
MOMENT_PREFIX = "passed_"  # lemmas: passed_<calendar event>, that moment of the day is past
PROPERTY_KINDS = ("invariant", "step", "reachable", "response", "structural")
FIGURES_AS_WRITTEN = "figures_as_written"  # the terms text's figures, against the parameters (P67)
STRUCTURAL_CHECKS = ("no_deadlock", "all_states_reachable", FIGURES_AS_WRITTEN)
EXPECTATIONS = {
    "invariant": ("holds", "violated"),
    "step": ("holds", "violated"),
    "response": ("holds", "violated"),
    "structural": ("holds", "violated"),
    "reachable": ("reachable", "unreachable"),
}
SAME = "same"
STATE_ENUM = "State"
EVENT_ENUM = "Event"
NEXT = "next_"


@dataclass(frozen=True)
class Parameter:
    """A typed parameter: fixed by the terms (`scope: terms`) or set per contract."""

    name: str
    type: Type
    default: Any
    scope: str
    articles: tuple[str, ...]
    doc: str
    minimum: int | None
    line: int | None
    written: str | None = None  # the words of the terms that write its value (terms/figures.py)


@dataclass(frozen=True)
class Variable:
    """A variable of the contract's state; `init` is an expression over the parameters."""

    name: str
    type: Type
    init: Expr
    articles: tuple[str, ...]
    doc: str
    scratch: bool
    line: int | None
    record: tuple[str, str, str] | None = None  # (record, enum value, field) of a record's field


@dataclass(frozen=True)
class StateDef:
    """A lifecycle state. Compound states group leaves (`in_force`); only leaves are occupied."""

    id: str
    ja: str
    en: str
    articles: tuple[str, ...]
    initial: bool
    final: bool
    parent: str | None
    children: tuple[str, ...]
    line: int | None

    @property
    def compound(self) -> bool:
        return bool(self.children)


@dataclass(frozen=True)
class Arg:
    """An argument of an event: `name` in scenarios, `expr_name` in expressions."""

    name: str
    expr_name: str
    type: Type
    default: Any  # None: required; "today": the event's date; else a value
    minimum: int | None


@dataclass(frozen=True)
class EventDef:
    """An event, raised by the customer, the company or the calendar."""

    name: str
    by: str
    args: tuple[Arg, ...]
    articles: tuple[str, ...]
    ja: str
    at: Expr | None
    phase: str | None
    line: int | None
    creates: bool = False

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)


@dataclass(frozen=True)
class Clause:
    """One condition of a guard, with the rule a refusal cites."""

    expr: Expr
    rule: str
    articles: tuple[str, ...]
    rule_ja: str = ""


@dataclass(frozen=True)
class TransitionDef:
    """source --event [guard] / effects--> target; `target` None means the state stays."""

    id: str
    event: str
    source_spec: tuple[str, ...]
    sources: tuple[str, ...]
    target: str | None
    guard: tuple[Clause, ...]
    effect_texts: tuple[str, ...]
    effects: tuple[Assign, ...]
    articles: tuple[str, ...]
    line: int | None


@dataclass(frozen=True)
class PropertyDef:
    """A legal property of the catalogue, stated in one of the PROPERTY_KINDS."""

    id: str
    kind: str
    title: str
    articles: tuple[str, ...]
    expect: str
    reviewer: str
    formula: Expr | None = None
    trigger: Expr | None = None
    response: Expr | None = None
    within_months: int = 0
    within_days: int = 0
    check: str | None = None
    line: int | None = None
    text: str = ""
    title_ja: str = ""
    reviewer_ja: str = ""
    witness: str | None = None  # a reachability's witness scenario, relative to the spec's folder


@dataclass(frozen=True)
class LemmaDef:
    """A supporting invariant: a fact about every reachable state that a proof needs.

    Never trusted: the verifier proves it (by induction, together with the other lemmas)
    before a proof may use it, and drops it when it does not hold. ``when`` and ``holds``
    are state formulas; they may also name ``passed_<calendar event>``, true once that
    event's moment of the day has had its turn (the order of a day: start-of-day events,
    then the parties' events, then end-of-day events, each phase in spec order).
    """

    id: str
    holds: Expr
    holds_text: str
    articles: tuple[str, ...]
    doc: str
    when: Expr | None = None
    when_text: str = ""
    doc_ja: str = ""
    line: int | None = None


@dataclass(frozen=True)
class NameJa:
    """The Japanese of one identifier (parameter, variable, derived name, procedure, event
    argument) or enum value (`Enum.value`): the name a reviewer reads, and its description."""

    name: str
    doc: str = ""


@dataclass(frozen=True)
class Interpretation:
    id: str
    title: str
    articles: tuple[str, ...]
    text: str
    title_ja: str = ""
    text_ja: str = ""


@dataclass(frozen=True)
class Procedure:
    name: str
    doc: str
    articles: tuple[str, ...]
    parameter: str | None
    body: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """A loaded, checked contract spec."""

    path: Path
    meta: Mapping[str, Any]
    enums: Mapping[str, tuple[str, ...]]
    constants: Mapping[str, int]
    parameters: Mapping[str, Parameter]
    derived: Mapping[str, str]
    derived_exprs: Mapping[str, Expr]
    variables: Mapping[str, Variable]
    procedures: Mapping[str, Procedure]
    time_advance: tuple[Assign, ...]
    time_advance_texts: tuple[str, ...]
    states: Mapping[str, StateDef]
    events: Mapping[str, EventDef]
    transitions: tuple[TransitionDef, ...]
    interpretations: Mapping[str, Interpretation]
    properties: Mapping[str, PropertyDef]
    out_of_scope: Mapping[int, str]
    out_of_scope_ja: Mapping[int, str]
    shared_args: Mapping[str, Type]  # event arguments step properties may name (one type everywhere)
    limitations: tuple[Mapping[str, Any], ...]
    terms_path: Path
    source_lines: Mapping[str, int] = field(default_factory=dict)
    lemmas: Mapping[str, LemmaDef] = field(default_factory=dict)
    sets: Mapping[str, NamedSet] = field(default_factory=dict)
    records: Mapping[str, Record] = field(default_factory=dict)
    names_ja: Mapping[str, NameJa] = field(default_factory=dict)  # the docs' Japanese of identifiers
    # article number -> fingerprint of its text when the encoding was last re-read against it
    # (`yakkan review --reread ARTICLE`; terms/staleness.py)
    reread: Mapping[str, str] = field(default_factory=dict)
    # property id -> why this version no longer checks it ({reason, ja}): a property of the
    # earlier version left out on purpose (`yakkan review` fails on one left out silently)
    retired: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # worked scenarios (relative to the spec's folder) the verifier replays before its random
    # runs when it looks for a violation of any property
    examples: tuple[str, ...] = ()

    @property
    def leaf_states(self) -> tuple[str, ...]:
        return tuple(s for s, d in self.states.items() if not d.compound)

    @property
    def initial_state(self) -> str:
        top = next(s for s, d in self.states.items() if d.initial and d.parent is None)
        while self.states[top].compound:
            top = next(c for c in self.states[top].children if self.states[c].initial)
        return top

    @property
    def creating_event(self) -> EventDef:
        return next(e for e in self.events.values() if e.creates)

    @property
    def calendar_events(self) -> tuple[EventDef, ...]:
        """Calendar events in firing order within a day: start-of-day first, then end."""
        cal = [e for e in self.events.values() if e.by == "calendar"]
        return tuple(sorted(cal, key=lambda e: PHASES.index(e.phase or "end")))

    def arg_defaults(self) -> dict[str, Any]:
        """What a step formula sees for a shared argument its event does not take: 0,
        FOREVER, False or the enum's first value (the simulator's monitors, the verifier's
        encoding and its counterexample checks all read a step this way)."""
        forever = self.constants.get("FOREVER", 0)
        out: dict[str, Any] = {}
        for name, t in self.shared_args.items():
            if t == INT:
                out[name] = 0
            elif t == DATE:
                out[name] = forever
            elif t == BOOL:
                out[name] = False
            else:
                out[name] = self.enums[t.enum][0]
        return out

    def transitions_for(self, event: str, state: str) -> list[TransitionDef]:
        return [t for t in self.transitions if t.event == event and state in t.sources]

    def ancestors(self, state: str) -> list[str]:
        out, parent = [], self.states[state].parent
        while parent:
            out.append(parent)
            parent = self.states[parent].parent
        return out


# --------------------------------------------------------------------------------------
# loading


def load_spec(path: str | Path) -> Spec:
    """Load and check the spec at `path`; bad input raises SpecError with file and line."""
    return _Loader(Path(path)).load()


def load_spec_document(path: str | Path, doc: Any) -> Spec:
    """Check a spec document already read from `path` (``yamlio.read_yaml``), perhaps
    edited in memory (`yakkan mutate`'s mutants): the same checks as `load_spec`, the
    lines of the document as read."""
    return _Loader(Path(path)).load(doc)


class _Loader:
    """Reads one spec file; each `_read_*` method checks one section."""

    SECTIONS = (
        "meta", "enums", "sets", "records", "constants", "parameters", "derived", "variables", "procedures",
        "time_advance", "states", "events", "transitions", "interpretations", "properties",
        "lemmas", "out_of_scope", "limitations", "names_ja", "reread", "retired", "examples",
    )  # fmt: skip
    REQUIRED = ("meta", "states", "events", "transitions", "variables", "properties")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.enums: dict[str, tuple[str, ...]] = {}
        self.constants: dict[str, int] = {}
        self.parameters: dict[str, Parameter] = {}
        self.variables: dict[str, Variable] = {}
        self.derived: dict[str, str] = {}
        self.procedures: dict[str, Procedure] = {}
        self.states: dict[str, StateDef] = {}
        self.events: dict[str, EventDef] = {}
        self.citations: list[tuple[str, str, int | None]] = []  # (citation, where, line)
        self.sets: dict[str, NamedSet] = {}
        self.records: dict[str, Record] = {}
        self.rewriter = Rewriter(self.enums, self.sets, self.records)

    # -- errors -------------------------------------------------------------------------

    def fail(self, message: str, where: str, node: Any = None, key: Any = None, hint=None, column=None):
        raise SpecError(message, path=self.path, line=line_of(node, key), where=where, hint=hint, column=column)

    def fail_expr(self, text: str, exc: ExprError, where: str, node: Any, key: Any, env: Mapping[str, Type]):
        """An expression error at the file's line and column of the offending token."""
        self.fail(f"in `{text}`: {exc.message}", where, node, key, column=self._column(text, exc, node, key, env))

    def _column(self, text: str, exc: ExprError, node: Any, key: Any, env: Mapping[str, Type]) -> int | None:
        """1-based file column of the error: the value's column plus the error's offset in the
        text as written (derived names are expanded before parsing, so the offset is found
        again on the unexpanded text, with derived names typed as names)."""
        col = exc.col
        if self.derived and any(name in text for name in self.derived):
            known = {**env, **{n: e.type for n, e in getattr(self, "derived_exprs", {}).items()}}
            try:
                parse_expr(text, known, self.enums) if "=" not in text.replace("==", "") else None
                col = None
            except ExprError as again:
                col = again.col
        pos = value_position(node, key)
        if col is None or pos is None:
            return None
        line = self._lines()[pos[0]] if pos[0] < len(self._lines()) else ""
        quoted = pos[1] < len(line) and line[pos[1]] in "'\""
        return pos[1] + 1 + int(quoted) + col

    def _lines(self) -> list[str]:
        if not hasattr(self, "_text_lines"):
            self._text_lines = self.path.read_text(encoding="utf-8").splitlines()
        return self._text_lines

    def not_reserved(self, name: Any, where: str, node: Any) -> None:
        """`passed_<calendar event>` names a moment of the day in lemmas: no spec name may
        take that form (a proof would read the moment where the spec means its own name)."""
        if str(name).startswith(MOMENT_PREFIX):
            self.fail(f"'{name}': names starting with '{MOMENT_PREFIX}' are reserved", where, node, name,
                      hint=f"rename it; {MOMENT_PREFIX}<calendar event> is a lemma's moment of the day")  # fmt: skip

    def mapping(self, node: Any, where: str, parent: Any = None, key: Any = None) -> Mapping:
        if not isinstance(node, Mapping):
            self.fail("expected a mapping (key: value)", where, parent, key,
                      hint="write `key: value` entries here, or `{}` for none")  # fmt: skip
        return node

    def check_keys(self, node: Mapping, allowed: tuple[str, ...], where: str, required=()):
        for key in node:
            if key not in allowed:
                self.fail(
                    f"unknown key '{key}'{did_you_mean(str(key), allowed)}",
                    where, node, key, hint=f"allowed keys: {', '.join(allowed)}",
                )  # fmt: skip
        for key in required:
            if key not in node:
                self.fail(f"missing key '{key}'", where, node,
                          hint=f"add `{key}: …` (required keys: {', '.join(required)})")  # fmt: skip

    def articles(self, node: Mapping, where: str) -> tuple[str, ...]:
        raw = node.get("articles", [])
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            self.fail('articles must be a list of citations such as ["17-1", "28-1(2)"]', where, node)
        line = line_of(node, "articles") if "articles" in node else line_of(node)
        for cite in raw:
            self.citations.append((cite, where, line))
        return tuple(raw)

    def translation(self, body: Mapping, where: str, keys: tuple[str, ...]) -> dict[str, str]:
        """The optional Japanese of an element: `ja: {title: …, text: …}`."""
        ja = body.get("ja")
        if ja is None:
            return {}
        ja = self.mapping(ja, f"{where}.ja", body, "ja")
        self.check_keys(ja, keys, f"{where}.ja")
        return {k: str(v) for k, v in ja.items()}

    # -- top level ------------------------------------------------------------------------

    def load(self, doc: Any = None) -> Spec:
        if doc is None:
            doc = read_yaml(self.path, SpecError)
        check_spec_document(doc, self.path)  # names, control characters, dates, defaults (model/names.py)
        root = self.mapping(doc, "spec")
        self.check_keys(root, self.SECTIONS, "spec", self.REQUIRED)
        self.meta = self._read_meta(root["meta"])
        self._read_enums(root.get("enums", {}))
        self._read_constants(root.get("constants", {}))
        self._read_states(root["states"])
        self.enums[STATE_ENUM] = tuple(s for s, d in self.states.items() if not d.compound)
        self._read_parameters(root.get("parameters", {}))
        self._read_sets(root.get("sets", {}))
        self._read_records(root.get("records", {}))
        self._read_derived(root.get("derived", {}))
        self._read_variables(root["variables"])
        self._read_procedures(root.get("procedures", {}))
        self._read_events(root["events"])
        self.enums[EVENT_ENUM] = tuple(self.events)
        time_advance, ta_texts = self._read_time_advance(root.get("time_advance", {}))
        self._check_calendar_dates(time_advance, root["events"])
        transitions = self._read_transitions(root["transitions"])
        interpretations = self._read_interpretations(root.get("interpretations", {}))
        properties = self._read_properties(root["properties"])
        self.interpretation_ids = set(interpretations)
        lemmas = self._read_lemmas(root.get("lemmas", {}), properties)
        out_of_scope = self._read_out_of_scope(root.get("out_of_scope", {}))
        limitations = self._read_limitations(root.get("limitations", []))
        names_ja = self._read_names_ja(root.get("names_ja", {}))
        reread = self._read_reread(root.get("reread", {}))
        retired = self._read_retired(root.get("retired", {}), properties)
        examples = self._read_examples(root)
        terms_path = (self.path.parent / str(self.meta["terms"])).resolve()
        spec = Spec(
            path=self.path, meta=self.meta, enums=self.enums, constants=self.constants,
            parameters=self.parameters, derived=self.derived, derived_exprs=self.derived_exprs,
            variables=self.variables,
            procedures=self.procedures, time_advance=time_advance,
            time_advance_texts=ta_texts, states=self.states, events=self.events,
            transitions=transitions, interpretations=interpretations, properties=properties,
            out_of_scope=out_of_scope, out_of_scope_ja=self.out_of_scope_ja, shared_args=self.shared_args(),
            limitations=limitations,
            terms_path=terms_path, lemmas=lemmas, sets=self.sets, records=self.records, names_ja=names_ja,
            reread=reread, retired=retired, examples=examples,
        )  # fmt: skip
        self._check_graph(spec, root["transitions"])
        self._check_citations(spec, root)
        return spec

    def _read_meta(self, node: Any) -> dict[str, Any]:
        meta = self.mapping(node, "meta")
        self.check_keys(
            meta, ("id", "name", "name_ja", "version", "effective", "terms"), "meta",
            required=("id", "name", "version", "terms"),
        )  # fmt: skip
        return dict(meta)

    def _read_enums(self, node: Any) -> None:
        for name, values in self.mapping(node, "enums").items():
            where = f"enums.{name}"
            if not isinstance(values, list) or not values:
                self.fail("an enumeration is a non-empty list of values", where, node, name)
            vals = tuple(str(v) for v in values)
            if len(set(vals)) != len(vals):
                dup = next(v for v in vals if vals.count(v) > 1)
                self.fail(f"value '{dup}' appears twice", where, node, name)
            self.enums[str(name)] = vals

    def _read_constants(self, node: Any) -> None:
        for name, value in self.mapping(node, "constants").items():
            self.not_reserved(name, f"constants.{name}", node)
            if not isinstance(value, dt.date):
                self.fail("a constant is a date such as 9999-12-31", f"constants.{name}", node, name)
            self.constants[str(name)] = value.toordinal()

    def _type(self, text: Any, where: str, node: Any, key: Any = None) -> Type:
        if text in BUILTIN_TYPES:
            return BUILTIN_TYPES[text]
        if text in self.enums:
            return enum_type(str(text))
        known = [*BUILTIN_TYPES, *self.enums]
        self.fail(
            f"unknown type '{text}'{did_you_mean(str(text), known)}", where, node, key,
            hint=f"types: {', '.join(known)}",
        )  # fmt: skip
        raise AssertionError  # unreachable

    def _value(self, raw: Any, typ: Type, where: str, node: Any, key: Any) -> Any:
        """A literal from YAML as the runtime value of `typ` (dates as ordinals)."""
        if typ == DATE and isinstance(raw, dt.date):
            return raw.toordinal()
        if typ == INT and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if typ == BOOL and isinstance(raw, bool):
            return raw
        if typ.kind == "enum" and str(raw) in self.enums[typ.enum]:
            return str(raw)
        self.fail(f"value {raw!r} is not a {typ.enum or typ.kind}", where, node, key)

    # -- states -----------------------------------------------------------------------------

    def _read_states(self, node: Any, parent: str | None = None) -> None:
        states = self.mapping(node, "states")
        initials = [s for s, d in states.items() if isinstance(d, Mapping) and d.get("initial")]
        if len(initials) != 1:
            where = f"states of {parent}" if parent else "states"
            self.fail(f"exactly one state must be initial, found {len(initials)}", where, states)
        for sid, body in states.items():
            where = f"states.{sid}"
            body = self.mapping(body, where, states, sid)
            self.check_keys(
                body, ("ja", "en", "initial", "final", "articles", "states"), where,
                required=("ja", "en"),
            )  # fmt: skip
            if sid in self.states or sid == SAME:
                self.fail(f"state id '{sid}' is used twice", where, states, sid)
            children = tuple(body.get("states", {}) or {})
            self.states[sid] = StateDef(
                id=sid, ja=str(body["ja"]), en=str(body["en"]),
                articles=self.articles(body, where), initial=bool(body.get("initial")),
                final=bool(body.get("final")), parent=parent, children=children,
                line=line_of(states, sid),
            )  # fmt: skip
            if children:
                self._read_states(body["states"], parent=sid)

    def state_ref(self, ref: Any, where: str, node: Any, key: Any) -> str:
        """A state named in a transition: 'active', or dotted 'in_force.active'."""
        name = str(ref).split(".")[-1]
        if name not in self.states:
            self.fail(
                f"unknown state '{ref}'{did_you_mean(name, self.states)}", where, node, key,
                hint=f"states: {', '.join(self.states)}",
            )  # fmt: skip
        dotted = str(ref).split(".")
        for outer, inner in zip(dotted, dotted[1:], strict=False):
            if self.states.get(inner) is None or self.states[inner].parent != outer:
                self.fail(f"'{inner}' is not a state inside '{outer}'", where, node, key)
        return name

    def leaves(self, state: str) -> list[str]:
        d = self.states[state]
        if not d.compound:
            return [state]
        return [leaf for c in d.children for leaf in self.leaves(c)]

    # -- parameters, derived, variables ------------------------------------------------

    def _read_parameters(self, node: Any) -> None:
        for name, body in self.mapping(node, "parameters").items():
            where = f"parameters.{name}"
            self.not_reserved(name, where, node)
            body = self.mapping(body, where, node, name)
            self.check_keys(
                body, ("type", "default", "scope", "articles", "doc", "min", "written"), where,
                required=("type", "default", "scope"),
            )  # fmt: skip
            typ = self._type(body["type"], where, body, "type")
            if body["scope"] not in ("terms", "contract"):
                self.fail("scope is 'terms' or 'contract'", where, body, "scope")
            written = body.get("written")
            if written is not None:
                self._check_written(written, body, where, typ)
            self.parameters[str(name)] = Parameter(
                name=str(name), type=typ,
                default=self._value(body["default"], typ, where, body, "default"),
                scope=str(body["scope"]), articles=self.articles(body, where),
                doc=str(body.get("doc", "")), minimum=body.get("min"), line=line_of(node, name),
                written=None if written is None else str(written),
            )  # fmt: skip

    def _check_written(self, written: Any, body: Mapping, where: str, typ: Type) -> None:
        """`written:` quotes the words of the terms that write the value: one number, on an
        integer parameter the terms fix (`terms/figures.py`)."""
        from yakkan.terms.staleness import numbers_in

        if typ != INT:
            self.fail("only an integer parameter quotes the words that write its value", where, body, "written",
                      hint="remove written:")  # fmt: skip
        if body["scope"] != "terms":
            self.fail("only a parameter of the terms (scope: terms) quotes the words that write its value",
                      where, body, "written", hint="remove written:, or make the parameter scope: terms")  # fmt: skip
        if not isinstance(written, str) or len(numbers_in(written)) != 1:
            self.fail("written: quotes the words of the article that write the value, with its one number",
                      where, body, "written", hint="e.g. written: 満３ヶ月 (7-1)")  # fmt: skip

    def _enum_ref(self, body: Mapping, key: str, where: str) -> str:
        """The enum named by `body[key]` (a set's `of`, a record's `per`)."""
        name = str(body[key])
        if name not in self.enums:
            self.fail(f"unknown enum '{name}'{did_you_mean(name, self.enums)}", where, body, key,
                      hint=f"enums: {', '.join(self.enums)}")  # fmt: skip
        return name

    def _read_sets(self, node: Any) -> None:
        """`name: {of: Enum, values: [...], articles, doc, ja: {doc}}`: values an article group names."""
        for name, body in self.mapping(node, "sets").items():
            where = f"sets.{name}"
            self.not_reserved(name, where, node)
            body = self.mapping(body, where, node, name)
            self.check_keys(body, ("of", "values", "articles", "doc", "ja"), where, ("of", "values"))
            of = self._enum_ref(body, "of", where)
            raw = body["values"]
            if not isinstance(raw, list) or not raw:
                self.fail("values is a non-empty list of the enum's values", where, body, "values")
            values: list[str] = []
            for v in raw:  # a set named among the values brings its own (defined above it)
                if str(v) in self.sets and self.sets[str(v)].of == of:
                    values += self.sets[str(v)].values
                    continue
                values.append(str(v))
                if str(v) not in self.enums[of]:
                    self.fail(f"'{v}' is not a value of {of}{did_you_mean(str(v), self.enums[of])}", where, body,
                              "values", hint=f"add it to enums.{of}, or remove it here")  # fmt: skip
            if len(set(map(str, values))) != len(values):
                self.fail("a value is listed twice", where, body, "values")
            if str(name) in self.enums or str(name) in self.sets:
                self.fail(f"'{name}' already names an enum or a set", where, node, name)
            ja = self.translation(body, where, ("doc",))
            self.sets[str(name)] = NamedSet(str(name), of, tuple(map(str, values)), self.articles(body, where),
                                            str(body.get("doc", "")), ja.get("doc", ""), line_of(node, name))

    def _read_records(self, node: Any) -> None:
        """`name: {per: Enum, fields: {field: {type, init, doc}}, articles, doc}`: one record per value."""
        for name, body in self.mapping(node, "records").items():
            where = f"records.{name}"
            self.not_reserved(name, where, node)
            body = self.mapping(body, where, node, name)
            self.check_keys(body, ("per", "fields", "articles", "doc", "ja"), where, ("per", "fields"))
            per = self._enum_ref(body, "per", where)
            fields = {}
            for fname, fbody in self.mapping(body["fields"], f"{where}.fields", body, "fields").items():
                fwhere = f"{where}.fields.{fname}"
                fbody = self.mapping(fbody, fwhere, body["fields"], fname)
                self.check_keys(fbody, ("type", "init", "doc", "ja"), fwhere, ("type", "init"))
                self._type(fbody["type"], fwhere, fbody, "type")
                ja = self.translation(fbody, fwhere, ("doc",))
                fields[str(fname)] = RecordField(str(fname), str(fbody["type"]), str(fbody["init"]),
                                                 str(fbody.get("doc", "")), ja.get("doc", ""))  # fmt: skip
            ja = self.translation(body, where, ("doc",))
            self.records[str(name)] = Record(str(name), per, fields, self.articles(body, where),
                                             str(body.get("doc", "")), ja.get("doc", ""), line_of(node, name))

    def _read_derived(self, node: Any) -> None:
        for name, text in self.mapping(node, "derived").items():
            self.not_reserved(name, f"derived.{name}", node)
            if not isinstance(text, str):
                self.fail("a derived quantity is an expression string", f"derived.{name}", node, name)
            self.derived[str(name)] = text
        self._derived_node = node

    def _read_variables(self, node: Any) -> None:
        nodes = self.mapping(node, "variables")
        for name, body in nodes.items():
            where = f"variables.{name}"
            self.not_reserved(name, where, nodes)
            body = self.mapping(body, where, nodes, name)
            self.check_keys(body, ("type", "init", "articles", "doc", "scratch"), where, ("type", "init"))
            if name in self.derived or name in self.constants or name in ("today", "state", "event"):
                self.fail(f"'{name}' is already a derived name, constant or reserved word", where, nodes, name)
            typ = self._type(body["type"], where, body, "type")
            self.variables[str(name)] = Variable(
                name=str(name), type=typ, init=None, articles=self.articles(body, where),  # type: ignore[arg-type]
                doc=str(body.get("doc", "")), scratch=bool(body.get("scratch")),
                line=line_of(nodes, name),
            )  # fmt: skip
        # initial values are expressions over parameters and constants
        env = {**self.param_env()}
        for name, body in nodes.items():
            var = self.variables[str(name)]
            init = self.expr(str(body["init"]), env, f"variables.{name}.init", body, "init", var.type)
            self.variables[str(name)] = _replace(var, init=init)
        # one variable per record, value and field
        for record in self.records.values():
            for f in record.fields.values():
                where = f"records.{record.name}.fields.{f.name}"
                typ = self._type(f.type, where, None)
                init = self.expr(f.init, env, f"{where}.init", None, None, typ)
                for value in self.enums[record.per]:
                    vname = field_variable(record.name, value, f.name)
                    if vname in self.variables:
                        self.fail(f"'{vname}' (field {f.name} of {record.name}['{value}']) is also a variable",
                                  where, None)  # fmt: skip
                    self.variables[vname] = Variable(
                        name=vname, type=typ, init=init, articles=record.articles,
                        doc=f"{f.doc} ({value})", scratch=False, line=record.line,
                        record=(record.name, value, f.name),
                    )  # fmt: skip
        # derived quantities must type-check in the state environment
        self.derived_exprs = {
            name: self.expr(text, self.state_env(), f"derived.{name}", self._derived_node, name)
            for name, text in self.derived.items()
        }

    # -- environments -------------------------------------------------------------------

    def param_env(self) -> dict[str, Type]:
        env = {n: DATE for n in self.constants}
        env.update({n: p.type for n, p in self.parameters.items()})
        return env

    def state_env(self) -> dict[str, Type]:
        env = self.param_env()
        env.update({n: v.type for n, v in self.variables.items()})
        env["today"] = DATE
        env["state"] = enum_type(STATE_ENUM)
        return env

    def step_env(self) -> dict[str, Type]:
        env = self.state_env()
        for n, v in self.variables.items():
            env[NEXT + n] = v.type
        env[NEXT + "state"] = enum_type(STATE_ENUM)
        env["event"] = enum_type(EVENT_ENUM)
        env.update(self.shared_args())
        return env

    def shared_args(self) -> dict[str, Type]:
        """Event arguments usable in step properties: those with one type across events."""
        seen: dict[str, Type | None] = {}
        for ev in self.events.values():
            for a in ev.args:
                prev = seen.get(a.expr_name, a.type)
                seen[a.expr_name] = a.type if prev == a.type else None
        return {n: t for n, t in seen.items() if t is not None}

    # -- expressions ----------------------------------------------------------------------

    def expand(self, text: str, prefix: str = "", _depth: int = 0) -> str:
        """`text` with derived names replaced by their (parenthesised) definitions.

        With `prefix` 'next_', names of variables and state inside are read after the step.
        """
        if _depth > 20:
            raise ExprError("derived quantities refer to each other in a cycle", None)
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, IndentationError) as exc:
            raise ExprError(plain_token_error(exc), None) from None
        out, last = [], 0
        for tok in tokens:
            if tok.type != tokenize.NAME or tok.start[0] != 1:
                continue
            name, replacement = tok.string, None
            if name.startswith(NEXT) and name[len(NEXT) :] in self.derived:
                replacement = "(" + self.expand(self.derived[name[len(NEXT) :]], NEXT, _depth + 1) + ")"
            elif name in self.derived:
                replacement = "(" + self.expand(self.derived[name], prefix, _depth + 1) + ")"
            elif prefix and (name in self.variables or name == "state" or name in self.records):
                replacement = prefix + name
            if replacement is not None:
                out.append(text[last : tok.start[1]] + replacement)
                last = tok.end[1]
        out.append(text[last:])
        return "".join(out)

    def expr(
        self, text: str, env: Mapping[str, Type], where: str, node: Any, key: Any,
        expect: Type | None = None,
    ) -> Expr:  # fmt: skip
        if not isinstance(text, str):
            self.fail("expected an expression string", where, node, key)
        try:
            expanded = self.rewriter.expr(self.expand(text))
            parsed = parse_expr(expanded, env, self.enums, expect, limit=max(MAX_LENGTH, len(expanded)))
        except ExprError as exc:
            self.fail_expr(text, exc, where, node, key, env)
        return _with_text(parsed, text)

    def effect(self, text: str, env: Mapping[str, Type], where: str, node: Any, key: Any) -> list[Assign]:
        """One effect statement, with procedure calls expanded into their bodies."""
        if not isinstance(text, str):
            self.fail('an effect is a string such as "paid += amount"', where, node, key)
        call = self._call(text)
        if call is not None:
            name, arg_text = call
            proc = self.procedures.get(name)
            if proc is None:
                self.fail(f"unknown procedure '{name}'{did_you_mean(name, self.procedures)}", where, node, key)
            out: list[Assign] = []
            if proc.parameter:
                if arg_text is None:
                    self.fail(f"procedure '{name}' takes one argument ({proc.parameter})", where, node, key)
                out += self.effect(f"{proc.parameter} = {arg_text}", env, where, node, key)
            elif arg_text is not None:
                self.fail(f"procedure '{name}' takes no argument", where, node, key)
            for stmt in proc.body:
                out += self.effect(stmt, env, f"{where} → {name}", node, key)
            return out
        assignable = [n for n in self.variables]
        out = []
        try:
            for piece in self.rewriter.effects(self.expand(text)):
                out.append(parse_effect(piece, env, self.enums, assignable, limit=max(MAX_LENGTH, len(piece))))
        except ExprError as exc:
            self.fail_expr(text, exc, where, node, key, env)
        return out

    @staticmethod
    def _call(text: str) -> tuple[str, str | None] | None:
        """('name', 'argument text' or None) when `text` is a procedure call statement."""
        try:
            tree = ast.parse(text.strip(), mode="exec")
        except SyntaxError:
            return None
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
            return None
        call = tree.body[0].value
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            return None
        if len(call.args) > 1 or call.keywords:
            return (call.func.id, "<more than one argument>")
        arg = ast.get_source_segment(text.strip(), call.args[0]) if call.args else None
        return (call.func.id, arg)

    # -- procedures, events, time ------------------------------------------------------------

    def _read_procedures(self, node: Any) -> None:
        for name, body in self.mapping(node, "procedures").items():
            where = f"procedures.{name}"
            body = self.mapping(body, where, node, name)
            self.check_keys(body, ("doc", "articles", "parameter", "body"), where, ("body",))
            param = body.get("parameter")
            if param is not None and (param not in self.variables or not self.variables[param].scratch):
                self.fail(f"parameter '{param}' must be a scratch variable", where, body, "parameter")
            stmts = body["body"]
            if not isinstance(stmts, list) or not all(isinstance(s, str) for s in stmts):
                self.fail("body is a list of effect strings", where, body, "body")
            self.procedures[str(name)] = Procedure(
                name=str(name), doc=str(body.get("doc", "")), articles=self.articles(body, where),
                parameter=param, body=tuple(stmts),
            )  # fmt: skip
        # check each body once in the state environment (calls expand recursively)
        for name, proc in self.procedures.items():
            for i, stmt in enumerate(proc.body):
                self.effect(stmt, self.state_env(), f"procedures.{name}.body[{i}]", node[name], "body")

    def _read_events(self, node: Any) -> None:
        events = self.mapping(node, "events")
        for name, body in events.items():
            where = f"events.{name}"
            body = self.mapping(body, where, events, name)
            self.check_keys(body, ("by", "args", "articles", "ja", "at", "phase", "creates"), where, ("by",))
            if body["by"] not in PARTIES:
                self.fail(f"'by' is one of {', '.join(PARTIES)}", where, body, "by")
            args = tuple(self._read_arg(a, spec, f"{where}.args.{a}", body["args"])
                         for a, spec in (body.get("args") or {}).items())  # fmt: skip
            at = phase = None
            if body["by"] == "calendar":
                if "at" not in body or body.get("phase") not in PHASES:
                    self.fail("a calendar event needs 'at' (a date expression) and 'phase' (start|end)", where, body)
                at = self.expr(body["at"], self.state_env(), f"{where}.at", body, "at", DATE)
                phase = str(body["phase"])
            elif "at" in body or "phase" in body:
                self.fail("only calendar events have 'at' and 'phase'", where, body)
            self.events[str(name)] = EventDef(
                name=str(name), by=str(body["by"]), args=args, articles=self.articles(body, where),
                ja=str(body.get("ja", name)), at=at, phase=phase, line=line_of(events, name),
                creates=bool(body.get("creates")),
            )  # fmt: skip
        creators = [e for e in self.events.values() if e.creates]
        if len(creators) != 1:
            self.fail("exactly one event must have `creates: true` (the application)", "events", events)

    def _read_arg(self, name: str, body: Any, where: str, parent: Any) -> Arg:
        body = self.mapping(body, where, parent, name)
        self.check_keys(body, ("type", "default", "min", "name"), where, ("type",))
        typ = self._type(body["type"], where, body, "type")
        expr_name = str(body.get("name", name))
        self.not_reserved(expr_name, where, parent)
        taken = {*self.variables, *self.parameters, *self.constants, *self.derived, "today", "state"}
        if expr_name in taken:
            self.fail(
                f"argument name '{expr_name}' hides a variable or parameter", where, body,
                hint=f"give it another name in expressions, e.g. `name: new_{expr_name}`",
            )  # fmt: skip
        default = body.get("default")
        if default is not None and default != "today":
            default = self._value(default, typ, where, body, "default")
        if default == "today" and typ != DATE:
            self.fail("only a date argument can default to 'today'", where, body, "default")
        return Arg(name=str(name), expr_name=expr_name, type=typ, default=default, minimum=body.get("min"))

    def _read_time_advance(self, node: Any) -> tuple[tuple[Assign, ...], tuple[str, ...]]:
        body = self.mapping(node, "time_advance")
        self.check_keys(body, ("articles", "effects"), "time_advance")
        self.articles(body, "time_advance")
        texts = tuple(body.get("effects", []))
        out: list[Assign] = []
        for i, text in enumerate(texts):
            out += self.effect(text, self.state_env(), f"time_advance.effects[{i}]", body, "effects")
        return tuple(out), texts

    def _check_calendar_dates(self, time_advance: tuple[Assign, ...], node: Any) -> None:
        """A calendar event's `at` is read before a step's accrual: it may not read what
        `time_advance` writes (so that the order of the two cannot matter)."""
        accrued = {a.target for a in time_advance}
        for e in self.events.values():
            if e.at is not None and e.at.names() & accrued:
                name = sorted(e.at.names() & accrued)[0]
                self.fail(f"`at` reads '{name}', which time_advance changes on every step", f"events.{e.name}.at",
                          node[e.name], "at", hint="compute the date from variables the events set")  # fmt: skip

    # -- transitions ---------------------------------------------------------------------------

    def _read_transitions(self, node: Any) -> tuple[TransitionDef, ...]:
        if not isinstance(node, list):
            self.fail("transitions is a list", "transitions", node)
        out, ids = [], set()
        for i, body in enumerate(node):
            where = f"transitions[{i}]"
            body = self.mapping(body, where, node, i)
            self.check_keys(
                body, ("id", "event", "source", "target", "guard", "effects", "articles"), where,
                required=("id", "event", "source", "target"),
            )  # fmt: skip
            tid = str(body["id"])
            where = f"transitions[{i}] ({tid})"
            if tid in ids:
                self.fail(f"transition id '{tid}' is used twice", where, body, "id")
            ids.add(tid)
            event = str(body["event"])
            if event not in self.events:
                self.fail(f"unknown event '{event}'{did_you_mean(event, self.events)}", f"{where}.event", body, "event")
            raw_src = body["source"] if isinstance(body["source"], list) else [body["source"]]
            source_names = [self.state_ref(s, f"{where}.source", body, "source") for s in raw_src]
            sources = tuple(dict.fromkeys(leaf for s in source_names for leaf in self.leaves(s)))
            target = None
            if body["target"] != SAME:
                target = self.state_ref(body["target"], f"{where}.target", body, "target")
                if self.states[target].compound:
                    target = next(c for c in self.leaves(target) if self.states[c].initial)
            for s in sources:
                if self.states[s].final and target is not None and target != s:
                    self.fail(f"a transition leaves the final state '{s}'", where, body, "source",
                              hint="final states allow only bookkeeping events with `target: same`")  # fmt: skip
            env = self.state_env()
            env.update({a.expr_name: a.type for a in self.events[event].args})
            guard = tuple(self._read_clause(c, env, f"{where}.guard[{j}]", body["guard"], j)
                          for j, c in enumerate(body.get("guard") or []))  # fmt: skip
            texts = tuple(body.get("effects") or [])
            effects: list[Assign] = []
            for j, text in enumerate(texts):
                effects += self.effect(text, env, f"{where}.effects[{j}]", body["effects"], j)
            out.append(TransitionDef(
                id=tid, event=event, source_spec=tuple(str(s) for s in raw_src), sources=sources,
                target=target, guard=guard, effect_texts=texts, effects=tuple(effects),
                articles=self.articles(body, where), line=line_of(node, i),
            ))  # fmt: skip
        return tuple(out)

    def _read_clause(self, body: Any, env: Mapping[str, Type], where: str, parent: Any, i: int) -> Clause:
        body = self.mapping(body, where, parent, i)
        self.check_keys(body, ("when", "rule", "ja", "articles"), where, ("when", "rule", "articles"))
        return Clause(
            expr=self.expr(body["when"], env, where, body, "when", BOOL), rule=str(body["rule"]),
            articles=self.articles(body, where), rule_ja=str(body.get("ja", "")),
        )  # fmt: skip

    # -- catalogue, interpretations, coverage ---------------------------------------------------

    def _read_interpretations(self, node: Any) -> dict[str, Interpretation]:
        out = {}
        for iid, body in self.mapping(node, "interpretations").items():
            where = f"interpretations.{iid}"
            body = self.mapping(body, where, node, iid)
            self.check_keys(body, ("articles", "title", "text", "ja"), where, ("articles", "title", "text"))
            ja = self.translation(body, where, ("title", "text"))
            out[str(iid)] = Interpretation(
                str(iid), str(body["title"]), self.articles(body, where), str(body["text"]),
                title_ja=ja.get("title", ""), text_ja=ja.get("text", ""),
            )  # fmt: skip
        return out

    def _read_properties(self, node: Any) -> dict[str, PropertyDef]:
        out = {}
        keys = ("kind", "title", "articles", "expect", "reviewer", "formula", "trigger",
                "response", "within", "check", "ja", "witness")  # fmt: skip
        for pid, body in self.mapping(node, "properties").items():
            where = f"properties.{pid}"
            body = self.mapping(body, where, node, pid)
            self.check_keys(body, keys, where, ("kind", "title", "expect"))
            kind = str(body["kind"])
            if kind not in PROPERTY_KINDS:
                self.fail(f"unknown kind '{kind}'{did_you_mean(kind, PROPERTY_KINDS)}", where, body, "kind")
            if body["expect"] not in EXPECTATIONS[kind]:
                self.fail(f"a {kind} property expects one of: {', '.join(EXPECTATIONS[kind])}", where, body, "expect")
            fields: dict[str, Any] = {}
            if kind in ("invariant", "step", "reachable"):
                self.check_keys(body, keys, where, ("formula",))
                env = self.state_env() if kind == "invariant" else self.step_env()
                fields["formula"] = self.expr(body["formula"], env, f"{where}.formula", body, "formula", BOOL)
                fields["text"] = str(body["formula"])
            elif kind == "response":
                self.check_keys(body, keys, where, ("trigger", "response", "within"))
                fields["trigger"] = self.expr(
                    body["trigger"], self.state_env(), f"{where}.trigger", body, "trigger", BOOL
                )
                fields["response"] = self.expr(
                    body["response"], self.state_env(), f"{where}.response", body, "response", BOOL
                )
                within = self.mapping(body["within"], f"{where}.within", body, "within")
                self.check_keys(within, ("months", "days"), f"{where}.within")
                fields["within_months"] = int(within.get("months", 0))
                fields["within_days"] = int(within.get("days", 0))
                fields["text"] = f"{body['trigger']} ⇒ {body['response']}"
            else:
                if body.get("check") not in STRUCTURAL_CHECKS:
                    self.fail(f"check is one of {', '.join(STRUCTURAL_CHECKS)}", where, body, "check")
                fields["check"] = str(body["check"])
                fields["text"] = str(body["check"])
            if "witness" in body:
                fields["witness"] = self._witness_path(body, kind, where)
            ja = self.translation(body, where, ("title", "reviewer"))
            out[str(pid)] = PropertyDef(
                id=str(pid), kind=kind, title=str(body["title"]), articles=self.articles(body, where),
                expect=str(body["expect"]), reviewer=str(body.get("reviewer", "")),
                line=line_of(node, pid), title_ja=ja.get("title", ""), reviewer_ja=ja.get("reviewer", ""),
                **fields,
            )  # fmt: skip
        return out

    def _witness_path(self, body: Any, kind: str, where: str) -> str:
        """A reachability's ``witness:``: a scenario in the spec's folder (``witnesses/P54.yaml``)
        that the verifier replays and checks step by step in Z3 before it searches, for a
        right whose shortest route is deeper than the bounded search reaches."""
        if kind != "reachable":
            self.fail("only a reachable property has a witness scenario", where, body, "witness",
                      hint="remove `witness:`, or make the property `kind: reachable`")  # fmt: skip
        return self._scenario_path(body, "witness", where, "witness: witnesses/P54.yaml")

    def _read_examples(self, root: Any) -> tuple[str, ...]:
        """``examples:``: worked scenarios in the spec's folder, each a dated story a lawyer can
        check by hand, replayed by the verifier before its random runs (a long route to a
        violation, such as an annual plan's second year, that random runs seldom draw)."""
        node = root.get("examples", [])
        if not isinstance(node, list):
            self.fail("examples is a list of scenario files", "examples", root, "examples",
                      hint="write e.g. `examples: [examples/annual-plan-abolished.yaml]`")  # fmt: skip
        return tuple(self._scenario_path(node, i, "examples", "examples: [examples/annual-plan-abolished.yaml]")
                     for i in range(len(node)))  # fmt: skip

    def _scenario_path(self, node: Any, key: Any, where: str, example: str) -> str:
        """A scenario file named in the spec: a relative ``.yaml`` path inside the spec's
        folder that exists (never ``..``, never absolute)."""
        raw = node[key]
        witness = key == "witness"
        text = str(raw) if isinstance(raw, str) else ""
        parts = text.split("/")
        if (not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*\.yaml", text) or any(p in ("", ".", "..") for p in parts)):
            message = (f"witness must be a relative path to a .yaml scenario in the spec's folder, not {raw!r}"
                       if witness else
                       f"an example must be a relative path to a .yaml scenario in the spec's folder, not {raw!r}")
            self.fail(message, where, node, key, hint=f"write e.g. `{example}`")  # fmt: skip
        if not (self.path.parent / text).is_file():
            message = (f"witness scenario {text} does not exist next to the spec" if witness else
                       f"example scenario {text} does not exist next to the spec")
            self.fail(message, where, node, key,
                      hint=f"create {self.path.parent / text} (a scenario, as `yakkan replay` reads it)")  # fmt: skip
        return text

    def lemma_env(self) -> dict[str, Type]:
        """A state formula's names, plus ``passed_<event>`` for each calendar event."""
        env = self.state_env()
        for name, e in self.events.items():
            if e.by == "calendar":
                env[f"{MOMENT_PREFIX}{name}"] = BOOL
        return env

    def _read_lemmas(self, node: Any, properties: Mapping[str, PropertyDef]) -> dict[str, LemmaDef]:
        out = {}
        keys = ("when", "holds", "articles", "doc", "ja")
        if node is None:
            return out
        for lid, body in self.mapping(node, "lemmas").items():
            where = f"lemmas.{lid}"
            if not isinstance(lid, str) or lid in properties or lid in self.interpretation_ids:
                self.fail(f"'{lid}' cannot name a lemma: it must be a new name", where, node, lid,
                          hint="name lemmas L01, L02, …, apart from the properties and interpretations")  # fmt: skip
            body = self.mapping(body, where, node, lid)
            self.check_keys(body, keys, where, ("holds", "doc"))
            if not isinstance(body["doc"], str) or not body["doc"].strip():
                self.fail("doc is a sentence for the reader", where, body, "doc",
                          hint='e.g. doc: "A contract in force has started."')  # fmt: skip
            env = self.lemma_env()
            when = None
            if "when" in body:
                when = self.expr(body["when"], env, f"{where}.when", body, "when", BOOL)
            holds = self.expr(body["holds"], env, f"{where}.holds", body, "holds", BOOL)
            ja = self.translation(body, where, ("doc",))
            raw_ja = body.get("ja")
            if isinstance(raw_ja, Mapping) and "doc" in raw_ja and not str(raw_ja["doc"] or "").strip():
                self.fail("ja.doc is the sentence in Japanese", where, body, "ja", hint="write it, or leave `ja` out")
            out[str(lid)] = LemmaDef(
                id=str(lid), holds=holds, holds_text=str(body["holds"]), articles=self.articles(body, where),
                doc=str(body["doc"]), when=when, when_text=str(body.get("when", "")),
                doc_ja=ja.get("doc", ""), line=line_of(node, lid),
            )  # fmt: skip
        return out

    def _read_out_of_scope(self, node: Any) -> dict[int, str]:
        """`article: reason`, or `article: {en: reason, ja: 理由}`; the Japanese goes to out_of_scope_ja."""
        out, self.out_of_scope_ja = {}, {}
        for art, reason in self.mapping(node, "out_of_scope").items():
            if isinstance(reason, Mapping):
                self.check_keys(reason, ("en", "ja"), f"out_of_scope.{art}", ("en",))
                self.out_of_scope_ja[art] = str(reason.get("ja", ""))
                reason = reason["en"]
            if not isinstance(art, int) or not isinstance(reason, str) or not reason.strip():
                self.fail("each entry is `article number: reason`", "out_of_scope", node, art)
            out[art] = reason
        self._oos_node = node
        return out

    def _read_reread(self, node: Any) -> dict[str, str]:
        """`article: fingerprint` — the text of each article the encoding was last re-read
        against (written by `yakkan review --reread`, read by the review's staleness check)."""
        out = {}
        for art, fp in self.mapping(node, "reread").items():
            where = f"reread.{art}"
            if not re.fullmatch(r"[0-9]+", str(art)):
                self.fail(f"'{art}' is not an article number", where, node, art,
                          hint="keys are article numbers such as \"7\"; let `yakkan review --reread 7` write them")
            if not re.fullmatch(r"[0-9a-f]{16}", str(fp)):
                self.fail(f"'{fp}' is not a text fingerprint (16 hexadecimal digits)", where, node, art,
                          hint="let `yakkan review --reread ARTICLE` write the fingerprint")
            out[str(art)] = str(fp)
        return out

    def _read_retired(self, node: Any, properties: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        """`P54: {reason: …, ja: …}` — a property of the earlier version this one no longer
        checks, and why (the article that made the promise was deleted, or the promise is
        stated by another property). Read by `yakkan review`, never by the verifier."""
        out = {}
        for pid, body in self.mapping(node, "retired").items():
            where = f"retired.{pid}"
            if not re.fullmatch(r"P[0-9]+", str(pid)):
                self.fail(f"'{pid}' is not a property id", where, node, pid,
                          hint="keys are the ids of properties of the earlier version, such as P54")
            if str(pid) in properties:
                self.fail(f"{pid} is both a property and retired", where, node, pid,
                          hint=f"remove {pid} from retired, or from properties")
            body = self.mapping(body, where, node, pid)
            self.check_keys(body, ("reason", "ja"), where)
            reason, ja = body.get("reason"), body.get("ja")
            if not all(isinstance(x, str) and x.strip() for x in (reason, ja)):
                self.fail("a retired property needs its reason, in English and Japanese", where, node, pid,
                          hint="add reason: \"…\" (why this version no longer checks the promise) and ja: \"…\"")
            out[str(pid)] = {"reason": str(reason).strip(), "ja": str(ja).strip()}
        return out

    def _read_limitations(self, node: Any) -> tuple[Mapping[str, Any], ...]:
        if not isinstance(node, list):
            self.fail("limitations is a list", "limitations", node)
        out = []
        for i, body in enumerate(node):
            body = self.mapping(body, f"limitations[{i}]", node, i)
            self.check_keys(body, ("articles", "text", "ja"), f"limitations[{i}]", ("text",))
            out.append({"articles": self.articles(body, f"limitations[{i}]"), "text": str(body["text"]),
                        "ja": str(body.get("ja", ""))})  # fmt: skip
        return tuple(out)

    def _read_names_ja(self, node: Any) -> dict[str, NameJa]:
        """`identifier: {name: 日本語名, doc: 説明}` (or `Enum.value: {name: …}`): what the
        Japanese docs show for a name of the spec (formulas read by their Japanese names)."""
        known = {*self.parameters, *self.variables, *self.derived, *self.procedures, *self.constants}
        known |= {a.expr_name for e in self.events.values() for a in e.args}
        known |= {f"{enum}.{v}" for enum, vals in self.enums.items() for v in vals}
        out = {}
        for name, body in self.mapping(node, "names_ja").items():
            where = f"names_ja.{name}"
            if str(name) not in known:
                self.fail(f"'{name}' is no name of the spec", where, node, name,
                          hint="name a parameter, variable, derived name, procedure, event argument "
                               "or an enum value as Enum.value" + did_you_mean(str(name), known))  # fmt: skip
            body = self.mapping(body, where, node, name)
            self.check_keys(body, ("name", "doc"), where, ("name",))
            if not str(body["name"]).strip():
                self.fail("name is the Japanese name", where, body, "name", hint="write it, or leave the entry out")
            out[str(name)] = NameJa(str(body["name"]), str(body.get("doc", "")))
        return out

    # -- whole-spec checks ------------------------------------------------------------------------

    def _check_graph(self, spec: Spec, node: Any) -> None:
        """Every leaf state is reachable from the initial state (ignoring guards)."""
        seen, todo = set(), [spec.initial_state]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            todo += [t.target for t in spec.transitions if s in t.sources and t.target]
        unreachable = [s for s in spec.leaf_states if s not in seen]
        if unreachable:
            s = unreachable[0]
            raise SpecError(
                f"state '{s}' is unreachable from '{spec.initial_state}'", path=self.path,
                line=spec.states[s].line, where=f"states.{s}",
                hint="add a transition that targets it, or remove the state",
            )  # fmt: skip

    def _check_citations(self, spec: Spec, root: Mapping) -> None:
        """Every citation resolves in the terms text; every article is covered or out of scope."""
        from yakkan.terms.structure import TermsError, load_terms

        try:
            terms = load_terms(spec.terms_path)
        except TermsError as exc:
            raise SpecError(f"the terms text cannot be read: {exc}", path=self.path,
                            line=line_of(root["meta"], "terms"), where="meta.terms") from None  # fmt: skip
        for cite, where, line in self.citations:
            if not terms.exists(cite):
                raise SpecError(
                    f"article {cite} does not exist in {spec.terms_path.name}", path=self.path,
                    line=line, where=where, hint="cite as A, A-P or A-P(I), e.g. 17-1(1)",
                )  # fmt: skip
        numbers = {a.number for a in terms.articles}
        for art in spec.out_of_scope:
            if art not in numbers:
                raise SpecError(f"article {art} does not exist", path=self.path,
                                line=line_of(self._oos_node, art), where="out_of_scope")  # fmt: skip
        cited = {int(c.split("-")[0].split("(")[0]) for c, _, _ in self.citations}
        for art in sorted(numbers):
            if art not in cited and art not in spec.out_of_scope:
                raise SpecError(
                    f"article {art} ({terms.article(art).title}) is neither encoded nor out of scope",
                    path=self.path, line=line_of(root, "out_of_scope"), where="coverage",
                    hint=f"cite {art} from the elements that encode it, or add `{art}: <reason>` to out_of_scope",
                )  # fmt: skip


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def _with_text(expr: Expr, text: str) -> Expr:
    """Keep the text as written (before derived names were expanded) for display."""
    with contextlib.suppress(AttributeError, TypeError):
        object.__setattr__(expr, "source", text)
    return expr


def iter_citations(spec: Spec) -> Iterator[tuple[str, str]]:
    """(citation, element) for every element of the spec that cites an article."""
    elements: list[tuple[str, Any]] = [
        *((f"state {s.id}", s) for s in spec.states.values()),
        *((f"parameter {p.name}", p) for p in spec.parameters.values()),
        *((f"variable {v.name}", v) for v in spec.variables.values()),
        *((f"event {e.name}", e) for e in spec.events.values()),
        *((f"procedure {p.name}", p) for p in spec.procedures.values()),
        *((f"transition {t.id}", t) for t in spec.transitions),
        *((f"transition {t.id} (guard)", c) for t in spec.transitions for c in t.guard),
        *((f"interpretation {i.id}", i) for i in spec.interpretations.values()),
        *((f"property {p.id}", p) for p in spec.properties.values()),
        *((f"lemma {x.id}", x) for x in spec.lemmas.values()),
    ]
    for name, element in elements:
        for article in element.articles:
            yield article, name
