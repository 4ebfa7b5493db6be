"""The fused customer loop: driver, calendar, engine, monitors and tally in one generated function.

`generate(model, portfolio)` writes the source of one Python module whose `run_chunk`
simulates customers `lo..hi-1` and returns their `Tally`, exactly as
`runner._run_chunk` does with `driver.run_customer` on the fast engine — the same random
draws in the same order (the customer's own `random.Random`, seeded as
`driver.customer_rng`), the same steps, the same monitor hits, the same sums — but with
every contract value, the lifecycle state (an int), the calendar's cursor and the
month's plan (ints: day, order and rule packed into one key) in local variables of one
function, and no per-step Python object (no step tuple, no argument dict, no trace).

Nothing is restated: every guard, effect, `at` date, property formula, `when` condition
and argument expression is rendered from the checked expression trees by the same
`codegen.Specializer` the fast engine uses, following the step semantics of
`yakkan.model.machine` (time_advance first, guards on the advanced values, an accepted
event runs its effects; a refused event changes nothing). The module is plain Python;
`simulate.build` compiles it with Cython where a C compiler is present (see the README).

What the generator does not cover raises `Unsupported` and the runner keeps the fast
engine: a calendar `at` that reads `today` other than through `month_of(today)`, a
profile that draws a folded terms parameter, more rules than a packed key holds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from yakkan.model import calendar_math as cm
from yakkan.model.contract import (
    refusal_before_creation,
    refusal_by_guard,
    refusal_not_possible,
)
from yakkan.model.expr import Expr

from .codegen import MEMO, Specializer
from .driver import month_bounds, plan_service
from .engines import Model
from .fast import DAILY, FIXED, HORIZON, MONTHLY, STATIC, _ident
from .profiles import Dist, Portfolio, Rule
from .stats import ENDED_TRANSITION, MONEY, SUSPENDED

GENERATOR_VERSION = "1"
RID_BITS = 16  # a packed action key: day << DAY_SHIFT | (order + ORDER_OFFSET) << RID_BITS | rule id
ORDER_OFFSET = 1 << 24
DAY_SHIFT = RID_BITS + 25


C_CALENDAR = f"""
# the expression language's calendar functions (yakkan.model.calendar_math) on C integers
cdef inline long long _c_ordinal(long long year, long long mp, long long day) except? -987654321:
    cdef long long era = year // 400
    cdef long long yoe = year - era * 400
    cdef long long doy = (153 * mp + 2) // 5 + day - 1
    return era * {cm._ERA_DAYS} + yoe * 365 + yoe // 4 - yoe // 100 + doy - {cm._ORDINAL_SHIFT}

cdef inline long long _c_split(long long n, long long *mp, long long *day) except? -987654321:
    cdef long long z = n + {cm._ORDINAL_SHIFT}
    cdef long long era = z // {cm._ERA_DAYS}
    cdef long long doe = z - era * {cm._ERA_DAYS}
    cdef long long yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    cdef long long doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp[0] = (5 * doy + 2) // 153
    day[0] = doy - (153 * mp[0] + 2) // 5 + 1
    return era * 400 + yoe

cdef inline long long _c_month_of(long long n) except? -987654321:
    cdef long long mp, day
    cdef long long y = _c_split(n, &mp, &day)
    return y * 12 + mp + 2

cdef inline long long _c_day_of(long long n) except? -987654321:
    cdef long long mp, day
    _c_split(n, &mp, &day)
    return day

