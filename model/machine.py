"""The executable model: a python-statemachine statechart built from the spec.

Nothing here restates a rule. Each transition of the spec becomes a statechart transition
whose condition is the spec's compiled guard and whose action runs the spec's compiled
effects; the compound state `in_force` becomes a compound state of the chart.
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

    def candidates(self, event: str, state: str) -> tuple[CompiledTransition, ...]:
        return self.by_event_state.get((event, state), ())

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


def _effect_callback(ct: CompiledTransition) -> Callable[..., None]:
    def effects(ctx: Values, **_: Any) -> None:
        ct.apply(ctx)

    effects.__name__ = f"effects_{ct.spec.id}"
    return effects


def leaf_state(machine: Any, spec: Spec) -> str:
    """The leaf state the statechart is in, as a spec state id."""
    for state in machine.configuration:
        sid = next((s for s in spec.states if chart_name(s) == state.id), None)
        if sid is not None and not spec.states[sid].compound:
            return sid
    raise RuntimeError(f"the statechart is in no leaf state of the spec: {machine.configuration}")
