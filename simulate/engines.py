"""The two engines behind one interface: the reference `Contract` and the fast engine.

The driver (`simulate.driver`) only calls `advance_to`, `close_day`, `send`, `settle_to`,
`finish` and reads `values`, `created`, `state`, `trace` and `hits`, so the same
behaviour runs on either engine, and the differential test can compare their traces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from yakkan.model.contract import Contract, Step
from yakkan.model.machine import CompiledSpec
from yakkan.model.spec import Spec, load_spec

from .fast import FastContract, FastSpec, TraceStep
from .monitors import Monitor, MonitorSet

ENGINES = ("fast", "reference")


def trace_step(step: Step) -> TraceStep:
    """A reference `Step` in the fast engine's compact form."""
    refusal = None if step.accepted else (step.rule or "", tuple(step.articles), getattr(step, "rule_ja", None))
    return (step.day, step.event, step.transition, step.state_after, refusal)


class RefContract:
    """The reference `Contract` (python-statemachine, day by day) with its monitors."""

    def __init__(self, compiled: CompiledSpec, monitors: MonitorSet, parameters: Mapping[str, Any]) -> None:
        self.monitor: Monitor = monitors.start()
        self.contract = Contract(compiled, parameters, on_step=self.monitor, record_values=True)

    @property
    def values(self) -> dict[str, Any]:
        return self.contract.values

    @property
    def created(self) -> bool:
        return self.contract.created

    @property
    def state(self) -> str | None:
        return self.contract.state

    @property
    def day(self) -> int | None:
        return self.contract.day

    @property
    def trace(self) -> list[TraceStep]:
        return [trace_step(s) for s in self.contract.steps]

    @property
    def hits(self) -> dict[str, tuple[int, int]]:
        return {pid: (h.step, h.day) for pid, h in self.monitor.hits.items()}

    def advance_to(self, day: int) -> None:
        self.contract.advance_to(day)

    def close_day(self) -> None:
        self.contract.close_day()

    def settle_to(self, day: int) -> None:
        self.contract.settle_to(day)

    def send(self, event: str, day: int, args: Mapping[str, Any] | None = None) -> TraceStep:
        return trace_step(self.contract.send(event, day, args))

    def finish(self, day: int) -> dict[str, tuple[int, int]]:
        self.monitor.finish(day)
        return self.hits


@dataclass
class Model:
    """A spec with everything compiled from it, shared by all contracts of a run."""

    spec: Spec
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls(load_spec(path))

    @cached_property
    def compiled(self) -> CompiledSpec:
        return CompiledSpec(self.spec)

    @cached_property
    def monitors(self) -> MonitorSet:
        return MonitorSet(self.spec)

    @cached_property
    def fast(self) -> FastSpec:
        return FastSpec(self.compiled, self.monitors)

    def contract(self, engine: str, parameters: Mapping[str, Any]) -> FastContract | RefContract:
        """A new contract on `engine` ("fast" or "reference")."""
        if engine == "fast":
            return FastContract(self.fast, parameters)
        if engine == "reference":
            return RefContract(self.compiled, self.monitors, parameters)
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")

    @cached_property
    def calendar_events(self) -> frozenset[str]:
        return frozenset(e.name for e in self.spec.calendar_events)

    @cached_property
    def final_states(self) -> frozenset[str]:
        return frozenset(s for s, d in self.spec.states.items() if d.final)

    @cached_property
    def reachable(self) -> dict[str, frozenset[str]]:
        """Leaf states reachable from each leaf state (itself included), guards ignored."""
        succ: dict[str, set[str]] = {s: {s} for s in self.spec.leaf_states}
        for t in self.spec.transitions:
            for s in t.sources:
                succ[s].add(t.target or s)
        out = {}
        for s in succ:
            seen, todo = set(), [s]
            while todo:
                x = todo.pop()
                if x not in seen:
                    seen.add(x)
                    todo += succ[x]
            out[s] = frozenset(seen)
        return out

    def default_parameters(self) -> dict[str, Any]:
        return {n: p.default for n, p in self.spec.parameters.items()}