cdef inline long long _c_month_start(long long m) except? -987654321:
    cdef long long shifted = m - 2
    return _c_ordinal(shifted // 12, shifted % 12, 1)

cdef inline long long _c_month_end(long long m) except? -987654321:
    return _c_month_start(m + 1) - 1

cdef inline long long _c_days_in_month(long long m) except? -987654321:
    return _c_month_start(m + 1) - _c_month_start(m)

cdef inline long long _c_add_months(long long n, long long k) except? -987654321:
    cdef long long mp, day
    cdef long long y = _c_split(n, &mp, &day)
    cdef long long target = y * 12 + mp + 2 + k
    cdef long long first = _c_month_start(target)
    cdef long long length = _c_month_start(target + 1) - first
    return first - 1 + (day if day < length else length)
"""


class Unsupported(Exception):
    """The fused loop cannot run this spec or portfolio; the fast engine does."""


class _FusedSpecializer(Specializer):
    """The fast engine's renderer, calling `min`/`max`/`abs` as builtins (a C comparison
    once compiled) and, for Cython, the calendar functions as C functions."""

    def __init__(self, local: Any, consts: Any = None, alias: Any = None, cython: bool = False) -> None:
        super().__init__(local, consts, alias)
        self.cython = cython

    def _Call(self, e: Any) -> Any:
        from .codegen import RUNTIME, Code

        cs = [self.code(a) for a in e.args]
        if all(c.const for c in cs):
            return Code.of(RUNTIME[e.func](*(c.value for c in cs)))
        if e.func in ("min", "max", "abs"):
            return Code(f"{e.func}({', '.join(c.src for c in cs)})")
        if e.func in MEMO:
            if self.cython:
                return Code(f"_c_{e.func}({', '.join(c.src for c in cs)})")
            key = cs[0].src if len(cs) == 1 else "(" + ", ".join(c.src for c in cs) + ")"
            return Code(f"_m_{e.func}[{key}]")
        return super()._Call(e)


def always_enabled(branches: list[tuple[str, list[str]]]) -> bool:
    return bool(branches) and branches[-1][0] == "True"


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def block(self, depth: int, lines: list[str]) -> None:
        for line in lines:
            self.lines.append("    " * depth + line)


class Generator:
    """Renders the fused loop for one (spec, portfolio, seed, months)."""

    def __init__(self, model: Model, portfolio: Portfolio, seed: int, months: int, cython: bool = False) -> None:
        self.cy = cython  # render for Cython: typed locals, C calendar functions
        self.model = model
        self.portfolio = portfolio
        self.seed = seed
        self.months = months
        fs = self.fs = model.fast
        self.spec = spec = model.spec
        self.compiled = model.compiled
        self.folded = fs.folded
        self.states = list(spec.leaf_states)
        self.sidx = {s: i for i, s in enumerate(self.states)}
        self.events = list(spec.events)
        self.eidx = {e: i for i, e in enumerate(self.events)}
        self.variables = spec.variables
        for ev, _at, kind, _ph in fs.calendar:
            if kind in (MONTHLY, DAILY):
                raise Unsupported(f"the calendar date of {ev.name} reads today beyond month_of(today)")
        for prof in portfolio.profiles.values():
            for name in {**portfolio.contract, **prof.contract}:
                if name in self.folded:
                    raise Unsupported(f"profile {prof.name} draws the terms parameter {name}")
        # every rule gets an id: onboarding, profiles, company, service, follow-ups
        self.rules: list[Rule] = []
        self.rid: dict[int, int] = {}
        for r in (*portfolio.onboarding, *portfolio.company, *portfolio.service,
                  *(r for p in portfolio.profiles.values() for r in p.rules)):  # fmt: skip
            self._add_rule(r)
        self.refusals: list[tuple[str, str, str, str, tuple[str, ...]]] = []
        self.refusal_index: dict[tuple, int] = {}
        self.service = plan_service(portfolio, seed, months)
        if len(self.rules) + len(self.service) >= 1 << RID_BITS:
            raise Unsupported("more rules and service events than a packed action key holds")

    def _add_rule(self, r: Rule) -> None:
        if id(r) in self.rid:
            return
        self.rid[id(r)] = len(self.rules)
        self.rules.append(r)
        for f in r.then:
            self._add_rule(f)

    # -- expressions -------------------------------------------------------------------------

    def S(self, local: Any, consts: Mapping[str, Any] | None = None,
          alias: Mapping[str, str] | None = None) -> Specializer:  # fmt: skip
        return _FusedSpecializer(local, consts, alias, cython=self.cy)

    @staticmethod
    def local_step(name: str) -> str:
        return "sd" if name == "today" else f"L_{name}"

    def local_values(self, name: str) -> str:
        """A name as the contract's values dict holds it between steps (`today` as last set)."""
        if name == "today":
            return "vtoday"
        if name == "state":
            return "_SN[st]"
        return f"L_{name}"

    def cond_src(self, expr: Expr, today: str) -> str:
        """A profile expression (`when`, an argument) on the current values, `today` given."""
        def local(n: str) -> str:
            if n == "today":
                return today
            if n == "state":
                return "_SN[st]"
            return f"L_{n}"

        return self.S(local, dict(self.spec.constants)).src(expr)

    def refusal_id(self, event: str, why: Any) -> int:
        key = (event, why.rule, ", ".join(why.articles), why.rule_ja or "", tuple(why.articles))
        if key not in self.refusal_index:
            self.refusal_index[key] = len(self.refusals)
            self.refusals.append(key)
        return self.refusal_index[key]

    # -- the step of one (event, state) ------------------------------------------------------

    def assign_lines(self, assigns: Any, state: str) -> list[str]:
        lines = []
        consts = {**self.folded, "state": state}
        for a in assigns:
            value = self.S(self.local_step, consts).code(a.value)
            if a.op == "=":
                if value.src != f"L_{a.target}":
                    lines.append(f"L_{a.target} = {value.src}")
            else:
                lines.append(f"L_{a.target} = L_{a.target} {a.op[0]} {value.src}")
        return lines

    def step_lines(self, event: str, state: str, calendar: bool) -> list[str]:
        """The step of `event` from `state` on day `sd`: accrual, guards, effects, monitors,
        tally; a refusal restores the accrued locals and counts its rule."""
        fs, spec = self.fs, self.spec
        cands = self.compiled.by_event_state[(event, state)]
        ev = spec.events[event]
        own_args = {a.expr_name for a in ev.args}
        absent = {n: v for n, v in fs.defaults.items() if n not in own_args}
        ta_written = sorted({a.target for a in spec.time_advance})
        out: list[str] = []
        pre_ta: set[str] = set()
        branches: list[tuple[str, list[str]]] = []
        for ct in cands:
            guard = [self.S(self.local_step, {**self.folded, "state": state}).code(c.expr) for c in ct.spec.guard]
            if any(g.const and not g.value for g in guard):
                continue
            cond = " and ".join(g.src for g in guard if not g.const) or "True"
            block, pre = self.fire_block(ct, event, state, absent, set(ta_written), calendar)
            pre_ta |= pre
            branches.append((cond, block))
            if cond == "True":
                break
        for n in sorted(pre_ta):
            out.append(f"P_{n} = L_{n}")
        if not always_enabled(branches):
            for n in ta_written:
                out.append(f"S_{n} = L_{n}")
        out += self.assign_lines(spec.time_advance, state)
        always = bool(branches) and branches[-1][0] == "True"
        for i, (cond, block) in enumerate(branches):
            if cond == "True":
                out.append("else:" if i else "if True:")
            else:
                out.append(f"{'elif' if i else 'if'} {cond}:")
            out += ["    " + line for line in block]
        if not always:
            out.append("else:" if branches else "if True:")
            out += ["    " + line for line in self.refused_lines(event, state, cands, ta_written, calendar)]
        return out

    def refused_lines(self, event: str, state: str, cands: Any, ta_written: list[str], calendar: bool) -> list[str]:
        if calendar:  # a refused calendar event changes nothing and leaves no step (FastContract._phase)
            return [f"L_{n} = S_{n}" for n in ta_written] or ["pass"]
        first = cands[0]
        lines = []
        opened = False
        for clause in first.spec.guard:
            c = self.S(self.local_step, {**self.folded, "state": state}).code(clause.expr)
            rid = self.refusal_id(event, refusal_by_guard(clause))
            if c.const and c.value:
                continue
            if c.const:
                lines.append("else:" if opened else "if True:")
                lines.append(f"    rf = {rid}")
                opened = True
                break
            lines.append(f"{'elif' if opened else 'if'} not {c.src}:")
            lines.append(f"    rf = {rid}")
            opened = True
        else:
            lines.append("else:" if opened else "if True:")
            lines.append(f"    raise _Disagree('{event} from {state}: refused, yet its first transition is enabled')")
        lines += [f"L_{n} = S_{n}" for n in ta_written]
        lines.append("refused = rf")
        return lines

    def fire_block(self, ct: Any, event: str, source: str, absent: Mapping[str, Any], ta_written: set[str],
                   calendar: bool) -> tuple[list[str], set[str]]:  # fmt: skip
        fs = self.fs
        target = ct.spec.target or source
        written = ta_written | {a.target for a in ct.spec.effects}
        lines: list[str] = []
        if fs.deadline_fns:
            lines.append("if R: _deadlines(R, sd, H)")
        mon, pre_needed = self.monitor_lines(event, source, target, written, absent)
        for name in sorted(pre_needed - ta_written):
            lines.append(f"P_{name} = L_{name}")
        lines += self.assign_lines(ct.spec.effects, source)
        lines += mon
        if target != source:
            lines.append(f"st = {self.sidx[target]}")
        if (ct.spec.id, source) in fs.moves_calendar:
            lines.append("nv = -1")
        e = self.eidx[event]
        lines.append(f"cal_n[{e}] += 1" if calendar else f"sent_n[{e}] += 1; acc_n[{e}] += 1")
        if target == SUSPENDED:
            lines.append("if susp_on < 0: susp_on = sd")
        else:
            lines.append("if susp_on >= 0: _count(susp, sd - susp_on); susp_on = -1")
        if ct.spec.id == ENDED_TRANSITION:
            lines.append("ended_days.append(sd)")
        lines.append("if H: _record(H, hits, nsteps, sd)")
        lines.append("nsteps += 1")
        return lines, pre_needed & ta_written

    def monitor_lines(self, event: str, source: str, target: str, written: set[str],
                      absent: Mapping[str, Any]) -> tuple[list[str], set[str]]:  # fmt: skip
        """`FastSpec._monitor_lines`, on the fused loop's locals."""
        spec, fs = self.spec, self.fs
        variables = spec.variables
        lines: list[str] = []
        pre_needed: set[str] = set()
        changed = written | {"today"} | ({"state"} if target != source else set())

        def step_local(name: str) -> str:
            if name == "today":
                return "sd"
            if name in variables or name in spec.parameters or name in fs.arg_names:
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
        for p in fs.props:
            if p.kind in ("step", "reachable"):
                c = self.S(step_local, step_consts, alias).code(p.formula)
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
                    continue
                c = self.S(self.local_step, post_consts).code(p.formula)
                if c.const and c.value:
                    continue
                lines.append(f"H.append({p.id!r})" if c.const else f"if not {c.src}: H.append({p.id!r})")
            elif p.kind == "response":
                sp = self.S(self.local_step, post_consts)
                resp, trig = sp.code(p.response), sp.code(p.trigger)
                pid = p.id
                if resp.const and resp.value:
                    lines.append(f"if R: R.pop({pid!r}, None)")
                    continue
                start = f"R[{pid!r}] = _dl_{_ident(pid)}(sd)"
                if resp.const:
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
        return lines, pre_needed

    def settle_lines(self) -> list[str]:
        """`settle_to`'s accrual on the locals (the state is not known here: read as a name)."""
        def local(n: str) -> str:
            return "sd" if n == "today" else ("_SN[st]" if n == "state" else f"L_{n}")

        lines = []
        for a in self.spec.time_advance:
            value = self.S(local, dict(self.folded)).code(a.value)
            lines.append(f"L_{a.target} = {value.src}" if a.op == "=" else
                         f"L_{a.target} = L_{a.target} {a.op[0]} {value.src}")  # fmt: skip
        return lines

    def creation_lines(self) -> list[str]:
        """`FastContract._create` (the creating event was sent and nothing exists yet)."""
        spec = self.spec
        init = spec.initial_state
        e = self.eidx[spec.creating_event.name]
        lines = ["created = True", "nv = -1", f"st = {self.sidx[init]}", "L_last_day = cday",
                 "if R: _deadlines(R, sd, H)"]  # fmt: skip
        consts = {**self.folded, "state": init}
        for p in self.fs.props:
            if p.kind == "invariant":
                c = self.S(self.local_step, consts).code(p.formula)
                if not (c.const and c.value):
                    lines.append(f"H.append({p.id!r})" if c.const else f"if not {c.src}: H.append({p.id!r})")
            elif p.kind == "response":
                sp = self.S(self.local_step, consts)
                resp, trig = sp.code(p.response), sp.code(p.trigger)
                pid = p.id
                lines.append(f"if {resp.src}: R.pop({pid!r}, None)")
                lines.append(f"elif {trig.src} and {pid!r} not in R: R[{pid!r}] = _dl_{_ident(pid)}(sd)")
        lines.append(f"sent_n[{e}] += 1; acc_n[{e}] += 1")
        lines.append("if H: _record(H, hits, nsteps, sd)")
        lines.append("nsteps += 1")
        return lines

    # -- the calendar ------------------------------------------------------------------------

    def ctype(self, name: str) -> str | None:
        """The C type of a contract name's local (Cython): dates and integers are C long
        longs (overflow raises, and the runner falls back), booleans bint, enums objects."""
        spec = self.spec
        t = None
        if name in spec.variables:
            t = spec.variables[name].type
        elif name in spec.parameters:
            t = spec.parameters[name].type
        elif name in self.arg_types:
            t = self.arg_types[name]
        elif name in spec.constants:
            value = spec.constants[name]
            return "long long" if isinstance(value, int) and not isinstance(value, bool) else None
        if t is None:
            return None
        if t.kind in ("int", "date") and not t.nullable:
            return "long long"
        if t.kind == "bool" and not t.nullable:
            return "bint"
        return None

    @property
    def arg_types(self) -> dict[str, Any]:
        """Argument names (as expressions read them, and as the loop draws them) to their type,
        where every event that has the name agrees."""
        out: dict[str, Any] = {}
        bad: set[str] = set()
        for ev in self.spec.events.values():
            for a in ev.args:
                for n in {a.expr_name, "A_" + a.name}:
                    if n in out and out[n] != a.type:
                        bad.add(n)
                    out[n] = a.type
        return {n: t for n, t in out.items() if n not in bad}

    def declarations(self, names: list[str]) -> list[str]:
        """`cdef` lines of the typed locals (Cython only)."""
        by_type: dict[str, list[str]] = {"long long": [], "bint": []}
        for n in sorted({*names, *self.fs.arg_names}):
            c = self.ctype(n)
            if c:
                by_type[c] += [f"L_{n}", f"P_{n}", f"S_{n}"]
        for n, t in self.arg_types.items():
            if n.startswith("A_"):
                c = ("long long" if t.kind in ("int", "date") and not t.nullable
                     else "bint" if t.kind == "bool" and not t.nullable else None)
                if c:
                    by_type[c].append(n)
        by_type["long long"] += ["sd", "day", "cday", "pday", "adv", "nv", "nv_from", "st", "ev", "rid", "refused",
                                 "rf", "mode", "ph", "order", "k", "first", "last", "length", "d", "n", "mi", "nm",
                                 "susp_on", "nsteps", "vtoday", "a", "i", "until", "arrival", "prof", "d1", "nst"]
        by_type["bint"] += ["created", "end_done", "want_close"]
        out = [f"cdef {t} {', '.join(ns)}" for t, ns in by_type.items() if ns]
        out.append("cdef double p")
        return out

    def at_src(self, ev_name: str) -> str:
        ev = self.spec.events[ev_name]
        return self.S(lambda n: "pday" if n == "today" else f"L_{n}", self.folded).src(ev.at)

    def next_visit_source(self) -> tuple[str, list[str]]:
        """`FastContract._next_visit` for every state, as one module function of the locals
        the fixed dates read."""
        fs = self.fs
        names: set[str] = set()
        for ev, _at, kind, _ph in fs.calendar:
            if kind == FIXED:
                names |= ev.at.names() - set(self.folded)
        args = sorted(names)
        if self.cy and all(self.ctype(n) == "long long" for n in args):
            params = ", ".join(["long long st", "long long d0", "long long limit", *(f"long long L_{n}" for n in args)])
            lines = [f"cdef long long _next_visit({params}) except? -987654321:", "    cdef long long best = limit",
                     "    cdef long long x"]  # fmt: skip
        else:
            lines = [f"def _next_visit(st, d0, limit, {', '.join('L_' + n for n in args)}):", "    best = limit"]
        for s in self.states:
            entries = fs.calendar_for[s]
            lines.append(f"    {'if' if s == self.states[0] else 'elif'} st == {self.sidx[s]}:")
            if not entries:
                lines.append("        pass")
            for kind, _at, _cache in entries:
                ev = next(e for e, a, *_ in fs.calendar if a is _at)
                if kind == FIXED:
                    src = self.S(lambda n: "d0" if n == "today" else f"L_{n}", self.folded).src(ev.at)
                    lines.append(f"        x = {src}")
                    lines.append("        if d0 <= x < best: best = x")
                else:
                    lines.append(f"        x = _static_next({ev.name!r}, d0)")
                    lines.append("        if x < best: best = x")
        lines.append("    return best")
        return "\n".join(lines) + "\n", args

    def phase_lines(self, phase: str) -> list[str]:
        out = []
        for name, _at, table in self.fs.phases[phase]:
            states = [s for s in self.states if s in table]
            if not states:
                continue
            idx = tuple(self.sidx[s] for s in states)
            out.append(f"if st in {idx!r}:")
            out.append("    vtoday = pday")
            out.append(f"    if ({self.at_src(name)}) == pday:")
            out.append("        sd = pday")
            for j, s in enumerate(states):
                out.append(f"        {'if' if j == 0 else 'elif'} st == {self.sidx[s]}:")
                out += ["            " + line for line in self.step_lines(name, s, calendar=True)]
        return out or ["pass"]

    def quiet_lines(self, d: str, visit_args: list[str]) -> list[str]:
        """nv := the first day >= d on which a calendar event may fire (cached, `_quiet_until`)."""
        call = ", ".join(["st", d, f"{d} + {HORIZON}", *("L_" + n for n in visit_args)])
        return [f"if not (nv_from <= {d} <= nv):", f"    nv = _next_visit({call})", f"    nv_from = {d}"]

    def advance_lines(self, visit_args: list[str]) -> list[str]:
        """`FastContract.advance_to(adv)` then, when `want_close`, `close_day()`: one loop in
        which each turn runs at most one calendar phase (so the phase code is written once)."""
        q = self.quiet_lines
        L = ["mode = 0", "while True:", "    ph = 0", "    if mode == 0:",
             "        if cday < 0 or not created:",
             "            if cday >= 0 and adv < cday: raise ValueError('time does not run backwards')",
             "            if cday != adv:", "                cday = adv", "                end_done = False",
             "            mode = 9",
             "        elif adv <= cday:",
             "            if adv < cday: raise ValueError('time does not run backwards')",
             "            mode = 9",
             "        else:"]  # fmt: skip
        L += ["            " + x for x in q("cday", visit_args)]
        L += ["            if nv > adv:", "                cday = adv", "                end_done = False",
              "                mode = 9", "            else:", "                mode = 1",
              "    if mode == 1:", "        if cday >= adv:", "            mode = 9",
              "        elif not end_done:", "            end_done = True", "            mode = 2"]  # fmt: skip
        L += ["            " + x for x in q("cday", visit_args)]
        L += ["            if nv <= cday:", "                ph = 2", "                pday = cday",
              "        else:", "            mode = 2",
              "    if ph == 0 and mode == 2:", "        d1 = cday + 1"]  # fmt: skip
        L += ["        " + x for x in q("d1", visit_args)]
        L += ["        if nv >= adv:", "            cday = adv", "            end_done = False", "            mode = 9",
              "            if nv == adv:", "                ph = 1", "                pday = adv",
              "        else:", "            cday = nv", "            end_done = False", "            mode = 1",
              "            ph = 1", "            pday = cday",
              "    if ph == 0 and mode == 9:",
              "        if want_close and cday >= 0 and not end_done:",
              "            ph = 2", "            pday = cday", "            end_done = True",
              "            want_close = False",
              "        else:", "            break",
              "    if ph == 1:"]  # fmt: skip
        L += ["        " + x for x in self.phase_lines("start")]
        L += ["    else:"]
        L += ["        " + x for x in self.phase_lines("end")]
        return L

    # -- the driver --------------------------------------------------------------------------

    def local_names(self) -> list[str]:
        """The contract's values held in locals: constants, parameters and variables."""
        initial = self.compiled.initial_values(self.model.default_parameters())
        return [n for n in initial if n not in ("today", "state")]

    @staticmethod
    def money_keys(names: list[str]) -> list[str]:
        """The keys of `stats._money`: the MONEY values the contract holds, and the three it derives."""
        return [k for k in MONEY if k in names or k in ("late_charges", "outstanding", "credit")]

    def customer_lines(self, names: list[str]) -> list[str]:
        """`draw_profile`, `draw_contract`, the arrival draw and `initial_values`, rendered:
        the same draws (`choices` given the cumulated weights it would compute itself)."""
        spec, portfolio = self.spec, self.portfolio
        profiles = list(portfolio.profiles)
        cum = tuple(itertools.accumulate(w for _, w in portfolio.mix))
        names_mix = tuple(n for n, _ in portfolio.mix)
        out = [f"pname = choices({names_mix!r}, cum_weights={cum!r})[0]", "prof = _PROFILE_INDEX[pname]"]
        params = [n for n in spec.parameters if n in names]
        for j, pname in enumerate(profiles):
            dists = {**portfolio.contract, **portfolio.profiles[pname].contract}
            out.append(f"{'if' if j == 0 else 'elif'} prof == {j}:")
            for n in sorted(dists):
                out.append(f"    L_{n} = {self.draw_src(dists[n])}")
            for n in params:
                if n not in dists:
                    out.append(f"    L_{n} = {spec.parameters[n].default!r}")
        out.append(f"arrival = {self.draw_src(portfolio.arrival)}")
        consts = {**spec.constants, "today": 0, "state": spec.initial_state}
        for n in names:
            if n in spec.constants:
                out.append(f"L_{n} = {spec.constants[n]!r}")
        for n, var in spec.variables.items():
            value = self.S(lambda x: f"L_{x}", consts).code(var.init)
            out.append(f"L_{n} = {value.src}")
        return out

    def draw_src(self, d: Dist) -> str:
        """`Dist.draw(rng)` as an expression (the same calls on the same generator)."""
        if d.kind == "fixed":
            return repr(d.values[0])
        if d.kind == "uniform":
            lo, hi = d.values
            n = (hi - lo) // d.step + 1
            if self.cy:  # a C cast truncates like int() for these non-negative floats below 2**53
                return f"({lo} + {d.step} * <long long>(<double>random() * {n}))"
            return f"({lo} + {d.step} * int(random() * {n}))"
        if d.weights:
            return f"choices({tuple(d.values)!r}, cum_weights={tuple(itertools.accumulate(d.weights))!r})[0]"
        return f"{tuple(d.values)!r}[randrange({len(d.values)})]"

    def count_lines(self, r: Rule, var: str) -> list[str]:
        """`Rule.count(rng)` into `var`."""
        if r.rate is not None:
            return [f"{var} = 0", "p = random()", f"while p > {math.exp(-r.rate)!r}:", f"    {var} += 1",
                    "    p *= random()"]  # fmt: skip
        if r.chance >= 1.0:
            return [f"{var} = 1"]
        return [f"{var} = 1 if random() < {r.chance!r} else 0"]

    def key_src(self, day: str, rid: str) -> str:
        return f"(({day}) << {DAY_SHIFT}) | ((order + {ORDER_OFFSET}) << {RID_BITS}) | {rid}"

    def plan_lines(self, r: Rule) -> list[str]:
        """One planned rule of the month (the loop body of `run_customer`'s planning)."""
        rid = self.rid[id(r)]
        lines = []
        if r.rate is None:
            if r.chance < 1.0:
                lines.append(f"if random() < {r.chance!r}:")
            else:
                lines.append("if True:")
            body = []
            inner = body
        else:
            lines.append("n = 0")
            lines.append("p = random()")
            lines.append(f"while p > {math.exp(-r.rate)!r}:")
            lines.append("    n += 1")
            lines.append("    p *= random()")
            lines.append("for _ in range(n):")
            body = []
            inner = body
        for e in r.days:
            e = 31 if e == "last" else e
            if isinstance(e, int):
                inner.append(f"d = {e}")
            else:
                inner.append(f"d = {self.draw_src(e)}")
            inner.append(f"month.append({self.key_src('(first + d - 1 if d <= length else last)', str(rid))})")
            inner.append("order += 1")
        lines += ["    " + x for x in body]
        return lines

    def event_args_lines(self, r: Rule, service: bool) -> list[str]:
        """The event's arguments into their locals, as `run_customer` and `send` set them;
        `skip = True` when an evaluated argument is below its minimum."""
        ev = self.spec.events[r.event]
        lines: list[str] = []
        given: dict[str, str] = {}
        for k, a in enumerate(r.dist_args):
            src = f"drawn[{k}]" if service else self.draw_src(a.dist)
            lines.append(f"A_{a.name} = {src}")
            given[a.name] = f"A_{a.name}"
        checks = []
        for a in r.expr_args:
            lines.append(f"A_{a.name} = {self.cond_src(a.expr.expr, 'day')}")
            given[a.name] = f"A_{a.name}"
            if a.minimum is not None:
                checks.append(f"A_{a.name} < {a.minimum}")
        if checks:
            lines.append(f"if {' or '.join(checks)}: continue")
        for a in ev.args:
            if a.name in given:
                lines.append(f"L_{a.expr_name} = {given[a.name]}")
            elif a.default == "today":
                lines.append(f"L_{a.expr_name} = day")
            else:
                lines.append(f"L_{a.expr_name} = {a.default!r}")
        return lines

    def action_lines(self, visit_args: list[str]) -> list[str]:
        """From a popped key: the calendar run up to the day, the rule's checks and
        arguments, then the send (`ev`)."""
        n_rules = len(self.rules)
        creating = tuple(self.rid[id(r)] for r in self.rules if r.creates)
        # a < 0: the month's actions are done, the calendar runs to its last day and closes
        # it (`advance_to(last)`, `close_day()`): the same calendar code as before an action
        out = ["if a < 0:", "    adv = last", "    want_close = True", "    rid = -1", "else:",
               f"    day = a >> {DAY_SHIFT}", f"    rid = a & {(1 << RID_BITS) - 1}",
               f"    if rid not in {creating!r} and not created: continue", "    adv = day",
               "    want_close = False", f"if a < 0 or rid not in {creating!r}:"]  # fmt: skip
        out += ["    " + x for x in self.advance_lines(visit_args)]
        out += ["    if a < 0: break", "    vtoday = day"]
        branches: list[tuple[str, list[str]]] = []
        for r in self.rules:
            body = [f"ev = {self.eidx[r.event]}"]
            if not r.creates:
                if r.when is not None:
                    body.append(f"if not ({self.cond_src(r.when.expr, 'day')}): continue")
                body += self.event_args_lines(r, service=False)
            branches.append((f"rid == {self.rid[id(r)]}", body))
        # service actions: rid >= n_rules, arguments drawn once for the portfolio (every
        # service rule has its branch, drawn in this run or not: the source does not depend
        # on the seed nor on the months)
        for r in self.portfolio.service:
            if r.creates:
                raise Unsupported("a service-wide rule creates contracts")
            body = [f"ev = {self.eidx[r.event]}", "drawn = _SVC_DRAWN[rid]"]
            if r.when is not None:
                body.append(f"if not ({self.cond_src(r.when.expr, 'day')}): continue")
            body += self.event_args_lines(r, service=True)
            branches.append((f"rid >= {n_rules} and _SVC_RULE[rid] == {self.rid[id(r)]}", body))
        for i, (cond, body) in enumerate(branches):
            out.append(f"{'if' if i == 0 else 'elif'} {cond}:")
            out += ["    " + line for line in body]
        return out

    def send_lines(self) -> list[str]:
        """`FastContract.send(ev, day, args)` once the arguments are in their locals."""
        spec = self.spec
        out = ["refused = -1", "vtoday = day", "sd = day"]
        first = True
        sent = {r.event for r in self.rules}
        for e in self.events:
            ev = spec.events[e]
            if ev.by == "calendar" or e not in sent:  # no rule of the portfolio sends it
                continue
            out.append(f"{'if' if first else 'elif'} ev == {self.eidx[e]}:")
            first = False
            body: list[str] = []
            if ev.creates:
                # sent once, first of the onboarding (the profiles loader checks): before it
                # the calendar does not run, `advance_to` only moves the day
                body.append("if created:")
                body.append(f"    raise _Disagree('{e} sent twice to one contract')")
                body.append("if cday >= 0 and day < cday: raise ValueError('time does not run backwards')")
                body.append("if cday != day:")
                body.append("    cday = day")
                body.append("    end_done = False")
                body += ["    " + x for x in self.creation_lines()]
                out += ["    " + x for x in body]
                continue
            body.append("if not created:")
            body.append(f"    refused = {self.refusal_id(e, refusal_before_creation(spec))}")
            pairs = [s for s in self.states if (e, s) in self.compiled.by_event_state]
            for s in pairs:
                body.append(f"elif st == {self.sidx[s]}:")
                body += ["    " + x for x in self.step_lines(e, s, calendar=False)]
            body.append("else:")
            opts = [s for s in self.states if s not in pairs]
            if opts:
                for j, s in enumerate(opts):
                    body.append(f"    {'if' if j == 0 else 'elif'} st == {self.sidx[s]}:")
                    body.append(f"        refused = {self.refusal_id(e, refusal_not_possible(spec, s, e))}")
            else:
                body.append("    pass")
            if self.fs.args_move_calendar:
                body.append("if refused >= 0: nv = -1")
            out += ["    " + x for x in body]
        out += ["if refused >= 0:", "    ref_n[refused] += 1", "    sent_n[ev] += 1",
                "    if R: _refused_deadlines(R, sd, hits, nsteps)", "    nsteps += 1"]  # fmt: skip
        return out

    def then_lines(self) -> list[str]:
        out = []
        first = True
        for r in self.rules:
            if not r.then:
                continue
            out.append(f"{'if' if first else 'elif'} rid == {self.rid[id(r)]}:")
            first = False
            for f in r.then:
                out += ["    " + x for x in self.count_lines(f, "n")]
                out.append("    if n:")
                key = self.key_src("day + " + self.draw_src(f.after_days), str(self.rid[id(f)]))
                out.append(f"        heappush(heap, {key})")
                out.append("        order += 1")
        return out

    # -- the module --------------------------------------------------------------------------

    def source(self) -> str:
        spec, portfolio = self.spec, self.portfolio
        visit_src, visit_args = self.next_visit_source()
        onboarding = portfolio.onboarding
        names = self.local_names()
        o = _Out()
        o(0, f"# generated by yakkan.simulate.fused {GENERATOR_VERSION} for {spec.meta['id']}: do not edit")
        if self.cy:
            o(0, "# cython: language_level=3, boundscheck=False, wraparound=False, overflowcheck=True")
            o(0, "# cython: cdivision=False, infer_types=False")
        o(0, "from heapq import heappush, heappop")
        if self.cy:
            o.lines.append(C_CALENDAR)
        o(0, "from random import Random")
        o(0, "")
        o.lines.append(visit_src)
        shared = ["_static_next", *(f"_m_{n}" for n in MEMO), *(f"_f_{n}" for n in ("min", "max", "abs", "date"))]
        o(0, "def _init(G):")
        o(1, f"global {', '.join(shared)}")
        for k in shared:
            o(1, f"{k} = G[{k!r}]")
        o(0, "")
        o(0, "def run_customers(lo, hi, seed, months, G):")
        o(1, "'''Customers lo..hi-1: their tallies, summed (`FusedLoop.run_chunk`).'''")
        o(1, "_init(G)")
        for k in ("_portfolio", "_initial", "_defaults", "_SN", "_SVC_DRAWN", "_SVC_RULE", "_SVC", "_FIRST", "_LAST",
                  "_PLANS", "_PROFILE_INDEX", "_deadlines", "_refused_deadlines", "_record", "_count", "_Disagree",
                  "_static_next", *(f"_dl_{_ident(p)}" for p in self.fs.deadline_fns),
                  "_m_month_of", "_m_month_start", "_m_month_end", "_m_day_of", "_m_days_in_month",
                  "_m_add_months", "_f_min", "_f_max", "_f_abs", "_f_date", "_sink"):  # fmt: skip
            o(1, f"{k} = G[{k!r}]")
        if self.cy:
            o.block(1, self.declarations(names))
        o(1, "nst = len(_SN)")
        o(1, "occ = [[0] * months for _ in range(nst + 1)]")
        o(1, f"sent_n = [0] * {len(self.events)}")
        o(1, f"acc_n = [0] * {len(self.events)}")
        o(1, f"cal_n = [0] * {len(self.events)}")
        o(1, "ref_n = [0] * @REFUSALS@")  # the number is known once every step is rendered
        o(1, "billed_c = [0] * months")
        o(1, "billed_p = [0] * months")
        o(1, "susp = {}")
        nprof = len(portfolio.profiles)
        o(1, f"cust_n = [0] * {nprof}")
        o(1, f"steps_n = [0] * {nprof}")
        o(1, f"final_n = [0] * {len(self.states) + 1}")
        o(1, f"mon_n = [[0] * {len(self.money_keys(names))} for _ in range({nprof})]")
        o(1, "for i in range(lo, hi):")
        d = 2
        o(d, "rng = Random(f'yakkan-simulate:{seed}:customer:{i}')")
        o(d, "random = rng.random")
        o(d, "randrange = rng.randrange")
        o(d, "choices = rng.choices")
        o.block(d, self.customer_lines(names))
        for name in sorted(self.fs.arg_names - set(names)):
            o(d, f"L_{name} = {self.fs.defaults.get(name, 0)!r}")
        o(d, f"st = {self.sidx[spec.initial_state]}")
        o(d, "created = False")
        o(d, "vtoday = 0")
        o(d, "cday = -1")
        o(d, "end_done = False")
        o(d, "nv_from = 0")
        o(d, "nv = -1")
        o(d, "nsteps = 0")
        o(d, "susp_on = -1")
        o(d, "ended_days = []")
        o(d, "H = []")
        o(d, "R = {}")
        o(d, "hits = {}")
        o(d, "heap = []")
        o(d, "order = 0")
        # onboarding
        o(d, "if arrival < months:")
        o(d + 1, "first = _FIRST[arrival]")
        o(d + 1, "last = _LAST[arrival]")
        for j, r in enumerate(onboarding):
            rid = self.rid[id(r)]
            if j == 0:
                e = r.days[0]
                if e == "last":
                    o(d + 1, "day = last")
                else:
                    src = repr(e) if isinstance(e, int) else self.draw_src(e)
                    o(d + 1, f"day = first + {src} - 1")
                    o(d + 1, "if day > last: day = last")
                o(d + 1, f"heappush(heap, {self.key_src('day', str(rid))})")
                o(d + 1, "order += 1")
            else:
                o.block(d + 1, self.count_lines(r, "n"))
                o(d + 1, "if n:")
                o(d + 2, f"day += {self.draw_src(r.after_days)}")
                o(d + 2, f"heappush(heap, {self.key_src('day', str(rid))})")
                o(d + 2, "order += 1")
        o(d, "for k in range(months):")
        d = 3
        o(d, "first = _FIRST[k]")
        o(d, "last = _LAST[k]")
        o(d, "length = last - first + 1")
        o(d, "month = []")
        o(d, "if k >= arrival:")
        o(d + 1, f"for rid in _PLANS[prof][st if created else {len(self.states)}]:")
        first_branch = True
        for r in self.rules:
            if r.creates:
                continue
            if not r.days:
                continue
            o(d + 2, f"{'if' if first_branch else 'elif'} rid == {self.rid[id(r)]}:")
            first_branch = False
            o.block(d + 3, self.plan_lines(r))
        o(d, "if _SVC[k]:")
        o(d + 1, "month += _SVC[k]")
        o(d, "month.sort()")
        o(d, "mi = 0")
        o(d, "nm = len(month)")
        o(d, "while True:")
        d = 4
        o(d, "if mi < nm:")
        o(d + 1, "a = month[mi]")
        o(d + 1, f"if heap and (heap[0] >> {RID_BITS}) < (a >> {RID_BITS}):")
        o(d + 2, "a = heappop(heap)")
        o(d + 1, "else:")
        o(d + 2, "mi += 1")
        o(d, f"elif heap and (heap[0] >> {DAY_SHIFT}) <= last:")
        o(d + 1, "a = heappop(heap)")
        o(d, "else:")
        o(d + 1, "a = -1")
        o.block(d, self.action_lines(visit_args))
        o.block(d, self.send_lines())
        then = self.then_lines()
        if then:
            o.block(d, then)
        d = 3
        o(d, f"occ[st if created else {len(self.states)}][k] += 1")
        o(d, "billed_c[k] += L_charged")
        o(d, "billed_p[k] += L_paid")
        d = 2
        # settle_to(until): advance (already there) and close (already closed), then the accrual
        o(d, "until = _LAST[months - 1]")  # settle_to(until): the last month's end has run already
        o(d, "if created:")
        o(d + 1, "vtoday = until")
        o(d + 1, "sd = until")
        o.block(d + 1, self.settle_lines() or ["pass"])
        o(d, "if R: _refused_deadlines(R, until, hits, nsteps)")
        # money and the rest of the customer's tally
        late = self.S(self.local_values, dict(spec.constants)).src(spec.derived_exprs["late_charges"])
        bal = self.S(self.local_values, dict(spec.constants)).src(spec.derived_exprs["balance_due"])
        o(d, f"balance = {bal}")
        o(d, "cust_n[prof] += 1")
        o(d, "steps_n[prof] += nsteps")
        o(d, f"final_n[st if created else {len(self.states)}] += 1")
        o(d, "mon = mon_n[prof]")
        for j, k in enumerate(self.money_keys(names)):
            value = {"late_charges": late, "outstanding": "max(0, balance)", "credit": "max(0, -balance)"}.get(
                k, f"L_{k}")
            o(d, f"mon[{j}] += {value}")
        o(d, "if hits or ended_days or susp_on >= 0:")
        o(d + 1, "_sink(i, pname, susp_on, until, ended_days, L_ended_by, hits)")
        o(1, "return occ, sent_n, acc_n, cal_n, ref_n, billed_c, billed_p, susp, cust_n, steps_n, final_n, mon_n")
        return "\n".join(o.lines).replace("@REFUSALS@", str(max(1, len(self.refusals))), 1) + "\n"


