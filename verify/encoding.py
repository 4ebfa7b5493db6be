"""The spec as a symbolic transition system for Z3 (issue 4 §1).

Nothing here restates a rule of the terms: every guard, effect, calendar date and
initial value is the spec's own parsed expression (``Expr.to_z3``), exactly as the
executable model (``yakkan.model.contract.Contract``) runs it. A *step* is one accepted
event at a day ``today`` that never decreases:

1. the event is a scenario event (customer or company) on a day, after that day's
   start-of-day calendar events and before its end-of-day ones; or a calendar event
   (``month_starts``, ``month_ends`` (10-1), ``term_expires`` (7-1), ``contract_ends``
   (9-1), …) on the day its ``at`` expression names, at its place in the day;
2. the ``time_advance`` effects run with ``today`` set (late charges, 12-2);
3. on those advanced values, the first transition in spec order with the event, the
   current state among its sources and every guard clause true fires (a refused event is
   not a step); its effects run in order, then ``state`` becomes the target.

This is the one step semantics of ``yakkan.model.machine``, which every backend follows.

The calendar cannot be skipped: a step may jump over days, but never past a position
(day, place in the day) at which a calendar event would fire. For calendar events whose
``at`` does not depend on ``today`` (a date held in a variable) the one candidate day is
checked; for those that depend on ``today`` only through ``month_of(today)`` (the month
start, the month end) a step spans at most two calendar months while the event can fire
in the current state, and the candidate day of each month is checked. Positions are
numbered ``day × SLOTS + slot``.

Money is exact integer yen. Terms-scope parameters are the spec's defaults; contract-scope
parameters are symbolic within :class:`Bounds`. Dates range over ``Bounds.first_day`` ..
``Bounds.last_day`` for ``today`` (the verification horizon); stored dates may be any
valid ordinal (``FOREVER`` included).

*Slicing*: a :class:`System` may keep only some variables. The others are havocked:
their value before each step is a fresh unconstrained constant, so the sliced system
over-approximates the full one (every concrete step is a sliced step). Proofs on a slice
are proofs; a counterexample of a slice is checked on the executable model before it is
reported (see ``engines``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import z3

from yakkan.model.expr import DATE, INT, Arith, Call, Const, Expr, Name, Type, make_enum_sorts
from yakkan.model.spec import EVENT_ENUM, MOMENT_PREFIX, NEXT, STATE_ENUM, Spec, TransitionDef

from .calendar import FUNCTIONS as CAL_FUNCTIONS
from .calendar import AbstractCalendar, Calendar

# z3py's argument checks off (what `python -O` does): they re-check in Python what the Z3
# library checks itself (a sort mismatch is still a Z3Exception), and took a quarter of the
# time of building an event's step (0.35 s -> 0.26 s for the 46 steps of the bundled spec,
# `StepTemplates`); the terms built are the same terms, so the units are the same
z3.z3.Z3_DEBUG = False

MONTH = "$month"  # month_of(today), a name the rewriting below introduces
CAL = "$calendar"  # the Calendar of the system, in every evaluation environment
MAX_ORDINAL = dt.date.max.toordinal()


@dataclass(frozen=True)
class Bounds:
    """The domain the verifier proves over (stated in every report).

    ``today`` lies in [first_day, last_day]; contract fees in [0, money_max] yen;
    counts (support_cap) in [0, count_max]; a contract date parameter in
    [first_day, 9999-12-31]. Event arguments are unbounded above (their ``min`` holds).
    """

    first_day: int = dt.date(2020, 1, 1).toordinal()
    last_day: int = dt.date(2098, 12, 31).toordinal()
    money_max: int = 10**7
    count_max: int = 10**4

    def describe(self) -> str:
        return (
            f"today in {dt.date.fromordinal(self.first_day)}..{dt.date.fromordinal(self.last_day)}; "
            f"contract fees in 0..{self.money_max:,} yen; support_cap in 0..{self.count_max:,}"
        )

    def key(self) -> str:
        return f"{self.first_day}:{self.last_day}:{self.money_max}:{self.count_max}"


# --------------------------------------------------------------------------------------
# expression rewriting


def _rewrite(e: Expr, fn) -> Expr:
    """Bottom-up rebuild of an expression tree with ``fn`` applied to every node."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, Expr):
            nv = _rewrite(v, fn)
            if nv is not v:
                changes[f.name] = nv
        elif isinstance(v, tuple) and v and all(isinstance(x, Expr) for x in v):
            nv = tuple(_rewrite(x, fn) for x in v)
            if any(a is not b for a, b in zip(nv, v, strict=True)):
                changes[f.name] = nv
    out = dataclasses.replace(e, **changes) if changes else e
    return fn(out)


