"""A run of the Z3 encoding read back from a model: dated events and values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import z3

from .encoding import ARMED, DEADLINE, StepTerms, System


@dataclass(frozen=True)
class TraceStep:
    """One accepted event of a trace, with the values after it."""

    day: int
    slot: int
    event: str
    by: str
    transition: str
    args: Mapping[str, Any]
    state: str
    values: Mapping[str, Any]
    articles: tuple[str, ...] = ()

    @property
    def date(self) -> str:
        return dt.date.fromordinal(self.day).isoformat()


@dataclass
class Trace:
    """The application day, the contract parameters, the steps (calendar ones included)."""

    parameters: dict[str, Any]
    day0: int
    initial: Mapping[str, Any]
    steps: list[TraceStep] = field(default_factory=list)
    until: int | None = None
    note: str = ""
    monitor: Mapping[str, Any] | None = None

    @property
    def scenario_events(self) -> list[tuple[int, str, Mapping[str, Any]]]:
        return [(s.day, s.event, dict(s.args)) for s in self.steps if s.by != "calendar"]

    @property
    def last_day(self) -> int:
        return self.steps[-1].day if self.steps else self.day0

    @property
    def last_scenario_day(self) -> int:
        days = [s.day for s in self.steps if s.by != "calendar"]
        return days[-1] if days else self.day0


def _value(sysm: System, model: z3.ModelRef, name: str, term: Any) -> Any:
    val = model.eval(term, model_completion=True)
    if name == "state":
        return sysm.model.state_sort.decode(val)
    if name in ("today", "slot", DEADLINE):
        return val.as_long()
    if name == ARMED:
        return z3.is_true(val)
    return sysm.model.py_value(sysm.model.var_types[name], val)


def state_values(sysm: System, model: z3.ModelRef, s: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value(sysm, model, name, term) for name, term in s.items()}


def decode(sysm: System, model: z3.ModelRef, states: list[Mapping[str, Any]],
           steps: list[StepTerms], upto: int | None = None) -> Trace:  # fmt: skip
    """The trace of ``states[0..upto]`` in ``model``."""
    m = sysm.model
    spec = m.spec
    upto = len(steps) if upto is None else upto
    params = dict(m.param_values(model))
    init = state_values(sysm, model, states[0])
    trace = Trace(params, init["today"], init)
    by_id = {t.id: t for t in m.transitions}
    for k in range(upto):
        st = steps[k]
        ev = m.event_sort.decode(model.eval(st.event, model_completion=True))
        tid = next((t for t, sel in st.selected.items() if z3.is_true(model.eval(sel, model_completion=True))), None)
        vals = state_values(sysm, model, states[k + 1])
        args: dict[str, Any] = {}
        for a in spec.events[ev].args:
            term = st.args[(a.expr_name, a.type)]
            args[a.name] = m.py_value(a.type, model.eval(term, model_completion=True))
        trace.steps.append(TraceStep(
            day=vals["today"], slot=vals["slot"], event=ev, by=spec.events[ev].by,
            transition=tid or "?", args=args, state=vals["state"], values=vals,
            articles=by_id[tid].spec.articles if tid in by_id else (),
        ))  # fmt: skip
    return trace