def _static_next_factory(model: Model) -> Any:
    """`_monthly_next` of a calendar date that depends on the month only (cached by day)."""
    from .fast import _monthly_next

    fs = model.fast
    ats = {ev.name: at for ev, at, kind, _ in fs.calendar if kind == STATIC}
    caches: dict[str, dict[int, int]] = {name: {} for name in ats}

    def static_next(name: str, d0: int) -> int:
        cache = caches[name]
        x = cache.get(d0)
        if x is None:
            x = cache[d0] = _monthly_next(ats[name], {}, d0, d0 + HORIZON)
        return x

    return static_next


def runtime(gen: Generator) -> dict[str, Any]:
    """What the generated function reads from `G`: the portfolio, tables and helpers."""
    from .codegen import runtime_namespace
    from .fast import _deadlines

    model, portfolio, months = gen.model, gen.portfolio, gen.months
    bounds = month_bounds(portfolio.start, months)
    n_rules = len(gen.rules)
    svc_drawn: dict[int, tuple] = {}
    svc_rule: dict[int, int] = {}
    svc: list[list[int]] = [[] for _ in bounds]
    m0 = cm.month_of(bounds[0][0])
    for k, (day, order, r, drawn) in enumerate(gen.service):
        rid = n_rules + k
        svc_drawn[rid] = tuple(drawn[a.name] for a in r.dist_args)
        svc_rule[rid] = gen.rid[id(r)]
        svc[cm.month_of(day) - m0].append((day << DAY_SHIFT) | ((order + ORDER_OFFSET) << RID_BITS) | rid)
    plans = _plans_table(gen)

    def record(h: list, hits: dict, index: int, day: int) -> None:
        for pid in h:
            if pid not in hits:
                hits[pid] = (index, day)
        h.clear()

    def refused_deadlines(pending: dict, day: int, hits: dict, index: int) -> None:
        h: list[str] = []
        _deadlines(pending, day, h)
        for pid in h:
            hits.setdefault(pid, (index, day))

    def count(d: dict, key: int) -> None:
        d[key] = d.get(key, 0) + 1

    g: dict[str, Any] = {
        "_portfolio": portfolio, "_initial": model.compiled.initial_values, "_defaults": model.default_parameters(),
        "_SN": tuple(gen.states), "_SVC_DRAWN": svc_drawn, "_SVC_RULE": svc_rule, "_SVC": svc,
        "_FIRST": [b[0] for b in bounds], "_LAST": [b[1] for b in bounds], "_PLANS": plans,
        "_PROFILE_INDEX": {name: i for i, name in enumerate(portfolio.profiles)},
        "_deadlines": _deadlines, "_refused_deadlines": refused_deadlines, "_record": record, "_count": count,
        "_Disagree": _disagree(), "_static_next": _static_next_factory(model),
    }  # fmt: skip
    for pid, fn in gen.fs.deadline_fns.items():
        g[f"_dl_{_ident(pid)}"] = fn
    g.update(runtime_namespace())
    return g


