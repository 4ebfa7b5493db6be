"""The executable model: a python-statemachine statechart built from the spec.

Nothing here restates a rule. Each transition of the spec becomes a statechart transition
whose condition is the spec's compiled guard and whose action runs the spec's compiled
effects; the compound state `in_force` becomes a compound state of the chart.

**The step semantics** (one, followed by every backend: this model, the fast engine and
the Z3 encoding). An event raised on day `d`:

1. `time_advance` runs first, with `today = d`, on a copy of the contract's values: the
   day has come (late charges are counted up to it, 12-2);
2. the guard clauses of the event's transitions from the current state are read on those
   advanced values, in spec order; the first transition whose clauses all hold fires;
3. an accepted event always runs its transition's effects, on the advanced values, which
   become the contract's values; a refused event changes nothing (the accrual is counted
   again, to the same total, by the next step).

A calendar event's `at` date is read on the values before the step (the loader refuses an
`at` that reads what `time_advance` writes, so the order cannot matter).
`CompiledSpec.advanced` and `CompiledSpec.select` are that semantics, written once.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from .spec import Spec, TransitionDef

Values = MutableMapping[str, Any]


@dataclass(frozen=True)
class CompiledTransition:
    """A spec transition with its guard clauses and effects compiled to closures."""

    spec: TransitionDef
    clauses: tuple[Callable[[Values], Any], ...]
    effects: tuple[Callable[[Values], None], ...]

    def first_failing_clause(self, values: Values) -> int | None:
        """Index of the first guard clause that does not hold, or None when all hold."""
        for i, clause in enumerate(self.clauses):
            if not clause(values):
                return i
        return None

    def enabled(self, values: Values) -> bool:
        return all(clause(values) for clause in self.clauses)

    def apply(self, values: Values) -> None:
        for effect in self.effects:
            effect(values)


class BackendDisagreement(RuntimeError):
    """Two backends took the same step differently (the statechart and the spec, the fast
    engine and the reference, the Z3 encoding and the executable model). Never a log
    entry: it fails the run that found it."""


MAX_SPARE_MACHINES = 64
"""How many finished contracts' statecharts `CompiledSpec` keeps for the next contracts."""


class CompiledSpec:
    """The spec's expressions compiled once, shared by every contract that runs it."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.transitions = tuple(
            CompiledTransition(t, tuple(c.expr.compile() for c in t.guard), tuple(a.compile() for a in t.effects))
            for t in spec.transitions
        )
        self.by_event_state: dict[tuple[str, str], tuple[CompiledTransition, ...]] = {}
        for ct in self.transitions:
            for s in ct.spec.sources:
                key = (ct.spec.event, s)
                self.by_event_state[key] = (*self.by_event_state.get(key, ()), ct)
        self.time_advance = tuple(a.compile() for a in spec.time_advance)
        self.calendar = tuple((e, e.at.compile()) for e in spec.calendar_events if e.at)
        self.inits = tuple((n, v.init.compile()) for n, v in spec.variables.items())
        self.derived = {name: e.compile() for name, e in spec.derived_exprs.items()}
        self._spare_machines: list[Any] = []
        self._initial_configuration: Any = None

    def candidates(self, event: str, state: str) -> tuple[CompiledTransition, ...]:
        return self.by_event_state.get((event, state), ())

    def advanced(self, values: Values, day: int) -> dict[str, Any]:
        """A copy of `values` as of day `day`: `today` set and `time_advance` run (step 1)."""
        out = dict(values)
        out["today"] = day
        for accrue in self.time_advance:
            accrue(out)
        return out

    def select(self, event: str, state: str, advanced: Values) -> tuple[CompiledTransition | None, int | None]:
        """The transition `event` fires from `state` on the advanced values (step 2), or
        (None, index of the first failing clause of the first candidate) when refused
        (None, None when no transition leaves `state` on `event`)."""
        candidates = self.candidates(event, state)
        for ct in candidates:
            if ct.enabled(advanced):
                return ct, None
        if not candidates:
            return None, None
        return None, candidates[0].first_failing_clause(advanced)

    def initial_values(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Parameters, constants and every variable at its initial value."""
        values: dict[str, Any] = dict(self.spec.constants)
        values.update(parameters)
        values["today"] = 0
        values["state"] = self.spec.initial_state
        for name, init in self.inits:
            values[name] = init(values)
        return values

    @cached_property
    def machine_class(self) -> type:
        return build_machine_class(self)

    def new_machine(self) -> Any:
        """A statechart of the spec in its initial configuration, for one contract: one a
        finished contract gave back (`give_back`), else a new instance. (A new instance
        costs python-statemachine a resolution of every callback of the chart, some
        milliseconds: more than a whole replayed run.)"""
        if self._spare_machines:
            return self._spare_machines.pop()
        machine = self.machine_class()
        if self._initial_configuration is None:
            self._initial_configuration = machine.current_state_value
        return machine

    def give_back(self, machine: Any) -> None:
        """``machine``, whose contract is gone, put back in the initial configuration (the
        chart holds no other state: every value is in the contract, given to each event)
        for the next `new_machine`. One that entered a final state has stopped for good
        (python-statemachine's ``is_terminated``): it is dropped."""
        if len(self._spare_machines) < MAX_SPARE_MACHINES and not machine.is_terminated:
            machine.current_state_value = self._initial_configuration
            machine.history_values.clear()
            self._spare_machines.append(machine)


