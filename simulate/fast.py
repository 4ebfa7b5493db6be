"""The fast engine: the spec's transitions compiled into a table-driven step function.

Same semantics as `yakkan.model.contract.Contract` (the reference: python-statemachine,
day by day), with three differences of method only:

1. **Table dispatch.** For every (event, leaf state) the spec's candidate transitions
   (`CompiledSpec.by_event_state`, in spec order) are generated into one Python
   function following the step semantics of `yakkan.model.machine`: the `time_advance`
   accrual (12-2) into locals, the guards read on them, then for the first enabled
   candidate the effects, the monitors and the write-back. The source is
   generated from the checked expression trees (`simulate.codegen`); no rule is
   written here by hand.
2. **Calendar jumps.** Instead of visiting every day, the engine computes from each
   calendar event's `at` expression the next day it can fire: a date that does not
   depend on `today` (initial_due, term_end, end_date…) is read off; one that depends
   on `today` only through `month_of(today)` (month_starts, month_ends) is constant
   within a month and is found month by month; anything else falls back to day by day.
   Values change only at steps, so the days skipped are exactly the days on which the
   reference engine finds nothing to fire.
3. **Specialized monitors.** Each property formula is partially evaluated for the
   transition and source state at hand (state, next_state and event are constants there;
   `next_x` is `x` when the step does not write x), so most formulas fold to True and
   cost nothing; an invariant is re-checked only when the step may change a name it
   reads. See `simulate.monitors` for the monitoring semantics both engines share.

Refusals take the reference's path (the first failing clause of the first candidate,
with its rule and articles) and are rare, so they use the `CompiledSpec` closures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from yakkan.model.contract import (
    Refusal as WhyRefused,
)
from yakkan.model.contract import (
    refusal_already_created,
    refusal_before_creation,
    refusal_by_guard,
    refusal_not_possible,
)
from yakkan.model.machine import CompiledSpec, CompiledTransition
from yakkan.model.spec import EventDef, PropertyDef

from .codegen import MEMO, Specializer, compile_function, today_only_in_month_of
from .monitors import MonitorSet, deadline

HORIZON = 400  # days looked ahead for the next calendar date (then looked at again)

# (day, event, transition id | None, state after, refusal (rule, articles, rule_ja) | None)
Refusal = tuple[str, tuple[str, ...], str | None]
TraceStep = tuple[int, str, str | None, str | None, Refusal | None]

StepFn = Callable[[dict, int, list, dict], "str | None"]


def _ident(name: str) -> str:
    return name if name.isidentifier() else "".join(c if c.isalnum() else "_" for c in name)


class FastSpec:
    """Everything generated once per spec and shared by all fast contracts."""

    def __init__(self, compiled: CompiledSpec, monitors: MonitorSet | None = None) -> None:
        """The code monitors the properties of ``monitors`` (default: the catalogue's;
        `MonitorSet.empty`: none, the same steps and values with no hit recorded — the
        verifier's random runs)."""
        self.compiled = compiled
        spec = self.spec = compiled.spec
        self.monitors = ms = monitors if monitors is not None else MonitorSet(spec)
        self.folded: dict[str, Any] = dict(spec.constants)
        for name, p in spec.parameters.items():
            if p.scope == "terms" and name not in spec.variables:
                self.folded[name] = p.default
        self.defaults = spec.arg_defaults()
        self.arg_names = {a.expr_name for ev in spec.events.values() for a in ev.args}
        watched = {pid for pid, *_ in (*ms.invariants, *ms.steps, *ms.reachables, *ms.responses)}
        self.props = [p for p in spec.properties.values() if p.id in watched]
        self.deadline_fns = {p.id: _deadline_fn(p) for p in self.props if p.kind == "response"}
        self.sources: dict[str, str] = {}
        # table[event][state] -> generated step function; candidates for refusals
        self.table: dict[str, dict[str, StepFn]] = {}
        for (event, state), cands in compiled.by_event_state.items():
            self.table.setdefault(event, {})[state] = self._generate(event, state, cands)
        self.calendar = self._calendar()
        self.events: Mapping[str, EventDef] = spec.events
        # steps that may move a calendar date: they write a name an `at` reads, or change state
        at_names = set().union(*(ev.at.names() for ev, *_ in self.calendar)) - {"today"}
        ta_written = {a.target for a in spec.time_advance}
        self.moves_calendar: set[tuple[str, str]] = set()
        for (_event, state), cands in compiled.by_event_state.items():
            for ct in cands:
                written = ta_written | {a.target for a in ct.spec.effects}
                if written & at_names or (ct.spec.target or state) != state:
                    self.moves_calendar.add((ct.spec.id, state))
        self.args_move_calendar = bool(self.arg_names & at_names)
        # per event: (definition, (argument, expression name)s, (argument, default)s, transitions by state)
        self.send_info = {
            name: (ev, tuple((a.name, a.expr_name) for a in ev.args),
                   tuple((a.name, a.default) for a in ev.args if a.default is not None), self.table.get(name, {}))
            for name, ev in spec.events.items()
        }  # fmt: skip
        # per phase: (event, at, transitions by state), in firing order
        self.phases = {
            ph: tuple((ev.name, at, self.table.get(ev.name, {})) for ev, at, _, p in self.calendar if p == ph)
            for ph in ("start", "end")
        }
        # per state: the calendar events that have a transition there (kind, at, date cache)
        caches: dict[str, dict[int, int]] = {ev.name: {} for ev, *_ in self.calendar}
        self.calendar_for = {
            s: tuple((kind, at, caches[ev.name]) for ev, at, kind, _ in self.calendar
                     if s in self.table.get(ev.name, ()))
            for s in spec.leaf_states
        }  # fmt: skip

    # -- generation ----------------------------------------------------------------------

    def _generate(self, event: str, state: str, cands: tuple[CompiledTransition, ...]) -> StepFn:
        """One function for (event, state): the step semantics of `yakkan.model.machine` —
        the `time_advance` accrual into locals, the guards read on them, and for the first
        enabled candidate its effects, monitors and the write-back (a refusal writes
        nothing back)."""
        spec = self.spec
        fname = f"step_{_ident(event)}__{_ident(state)}"
        ev = spec.events[event]
        own_args = {a.expr_name for a in ev.args}
        absent = {n: v for n, v in self.defaults.items() if n not in own_args}
        ta_lines, loads = self._assign_lines(spec.time_advance, state)
        ta_written = {a.target for a in spec.time_advance}
        body: list[str] = []
        pre_ta: set[str] = set()
        for ct in cands:
            guard_sp = Specializer(self._local_plain, {**self.folded, "state": state})
            guard = [guard_sp.code(c.expr) for c in ct.spec.guard]
            loads |= guard_sp.used
            if any(g.const and not g.value for g in guard):
                continue  # never enabled in this state
            cond = " and ".join(g.src for g in guard if not g.const) or "True"
            block, used, pre = self._fire_block(ct, event, state, absent, ta_written)
            loads |= used
            pre_ta |= pre
            body.append(f"    if {cond}:")
            body += ["        " + line for line in block]
            body.append(f"        return {ct.spec.id!r}")
            if cond == "True":
                break
        body.append("    return None")
        loads.discard("today")
        head = [f"def {fname}(v, day, H, R):"]
        head += [f"    L_{n} = v[{n!r}]" for n in sorted(loads)]
        head += [f"    P_{n} = L_{n}" for n in sorted(pre_ta)]
        head += ["    " + line for line in ta_lines]
        source = "\n".join(head + body) + "\n"
        self.sources[fname] = source
        return compile_function(fname, source, self._globals())

    def _assign_lines(self, assigns: Any, state: str) -> tuple[list[str], set[str]]:
        """Effects as assignments to locals; the names they read and write."""
        lines: list[str] = []
        used: set[str] = set()
        consts = {**self.folded, "state": state}
        for a in assigns:
            sp = Specializer(self._local_plain, consts)
            value = sp.code(a.value)
            used |= sp.used | {a.target}
            if a.op == "=":
                if value.src != f"L_{a.target}":  # a procedure's `p = p` parameter binding
                    lines.append(f"L_{a.target} = {value.src}")
            else:
                lines.append(f"L_{a.target} = L_{a.target} {a.op[0]} {value.src}")
        return lines, used
    def _globals(self) -> dict[str, Any]:
        g: dict[str, Any] = {"_deadlines": _deadlines}
        for pid, fn in self.deadline_fns.items():
            g[f"_dl_{_ident(pid)}"] = fn
        return g

    @staticmethod
    def _local_plain(name: str) -> str:
        return "day" if name == "today" else f"L_{name}"

    def _fire_block(self, ct: CompiledTransition, event: str, source: str, absent: Mapping[str, Any],
                    ta_written: set[str]) -> tuple[list[str], set[str], set[str]]:  # fmt: skip
        """Effects, monitors and write-back of one transition from one state (the accrual
        has run before the guards); and the accrued names whose value before the step the
        monitors read (saved before the accrual)."""
        target = ct.spec.target or source
        written = ta_written | {a.target for a in ct.spec.effects}
        lines: list[str] = []
        if self.deadline_fns:
            lines.append("if R: _deadlines(R, day, H)")
        # monitors first (to learn which pre-values they need), emitted after the effects
        mon, pre_needed, used = self._monitor_lines(event, source, target, written, absent)
        for name in sorted(pre_needed - ta_written):
            lines.append(f"P_{name} = L_{name}")
        effects, effect_used = self._assign_lines(ct.spec.effects, source)
        lines += effects
        used |= effect_used
        lines += mon
        for name in sorted(written):
            lines.append(f"v[{name!r}] = L_{name}")
        if target != source:
            lines.append(f"v['state'] = {target!r}")
        return lines, used, pre_needed & ta_written

    def _monitor_lines(self, event: str, source: str, target: str, written: set[str],
                       absent: Mapping[str, Any]) -> tuple[list[str], set[str], set[str]]:  # fmt: skip
        spec = self.spec
        variables = spec.variables
        lines: list[str] = []
        used: set[str] = set()
        pre_needed: set[str] = set()
        changed = written | {"today"} | ({"state"} if target != source else set())

        def step_local(name: str) -> str:
            if name == "today":
                return "day"
            if name in variables or name in spec.parameters or name in self.arg_names:
                if name in written:
                    pre_needed.add(name)
                    return f"P_{name}"
                return f"L_{name}"
            if name.startswith("next_") and name[5:] in variables:
                return f"L_{name[5:]}"
            return f"L_{name}"

        alias = {f"next_{n}": n for n in variables if n not in written}
        step_consts = {**self.folded, **absent, "state": source, "next_state": target, "event": event}
        post_consts = {**self.folded, "state": target}
        for p in self.props:
            if p.kind in ("step", "reachable"):
                sp = Specializer(step_local, step_consts, alias)
                c = sp.code(p.formula)
                used |= {n[5:] if n.startswith("next_") and n[5:] in variables and n not in variables
                         else n for n in sp.used}  # fmt: skip
                if p.kind == "step":
                    if c.const and c.value:
                        continue
                    lines.append(f"H.append({p.id!r})" if c.const else f"if not {c.src}: H.append({p.id!r})")
                else:
                    if c.const and not c.value:
                        continue
                    lines.append(f"H.append({p.id!r})" if c.const else f"if {c.src}: H.append({p.id!r})")
            elif p.kind == "invariant":
                if not (p.formula.names() & changed):
                    continue  # nothing it reads can change: it has the value it had before
                sp = Specializer(self._local_plain, post_consts)
                c = sp.code(p.formula)
                used |= sp.used
                if c.const and c.value:
                    continue
                lines.append(f"H.append({p.id!r})" if c.const else f"if not {c.src}: H.append({p.id!r})")
            elif p.kind == "response":
                sp = Specializer(self._local_plain, post_consts)
                resp, trig = sp.code(p.response), sp.code(p.trigger)
                used |= sp.used
                pid = p.id
                if resp.const and resp.value:
                    lines.append(f"if R: R.pop({pid!r}, None)")
                    continue
                start = f"R[{pid!r}] = _dl_{_ident(pid)}(day)"
                if resp.const:  # never responds here
                    if trig.const and not trig.value:
                        continue
                    cond = f"{pid!r} not in R" if trig.const else f"{trig.src} and {pid!r} not in R"
                    lines.append(f"if {cond}: {start}")
                    continue
                lines.append(f"if {resp.src}:")
                lines.append(f"    if R: R.pop({pid!r}, None)")
                if not (trig.const and not trig.value):
                    cond = f"{pid!r} not in R" if trig.const else f"{trig.src} and {pid!r} not in R"
                    lines.append(f"elif {cond}: {start}")
        used.discard("today")
        return lines, pre_needed, used

    def _calendar(self) -> tuple[tuple[EventDef, Callable[[dict, int], int], str, str], ...]:
        """(event, at(v, today), kind, phase) in the reference's firing order."""
        out = []
        for ev, _closure in self.compiled.calendar:
            sp = Specializer(lambda n: "today" if n == "today" else f"v[{n!r}]", self.folded)
            src = sp.src(ev.at)
            fname = f"at_{_ident(ev.name)}"
            source = f"def {fname}(v, today):\n    return {src}\n"
            self.sources[fname] = source
            fn = compile_function(fname, source)
            names = ev.at.names() - set(self.folded)
            if "today" not in names:
                kind = FIXED
            elif today_only_in_month_of(ev.at):
                kind = STATIC if names == {"today"} else MONTHLY
            else:
                kind = DAILY
            out.append((ev, fn, kind, ev.phase or "end"))
        return tuple(out)

    def source(self) -> str:
        """All generated code, for review and debugging."""
        return "\n".join(self.sources[k] for k in sorted(self.sources))


def _deadline_fn(p: PropertyDef) -> Callable[[int], int]:
    def dl(day: int) -> int:
        return deadline(day, p)

    return dl


def _deadlines(pending: dict[str, int], day: int, hits: list[str]) -> None:
    """Response timers whose deadline `day` has passed fire (see simulate.monitors)."""
    for pid, last in list(pending.items()):
        if day > last:
            hits.append(pid)
            del pending[pid]


_month_of = MEMO["month_of"].__getitem__
_month_start = MEMO["month_start"].__getitem__
FIXED, STATIC, MONTHLY, DAILY = "fixed", "static", "monthly", "daily"


def _monthly_next(at: Callable[[dict, int], int], v: dict, d0: int, limit: int) -> int:
    """First day >= d0 (below limit, else limit) on which `at` (constant within a month) fires."""
    m = _month_of(d0)
    while True:
        first = _month_start(m)
        if first >= limit:
            return limit
        x = at(v, first)
        if x >= d0 and _month_of(x) == m:
            return x if x < limit else limit
        m += 1


class FastContract:
    """One contract on the fast engine; the interface of `Contract` that the driver uses.

    `trace` holds one `TraceStep` per step (as `Contract.steps`, compactly); `hits` the
    first firing of each monitored property with the index of its step.
    """

    __slots__ = ("fs", "v", "day", "end_done", "created", "trace", "hits", "pending", "_h", "_nv",
                 "_nv_from")

    def __init__(self, fs: FastSpec, parameters: Mapping[str, Any]) -> None:
        self.fs = fs
        for name, value in fs.folded.items():
            if name in parameters and parameters[name] != value:
                raise ValueError(f"the fast engine folds the terms parameter {name} "
                                 f"(spec default {value}); got {parameters[name]}")  # fmt: skip
        self.v: dict[str, Any] = fs.compiled.initial_values(dict(parameters))
        self.day: int | None = None
        self.end_done = False
        self.created = False
        self.trace: list[TraceStep] = []
        self.hits: dict[str, tuple[int, int]] = {}  # property -> (step index, day)
        self.pending: dict[str, int] = {}
        self._h: list[str] = []
        self._nv_from, self._nv = 0, -1  # nothing can fire in [_nv_from, _nv): see _quiet_until

    @property
    def values(self) -> dict[str, Any]:
        return self.v

    @property
    def state(self) -> str | None:
        return self.v["state"] if self.created else None

    # -- time ----------------------------------------------------------------------------

    def advance_to(self, day: int) -> None:
        """Run the calendar up to the start of `day` (its start-of-day events included)."""
        cur = self.day
        if cur is None or not self.created:
            if cur is not None and day < cur:
                raise ValueError("time does not run backwards")
            if cur != day:
                self.day, self.end_done = day, False
            return
        if day <= cur:
            if day < cur:
                raise ValueError("time does not run backwards")
            return
        nv = self._nv if self._nv_from <= cur <= self._nv else self._quiet_until(cur)
        if nv > day:  # nothing fires from now to the start of `day`: jump
            self.day, self.end_done = day, False
            return
        while self.day < day:
            if not self.end_done:
                if self._quiet_until(self.day) <= self.day:
                    self._phase("end", self.day)
                self.end_done = True
            nxt = self._quiet_until(self.day + 1)
            if nxt >= day:
                self.day = day
                self.end_done = False
                if nxt == day:
                    self._phase("start", day)
                return
            self.day = nxt
            self.end_done = False
            self._phase("start", nxt)

    def close_day(self) -> None:
        if self.day is not None and not self.end_done:
            self._phase("end", self.day)
            self.end_done = True

    def settle_to(self, day: int) -> None:
        """Evaluate as of the end of `day`: calendar and late-charge accrual up to it."""
        self.advance_to(day)
        self.close_day()
        if self.created:
            v = self.v
            v["today"] = day
            for accrue in self.fs.compiled.time_advance:
                accrue(v)

    def _quiet_until(self, d0: int) -> int:
        """The earliest day >= d0 on which a calendar event may fire, given today's values.

        Cached: the answer x computed from d0 means nothing fires in [d0, x); it stays
        true until a step changes the values (`_nv` is then reset).
        """
        if self._nv_from <= d0 <= self._nv:
            return self._nv
        x = self._next_visit(d0, d0 + HORIZON)
        self._nv_from, self._nv = d0, x
        return x

    def _next_visit(self, d0: int, limit: int) -> int:
        """Earliest day in [d0, limit] on which a calendar event may fire (else limit)."""
        v = self.v
        best = limit
        for kind, at, cache in self.fs.calendar_for[v["state"]]:
            if kind is FIXED:
                x = at(v, d0)
                if d0 <= x < best:
                    best = x
            elif kind is STATIC:
                x = cache.get(d0)
                if x is None:
                    x = cache[d0] = _monthly_next(at, v, d0, d0 + HORIZON)
                if x < best:
                    best = x
            elif kind is MONTHLY:
                x = _monthly_next(at, v, d0, best)
                if x < best:
                    best = x
            else:
                return d0
        return best

    def _phase(self, phase: str, day: int) -> None:
        """The calendar events of one phase of `day`, in the reference's order."""
        v = self.v
        for name, at, table in self.fs.phases[phase]:
            fn = table.get(v["state"])
            if fn is None:
                continue
            v["today"] = day
            if at(v, day) != day:
                continue
            state = v["state"]
            tid = fn(v, day, self._h, self.pending)
            if tid is not None:
                if (tid, state) in self.fs.moves_calendar:
                    self._nv = -1
                self._accepted(day, name, tid)

    # -- events --------------------------------------------------------------------------

    def send(self, event: str, day: int, args: Mapping[str, Any] | None = None) -> TraceStep:
        """Raise `event` on `day` (the calendar is run up to it first)."""
        fs = self.fs
        ev, arg_names, defaults, table = fs.send_info[event]
        args = dict(args) if args else {}
        if day != self.day:
            self.advance_to(day)
        v = self.v
        v["today"] = day
        for name, default in defaults:
            if name not in args:
                args[name] = day if default == "today" else default
        if ev.creates:
            return self._create(event, day)
        if not self.created:
            return self._refuse(day, refusal_before_creation(fs.spec), event)
        for name, expr_name in arg_names:
            v[expr_name] = args[name]
        state = v["state"]
        fn = table.get(state)
        if fn is None:
            return self._refuse(day, refusal_not_possible(fs.spec, state, event), event)
        tid = fn(v, day, self._h, self.pending)
        if tid is None:
            if fs.args_move_calendar:
                self._nv = -1
            ct = fs.compiled.by_event_state[(event, state)][0]
            failing = ct.first_failing_clause(fs.compiled.advanced(v, day))
            return self._refuse(day, refusal_by_guard(ct.spec.guard[failing]), event)
        if (tid, state) in fs.moves_calendar:
            self._nv = -1
        return self._accepted(day, event, tid)

    def _accepted(self, day: int, event: str, tid: str) -> TraceStep:
        step = (day, event, tid, self.v["state"], None)
        index = len(self.trace)
        self.trace.append(step)
        h = self._h
        if h:
            for pid in h:
                if pid not in self.hits:
                    self.hits[pid] = (index, day)
            h.clear()
        return step

    def _create(self, event: str, day: int) -> TraceStep:
        fs, v = self.fs, self.v
        if self.created:
            return self._refuse(day, refusal_already_created(fs.spec, event), event)
        self.created = True
        self._nv = -1
        v["state"] = fs.spec.initial_state
        v["last_day"] = self.day
        index = len(self.trace)
        step = (day, event, None, v["state"], None)
        self.trace.append(step)
        ms = fs.monitors
        if self.pending:
            _deadlines(self.pending, day, self._h)
        for pid, formula in ms.invariants:
            if not formula(v):
                self._h.append(pid)
        for pid, trigger, response, prop in ms.responses:
            if response(v):
                self.pending.pop(pid, None)
            elif trigger(v) and pid not in self.pending:
                self.pending[pid] = deadline(day, prop)
        for pid in self._h:
            self.hits.setdefault(pid, (index, day))
        self._h.clear()
        return step

    def _refuse(self, day: int, why: WhyRefused, event: str) -> TraceStep:
        """A refusal, worded by the model's own refusal functions (as `Contract.send`)."""
        index = len(self.trace)
        step = (day, event, None, self.v["state"] if self.created else None,
                (why.rule, tuple(why.articles), why.rule_ja or None))  # fmt: skip
        self.trace.append(step)
        if self.pending:
            h: list[str] = []
            _deadlines(self.pending, day, h)
            for pid in h:
                self.hits.setdefault(pid, (index, day))
        return step

    def finish(self, day: int) -> dict[str, tuple[int, int]]:
        """Response deadlines passed by the end of the run; the hits."""
        if self.pending:
            h: list[str] = []
            _deadlines(self.pending, day, h)
            for pid in h:
                self.hits.setdefault(pid, (len(self.trace), day))
        return self.hits