def month_of_today(e: Expr) -> Expr:
    """``e`` with every ``month_of(today)`` replaced by the name ``$month``.

    The step computes ``month_of(today)`` once; the calendar check evaluates ``at``
    expressions for a given month without a day.
    """

    def fn(node: Expr) -> Expr:
        if (
            isinstance(node, Call)
            and node.func == "month_of"
            and isinstance(node.args[0], Name)
            and node.args[0].name == "today"
        ):
            return Name(INT, node.text, node.col, MONTH)
        return node

    return _rewrite(e, fn)


@dataclass(frozen=True, eq=False)
class FastCall(Call):
    """A calendar function call evaluated by :class:`~yakkan.verify.calendar.Calendar`."""

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, Any] | None = None) -> Any:
        cal = vars.get(CAL)
        args = [a.to_z3(vars, enum_sorts) for a in self.args]
        if cal is None:  # no calendar in scope: the model's own (exact, slower) encoding
            return Call.to_z3(self, vars, enum_sorts)
        return cal.call(self.func, args)


@dataclass(frozen=True, eq=False)
class Product(Arith):
    """``a * b`` of two non-constant ints: exact, or abstracted for proofs (``Calendar.mul``)."""

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, Any] | None = None) -> Any:
        a, b = self.left.to_z3(vars, enum_sorts), self.right.to_z3(vars, enum_sorts)
        cal = vars.get(CAL)
        return cal.mul(a, b) if cal is not None else a * b


def fast_calendar(e: Expr) -> Expr:
    """``e`` with calendar function calls evaluated by the fast exact encoding."""

    def fn(node: Expr) -> Expr:
        if type(node) is Call and node.func in CAL_FUNCTIONS:
            return FastCall(**{f.name: getattr(node, f.name) for f in dataclasses.fields(node)})
        if type(node) is Arith and node.op == "*" and not _constant(node.left) and not _constant(node.right):
            return Product(**{f.name: getattr(node, f.name) for f in dataclasses.fields(node)})
        return node

    return _rewrite(e, fn)


def _constant(e: Expr) -> bool:
    return isinstance(e, Const) or (not e.names() and not isinstance(e, Call))


def prepare(e: Expr) -> Expr:
    """An expression of the spec as the encoding evaluates it."""
    return fast_calendar(month_of_today(e))


# --------------------------------------------------------------------------------------
# the spec prepared for symbolic use


@dataclass(frozen=True)
class Trans:
    """A spec transition with its expressions rewritten for the encoding."""

    spec: TransitionDef
    guard: tuple[Expr, ...]
    effects: tuple[Any, ...]  # Assign with rewritten values

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class CalEvent:
    """A calendar event: its slot in the day and how its day is found."""

    name: str
    slot: int
    at: Expr  # rewritten: month_of(today) -> $month
    periodic: bool  # depends on today only through month_of(today)
    transitions: tuple[Trans, ...]

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(s for t in self.transitions for s in t.spec.sources)