@cache
def chart_name(name: str) -> str:
    """The statechart's name for a spec state or event id: suffixed with '_' where it would
    shadow an attribute of python-statemachine's StateChart (e.g. `send`)."""
    from statemachine import StateChart

    return f"{name}_" if hasattr(StateChart, name) else name


def build_machine_class(compiled: CompiledSpec) -> type:
    """The python-statemachine StateChart class of the spec."""
    from statemachine.io import create_machine_class_from_definition

    spec = compiled.spec

    def transitions_of(leaf: str) -> dict[str, list[dict]]:
        on: dict[str, list[dict]] = {}
        for ct in compiled.transitions:
            if leaf not in ct.spec.sources:
                continue
            target = ct.spec.target or leaf
            on.setdefault(chart_name(ct.spec.event), []).append({
                "target": chart_name(target),
                "internal": ct.spec.target is None,
                "cond": _guard_callback(ct),
                "on": _effect_callback(ct),
            })  # fmt: skip
        return on

    def state_def(sid: str) -> dict:
        d = spec.states[sid]
        body: dict[str, Any] = {"name": d.en, "initial": d.initial}
        if d.children:
            body["states"] = {chart_name(c): state_def(c) for c in d.children}
        else:
            on = transitions_of(sid)
            if on:
                body["on"] = on
            # a final state that still takes bookkeeping events (payments after the end)
            # cannot be `final` for python-statemachine, which forbids any transition there
            body["final"] = d.final and not on
        return body

    top = {chart_name(s): state_def(s) for s, d in spec.states.items() if d.parent is None}
    return create_machine_class_from_definition(
        f"{spec.meta['id'].replace('-', '_').title().replace('_', '')}Contract",
        states=top,
        validate_trap_states=False,
        validate_final_reachability=False,
        validate_disconnected_states=False,
    )


def _guard_callback(ct: CompiledTransition) -> Callable[..., bool]:
    def guard(ctx: Values, **_: Any) -> bool:
        return ct.enabled(ctx)

    guard.__name__ = f"guard_{ct.spec.id}"
    return guard


FIRED = "$fired"
"""Key under which the statechart's action records the transition whose effects it ran."""


def _effect_callback(ct: CompiledTransition) -> Callable[..., None]:
    def effects(ctx: Values, **_: Any) -> None:
        ct.apply(ctx)
        ctx[FIRED] = ct.spec.id

    effects.__name__ = f"effects_{ct.spec.id}"
    return effects


def leaf_state(machine: Any, spec: Spec) -> str:
    """The leaf state the statechart is in, as a spec state id."""
    for state in machine.configuration:
        sid = next((s for s in spec.states if chart_name(s) == state.id), None)
        if sid is not None and not spec.states[sid].compound:
            return sid
    raise RuntimeError(f"the statechart is in no leaf state of the spec: {machine.configuration}")
