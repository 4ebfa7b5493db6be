"""A scenario's path through the lifecycle, ready to draw over the diagram.

A scenario (or a counterexample or witness the verifier wrote, which are scenarios too)
is replayed by the model itself (`yakkan.model.replay`), so the path drawn is the path
the contract takes. The steps drawn are the scenario's own events, accepted or refused,
and the calendar's steps that change the state (e.g. `contract_ends`); the calendar's
bookkeeping (a month's bill) is counted but not drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import Replay, replay
from yakkan.model.scenario import Scenario, load_scenario
from yakkan.model.spec import Spec

from .analysis import Lifecycle


@dataclass(frozen=True)
class PathStep:
    """One drawn step: numbered from 1 in the order of the contract's life."""

    n: int
    day: int
    event: str
    by: str
    accepted: bool
    source: str | None  # None for the step that creates the contract
    target: str | None  # the state after; for a refusal, where the event would have led
    transition: str | None
    edge: str | None  # key of the drawn edge travelled, when it changes the state
    rule: str | None
    articles: tuple[str, ...]
    rule_ja: str | None = None  # the rule in Japanese, when the spec gives it
    args: tuple[tuple[str, Any], ...] = ()  # the event's arguments, as the scenario gives them
    before: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the contract's values before
    after: Mapping[str, Any] = field(default_factory=dict, repr=False)  # … and after the step

    def rule_in(self, lang: str) -> str | None:
        """The refusal's rule in `lang` (the English when it has no Japanese)."""
        return self.rule_ja if lang == "ja" and self.rule_ja else self.rule

    @property
    def date(self) -> str:
        return dt.date.fromordinal(self.day).isoformat()

    @property
    def internal(self) -> bool:
        return self.source is not None and self.target == self.source


@dataclass(frozen=True)
class ScenarioPath:
    """The path of one replayed scenario."""

    name: str
    description: str
    steps: tuple[PathStep, ...]
    final_state: str | None
    until: int
    quiet_calendar_steps: int

    @property
    def visited(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.steps:
            if s.accepted and s.target:
                seen[s.target] = None
        return tuple(seen)

    @property
    def until_date(self) -> str:
        return dt.date.fromordinal(self.until).isoformat()


def path_of_replay(life: Lifecycle, result: Replay) -> ScenarioPath:
    """The drawn steps of a replay (see the module docstring)."""
    spec = life.spec
    steps: list[PathStep] = []
    quiet = 0
    for step in result.contract.steps:
        changes_state = step.accepted and step.state_before != step.state_after
        if step.by == "calendar" and not changes_state:
            quiet += 1
            continue
        source = step.state_before
        target = step.state_after if step.accepted else _would_lead(spec, step.event, source)
        edge = None
        if step.accepted and source is not None and step.transition and source != target:
            drawn = life.edge_for(step.transition, source)
            edge = drawn.key if drawn else None
        steps.append(PathStep(
            n=len(steps) + 1, day=step.day, event=step.event, by=step.by, accepted=step.accepted,
            source=source, target=target, transition=step.transition, edge=edge,
            rule=step.rule, articles=tuple(step.articles), rule_ja=step.rule_ja,
            args=tuple((k, v) for k, v in step.args.items()), before=step.before, after=step.after,
        ))  # fmt: skip
    return ScenarioPath(
        name=result.scenario.name, description=result.scenario.description, steps=tuple(steps),
        final_state=result.state, until=result.scenario.until, quiet_calendar_steps=quiet,
    )  # fmt: skip


def _would_lead(spec: Spec, event: str, state: str | None) -> str | None:
    """Where a refused event would have led: the first candidate's target, else the state."""
    if state is None:
        return None
    for t in spec.transitions_for(event, state):
        if t.target is not None:
            return t.target
    return state


def path_of_scenario(spec: Spec, scenario: Scenario | str | Path,
                     life: Lifecycle | None = None) -> ScenarioPath:  # fmt: skip
    """Load (when given a path) and replay `scenario`, and return its drawn path.

    A bad scenario file raises `ScenarioError` (an `InputError`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, spec)
    life = life or Lifecycle(spec)
    return path_of_replay(life, replay(CompiledSpec(spec), scenario))