class Prepared:
    """The spec's transitions, calendar events and time advance with their expressions
    rewritten for the encoding (`prepare`). It holds no Z3 term, so it is made once per
    spec (`prepared`) and shared by every `Model` of it: a check's fresh Z3 context
    (`engines.fresh_context`) builds only the model's Z3 part (57 of its 65 ms were this)."""

    def __init__(self, spec: Spec) -> None:
        self.transitions = tuple(
            Trans(
                t,
                tuple(prepare(c.expr) for c in t.guard),
                tuple(dataclasses.replace(a, value=prepare(a.value)) for a in t.effects),
            )
            for t in spec.transitions
        )
        by_event: dict[str, list[Trans]] = {}
        for t in self.transitions:
            by_event.setdefault(t.spec.event, []).append(t)
        self.by_event: dict[str, tuple[Trans, ...]] = {e: tuple(ts) for e, ts in by_event.items()}
        cal = spec.calendar_events
        starts = [e for e in cal if e.phase == "start"]
        ends = [e for e in cal if e.phase != "start"]
        self.mid = len(starts)
        self.slots = len(starts) + 1 + len(ends)
        calendar: list[CalEvent] = []
        for i, e in enumerate([*starts, *ends]):
            slot = i if i < len(starts) else i + 1
            at = prepare(e.at)
            if "today" in at.names():
                raise ValueError(
                    f"calendar event {e.name}: `at` may use today only as month_of(today)"
                )
            calendar.append(CalEvent(e.name, slot, at, MONTH in at.names(), self.by_event.get(e.name, ())))
        self.calendar = tuple(calendar)
        self.slot_of = {c.name: c.slot for c in self.calendar}
        self.time_advance = tuple(
            dataclasses.replace(a, value=prepare(a.value)) for a in spec.time_advance
        )


_PREPARED: dict[int, tuple[Any, Prepared]] = {}  # id(spec) -> (a weak reference to it, its Prepared)


def prepared(spec: Spec) -> Prepared:
    """The spec prepared for the encoding, made once for each spec object."""
    hit = _PREPARED.get(id(spec))
    if hit is None or hit[0]() is not spec:
        for key in [k for k, (ref, _) in _PREPARED.items() if ref() is None]:
            del _PREPARED[key]  # (a spec no longer in use)
        hit = (weakref.ref(spec), Prepared(spec))
        _PREPARED[id(spec)] = hit
    return hit[1]



def terms_value(p: Any) -> Any:
    """A ``scope: terms`` parameter as every check of the spec has it: its value in the spec
    (the contract's parameters are symbolic)."""
    return z3.BoolVal(bool(p.default)) if p.type.kind == "bool" else z3.IntVal(int(p.default))