def _disagree() -> type:
    from yakkan.model.machine import BackendDisagreement

    return BackendDisagreement


def _plans_table(gen: Generator) -> list[list[tuple[int, ...]]]:
    """Per profile, per state (the last: before the application), the rule ids `_plans` keeps."""
    from .driver import _plans

    out = []
    for p in gen.portfolio.profiles.values():
        plans = _plans(gen.model, (*p.rules, *gen.portfolio.company))
        row = [tuple(gen.rid[id(r)] for r, *_ in plans[s]) for s in gen.states]
        row.append(tuple(gen.rid[id(r)] for r, *_ in plans[None]))
        out.append(row)
    return out



class FusedLoop:
    """A generated loop ready to run chunks: the compiled `run_customers` if there is one,
    the plain-Python one otherwise and wherever the compiled one meets an integer that
    does not fit its C locals (OverflowError: the chunk runs again in Python, from its start)."""

    def __init__(self, gen: Generator, compiled: Any = None) -> None:
        self.gen = gen
        self.compiled = compiled
        self._python: Any = None
        self.g = runtime(gen)
        self.fallbacks = 0  # chunks that overflowed the C integers

    @property
    def python(self) -> Any:
        if self._python is None:
            src = self.gen.source() if not self.gen.cy else Generator(
                self.gen.model, self.gen.portfolio, self.gen.seed, self.gen.months).source()
            namespace: dict[str, Any] = {}
            exec(compile(src, f"<yakkan.simulate.fused:{self.gen.spec.meta['id']}>", "exec"), namespace)  # noqa: S102
            self._python = namespace["run_customers"]
        return self._python

    def run_chunk(self, lo: int, hi: int) -> Any:
        """The `Tally` of customers lo..hi-1, equal to `runner._run_chunk` on the fast engine."""
        from collections import Counter

        from .stats import HitRecord, Tally

        gen = self.gen
        months = gen.months
        m0 = cm.month_of(gen.portfolio.start)
        sn = gen.states
        t = Tally(months)
        box = [t]

        def sink(i: int, profile: str, susp_on: int, until: int, ended_days: list, how: str, hits: dict) -> None:
            t = box[0]
            if susp_on >= 0:
                t.suspensions_ongoing[until - susp_on] += 1
            for day in ended_days:
                t.ended_by[how] += 1
                t.ended_by_profile.setdefault(profile, Counter())[how] += 1
                k = cm.month_of(day) - m0
                t.ended_in_month.setdefault(how, [0] * months)[min(k, months - 1)] += 1
            for pid, (step, day) in hits.items():
                t.hit(HitRecord(pid, i, step, day, profile))

        g = dict(self.g)
        g["_sink"] = sink
        if self.compiled is not None:
            try:
                result = self.compiled(lo, hi, gen.seed, months, g)
            except OverflowError:  # a value beyond the C integers: the whole chunk again, in Python
                self.fallbacks += 1
                t = box[0] = Tally(months)
                result = self.python(lo, hi, gen.seed, months, g)
        else:
            result = self.python(lo, hi, gen.seed, months, g)
        occ, sent_n, acc_n, cal_n, ref_n, billed_c, billed_p, susp, cust_n, steps_n, final_n, mon_n = result
        keys = gen.money_keys(gen.local_names())
        for j, p in enumerate(gen.portfolio.profiles):
            if cust_n[j]:
                t.customers += cust_n[j]
                t.steps += steps_n[j]
                t.profiles[p] += cust_n[j]
                money = dict(zip(keys, mon_n[j], strict=True))
                t.money.update(money)
                t.money_by_profile.setdefault(p, Counter()).update(money)
        for s, n in zip([*sn, "-"], final_n, strict=True):
            if n:
                t.final_states[s] += n
        for s, row in zip([*sn, "-"], occ, strict=True):
            total = sum(row)
            if total:
                t.state_months[s] += total
                t.occupancy[s] = list(row)
        for k in range(months):
            t.billed[k][0] += billed_c[k]
            t.billed[k][1] += billed_p[k]
        for e, name in enumerate(gen.events):
            if sent_n[e]:
                t.sent[name] += sent_n[e]
            if acc_n[e]:
                t.accepted[name] += acc_n[e]
            if cal_n[e]:
                t.calendar[name] += cal_n[e]
        for r, (event, rule, joined, rule_ja, articles) in enumerate(gen.refusals):
            n = ref_n[r]
            if n:
                for a in articles:
                    t.refusals_by_article[a] += n
                t.refusals_by_rule[(event, rule, joined, rule_ja)] += n
        for days, n in susp.items():
            t.suspensions[days] += n
        return t


def python_loop(model: Model, portfolio: Portfolio, seed: int, months: int) -> FusedLoop:
    """The generated loop, exec'd as plain Python (the fallback where nothing is compiled)."""
    return FusedLoop(Generator(model, portfolio, seed, months))


def fused_loop(model: Model, portfolio: Portfolio, seed: int, months: int, compiled: bool = True,
               build_missing: bool = False) -> FusedLoop:  # fmt: skip
    """The loop for a run: compiled where it can be (from the cache; built first when
    missing and `build_missing`), else plain Python."""
    from .build import load

    gen = Generator(model, portfolio, seed, months)
    gen.source()  # the refusal table is filled while rendering
    run = load(model, portfolio, seed, months, compile_missing=build_missing) if compiled else None
    return FusedLoop(gen, run)
