"""Counterexamples and witnesses as scenarios the executable model replays (issue 4 §4).

A Z3 trace is turned into a scenario — the contract parameters and the dated customer and
company events; the calendar's own events are left to the calendar — and replayed by
``yakkan.model.replay``. The verdict is reported only when the replay shows it too: the
invariant broken after some step, the step property broken by some step, the witness
step, or the response still missing after its deadline. The replay is also compared
step by step with the Z3 trace; where they part, the engine refines its slice (the
variables of the guards at fault) and searches again.

The written scenario has an ``expect:`` block (final state, ledger, no refusal) taken
from the replay, so ``yakkan replay`` checks itself.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model import calendar_math as cm
from yakkan.model.contract import StepFormulaEnv
from yakkan.model.expr import DATE
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import Replay, format_human, ledger_detail, replay
from yakkan.model.scenario import scenario_from_data, scenario_to_data
from yakkan.model.spec import PropertyDef, Spec

from .properties import Goal
from .trace import Trace


@dataclass
class Check:
    """The replay of a trace and what it shows."""

    replay: Replay
    reproduced: bool
    at_step: int | None  # index in the replay's steps where the property fails / is witnessed
    divergence: int | None  # first Z3 step the replay does not match (None: all match)
    detail: str = ""
    missed: Missed | None = None  # a calendar event due but not taken, to blame instead of at_step


def scenario_data(spec: Spec, trace: Trace, name: str, until: int | None = None,
                  expect: Mapping[str, Any] | None = None,
                  description: str = "") -> dict[str, Any]:  # fmt: skip
    contract = {k: v for k, v in trace.parameters.items() if spec.parameters[k].scope == "contract"
                and not unset_date(spec, k, v)}  # fmt: skip
    creator = spec.creating_event.name
    events = [(trace.day0, creator, {}), *trace.scenario_events]
    data = scenario_to_data(contract, events, until, spec, name=name, expect=expect)
    if description:
        data = {"name": data.pop("name"), "description": description, **data}
    return data


def unset_date(spec: Spec, name: str, value: Any) -> bool:
    """A contract date left at its default ``FOREVER`` ("not set": 8-2's initial due date is
    then the service's start): not written, a lawyer reads no 9999-12-31 (issue 13)."""
    p = spec.parameters[name]
    forever = spec.constants.get("FOREVER")
    return p.type == DATE and value == p.default and forever is not None and value >= forever


def replay_trace(compiled: CompiledSpec, trace: Trace, until: int | None = None) -> Replay:
    spec = compiled.spec
    data = scenario_data(spec, trace, "trace", until)
    return replay(compiled, scenario_from_data(data, spec))


def accepted(result: Replay) -> list[Any]:
    """The replay's accepted steps after the creation, calendar ones included."""
    return [s for s in result.contract.steps if s.accepted and s.transition is not None]


def divergence(trace: Trace, result: Replay) -> int | None:
    """Index of the first Z3 step the replay did not take the same way (None if none)."""
    steps = accepted(result)
    for i, z in enumerate(trace.steps):
        if i >= len(steps):
            return i
        r = steps[i]
        if (r.day, r.event, r.transition) != (z.day, z.event, z.transition):
            return i
        for name, value in z.values.items():
            if name in r.after and r.after[name] != value:
                return i
    return None


def check(compiled: CompiledSpec, prop: PropertyDef | None, trace: Trace, goal: Goal | None = None) -> Check:
    """Replay ``trace``; does ``goal`` happen in the replay (``prop``'s violation for a
    response property)?"""
    spec = compiled.spec
    until = trace.last_day if goal is not None else None
    if goal is None and prop is not None and prop.kind == "response":
        until = _response_until(spec, prop, trace)
        if until is not None:
            until = max(until, trace.last_scenario_day)
    try:
        result = replay_trace(compiled, trace, until)
    except Exception as exc:  # noqa: BLE001 - a trace the scenario checker refuses
        raise RuntimeError(f"the trace does not replay: {exc}") from exc
    div = divergence(trace, result)
    if goal is None:
        assert prop is not None
        at, ok = _response_violation(prop, result)
    else:
        at, ok = find_goal(spec, goal, result)
    return Check(result, ok, at, div)


def find_goal(spec: Spec, goal: Goal, result: Replay) -> tuple[int | None, bool]:
    """The first replay step where the goal happens."""
    i = goal_in_steps(spec, goal, result.contract.steps)
    return i, i is not None


def goal_in_steps(spec: Spec, goal: Goal, steps: list[Any]) -> int | None:
    """Index of the first step (of a contract's steps) where the goal happens."""
    return goal_finder(spec, goal)(steps)


def goal_finder(spec: Spec, goal: Goal) -> Callable[[list[Any]], int | None]:
    """``goal_in_steps`` with the goal compiled once, for many runs."""
    f = goal.source.compile()
    step_env = StepFormulaEnv(spec).view

    def first(steps: list[Any]) -> int | None:
        for i, s in enumerate(steps):
            if not s.accepted:
                continue
            if goal.kind == "state":
                value = bool(f(s.after))
            else:
                if s.transition is None:
                    continue
                value = bool(f(step_env(s)))
            if value == goal.want:
                return i
        return None

    return first


def response_in_steps(prop: PropertyDef, steps: list[Any]) -> tuple[int, int] | None:
    """(index of the first step dated after a missed deadline, that deadline), or None."""
    trig, resp = prop.trigger.compile(), prop.response.compile()
    pending: int | None = None
    for i, s in enumerate(steps):
        if pending is not None and s.day > pending:
            return i, pending
        if not s.accepted:
            continue
        if resp(s.after):
            pending = None
        elif trig(s.after) and pending is None:
            pending = cm.add_months(s.day, prop.within_months) + prop.within_days
    return None


def _response_until(spec: Spec, prop: PropertyDef, trace: Trace) -> int | None:
    """The deadline (as the executable model computes it) of the trigger still waiting for
    its response at the end of the trace (the earliest one, as the monitors count)."""
    if trace.until is not None:
        return trace.until
    trig, resp = prop.trigger.compile(), prop.response.compile()
    pending = None
    for v in [trace.initial, *[s.values for s in trace.steps]]:
        if _safe(resp, v):
            pending = None
        elif _safe(trig, v) and pending is None:
            pending = v["today"]
    if pending is None:
        return None
    return cm.add_months(pending, prop.within_months) + prop.within_days


def _safe(f: Any, values: Mapping[str, Any]) -> bool:
    try:
        return bool(f(values))
    except (KeyError, TypeError):
        return False


def _response_violation(prop: PropertyDef, result: Replay) -> tuple[int | None, bool]:
    """As the simulator's monitor: a trigger not answered by the end of its deadline."""
    trig, resp = prop.trigger.compile(), prop.response.compile()
    steps = result.contract.steps
    pending: tuple[int, int] | None = None  # (step index, deadline)
    for i, s in enumerate(steps):
        if pending and s.day > pending[1]:
            return pending[0], True
        if not s.accepted:
            continue
        if resp(s.after):
            pending = None
        elif trig(s.after) and pending is None:
            pending = (i, cm.add_months(s.day, prop.within_months) + prop.within_days)
    if pending and result.scenario.until >= pending[1]:
        # the run is evaluated as of the end of the deadline day: still no response
        final = dict(result.contract.values)
        if not resp(final):
            return pending[0], True
    return None, False


def shrink(compiled: CompiledSpec, parameters: Mapping[str, Any],
           events: list[tuple[int, str, Mapping[str, Any]]], until: int | None,
           happens) -> tuple[list[tuple[int, str, Mapping[str, Any]]], Replay]:  # fmt: skip
    """Drop scenario events (never the application) while ``happens(replay)`` still holds.

    A counterexample found in a random run carries events that play no part in it; a
    reviewer reads the short story.
    """
    def run(evs: list[tuple[int, str, Mapping[str, Any]]]) -> Replay | None:
        result = _replay_events(compiled, parameters, evs, until)
        return result if result is not None and happens(result) else None

    best = run(events)
    if best is None:
        raise ValueError("the run does not show what is to be shrunk")
    i = len(events) - 1
    while i >= 1:
        candidate = events[:i] + events[i + 1 :]
        result = run(candidate)
        if result is not None:
            events, best = candidate, result
        i -= 1
    return events, best


def toward_defaults(compiled: CompiledSpec, parameters: Mapping[str, Any],
                    events: list[tuple[int, str, Mapping[str, Any]]], until: int | None,
                    happens) -> tuple[dict[str, Any], Replay | None]:  # fmt: skip
    """The contract parameters, each put back to the spec's default (in spec order) where
    ``happens(replay)`` still holds: a reviewer reads a contract with the usual fees, not
    ``base_fee=0``. Returns the parameters and the last replay that kept one (or None)."""
    params = dict(parameters)
    best = None
    for name, p in compiled.spec.parameters.items():
        if p.scope != "contract" or params.get(name) == p.default:
            continue
        trial = {**params, name: p.default}
        result = _replay_events(compiled, trial, events, until)
        if result is not None and happens(result):
            params, best = trial, result
    return params, best


def _replay_events(compiled: CompiledSpec, parameters: Mapping[str, Any],
                   events: list[tuple[int, str, Mapping[str, Any]]], until: int | None) -> Replay | None:  # fmt: skip
    """The replay of ``events`` as a scenario with these contract parameters; None when
    the scenario is impossible (a candidate of shrinking that is just not kept)."""
    spec = compiled.spec
    contract = {k: v for k, v in parameters.items() if spec.parameters[k].scope == "contract"}
    last = events[-1][0]
    data = scenario_to_data(contract, events, max(until or last, last), spec, name="shrink")
    try:
        return replay(compiled, scenario_from_data(data, spec))
    except Exception:  # noqa: BLE001 - an impossible scenario
        return None


# --------------------------------------------------------------------------------------
# writing


def expectation(result: Replay) -> dict[str, Any]:
    out: dict[str, Any] = {"state": result.state}
    if result.ended_by:
        out["ended_by"] = result.ended_by
    out["refused"] = [i for i, s in enumerate(result.event_steps) if not s.accepted]
    out["ledger"] = {**result.ledger(), **ledger_detail(result.contract)}
    return out


def write_scenario(path: Path, compiled: CompiledSpec, prop: PropertyDef, trace: Trace,
                   checked: Check, kind: str) -> Path:  # fmt: skip
    """Write the trace as a scenario that ``yakkan replay`` replays and checks."""
    from ruamel.yaml import YAML

    spec = compiled.spec
    result = checked.replay
    where = ""
    if checked.missed is not None:
        m = checked.missed
        where = f" at {dt.date.fromordinal(m.day)} ({m.event} did not happen)"
    elif checked.at_step is not None:
        s = result.contract.steps[checked.at_step]
        where = f" at {dt.date.fromordinal(s.day)} ({s.event})"
    description = (
        f"{kind.capitalize()} of {prop.id} [{', '.join(prop.articles)}]: {prop.title}. "
        f"Found by yakkan verify{where}; replay it with `yakkan replay {path.name}`."
    )
    data = scenario_data(spec, trace, f"{prop.id}-{kind}", result.scenario.until,
                         expectation(result), description)  # fmt: skip
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 120
    buf = io.StringIO()
    yaml.dump(data, buf)
    from yakkan.model.limits import write_in

    return write_in(path.parent, path.name, buf.getvalue())


def story(compiled: CompiledSpec, prop: PropertyDef, checked: Check) -> str:
    """The dated story a person reads: every step with its articles and money."""
    text = format_human(checked.replay)
    if checked.missed is not None:
        m = checked.missed
        text += (f"\n\n{prop.id} broken on {dt.date.fromordinal(m.day)}: the calendar's {m.event} did not happen "
                 f"in state {m.state} (transition {m.transition.id} [{', '.join(m.transition.articles)}]), "
                 "so the next step found the promise broken")
    elif checked.at_step is not None:
        s = checked.replay.contract.steps[checked.at_step]
        verb = "witnessed" if prop.kind == "reachable" else "broken"
        who = "the calendar's" if s.by == "calendar" else f"the {s.by}'s"
        text += f"\n\n{prop.id} {verb} by {who} {s.event} on {dt.date.fromordinal(s.day)}"
        if s.transition:
            t = next(t for t in compiled.spec.transitions if t.id == s.transition)
            text += f" (transition {t.id} [{', '.join(t.articles)}])"
    return text


# --------------------------------------------------------------------------------------
# blame


@dataclass(frozen=True)
class Missed:
    """A calendar event that was due but did not happen (no transition took it in that
    state, or its guard refused it): the step that broke the promise."""

    day: int
    event: str
    transition: Any  # the spec's first transition of the event (where its rule is written)
    state: str


def missed_calendar_event(compiled: CompiledSpec, reads: frozenset[str] | set[str], result: Replay,
                          at: int) -> Missed | None:  # fmt: skip
    """The step to blame when the step at ``at`` breaks an invariant only because time
    passed (it changed none of the property's variables but ``today``): the last calendar
    event due since the previous accepted step that did not happen although its
    transitions write a variable the property reads (17-1: the month's bill of
    ``month_ends``, not the next ``month_starts``). None when there is none."""
    spec = compiled.spec
    steps = result.contract.steps
    s = steps[at]
    if not s.before or not s.after:
        return None
    if any(s.before.get(n) != s.after.get(n) for n in reads if n != "today"):
        return None  # the step itself changed what the property reads
    prev = next((j for j in range(at - 1, -1, -1) if steps[j].accepted and steps[j].after), None)
    if prev is None:
        return None
    writers = {t.event for t in spec.transitions if any(a.target in reads for a in t.effects)}
    taken = {(x.day, x.event) for x in steps[prev + 1 : at + 1] if x.accepted}
    values = dict(steps[prev].after)
    order = [e.name for e, _ in compiled.calendar]
    found: tuple[int, str] | None = None
    for day in range(steps[prev].day, s.day + 1):
        values["today"] = day
        for event, when in compiled.calendar:
            if event.name not in writers or (day, event.name) in taken:
                continue
            if day == steps[prev].day and (steps[prev].by != "calendar" and event.phase == "start"):
                continue  # before the previous step
            if day == s.day and (event.phase != "start" or (s.by == "calendar" and order.index(event.name)
                                                              >= order.index(s.event))):  # fmt: skip
                continue  # after the breaking step
            try:
                due = when(values) == day
            except (KeyError, TypeError, ValueError):
                continue
            if due:
                found = (day, event.name)
    if found is None:
        return None
    t = next(t for t in spec.transitions if t.event == found[1])
    return Missed(found[0], found[1], t, str(steps[prev].after.get("state", "")))