class Model:
    """The spec's states, events, transitions and calendar, ready for Z3."""

    def __init__(self, spec: Spec, bounds: Bounds | None = None) -> None:
        self.spec = spec
        self.bounds = bounds or Bounds()
        env = {n: v.type for n, v in spec.variables.items()}
        self.sorts = make_enum_sorts(spec.enums, env)
        self.state_sort = self.sorts[STATE_ENUM]
        self.event_sort = self.sorts[EVENT_ENUM]
        self.var_types: dict[str, Type] = {n: v.type for n, v in spec.variables.items()}
        ready = prepared(spec)
        self.transitions, self.by_event, self.calendar = ready.transitions, ready.by_event, ready.calendar
        self.mid, self.slots, self.slot_of = ready.mid, ready.slots, ready.slot_of
        self.time_advance = ready.time_advance
        # the contract parameters: terms ones are fixed, contract ones symbolic
        self.params: dict[str, Any] = {n: z3.IntVal(v) for n, v in spec.constants.items()}
        self.param_syms: dict[str, Any] = {}
        for name, p in spec.parameters.items():
            if p.scope == "terms":
                self.params[name] = terms_value(p)
            else:
                sym = z3.Int(f"param.{name}") if p.type.kind in ("int", "date") else z3.Bool(f"param.{name}")
                self.params[name] = sym
                self.param_syms[name] = sym
        self.events = spec.events
        self.arg_slots: dict[tuple[str, Type], Any] = {}
        for ev in spec.events.values():
            for a in ev.args:
                self.arg_slots[(a.expr_name, a.type)] = a
        self.shared_args = dict(spec.shared_args)
        self.arg_defaults = spec.arg_defaults()

    # -- slicing ---------------------------------------------------------------------------

    @cached_property
    def calendar_core(self) -> frozenset[str]:
        """Variables that decide when the calendar fires: its dates and its guards."""
        out: set[str] = set()
        for cal in self.calendar:
            out |= cal.at.names()
            for t in cal.transitions:
                for g in t.guard:
                    out |= g.names()
        return frozenset(out & set(self.spec.variables))

    @cached_property
    def data_deps(self) -> dict[str, frozenset[str]]:
        """For each variable, the variables its value after some step is computed from."""
        spec = self.spec
        out: dict[str, set[str]] = {v: set() for v in spec.variables}
        for t in self.transitions:
            deps = {v: {v} for v in spec.variables}
            for a in (*self.time_advance, *t.effects):
                d: set[str] = set()
                for n in a.value.names():
                    d |= deps.get(n, set())
                if a.op != "=":
                    d |= deps[a.target]
                deps[a.target] = d
            for v in spec.variables:
                out[v] |= deps[v]
        return {v: frozenset(d) for v, d in out.items()}

    def guard_vars(self, events: Iterable[str]) -> frozenset[str]:
        """Variables read by the guards (and calendar dates) of these events."""
        out: set[str] = set()
        for e in events:
            for t in self.by_event.get(e, ()):
                for g in t.guard:
                    out |= g.names()
            for cal in self.calendar:
                if cal.name == e:
                    out |= cal.at.names()
        return frozenset(out & set(self.spec.variables))

    def cone(self, names: Iterable[str], calendar: bool = True) -> frozenset[str]:
        """``names``, the calendar's variables, and what their values are computed from.

        Guards are not followed (their variables are havocked, an over-approximation);
        scratch variables are not kept (a step assigns them before reading them).
        """
        keep = set(names) | (set(self.calendar_core) if calendar else set())
        while True:
            new = set(keep)
            for v in keep:
                new |= self.data_deps[v]
            new = {v for v in new if v in self.spec.variables and not self.spec.variables[v].scratch}
            if new == keep:
                return frozenset(keep)
            keep = new

    # -- what each event's steps are built from (the fast path's per-event re-check) -------

    def read_values(self, exprs: Iterable[Any]) -> tuple[tuple[str, Any], ...]:
        """The terms parameters and constants ``exprs`` name, with their values (a contract
        parameter is a symbol: its name and domain only)."""
        names: set[str] = set()
        for e in exprs:
            names |= e.names()
        out: list[tuple[str, Any]] = []
        for n in sorted(names):
            if n in self.spec.constants:
                out.append((n, self.spec.constants[n]))
            elif n in self.spec.parameters:
                p = self.spec.parameters[n]
                out.append((n, p.scope, str(p.type), p.minimum, p.default if p.scope == "terms" else None))
        return tuple(out)

    @cached_property
    def step_digests(self) -> tuple[str, dict[str, str]]:
        """``(shared, {event: digest})``: fingerprints of what the encoding of a step by each
        event is built from. A step by event ``e`` (`System.step`) reads the shared part —
        the states, the variables' types and ``init``, the events' arguments, ``time_advance``,
        the calendar's dates and its transitions' sources and guards (which positions no step
        may jump over), the contract parameters' domains, the constants, the bounds — and ``e``'s own
        transitions in spec order (sources, target, guards, effects), with the value of
        every terms parameter these name (derived names are expanded, procedures inlined:
        an expression holds all it reads but parameters). Line numbers and documentation
        are left out. Equal digests, the same step relation: a proof of an invariant that
        every old step preserved need only be checked again for the events whose digest
        changed (`Verifier.recheck`)."""
        spec = self.spec
        cal_exprs = [c.at for c in self.calendar] + [g for c in self.calendar for t in c.transitions for g in t.guard]
        # a contract parameter's domain bounds its symbol; a terms parameter is its value (a
        # constant, in each event's digest), its domain checked by the loader only
        params = [(n, p.scope, str(p.type), p.minimum if p.scope == "contract" else None)
                  for n, p in spec.parameters.items()]  # fmt: skip
        shared = (
            self.bounds.key(), self.slots, self.mid, spec.initial_state,
            [(s, d.parent, d.initial, d.final, d.children) for s, d in spec.states.items()],
            sorted(spec.enums.items()),
            [(n, str(v.type), repr(v.init), v.scratch, v.record) for n, v in spec.variables.items()],
            [(e.name, e.by, e.phase, e.creates, [(a.name, a.expr_name, str(a.type), a.default, a.minimum)
                                                  for a in e.args]) for e in spec.events.values()],
            sorted((k, str(t)) for k, t in self.shared_args.items()), sorted(self.arg_defaults.items()),
            [(a.target, a.op, repr(a.value)) for a in self.time_advance],
            [(c.name, c.slot, c.periodic, repr(c.at), [(t.id, t.spec.sources, [repr(g) for g in t.guard])
                                                        for t in c.transitions]) for c in self.calendar],
            params, sorted(spec.constants.items()),
            self.read_values([*(v.init for v in spec.variables.values()), *(a.value for a in self.time_advance),
                              *cal_exprs]),
        )  # fmt: skip
        events = {}
        for event, trans in sorted(self.by_event.items()):
            exprs = [*(g for t in trans for g in t.guard), *(a.value for t in trans for a in t.effects)]
            events[event] = digest(
                [(t.id, t.spec.sources, t.spec.target, [repr(g) for g in t.guard],
                  [(a.target, a.op, repr(a.value)) for a in t.effects]) for t in trans],
                self.read_values(exprs),
            )  # fmt: skip
        return digest(shared), events

    # -- constraints on the symbols ----------------------------------------------------

    def param_domain(self) -> list[Any]:
        b = self.bounds
        out = []
        for name, sym in self.param_syms.items():
            p = self.spec.parameters[name]
            if p.type == DATE:
                out.append(z3.And(sym >= b.first_day, sym <= MAX_ORDINAL))
            elif p.type == INT:
                lo = p.minimum if p.minimum is not None else 0
                hi = b.money_max if "fee" in name or "due" in name else b.count_max
                out.append(z3.And(sym >= lo, sym <= hi))
        return out

    def param_values(self, model: z3.ModelRef) -> dict[str, Any]:
        """Contract parameters of a Z3 model, as a scenario's ``contract:`` block holds them."""
        out = {}
        for name, sym in self.param_syms.items():
            val = model.eval(sym, model_completion=True)
            out[name] = val.as_long() if z3.is_int_value(val) else z3.is_true(val)
        return out

    def z3_value(self, t: Type, value: Any) -> Any:
        if t.kind == "bool":
            return z3.BoolVal(bool(value))
        if t.kind == "enum":
            return self.sorts[t.enum][value]
        return z3.IntVal(int(value))

    def py_value(self, t: Type, term: Any) -> Any:
        if t.kind == "bool":
            return z3.is_true(term)
        if t.kind == "enum":
            return self.sorts[t.enum].decode(term)
        return term.as_long()


