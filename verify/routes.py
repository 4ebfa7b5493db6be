"""A lawyer's route carried over to changed terms.

A property's own witness (``witness:``) is a route a lawyer wrote down for it, with the
figures of the terms it was written under: P85's requests "the cap of 11-2 itself",
1,200,000 yen under a cap of 12 months. When a change of the terms moves that figure (a
cap of 6 months), the route as written no longer reaches its goal, yet the same route
with the figure moved to where the new terms put it does. `carried_over` tries exactly
that, before any random run: each integer argument of the route, one at a time, at each
edge where a guard of its event flips under the new terms (`sampling.edge_values`).

Nothing is assumed of the moved route: it is replayed on the executable model, and the
verifier then shrinks it and checks it step by step in Z3 like any other run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from yakkan.model.machine import CompiledSpec

from .sampling import Run, edge_values, recording_contract


@dataclass(frozen=True)
class Moved:
    """The figure `carried_over` moved: ``event``'s ``argument`` on ``day``, from ``was`` (as
    the scenario writes it) to ``now`` (where a guard of the event flips under the terms)."""

    event: str
    argument: str
    day: int
    was: int
    now: int

    def to_data(self, scenario: str) -> dict[str, Any]:
        """As a verdict keeps it (`Verdict.witness_moved`): JSON data, the day as a date."""
        return {"scenario": scenario, "event": self.event, "argument": self.argument,
                "on": dt.date.fromordinal(self.day).isoformat(), "from": self.was, "to": self.now}  # fmt: skip


def carried_over(compiled: CompiledSpec, route: Run, until: int,
                 reaches: Callable[[list[Any]], int | None]) -> tuple[Run, Moved] | None:  # fmt: skip
    """``route`` with one integer argument moved to an edge of its event's guards under
    ``compiled``'s terms: the first such route (in the order of its events, then of their
    arguments, then of the edges) whose replay until ``until`` ``reaches`` the goal, with
    the figure moved; or None. The edges are read from the contract as it stands on the
    day of the event, after the events before it, as the random runs read them."""
    from .counterexample import _replay_events

    spec = compiled.spec
    events = list(route.events)
    contract = recording_contract(compiled, route.parameters, "reference")
    for k, (day, event, args) in enumerate(events):
        if contract.created:
            contract.advance_to(day)
        for a in spec.events[event].args:
            if a.type.kind != "int" or a.name not in args:
                continue
            tried = {args[a.name]}
            for value in edge_values(compiled, event, a, contract, day):
                if value in tried or (a.minimum is not None and value < a.minimum):
                    continue
                tried.add(value)
                moved = [*events[:k], (day, event, {**args, a.name: value}), *events[k + 1:]]
                result = _replay_events(compiled, route.parameters, moved, until)
                if result is None:
                    continue
                steps = tuple(result.contract.steps)
                if reaches(list(steps)) is not None:
                    return (Run(dict(route.parameters), tuple(moved), steps, None),
                            Moved(event, a.name, day, args[a.name], value))
        contract.send(event, day, args)
    return None
