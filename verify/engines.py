"""The engines: bounded model checking and inductive proofs (issue 4 §3).

* :func:`bmc` — incremental bounded model checking from the application: the solver keeps
  the path and gets one step more per depth; a satisfiable depth is a counterexample
  (for ``reachable``, a witness).
* :func:`prove` — an inductive proof for all depths: the property, strengthened by lemmas
  chosen among the mined candidates (``lemmas``), holds in the initial states and is
  preserved by every step. Lemmas are chosen to block the counterexamples to induction
  (CTIs) the solver finds, then pruned Houdini-style until the whole set is inductive,
  then reduced to what the proof needs (unsat cores). What is printed as *why* is exactly
  the set the solver checked.

A solver ``unknown`` or a spent budget raises :class:`Unknown`; nothing is ever reported
as proved that Z3 did not prove. Budgets are Z3 resource units (``rlimit``), which do not
depend on the machine's load: the same spec gets the same verdicts on a quiet and on a
loaded machine; a far-off wall-clock guard only turns a run that hangs into ``unknown``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from yakkan.model import calendar_math as cm
from yakkan.model.expr import INT

from .calendar import Substitution, substitute
from .encoding import ARMED, DEADLINE, MONTH, StepTerms, System
from .lemmas import ARMED_NAME, DEADLINE_NAME, Candidate, Mined
from .properties import Goal, Obligation


class Unknown(Exception):
    """The solver could not decide (timeout or incompleteness): the reason."""


class DepthReached(Unknown):
    """The budget ran out during a bounded search, after ``depth`` complete depths."""

    def __init__(self, message: str, depth: int) -> None:
        super().__init__(message)
        self.depth = depth


class QueryTimeout(Unknown):
    """One query ran over its own cap (the property's budget is not spent)."""


DEFAULT_UNITS = 120_000_000
"""Z3 resource units (``rlimit``) one property may spend: what decides a verdict."""
DEFAULT_GUARD_SECONDS = 600.0
"""A far-off wall-clock guard: reaching it is reported as ``unknown``, never as a verdict."""


@dataclass
class Budget:
    """What one property may spend: Z3 resource units (deterministic: the same work costs
    the same units whatever the machine's load), and a far-off wall-clock guard."""

    units: int = DEFAULT_UNITS
    seconds: float = DEFAULT_GUARD_SECONDS
    start: float = field(default_factory=time.monotonic)
    used: int = 0
    parent: Budget | None = None

    def left_units(self) -> int:
        return self.units - self.used

    def left_ms(self) -> int:
        """Milliseconds to the wall-clock guard."""
        return int((self.start + self.seconds - time.monotonic()) * 1000)

    def share(self, fraction: float) -> Budget:
        """A budget of ``fraction`` of the units left, under the same guard."""
        return Budget(int(self.left_units() * fraction), self.seconds, self.start, parent=self)

    def spend(self, units: int) -> None:
        self.used += units
        if self.parent is not None:
            self.parent.spend(units)

    @property
    def spent(self) -> float:
        return time.monotonic() - self.start

    def exhausted(self) -> Unknown:
        """Why no query may run any more."""
        if self.left_ms() <= 0:
            return Unknown(f"wall-clock guard reached after {self.seconds:g} s (the machine was too slow or "
                           "loaded; not a verdict)")  # fmt: skip
        return Unknown(f"resource budget spent ({self.units:,} Z3 units)")


QUERY_CPU_CAP_S = 30.0
"""A capped query (one Houdini round of a proof) also stops after this much CPU time of
the process: some phases of Z3 do not count resource units, and such a query would
otherwise run to the wall-clock guard. CPU time, not wall-clock time: on a loaded machine
the query gets fewer seconds of CPU per second and is given as many CPU seconds as on a
quiet one, so the load does not choose the proof's path. Hitting the cap only gives up
the lemmas the round tried (as the unit cap does). CPU time is not bit-exact (caches,
clock speed), so a query that needs almost exactly the cap may land either side: the
budgets test runs the catalogue's heaviest proofs beside busy processes. It was 8 s: the
catalogue's longest queries end on their units after 8.1-8.3 s of CPU on an idle machine,
so on a loaded one (two processes on one core's two hardware threads) the cap ended them
first and the proof took another path (a test run found P04's mined proof so, with the
false L06). At 30 s the catalogue's units are the same as at 8 s, query for query."""


class _Guards:
    """The guards of the queries running in this process, watched by one thread: each
    interrupts its query's Z3 context once the wall-clock guard has passed or, for a capped
    query, once the process has used the CPU time it was given (Z3's own timeout counts
    wall-clock time and some of its phases count no units). Z3 releases the GIL while it
    solves, so the thread can watch. One thread for the process, not two per query: the
    parent of an incremental run asks some 150 short questions, and starting a thread for
    each took longer than the questions when the solver processes kept both cores busy.
    A forked process starts its own thread (threads do not survive a fork)."""

    POLL_S = 0.02  # how often the CPU time of a capped query is read

    def __init__(self) -> None:
        self._pid = -1

    def _start(self) -> None:
        import os
        import threading

        self._pid = os.getpid()
        self._cond = threading.Condition()  # new after a fork: the parent's may have been held
        self._armed: dict[int, tuple[Any, float, float | None]] = {}
        self._next = 0
        threading.Thread(target=self._watch, daemon=True, name="yakkan query guard").start()

    def arm(self, wall_s: float, cpu_s: float | None) -> int:
        """Guard the query about to run on this thread's Z3 context; the token to disarm."""
        import os

        if self._pid != os.getpid():
            self._start()
        with self._cond:
            self._next += 1
            cpu_limit = time.process_time() + cpu_s if cpu_s is not None else None
            self._armed[self._next] = (z3.main_ctx(), time.monotonic() + wall_s, cpu_limit)
            self._cond.notify()
            return self._next

    def disarm(self, token: int) -> None:
        with self._cond:
            self._armed.pop(token, None)

    def _watch(self) -> None:
        with self._cond:
            while True:
                now, cpu = time.monotonic(), time.process_time()
                for token, (ctx, deadline, cpu_limit) in list(self._armed.items()):
                    if now >= deadline or (cpu_limit is not None and cpu > cpu_limit):
                        del self._armed[token]
                        ctx.interrupt()
                if not self._armed:
                    self._cond.wait()
                    continue
                wait = min(deadline for _, deadline, _ in self._armed.values()) - now
                if any(cpu_limit is not None for *_, cpu_limit in self._armed.values()):
                    wait = min(wait, self.POLL_S)
                self._cond.wait(max(wait, 0.001))


_GUARDS = _Guards()


_COUNT = [0]  # the Z3 context's resource count after the last query (one context per process)


def _resource_count(z: z3.Solver) -> int:
    try:
        return int(z.statistics().get_key_value("rlimit count"))
    except z3.Z3Exception:  # no query has counted anything yet
        return _COUNT[0]


def fresh_context() -> None:
    """Give this process a new, empty Z3 context for the next check. Z3's search depends on
    its context's history (which terms exist, in what order they were created): P41 took
    18.9M units alone and 31.9M after P28 in the same process, and in a test run that
    had verified other specs first it spent its whole budget. A check therefore never
    shares a context with anything before it, so its verdict is the same wherever it runs.
    (z3py keeps the default context in a module global and has no call to replace it.)
    What was declared in the context given up stays with it (`model.expr.context_cache`),
    so code that holds it may use it again; the two are freed together by the collector."""
    z3.z3._main_ctx = z3.Context()


# Z3 5's Diophantine-equation module of the integer solver works on numbers that grow
# to hundreds of digits with the calendar's coefficients (146097 days in 4800 months)
# and counts no resource units while it does: P17 spent 18 s of CPU for 0.2M units in
# one query, and a proof's path came to depend on the CPU cap below. Without it
# every phase is counted, P17 takes 37 s instead of 88-166 s, P33 7 s instead of 36 s.
# Set once, when the solver is first imported (a global parameter): every query of the
# process runs without it, the first one as well as those after a fresh context (the
# fast path's one solver in the parent ran with it until 2026-11-30, and a cluster's
# worker without it once it had checked something).
z3.set_param("lp.dio", False)


def start_counting() -> None:
    """Take the Z3 context's resource count as it is now (a forked process inherits its
    parent's context, whose count the parent's own work moved on): units are then charged
    from here, so one property's units do not depend on what ran before it."""
    z = z3.Solver()
    z.check()
    _COUNT[0] = _resource_count(z)


def _checked(z: z3.Solver, assumptions: list[Any], budget: Budget, cap: int | None = None) -> tuple[Any, bool]:
    """``z.check`` within the budget's resource units (``rlimit``, at most ``cap``), the
    units it used charged to the budget; and whether the cap (not the budget) stopped it.
    The wall-clock guard interrupts the context too (Z3's own timeout is not always
    honoured promptly)."""
    units = budget.left_units()
    ms = budget.left_ms()
    if units <= 0 or ms <= 0:
        raise budget.exhausted()
    capped = cap is not None and cap < units
    z.set("rlimit", min(units, cap) if capped and cap else units)
    z.set("timeout", max(1, ms))
    # Z3 does not count units in every phase: a capped query has a CPU cap too
    guard = _GUARDS.arm(ms / 1000 + 0.5, QUERY_CPU_CAP_S if capped else None)
    try:
        r = z.check(*assumptions)
    finally:
        _GUARDS.disarm(guard)
    count = _resource_count(z)
    budget.spend(max(0, count - _COUNT[0]))
    _COUNT[0] = count
    return r, capped


class Solver:
    """A Z3 solver for one system: asserts the calendar's definitions as they appear."""

    def __init__(self, sysm: System, budget: Budget) -> None:
        self.z = z3.Solver()
        self.sysm = sysm
        self.budget = budget
        self._n = 0
        self._depth = 0
        self.queries = 0
        self.base: list[Any] = []  # base-level assertions (for fresh solvers)
        self._rounds = 0
        self._last: z3.Solver | None = None

    def _flush(self) -> None:
        defs = self.sysm.calendar.definitions
        if self._n < len(defs):
            if self._depth:  # definitions belong at the base level: never lose them to a pop
                raise RuntimeError("calendar terms created inside a push scope")
            self.z.add(*defs[self._n :])
            self._n = len(defs)

    def add(self, *cs: Any) -> None:
        self._flush()
        self.z.add(*cs)
        if not self._depth:
            self.base += cs
        self._flush()

    def push(self) -> None:
        self._flush()
        self.z.push()
        self._depth += 1

    def pop(self) -> None:
        self.z.pop()
        self._depth -= 1

    def check(self, *assumptions: Any) -> bool:
        if not self._depth:
            self._flush()
        elif self._n < len(self.sysm.calendar.definitions):
            raise RuntimeError("calendar terms created inside a push scope")
        self.queries += 1
        r, _ = _checked(self.z, list(assumptions), self.budget)
        return self._answer(r, self.z.reason_unknown() if r == z3.unknown else "", False)

    def _answer(self, r: Any, reason: str, capped: bool) -> bool:
        """sat/unsat, or the right exception for unknown: the query's cap (QueryTimeout),
        the property's budget or guard (Unknown), or the solver's own reason."""
        if r != z3.unknown:
            return r == z3.sat
        if "canceled" in reason or "timeout" in reason or "resource" in reason:
            if self.budget.left_ms() <= 0 or not capped:
                raise self.budget.exhausted()
            raise QueryTimeout("a query ran over its resource cap")
        raise Unknown(f"solver: {reason}")

    def model(self) -> z3.ModelRef:
        return (self._last or self.z).model()

    def check_fresh(self, extra: list[Any], assumptions: list[Any], cap: int | None = None) -> bool:
        """Check in a new solver holding the base assertions, ``extra`` and the calendar's
        definitions. Long Houdini loops stay fast this way: an incremental solver that has
        seen many pushes and pops slows down on these queries."""
        self._flush()
        z = z3.Solver()
        z.add(*self.base, *self.sysm.calendar.definitions, *extra)
        self.queries += 1
        r, capped = _checked(z, list(assumptions), self.budget, cap)
        self._last = z
        return self._answer(r, z.reason_unknown() if r == z3.unknown else "", capped)

    def check_round(self, goal: Any, assumptions: list[Any], cap: int | None = None) -> bool:
        """``goal`` under ``assumptions`` in this (incremental) solver, without push/pop:
        the goal is guarded by a fresh literal that only this check assumes."""
        self._flush()
        self._rounds += 1
        lit = z3.Bool(f"round#{self._rounds}")
        self.z.add(z3.Implies(lit, goal))
        self.queries += 1
        r, capped = _checked(self.z, [*assumptions, lit], self.budget, cap)
        self._last = None
        return self._answer(r, self.z.reason_unknown() if r == z3.unknown else "", capped)

    def unsat_core(self) -> list[Any]:
        return list((self._last or self.z).unsat_core())


class Path:
    """s0 → s1 → … in a solver (from the application, or from any state)."""

    def __init__(self, sysm: System, solver: Solver, initial: bool = True, tag: str = "") -> None:
        self.sysm, self.solver, self.tag = sysm, solver, tag
        s0 = sysm.state(f"{tag}0")
        self.states: list[dict[str, Any]] = [s0]
        self.steps: list[StepTerms] = []
        solver.add(*sysm.model.param_domain())
        solver.add(*(sysm.init(s0) if initial else sysm.domain(s0)))

    def extend(self) -> StepTerms:
        k = len(self.steps)
        n = self.sysm.state(f"{self.tag}{k + 1}")
        st = self.sysm.step(self.states[-1], n, k)
        self.solver.add(st.constraint)
        self.states.append(n)
        self.steps.append(st)
        return st


# --------------------------------------------------------------------------------------
# what an obligation asks of a path


def holds_at_state(ob: Obligation, sysm: System, s: Mapping[str, Any], tag: Any) -> Any:
    """The obligation's state condition at ``s`` (state invariants, responses)."""
    if ob.kind == "state":
        assert ob.formula is not None
        return sysm.eval_state(ob.formula, s, tag)
    if ob.kind == "response":
        return z3.Not(sysm.response_violated(s, tag))
    return z3.BoolVal(True)


def holds_at_step(ob: Obligation, sysm: System, st: StepTerms) -> Any:
    """The obligation's step condition (step properties); a reach target is its formula."""
    if ob.kind in ("step", "reach"):
        assert ob.formula is not None
        return ob.formula.to_z3(st.formula_env, sysm.model.sorts)
    return z3.BoolVal(True)


def goal_at(goal: Goal, sysm: System, path: Path, k: int) -> Any:
    """``goal`` on the last state (or step) of a path of ``k`` steps; None if it has none."""
    if goal.kind == "state":
        term = sysm.eval_state(goal.expr, path.states[k], f"{path.tag}{k}")
    elif k == 0:
        return None
    else:
        term = goal.expr.to_z3(path.steps[k - 1].formula_env, sysm.model.sorts)
    return term if goal.want else z3.Not(term)


# --------------------------------------------------------------------------------------
# bounded model checking


@dataclass
class Found:
    """A satisfying path of ``depth`` steps."""

    depth: int
    model: z3.ModelRef
    path: Path


def bmc(sysm: System, budget: Budget, depth: int, target, start: int = 0,
        prefer: Mapping[str, Any] | None = None) -> Found | None:  # fmt: skip
    """Search paths of 0..depth steps for one where ``target(path, k)`` holds at the end.

    ``target`` returns a Z3 condition on the path's last state or step. ``prefer`` are
    contract parameter values tried first (so a witness reads like a typical contract).
    Returns None when no path of up to ``depth`` steps satisfies it.
    """
    solver = Solver(sysm, budget)
    path = Path(sysm, solver)
    prefs = []
    if prefer:
        prefs = [sym == prefer[n] for n, sym in sysm.model.param_syms.items() if n in prefer]
    for k in range(depth + 1):
        if k > 0:
            path.extend()
        if k < start:
            continue
        goal = target(path, k)
        if goal is None:
            continue
        try:
            sat = solver.check(goal)
        except Unknown as exc:
            raise DepthReached(f"{exc} at depth {k}", k - 1) from None
        if sat:
            if prefs:
                try:
                    if solver.check(goal, *prefs):
                        return Found(k, solver.model(), path)
                except Unknown:
                    pass
                solver.check(goal)
            return Found(k, solver.model(), path)
    return None


def concrete_state(sysm: System, values: Mapping[str, Any], slot: int,
                   made: dict[tuple[str, Any, Any], Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """A state of the encoding with every value given (Z3 literals); ``made``: the literals
    made before, by type and value, each made once (a run's states share most values)."""
    m = sysm.model
    made = {} if made is None else made

    def literal(t: Any, v: Any) -> Any:
        key = (t.kind, t.enum, v)
        if key not in made:
            made[key] = m.z3_value(t, v)
        return made[key]

    s: dict[str, Any] = {"state": m.state_sort[values["state"]], "today": literal(INT, values["today"]),
                         "slot": literal(INT, slot)}  # fmt: skip
    for v in sysm.kept:
        s[v] = literal(m.var_types[v], values[v])
    return s


STEP_CHECK_UNITS = 20_000_000
"""Z3 resource units one step check (`StepChecker`) may take: every value of the step is
given, so the question has one answer and no search; the catalogue's largest step took
0.17M units. A step that runs out of them raises `Unknown`, which fails the gate."""


class StepChecker:
    """Runs of the executable model checked against the encoding, step by step (`follow`),
    in a Z3 context of the checker's own that lasts as long as it does (one per spec and
    process: `runner.Verifier.step_checker`).

    Every state is given, so each check is one step of the encoding between two known
    states. Each event's step is built once, between two states of constants
    (`StepTemplates`), and each step is that formula with the step's values substituted
    (in Z3, not built again in Python); a step the encoding allowed is remembered by its
    values, so a step that several runs take (the application and the first months of
    many witnesses) is asked once. A step check is a question with one answer, not a
    search: its units are not a property's (a property's units and verdict stay the same
    whatever this process followed before), and it has a cap of its own
    (`STEP_CHECK_UNITS`)."""

    def __init__(self, spec: Any, bounds: Any = None) -> None:
        from .encoding import Model

        self.context = z3.Context()
        with self.inside():
            self.sysm = System(Model(spec, bounds), None, exact=True)
            self.sysm.calendar.tables = {}  # (no proof runs here: the terms may be built another way)
            self.templates = StepTemplates(self.sysm)
        self._allowed: set[tuple[Any, ...]] = set()
        self._values: dict[tuple[str, Any, Any], Any] = {}
        self._solver: tuple[Any, z3.Solver, int] | None = None  # (the parameters, their solver, definitions in it)
        self.queries = 0

    @contextlib.contextmanager
    def inside(self) -> Iterator[None]:
        """This checker's context as z3py's default for the block (the caller's after it)."""
        saved = z3.z3._main_ctx
        z3.z3._main_ctx = self.context
        try:
            yield
        finally:
            z3.z3._main_ctx = saved

    def follow(self, budget: Budget, initial: Mapping[str, Any],
               steps: list[tuple[int, str, Mapping[str, Any], Mapping[str, Any]]],
               parameters: Mapping[str, Any], initial_slot: int | None = None) -> int | None:  # fmt: skip
        """The index of the first of ``steps`` the encoding does not allow with exactly these
        values (-1 for ``initial``), or None when the whole run is a run of the encoding.

        ``initial`` are the values after the application (or, with ``initial_slot``, any
        state the model reached, at that moment of its day: then only the steps are
        checked); ``steps`` are (slot, event, arguments by expression name, values after the
        step). ``budget`` gives only the wall-clock guard: no unit of it is spent."""
        given = _frozen(parameters)
        values, slot0 = initial, self.sysm.model.mid if initial_slot is None else initial_slot
        before, s = (slot0, _frozen(values)), None  # (s: the state in Z3, once built)
        with self.inside():
            if initial_slot is None and ("init", given, before) not in self._allowed:
                s = concrete_state(self.sysm, values, slot0, self._values)
                if not self._allows(budget, parameters, given, self.sysm.init(s)):
                    return -1
                self._allowed.add(("init", given, before))
            for k, (slot, event, args, after) in enumerate(steps):
                now, n = (slot, _frozen(after)), None
                key = (event, given, before, _frozen(args), now)
                if key not in self._allowed:
                    s = s or concrete_state(self.sysm, values, slot0, self._values)
                    n = concrete_state(self.sysm, after, slot, self._values)
                    if not self._allows(budget, parameters, given, [self.templates.between(event, s, n, args)]):
                        return k
                    self._allowed.add(key)
                values, slot0, before, s = after, slot, now, n
        return None

    def _allows(self, budget: Budget, parameters: Mapping[str, Any], given: Any, query: list[Any]) -> bool:
        """Whether ``query`` (a step, or the initial state) holds with the contract's
        ``parameters`` (``given``: them as `follow`'s key)."""
        ms = budget.left_ms()
        if ms <= 0:
            raise budget.exhausted()
        z = self._solver_for(parameters, given)
        z.set("timeout", max(1, ms))
        self.queries += 1
        z.push()
        try:
            z.add(*query)
            r = z.check()
            reason = z.reason_unknown() if r == z3.unknown else ""
        finally:
            z.pop()
        if r == z3.unknown:
            raise Unknown(f"a step check gave no answer ({reason}; cap {STEP_CHECK_UNITS:,} units)")
        return r == z3.sat

    def _solver_for(self, parameters: Mapping[str, Any], key: Any) -> z3.Solver:
        """The solver holding the contract's ``parameters`` and the calendar's definitions,
        each step asked in a scope of its own. One solver for the steps of a run, not one
        per step: every value is given, so the answer is the same in a fresh solver, and
        asserting the calendar's definitions again for each step took half the time of
        following runs (1.9 s of 3.6 s for the 645 steps of 12 random runs). ``key``: the
        parameters as `follow`'s key, made once per run."""
        if self._solver is None or self._solver[0] != key:
            z = z3.Solver()
            z.set("rlimit", STEP_CHECK_UNITS)  # (Z3 counts it from each check's start)
            m = self.sysm.model
            z.add(*[sym == parameters[name] for name, sym in m.param_syms.items()])
            self._solver = (key, z, 0)
        key, z, n = self._solver
        definitions = self.sysm.calendar.definitions
        if n < len(definitions):  # (a definition holds in every scope: at the base)
            z.add(*definitions[n:])
            self._solver = (key, z, len(definitions))
        return z


def _frozen(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """``values`` as a hashable key (lists and dicts in them as tuples)."""
    return tuple(sorted((k, _hashable(v)) for k, v in values.items()))


def _hashable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return ("{}", _frozen(v))
    if isinstance(v, list | tuple):
        return ("[]", tuple(_hashable(x) for x in v))
    return v


def _given(m: Any, st: StepTerms, event: str, args: Mapping[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(the step's term of an argument of ``event``, its value) for each argument given in
    ``args`` (by expression name), in the event's order, each value made when asked."""
    for a in m.spec.events[event].args:
        if a.expr_name in args:
            yield st.args[(a.expr_name, a.type)], m.z3_value(a.type, args[a.expr_name])


class StepTemplates:
    """Each event's step of ``sysm``, built once between two states of fresh constants, and
    a step between two known states as that formula with the constants replaced.

    The step with the values substituted is the step built with them (the same terms, in
    the same encoding), except that the calendar's functions are the encoding's own
    definitions of them for symbolic days rather than their values for known days; the
    definitions the exact calendar adds while an event's step is built are part of that
    event's formula (substituted with it), not of the solver's base. The events' steps
    are built between the same two states, each decomposing its own months
    (`Calendar.apart`), so no two events' formulas share a calendar term; the part that
    reads only the states (no calendar event skipped between them) is built once. The months the
    definitions decompose are given their values too (`Calendar.known`), so that the
    solver has no calendar to search."""

    def __init__(self, sysm: System) -> None:
        self.sysm = sysm
        self._built: dict[str, tuple[Any, dict[str, Any], dict[str, Any], StepTerms, list[Any]]] = {}
        self._states: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._no_skip: tuple[Any, list[Any]] = (None, [])  # (`System.no_skip` between the states, its months)

    def _template(self, event: str) -> tuple[Any, dict[str, Any], dict[str, Any], StepTerms, list[Any]]:
        hit = self._built.get(event)
        if hit is not None:
            return hit
        sysm, m = self.sysm, self.sysm.model
        if self._states is None:
            s, n = self._states = sysm.state("follow.s"), sysm.state("follow.n")
            with sysm.calendar.apart() as own:  # no calendar event skipped: the same for every event
                skip = sysm.no_skip(s, sysm.pre_env(s, "follow"), n["today"], n["slot"])
            self._no_skip = z3.And(*skip, *own.definitions), own.decompositions
        s, n = self._states
        with sysm.calendar.apart() as own:  # this event's definitions: substituted with its formula
            st = sysm.step(s, n, f"follow.{event}", only_event=event, no_skip=False)
        formula = z3.And(self._no_skip[0], st.constraint, st.event == m.event_sort[event], *own.definitions)
        self._built[event] = hit = (formula, s, n, st, [*self._no_skip[1], *own.decompositions])
        return hit

    def between(self, event: str, s: Mapping[str, Any], n: Mapping[str, Any], args: Mapping[str, Any]) -> Any:
        """The step by ``event`` from ``s`` to ``n`` (states of Z3 values), with ``args``
        (by expression name) for the event's arguments given."""
        m = self.sysm.model
        formula, ts, tn, st, decompositions = self._template(event)
        pairs = [(ts[x], s[x]) for x in ts] + [(tn[x], n[x]) for x in tn]
        pairs += _given(m, st, event, args)
        given = Substitution(pairs)  # (made once: a step has hundreds of values)
        # the calendar's months of the step's known days, as the definitions decompose them;
        # every replacement is a number, so substituting the months after the values is
        # substituting them all at once
        found = self.sysm.calendar.known(decompositions, given)
        return substitute(given(formula), found) if found else given(formula)


def target_of(ob: Obligation | None, goal: Goal | None, sysm: System):
    """``target`` for :func:`bmc`: a goal, or the obligation's violation (responses too)."""

    def target(path: Path, k: int) -> Any:
        if goal is not None:
            return goal_at(goal, sysm, path, k)
        assert ob is not None and ob.kind == "response"
        return sysm.response_violated(path.states[k], f"{path.tag}{k}")

    return target


# --------------------------------------------------------------------------------------
# inductive proofs


@dataclass
class Proof:
    """An inductive proof: the lemmas that, with the property, are inductive."""

    lemmas: list[Candidate]
    queries: int
    rounds: int
    k: int = 1


@dataclass
class NoProof:
    """Induction failed: the last counterexample to induction (a pre-state)."""

    reason: str
    cti: dict[str, Any] | None = None
    cti_next: dict[str, Any] | None = None
    cti_event: str | None = None


def _values_for_candidates(sysm: System, model: z3.ModelRef, s: Mapping[str, Any]) -> dict[str, Any]:
    from .trace import state_values

    vals = state_values(sysm, model, s)
    out: dict[str, Any] = {}
    m = sysm.model
    for name, p in m.spec.parameters.items():
        out[name] = p.default
    out.update(m.spec.constants)
    out.update({k: v for k, v in m.param_values(model).items()})
    out.update(vals)
    if ARMED in vals:
        out[ARMED_NAME] = vals[ARMED]
        out[DEADLINE_NAME] = vals[DEADLINE]
    try:
        out[MONTH] = cm.month_of(vals["today"])
    except (ValueError, OverflowError):
        out[MONTH] = 0
    return out


def _consecution(sysm: System, budget: Budget) -> tuple[Solver, dict[str, Any], dict[str, Any], StepTerms,
                                                        dict[str, Any], dict[str, Any]]:  # fmt: skip
    """A solver holding one step ``s`` → ``n`` of ``sysm`` from any state in the domain (the
    consecution of an induction), with the state formulas' environments of ``s`` and ``n``."""
    m = sysm.model
    sysm.calendar.group = 100
    s = sysm.state("s")
    sysm.calendar.group = 101
    n = sysm.state("n")
    sol = Solver(sysm, budget)
    sol.add(*m.param_domain(), *sysm.domain(s))
    sysm.calendar.group = 101
    st = sysm.step(s, n, "s")
    sol.add(st.constraint)
    return sol, s, n, st, sysm.state_env(s, "s"), sysm.state_env(n, "n")


def prove(ob: Obligation, sysm: System, mined: Mined | None, budget: Budget,
          max_rounds: int = 40, per_round: int = 40, seed_limit: int = 600,
          query_cap: int | None = 4_000_000, kmax: int = 1,
          given: Sequence[Candidate] = (), minimize: bool = True) -> Proof | NoProof:  # fmt: skip
    """Prove ``ob`` for all depths by 1-induction strengthened with lemmas: the spec's
    own (``given``, over the slice) and those mined; Houdini keeps only what is proved.
    ``minimize=False``: the proof keeps every lemma Houdini kept, not a subset found by
    unsat cores (the fast path's lemmas, minimized when they were found)."""
    m = sysm.model
    sorts = m.sorts
    kept = frozenset(sysm.kept)
    # base case for state properties: the initial states satisfy the property
    if ob.kind in ("state", "response"):
        s0sol = Solver(sysm, budget)
        p0 = Path(sysm, s0sol, tag="b")
        if s0sol.check(z3.Not(holds_at_state(ob, sysm, p0.states[0], "b0"))):
            return NoProof("the property fails in an initial state")
    init_sol = Solver(sysm, budget)
    ip = Path(sysm, init_sol, tag="i")
    sol, s, n, st, env_s, env_n = _consecution(sysm, budget)
    if ob.kind in ("state", "response"):
        sol.add(holds_at_state(ob, sysm, s, "s"))
        goal = holds_at_state(ob, sysm, n, "n")
    else:
        goal = holds_at_step(ob, sysm, st)
    alive: dict[str, tuple[Candidate, Any, Any, Any]] = {}  # text -> (cand, guard, pre, post)
    tried: dict[str, int] = {}  # candidate -> times added
    atom_terms: dict[str, Any] = {}
    rounds = 0

    init_env = sysm.state_env(ip.states[0], "i0")

    last_batch: list[str] = []

    def deeper(no: NoProof) -> Proof | NoProof:
        """Before giving up: the surviving lemmas, made inductive (given the property),
        with k-induction over a longer window."""
        if kmax < 2 or not alive:
            return no
        try:
            while alive:
                if not sol.check_round(z3.Or(*[z3.Not(v[2]) for v in alive.values()]),
                                       [v[1] for v in alive.values()], cap=query_cap):  # fmt: skip
                    break
                mdl = sol.model()
                for t in [t for t, v in alive.items() if z3.is_false(mdl.eval(v[2], model_completion=True))]:
                    del alive[t]
            lemmas = [v[0] for v in alive.values()]
            for k in range(2, kmax + 1):
                if _k_induction(ob, sysm, lemmas, budget, k):
                    return Proof(lemmas, sol.queries + init_sol.queries, rounds, k)
        except QueryTimeout:
            return no
        return no

    def add_lemmas(cands: list[Candidate]) -> int:
        nonlocal last_batch
        last_batch = []
        added = 0
        for i, c in enumerate(cands):
            if i % 64 == 63 and (budget.left_ms() <= 0 or budget.left_units() <= 0):
                raise budget.exhausted()
            if c.text in alive or tried.get(c.text, 0) >= 2:
                continue
            tried[c.text] = tried.get(c.text, 0) + 1
            try:
                pre, post = c.z3(env_s, sorts), c.z3(env_n, sorts)
                init_term = c.z3(init_env, sorts)
            except (KeyError, z3.Z3Exception):
                continue
            g = z3.Bool(f"lemma#{c.text}#{tried[c.text]}")
            sol.add(z3.Implies(g, pre))
            alive[c.text] = (c, g, post, init_term)
            last_batch.append(c.text)
            added += 1
        return added

    def prune_initiation() -> None:
        while alive:
            if not init_sol.check(z3.Or(*[z3.Not(v[3]) for v in alive.values()])):
                return
            model = init_sol.model()
            for text, v in list(alive.items()):
                if z3.is_false(model.eval(v[3], model_completion=True)):
                    del alive[text]

    add_lemmas([c for c in given if c.names <= kept])
    if mined is not None:
        seed = [c for c in mined.candidates if c.names <= kept]
        if len(seed) <= seed_limit:  # small enough: start from all (Houdini finds the best set)
            add_lemmas(seed)
    while True:
        rounds += 1
        prune_initiation()
        # Houdini on the consecution, the property's own post-condition included
        retried = False
        while True:
            try:
                # a round that met its cap is tried once more with three times the cap
                # before the lemmas it added last are given up
                cap = query_cap * 3 if retried and query_cap else query_cap
                sat = sol.check_round(z3.Or(z3.Not(goal), *[z3.Not(v[2]) for v in alive.values()]),
                                      [v[1] for v in alive.values()], cap=cap)  # fmt: skip
                retried = False
            except QueryTimeout:
                if _DEBUG is not None:
                    print("QUERY TIMEOUT; last batch:", last_batch)
                if not retried:
                    retried = True
                    continue
                retried = False
                # the last lemmas made the query hard: give them up, keep the others
                if not last_batch:
                    raise QueryTimeout("a query of the proof ran over its time cap") from None
                for t in last_batch:
                    alive.pop(t, None)
                    tried[t] = 2
                last_batch = []
                continue
            model = sol.model() if sat else None
            if not sat:
                lemmas = _minimize(sol, goal, alive) if minimize else [v[0] for v in alive.values()]
                return Proof(lemmas, sol.queries + init_sol.queries, rounds)
            dropped = [t for t, v in alive.items() if z3.is_false(model.eval(v[2], model_completion=True))]
            if _DEBUG is not None:
                _DEBUG(sysm, model, s, n, st, dropped)
            for t in dropped:
                del alive[t]
            if not dropped:
                break  # the property itself fails after a step: a CTI
        cti = _values_for_candidates(sysm, model, s)

        def fail(reason: str, model=model, cti=cti) -> NoProof:
            from .trace import state_values

            event = m.event_sort.decode(model.eval(st.event, model_completion=True))
            return NoProof(reason, cti, state_values(sysm, model, n), event)

        if mined is None or rounds > max_rounds:
            return deeper(fail("not inductive with the lemmas found"))

        def truth(atom, model=model) -> bool:
            term = atom_terms.get(atom.text)
            if term is None:
                term = atom_terms[atom.text] = atom.expr.to_z3(env_s, sorts)
            return z3.is_true(model.eval(term, model_completion=True))

        new = mined.false_at(truth, kept, limit=per_round * 4, focus=frozenset(ob.names))
        new = [c for c in new if c.text not in alive and tried.get(c.text, 0) < 2][:per_round]
        if not add_lemmas(new):
            return deeper(fail("no candidate lemma blocks the counterexample to induction"))


def preserved_each(sysm: System, parts: Sequence[tuple[Obligation, Sequence[Candidate]]],
                   budget: Budget, query_cap: int = 4_000_000,
                   pause: Callable[[], None] | None = None) -> list[bool]:  # fmt: skip
    """For each part (a property and its lemmas), whether every step of ``sysm`` preserves
    the property and every lemma, assuming them before the step (a step property: holds at
    the step) — each part on its own, as its proof was found, so that what a later check
    assumes of one proof never rests on another's lemmas. One incremental solver holds the
    step once; a part's assumptions are switched on by a literal of its own; a part whose
    query meets ``query_cap`` units is not shown preserved. Only state and step properties
    (a response needs its own monitor). ``pause()`` is called before each part (the
    parent tends its solver processes there: `runner._each`)."""
    m = sysm.model
    sol, s, n, st, env_s, env_n = _consecution(sysm, budget)
    terms: dict[str, tuple[Any, Any]] = {}  # a lemma's text -> (before, after), made once
    out = []
    for i, (ob, lemmas) in enumerate(parts):
        if pause is not None:
            pause()
        on = z3.Bool(f"part#{i}")
        goals: list[Any] = []
        if ob.kind == "state":
            sol.add(z3.Implies(on, holds_at_state(ob, sysm, s, "s")))
            goals.append(holds_at_state(ob, sysm, n, "n"))
        elif ob.kind == "step":
            goals.append(holds_at_step(ob, sysm, st))
        else:
            raise ValueError(f"{ob.id}: a {ob.kind} property is not checked here")
        for c in lemmas:
            if c.text not in terms:
                terms[c.text] = (c.z3(env_s, m.sorts), c.z3(env_n, m.sorts))
            sol.add(z3.Implies(on, terms[c.text][0]))
            goals.append(terms[c.text][1])
        try:
            out.append(not sol.check_round(z3.Not(z3.And(*goals)), [on], cap=query_cap))
        except QueryTimeout:  # a hard query: that part is left to its own check
            out.append(False)
    return out


def initiation_each(sysm: System, parts: Sequence[tuple[Obligation, Sequence[Candidate]]],
                    budget: Budget, query_cap: int = 4_000_000) -> list[bool]:  # fmt: skip
    """For each part (a property and its lemmas), whether every initial state satisfies the
    property (a state property) and every lemma: the base case of its induction, which
    `preserved_each` does not check. One solver holds the initial states once."""
    sol = Solver(sysm, budget)
    s0 = Path(sysm, sol, tag="i").states[0]
    env = sysm.state_env(s0, "i0")
    out = []
    for ob, lemmas in parts:
        goals = [c.z3(env, sysm.model.sorts) for c in lemmas]
        if ob.kind == "state":
            goals.append(holds_at_state(ob, sysm, s0, "i0"))
        try:
            out.append(not goals or not sol.check_round(z3.Not(z3.And(*goals)), [], cap=query_cap))
        except QueryTimeout:
            out.append(False)
    return out


def _k_induction(ob: Obligation, sysm: System, lemmas: list[Candidate], budget: Budget, k: int) -> bool:
    """k-induction for ``ob`` with ``lemmas`` (inductive, given the property) assumed in every
    state: no violation in the first k-1 steps from the application, and none after k steps
    along which the property held. Transients the 1-step lemmas cannot describe (a bill
    raised at a month's end, the renewal just after it) are covered by the longer window."""
    sorts = sysm.model.sorts
    # base case: no violation within k-1 steps
    base = Solver(sysm, budget)
    path = Path(sysm, base, tag="kb")
    for i in range(k):
        if i > 0:
            path.extend()
        if ob.kind in ("state", "response"):
            if base.check(z3.Not(holds_at_state(ob, sysm, path.states[i], f"kb{i}"))):
                return False
        elif i > 0 and base.check(z3.Not(holds_at_step(ob, sysm, path.steps[i - 1]))):
            return False
    # step case
    sol = Solver(sysm, budget)
    p = Path(sysm, sol, initial=False, tag="ks")
    for _ in range(k):
        p.extend()
    for i, st_ in enumerate(p.states):
        env = sysm.state_env(st_, f"ks{i}")
        sol.add(*[c.z3(env, sorts) for c in lemmas])
        if i > 0:
            sol.add(*sysm.domain(st_))
    if ob.kind in ("state", "response"):
        for i in range(k):
            sol.add(holds_at_state(ob, sysm, p.states[i], f"ks{i}"))
        goal = holds_at_state(ob, sysm, p.states[k], f"ks{k}")
    else:
        for i in range(k - 1):
            sol.add(holds_at_step(ob, sysm, p.steps[i]))
        goal = holds_at_step(ob, sysm, p.steps[k - 1])
    return not sol.check(z3.Not(goal))


_DEBUG = None


def _minimize(sol: Solver, goal: Any, alive: Mapping[str, tuple[Candidate, Any, Any, Any]]) -> list[Candidate]:
    """A subset of the lemmas that is still inductive with the property (unsat cores).

    Start from the lemmas the property's own step needs; while some kept lemma is not
    preserved by the kept set alone, add what that lemma needs. The result is checked
    inductive by the last query (else the whole set is returned).
    """
    by_guard = {v[1].get_id(): t for t, v in alive.items()}
    everything = list(alive)

    def core_for(post: Any, pre: list[str]) -> list[str] | None:
        if sol.check_round(z3.Not(post), [alive[t][1] for t in pre]):
            return None
        return [by_guard[c.get_id()] for c in sol.z.unsat_core() if c.get_id() in by_guard]

    try:
        first = core_for(goal, everything)
        if first is None:
            return [alive[t][0] for t in everything]
        keep = dict.fromkeys(first)
        for _ in range(50):
            posts = [z3.Not(goal), *[z3.Not(alive[t][2]) for t in keep]]
            sat = sol.check_round(z3.Or(*posts), [alive[t][1] for t in keep])
            model = sol.z.model() if sat else None
            if not sat:
                return [alive[t][0] for t in keep]
            failing = [t for t in keep if z3.is_false(model.eval(alive[t][2], model_completion=True))]
            if z3.is_false(model.eval(goal, model_completion=True)):
                failing.append("")
            grew = False
            for t in failing:
                core = core_for(goal if t == "" else alive[t][2], everything)
                for c in core or everything:
                    if c not in keep:
                        keep[c] = None
                        grew = True
            if not grew:
                break
        return [alive[t][0] for t in everything]
    except Unknown:
        return [alive[t][0] for t in everything]