# --------------------------------------------------------------------------------------
# the transition system (possibly sliced)


@dataclass(frozen=True)
class Monitor:
    """Observes a bounded response "whenever trigger, response within N months/days".

    The monitor arms itself (a free choice) at a state where the trigger holds and the
    response does not, records the deadline, and disarms when the response holds. The
    property is violated when an armed monitor sees time reach the day after the deadline:
    the response never held from the trigger through the whole deadline day.
    """

    trigger: Expr
    response: Expr
    months: int = 0
    days: int = 0


ARMED = "mon.armed"
DEADLINE = "mon.deadline"


@dataclass
class StepTerms:
    """The Z3 terms of one step, kept to read a counterexample back."""

    k: int
    constraint: Any
    event: Any
    args: dict[tuple[str, Type], Any]
    selected: dict[str, Any]  # transition id -> fires
    formula_env: dict[str, Any] = field(default_factory=dict)


class System:
    """The transition system over the kept variables (all of them by default)."""

    def __init__(
        self, model: Model, keep: Iterable[str] | None = None, exact: bool = True,
        monitor: Monitor | None = None, events: Iterable[str] | None = None,
    ) -> None:  # fmt: skip
        """``events``: a step is by one of these events only (the steps by the others are
        left out: the step relation of a proof re-checked for the events an edit changed)."""
        self.model = model
        self.events = None if events is None else frozenset(events)
        self.exact = exact
        self.monitor = monitor
        spec = model.spec
        kept = set(spec.variables) if keep is None else set(keep)
        self.kept = tuple(v for v in spec.variables if v in kept)
        self.havocked = tuple(v for v in spec.variables if v not in kept)
        self.full = not self.havocked
        anchors = tuple(sorted(set(model.spec.constants.values())))
        self.calendar = Calendar() if exact else AbstractCalendar(anchors=anchors)

    # -- states ------------------------------------------------------------------------

    def state(self, tag: str | int) -> dict[str, Any]:
        m = self.model
        s: dict[str, Any] = {
            "state": z3.Const(f"state@{tag}", m.state_sort.sort),
            "today": z3.Int(f"today@{tag}"),
            "slot": z3.Int(f"slot@{tag}"),
        }
        for v in self.kept:
            s[v] = _const(f"{v}@{tag}", m.var_types[v], m)
        if self.monitor is not None:
            s[ARMED] = z3.Bool(f"{ARMED}@{tag}")
            s[DEADLINE] = z3.Int(f"{DEADLINE}@{tag}")
        return s

    def names(self) -> tuple[str, ...]:
        extra = (ARMED, DEADLINE) if self.monitor is not None else ()
        return ("state", "today", "slot", *self.kept, *extra)

    def state_env(self, s: Mapping[str, Any], tag: int | str) -> dict[str, Any]:
        """The environment in which a state formula is evaluated on ``s``."""
        env = self.pre_env(s, tag)
        env["today"] = s["today"]
        env[MONTH] = self.calendar.month_of(s["today"])
        env["slot"] = s["slot"]
        for name, slot in self.model.slot_of.items():  # lemmas' passed_<calendar event>
            env.setdefault(MOMENT_PREFIX + name, s["slot"] >= slot)  # (a spec name never takes it)
        if ARMED in s:
            env[ARMED] = env["mon_armed"] = s[ARMED]
            env[DEADLINE] = env["mon_deadline"] = s[DEADLINE]
        return env

    def eval_state(self, e: Expr, s: Mapping[str, Any], tag: int | str) -> Any:
        return e.to_z3(self.state_env(s, tag), self.model.sorts)

    # -- the response monitor ------------------------------------------------------------------

    def _deadline(self, day: Any) -> Any:
        mon = self.monitor
        assert mon is not None
        if mon.months:
            return self.calendar.add_months(day, mon.months) + mon.days
        return day + mon.days

    def _monitor_next(self, s: Mapping[str, Any] | None, n: Mapping[str, Any], tag: int | str) -> list[Any]:
        mon = self.monitor
        assert mon is not None
        env = self.state_env(n, f"{tag}'")
        trig = mon.trigger.to_z3(env, self.model.sorts)
        resp = mon.response.to_z3(env, self.model.sorts)
        arm = z3.Bool(f"mon.arm@{tag}")
        keep = z3.And(s[ARMED], z3.Not(resp)) if s is not None else z3.BoolVal(False)
        start = z3.And(arm, trig, z3.Not(resp))
        return [
            n[ARMED] == z3.Or(keep, start),
            n[DEADLINE] == z3.If(keep, s[DEADLINE] if s is not None else 0, self._deadline(n["today"])),
        ]

    def response_violated(self, s: Mapping[str, Any], tag: int | str) -> Any:
        """The armed monitor can see the day after its deadline begin with no step before."""
        after = s[DEADLINE] + 1
        pre = self.pre_env(s, tag)
        return z3.And(
            s[ARMED], after <= self.model.bounds.last_day,
            *self.no_skip(s, pre, after, 0),
        )  # fmt: skip

    def domain(self, s: Mapping[str, Any]) -> list[Any]:
        """Type domain of a state: the horizon for today, a slot, valid dates."""
        b = self.model.bounds
        out = [
            s["today"] >= b.first_day, s["today"] <= b.last_day,
            s["slot"] >= 0, s["slot"] < self.model.slots,
        ]  # fmt: skip
        for v in self.kept:
            if self.model.var_types[v] == DATE:
                out.append(z3.And(s[v] >= 1, s[v] <= MAX_ORDINAL))
        return out

    def init(self, s: Mapping[str, Any]) -> list[Any]:
        """The contract just created by the application (``apply``) on day ``today``.

        As in ``Contract._create``: the initial state, every variable at its ``init``
        value, ``last_day`` set to the day; the start-of-day calendar of that day is over.
        """
        m, spec = self.model, self.model.spec
        out = [
            s["state"] == m.state_sort[spec.initial_state],
            s["slot"] == m.mid,
            s["today"] >= m.bounds.first_day,
            s["today"] <= m.bounds.last_day,
        ]
        env = {**m.params, CAL: self.calendar}
        for v in self.kept:
            var = spec.variables[v]
            value = var.init.to_z3(env, m.sorts)
            if v == "last_day":
                value = s["today"]
            out.append(s[v] == value)
        if self.monitor is not None:
            out += self._monitor_next(None, s, "init")
        return out

    # -- the step --------------------------------------------------------------------------

    def pre_env(self, s: Mapping[str, Any], k: int | str) -> dict[str, Any]:
        """Parameters, constants and the pre-state (havocked names fresh)."""
        m = self.model
        env = {**m.params, CAL: self.calendar}
        for v in m.spec.variables:
            env[v] = s[v] if v in s else _const(f"{v}~{k}", m.var_types[v], m)
        env["state"] = s["state"]
        return env

    def advance(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """``env`` (with ``today`` set to the step's day) after ``time_advance``: what the
        guards and the effects of the step read (the step semantics of ``yakkan.model.machine``)."""
        out = dict(env)
        for a in self.model.time_advance:
            out[a.target] = a.to_z3(out, self.model.sorts)
        return out

    def enabled(self, t: Trans, env: Mapping[str, Any], state: Any) -> Any:
        m = self.model
        src = [state == m.state_sort[x] for x in t.spec.sources]
        guards = [g.to_z3(env, m.sorts) for g in t.guard]
        return z3.And(z3.Or(*src), *guards)

    def args(self, k: int | str) -> dict[tuple[str, Type], Any]:
        return {
            key: _const(f"arg.{key[0]}:{key[1].enum or key[1].kind}@{k}", key[1], self.model)
            for key in self.model.arg_slots
        }

    def arg_domain(self, args: Mapping[tuple[str, Type], Any]) -> list[Any]:
        out = []
        for key, a in self.model.arg_slots.items():
            x = args[key]
            if a.minimum is not None:
                out.append(x >= a.minimum)
            if a.type == DATE:
                out.append(z3.And(x >= 1, x <= MAX_ORDINAL))
        return out

    def event_args(self, event: str, args: Mapping[tuple[str, Type], Any]) -> dict[str, Any]:
        return {a.expr_name: args[(a.expr_name, a.type)] for a in self.model.events[event].args}

    def step(self, s: Mapping[str, Any], n: Mapping[str, Any], k: int | str,
             only_event: str | None = None, no_skip: bool = True) -> StepTerms:  # fmt: skip
        """The constraint that ``n`` follows ``s`` by one accepted event (``only_event``:
        by that event, when it is known — a run of the executable model checked step by
        step — so that the other events' transitions are not built). ``no_skip`` False:
        without `no_skip`'s part, which reads only the two states (built once for all
        events by `engines.StepTemplates`)."""
        m, spec = self.model, self.model.spec
        if isinstance(k, int):
            self.calendar.group = k
        S = m.slots
        d, q = n["today"], n["slot"]
        p0 = s["today"] * S + s["slot"]
        p1 = d * S + q
        pre = self.pre_env(s, k)
        month = self.calendar.month_of(d)
        genv = {**pre, "today": d, MONTH: month}
        ev = z3.Const(f"event@{k}", m.event_sort.sort)
        args = self.args(k)
        parts: list[Any] = [d <= m.bounds.last_day, *self.arg_domain(args)]
        selected: dict[str, Any] = {}
        timing: list[Any] = []
        tenv = self.advance(genv)  # the step semantics: accrual, then the guards read it
        for event, cands in m.by_event.items():
            left_out = self.events is not None and event not in self.events
            if left_out or (only_event is not None and event != only_event):
                for t in cands:
                    selected[t.id] = z3.BoolVal(False)
                continue
            env = {**tenv, **self.event_args(event, args)}
            earlier: list[Any] = []
            is_ev = ev == m.event_sort[event]
            for t in cands:
                en = self.enabled(t, env, s["state"])
                selected[t.id] = z3.And(is_ev, en, *[z3.Not(e) for e in earlier])
                earlier.append(en)
            if event in m.slot_of:
                cal = next(c for c in m.calendar if c.name == event)
                at = cal.at.to_z3(genv, m.sorts)
                timing.append(z3.Implies(is_ev, z3.And(q == cal.slot, p1 > p0, at == d)))
            else:
                timing.append(z3.Implies(is_ev, z3.And(q == m.mid, p1 >= p0)))
        parts.append(z3.Or(*selected.values()))
        parts += timing
        if no_skip:
            parts += self.no_skip(s, pre, d, q)
        # the fired transition's effects, on the advanced values
        posts: dict[str, Any] = {v: tenv[v] for v in self.kept}
        state_post = s["state"]
        for t in reversed(m.transitions):
            sel = selected[t.id]
            if z3.is_false(sel):
                continue
            if t.effects:
                env = {**tenv, **self.event_args(t.spec.event, args)}
                for a in t.effects:
                    env[a.target] = a.to_z3(env, m.sorts)
                for v in self.kept:
                    if not env[v].eq(tenv[v]):
                        posts[v] = z3.If(sel, env[v], posts[v])
            if t.spec.target is not None:
                state_post = z3.If(sel, m.state_sort[t.spec.target], state_post)
        parts.append(n["state"] == state_post)
        for v in self.kept:
            parts.append(n[v] == posts[v])
        if self.monitor is not None:
            parts += self._monitor_next(s, n, k)
        fenv = {**genv, "event": ev}
        for v in self.kept:
            fenv[NEXT + v] = n[v]
        fenv[NEXT + "state"] = n["state"]
        for name, t in m.shared_args.items():
            takers = [ev == m.event_sort[e] for e, d in spec.events.items()
                      if any(a.expr_name == name for a in d.args)]  # fmt: skip
            fenv[name] = z3.If(z3.Or(*takers), args[(name, t)], m.z3_value(t, m.arg_defaults[name]))
        return StepTerms(k, z3.And(*parts), ev, args, selected, fenv)

    def no_skip(self, s: Mapping[str, Any], pre: Mapping[str, Any], day: Any, slot: Any) -> list[Any]:
        """Time can go from ``s`` to position (day, slot) with no calendar event firing.

        No position strictly between the two would fire a calendar event; and while a
        month-periodic event could fire in the current state, the day is at most in the
        next month (so that the two candidate days checked are all there are).
        """
        m = self.model
        S = m.slots
        out = []
        p0 = s["today"] * S + s["slot"]
        p1 = day * S + slot
        month0 = self.calendar.month_of(s["today"])
        month1 = self.calendar.month_of(day)
        for cal in m.calendar:
            if not cal.transitions:
                continue
            if cal.periodic:
                in_src = z3.Or(*[s["state"] == m.state_sort[x] for x in sorted(cal.sources)])
                out.append(z3.Implies(in_src, month1 <= month0 + 1))
                months: Sequence[Any] = (month0, month1)
            else:
                months = (None,)
            for mo in months:
                env = dict(pre)
                if mo is not None:
                    env[MONTH] = mo
                day = cal.at.to_z3(env, m.sorts)
                env["today"] = day
                if mo is None:
                    env[MONTH] = self.calendar.month_of(day) if _uses_month(cal) else z3.IntVal(0)
                env = self.advance(env)
                pos = day * S + cal.slot
                en = z3.Or(*[self.enabled(t, env, s["state"]) for t in cal.transitions])
                out.append(z3.Not(z3.And(p0 < pos, pos < p1, en)))
        return out


def digest(*parts: Any) -> str:
    """A fingerprint of ``parts`` by their ``repr`` (expressions, types and plain data only:
    a part whose ``repr`` shows an object's address would make it differ run to run)."""
    text = repr(parts)
    if " at 0x" in text:
        raise ValueError("a digest of an object without a stable repr")
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _uses_month(cal: CalEvent) -> bool:
    return any(MONTH in g.names() for t in cal.transitions for g in t.guard)


def _const(name: str, t: Type, m: Model) -> Any:
    if t.kind == "bool":
        return z3.Bool(name)
    if t.kind == "enum":
        return z3.Const(name, m.sorts[t.enum].sort)
    return z3.Int(name)
