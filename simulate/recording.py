"""The fast engine keeping the reference's steps: values before and after every step.

The verifier's random runs (`yakkan.verify.sampling`) mine lemma candidates from the
values each step reached, and replay their histories in Z3; they need the reference
`Contract`'s `Step` records (day, event, arguments, transition, states, refusal, values
before and after), not the fast engine's compact trace. `RecordingContract` runs on the
fast engine (`simulate.fast`) and builds those same `Step`s through one hook: a copy of
the `FastSpec` whose generated step functions note the values they start from
(`recording_spec`). The steps equal the reference's, field by field (differential test:
``tests/test_verify_fast_runs.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from yakkan.model.contract import Refusal, Step
from yakkan.model.machine import CompiledSpec

from .fast import FastContract, FastSpec, StepFn, TraceStep


class RecordingSpec(FastSpec):
    """A `FastSpec` whose step functions keep in ``before`` the values they start from."""

    before: dict[str, Any]
    transitions: dict[str, Any]  # transition id -> its `TransitionDef`
    plain: dict[str, dict[str, StepFn]]  # the step functions, not recording


def recording_spec(fs: FastSpec) -> RecordingSpec:
    """A shallow copy of ``fs`` (the generated code is shared) whose step functions, before
    they run, copy the contract's values into ``before`` (one contract steps at a time)."""
    rec: Any = copy.copy(fs)
    rec.__class__ = RecordingSpec
    rec.before = {}
    wrapped: dict[int, StepFn] = {}

    def wrap(fn: StepFn) -> StepFn:
        if id(fn) not in wrapped:

            def step(v: dict, day: int, hits: list, pending: dict) -> str | None:
                rec.before = dict(v)
                return fn(v, day, hits, pending)

            wrapped[id(fn)] = step
        return wrapped[id(fn)]

    rec.table = {e: {s: wrap(fn) for s, fn in by_state.items()} for e, by_state in fs.table.items()}
    rec.send_info = {name: (ev, names, defaults, rec.table.get(name, {}))
                     for name, (ev, names, defaults, _) in fs.send_info.items()}  # fmt: skip
    rec.phases = {ph: tuple((name, at, rec.table.get(name, {})) for name, at, _ in events)
                  for ph, events in fs.phases.items()}  # fmt: skip
    rec.transitions = {ct.spec.id: ct.spec for cands in fs.compiled.by_event_state.values() for ct in cands}
    rec.plain = fs.table
    return rec


class RecordingContract(FastContract):
    """A fast contract that also keeps the reference `Contract`'s view: ``steps`` (`Step`s
    with the values before and after), ``parameters``, ``derived``; and, as the reference,
    ``today`` set to the day the calendar has run to."""

    def __init__(self, rs: RecordingSpec, parameters: Mapping[str, Any]) -> None:
        super().__init__(rs, parameters)
        self.compiled: CompiledSpec = rs.compiled
        self.parameters = dict(parameters)
        self.steps: list[Step] = []
        self._args: dict[str, Any] | None = None  # the arguments of the event being sent

    def derived(self, name: str) -> Any:
        return self.compiled.derived[name](self.v)

    def would_fire(self, event: str, values: Mapping[str, Any], day: int, args: Mapping[str, Any] | None = None) -> Any:
        """The transition (`TransitionDef`) `event` would fire on ``values`` (those of this
        contract, with the event's arguments ``args`` by expression name) on `day`, or None;
        nothing is changed. As `CompiledSpec.select` on `CompiledSpec.advanced` values, by
        the generated code."""
        rs: Any = self.fs
        fn = rs.plain.get(event, {}).get(values["state"])
        if fn is None:
            return None
        tid = fn({**values, **args} if args else dict(values), day, [], {})
        return None if tid is None else rs.transitions[tid]

    def advance_to(self, day: int) -> None:
        moved = self.day is not None and day > self.day
        super().advance_to(day)
        if moved and self.created:  # the reference sets it at each calendar visit (12-1)
            self.v["today"] = day

    def send(self, event: str, day: int, args: Mapping[str, Any] | None = None) -> Step:  # type: ignore[override]
        """As `Contract.send`: the event's `Step` (the calendar's steps before it in ``steps``)."""
        if day != self.day:
            self.advance_to(day)
        filled = dict(args) if args else {}
        for a in self.fs.events[event].args:
            if a.name not in filled and a.default is not None:
                filled[a.name] = day if a.default == "today" else a.default
        self._args = filled
        try:
            super().send(event, day, args)
        finally:
            self._args = None
        return self.steps[-1]

    def _event(self, event: str) -> tuple[dict[str, Any], str]:
        if self._args is None:  # a calendar step
            return {}, "calendar"
        return dict(self._args), self.fs.events[event].by

    def _accepted(self, day: int, event: str, tid: str) -> TraceStep:
        out = super()._accepted(day, event, tid)
        rs: Any = self.fs
        before = rs.before
        args, by = self._event(event)
        self.steps.append(Step(day, event, args, True, by, transition=tid, state_before=before["state"],
                               state_after=self.v["state"], articles=rs.transitions[tid].articles, before=before,
                               after=dict(self.v)))  # fmt: skip
        return out

    def _create(self, event: str, day: int) -> TraceStep:
        was = self.created
        out = super()._create(event, day)
        if not was:
            args, by = self._event(event)
            self.steps.append(Step(day, event, args, True, by, transition=None, state_before=None,
                                   state_after=self.v["state"], before={}, after=dict(self.v)))  # fmt: skip
        return out

    def _refuse(self, day: int, why: Refusal, event: str) -> TraceStep:
        out = super()._refuse(day, why, event)
        args, by = self._event(event)
        state = self.state
        self.steps.append(Step(day, event, args, False, by, state_before=state, state_after=state, rule=why.rule,
                               articles=tuple(why.articles), rule_ja=why.rule_ja or None))  # fmt: skip
        return out
