"""One customer's contract running on the calendar.

A `Contract` holds the statechart built from the spec and the values of the spec's
variables. Time moves day by day: at the start of each day the calendar's start-of-day
events fire (a new month), then the day's customer and company events, then the
end-of-day events (due dates, the end of a term, the end of the contract). Every step,
calendar or not, first runs the spec's `time_advance` effects (late-charge accrual).

An event the terms do not allow is refused: it changes nothing and names the rule and
the articles it breaks.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .machine import FIRED, BackendDisagreement, CompiledSpec, CompiledTransition, chart_name, leaf_state
from .spec import NEXT, Clause, Spec

StepHook = Callable[["Step"], None]


@dataclass(frozen=True)
class Refusal:
    """Why an event is refused: the rule, its articles, and the rule in Japanese."""

    rule: str
    articles: tuple[str, ...]
    rule_ja: str = ""


def refusal_before_creation(spec: Spec) -> Refusal:
    creator = spec.creating_event
    return Refusal(
        f"there is no contract before `{creator.name}`", creator.articles, f"{creator.ja}の前に契約はありません"
    )


def refusal_already_created(spec: Spec, event: str) -> Refusal:
    return Refusal("the application has already been made", spec.events[event].articles, "申込みは既にされています")


def refusal_not_possible(spec: Spec, state: str, event: str) -> Refusal:
    """The event has no transition from the state at all."""
    sd, ev = spec.states[state], spec.events[event]
    return Refusal(f"`{event}` is not possible while the contract is {sd.en.lower()} ({sd.ja})",
                   ev.articles, f"{sd.ja}の間は{ev.ja}はできません")  # fmt: skip


def refusal_by_guard(clause: Clause) -> Refusal:
    """A guard clause of the spec does not hold."""
    return Refusal(clause.rule, clause.articles, clause.rule_ja)


@dataclass(frozen=True)
class Step:
    """One event as the contract saw it: accepted (with its transition) or refused."""

    day: int
    event: str
    args: Mapping[str, Any]
    accepted: bool
    by: str
    transition: str | None = None
    state_before: str | None = None
    state_after: str | None = None
    rule: str | None = None
    articles: tuple[str, ...] = ()
    rule_ja: str | None = None
    before: Mapping[str, Any] = field(default_factory=dict, repr=False)
    after: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)

    def changes(self, hidden: frozenset[str] = frozenset()) -> dict[str, tuple[Any, Any]]:
        """Variables whose value the step changed: name -> (before, after)."""
        return {
            k: (self.before.get(k), v)
            for k, v in self.after.items()
            if self.before and k not in hidden and self.before.get(k) != v and k not in ("today", "state")
        }


class StepFormulaEnv:
    """The names a step formula reads on a step of a contract: the values before it,
    ``next_<name>`` after it, ``event``, its arguments by expression name, and the shared
    arguments it does not take at their defaults (``Spec.arg_defaults``). Built once per
    spec; called per step, it gives them as a dict (what many formulas read on one step:
    the monitors); `view` gives a read-only view of the step instead (`StepView`), for one
    formula read on many steps (a goal looked for in sampled runs)."""

    def __init__(self, spec: Spec) -> None:
        self.defaults = spec.arg_defaults()
        self.variables = tuple(spec.variables)
        self.expr_names = {ev.name: {a.name: a.expr_name for a in ev.args} for ev in spec.events.values()}

    def __call__(self, step: Step) -> dict[str, Any]:
        return self.view(step).as_dict()

    def view(self, step: Step) -> StepView:
        names = self.expr_names[step.event]
        args = {names[k]: v for k, v in step.args.items()}
        return StepView(step.before, step.after, step.event, args, self.defaults, self.variables)


class StepView(Mapping[str, Any]):
    """A step's names as `StepFormulaEnv` gives them, looked up when read. Later sources win,
    as in the dict the names were once copied into: the values before the step, then
    ``next_`` and the values after it (the variables and ``state``), ``event``, the shared
    arguments at their defaults, the event's own arguments."""

    __slots__ = ("before", "after", "event", "args", "defaults", "variables")

    def __init__(self, before: Mapping[str, Any], after: Mapping[str, Any], event: str, args: Mapping[str, Any],
                 defaults: Mapping[str, Any], variables: tuple[str, ...]) -> None:  # fmt: skip
        self.before, self.after, self.event, self.args = before, after, event, args
        self.defaults, self.variables = defaults, variables

    def __getitem__(self, name: str) -> Any:
        if name in self.args:
            return self.args[name]
        if name in self.defaults:
            return self.defaults[name]
        if name == "event":
            return self.event
        if name.startswith(NEXT):
            bare = name[len(NEXT) :]
            if bare == "state" or bare in self.after and bare in self.variables:
                return self.after[bare]
        return self.before[name]

    def as_dict(self) -> dict[str, Any]:
        env = dict(self.before)
        for name in self.variables:
            env[NEXT + name] = self.after[name]
        env[NEXT + "state"] = self.after["state"]
        env["event"] = self.event
        env.update(self.defaults)
        env.update(self.args)
        return env

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())


class Contract:
    """A contract between the company and one customer, executed from the spec."""

    def __init__(self, compiled: CompiledSpec, parameters: Mapping[str, Any],
                 on_step: StepHook | None = None, record_values: bool = True) -> None:  # fmt: skip
        self.compiled = compiled
        self.spec = compiled.spec
        self.parameters = dict(parameters)
        self.values: dict[str, Any] = compiled.initial_values(self.parameters)
        self.machine: Any = None
        self.day: int | None = None
        self._end_done = False
        self.steps: list[Step] = []
        self.on_step = on_step
        self.record_values = record_values

    # -- state -------------------------------------------------------------------------

    @property
    def created(self) -> bool:
        return self.machine is not None

    @property
    def state(self) -> str | None:
        return self.values["state"] if self.created else None

    def derived(self, name: str) -> Any:
        return self.compiled.derived[name](self.values)

    # -- time --------------------------------------------------------------------------

    def advance_to(self, day: int) -> None:
        """Run the calendar up to the start of `day` (its start-of-day events included)."""
        if self.day is None:
            self.day = day
            return
        if day < self.day:
            raise ValueError("time does not run backwards")
        while self.day < day:
            if not self._end_done:
                self._calendar("end")
            self.day += 1
            self._end_done = False
            self._calendar("start")

    def close_day(self) -> None:
        """Run the end-of-day events of the current day (due dates, ends of terms)."""
        if self.day is not None and not self._end_done:
            self._calendar("end")
            self._end_done = True

    def settle_to(self, day: int) -> None:
        """Evaluate the contract as of the end of `day`: calendar and accrual up to it."""
        self.advance_to(day)
        self.close_day()
        if self.created:
            self.values["today"] = day
            for accrue in self.compiled.time_advance:
                accrue(self.values)

    def _calendar(self, phase: str) -> None:
        if not self.created:
            return
        values = self.values
        for event, at in self.compiled.calendar:
            if event.phase != phase:
                continue
            values["today"] = self.day
            if at(values) != self.day:
                continue
            self._step(event.name, {}, "calendar")
            values = self.values

    # -- events ----------------------------------------------------------------------------

    def send(self, event: str, day: int, args: Mapping[str, Any] | None = None) -> Step:
        """Raise `event` on `day` (the calendar is run up to it first)."""
        spec_event = self.spec.events[event]
        args = dict(args or {})
        self.advance_to(day)
        self.values["today"] = day
        for a in spec_event.args:
            if a.name not in args and a.default is not None:
                args[a.name] = day if a.default == "today" else a.default
        if spec_event.creates:
            return self._create(spec_event.name, args)
        if not self.created:
            return self._refuse(event, args, spec_event.by, refusal_before_creation(self.spec))
        for a in spec_event.args:
            self.values[a.expr_name] = args[a.name]
        return self._step(event, args, spec_event.by)

    def _step(self, event: str, args: Mapping[str, Any], by: str) -> Step | None:
        """One step of the spec's semantics (`yakkan.model.machine`): accrue, select, fire.
        A calendar event that no transition takes is not a step (None)."""
        state = self.state
        advanced = self.compiled.advanced(self.values, self.day)
        ct, failing = self.compiled.select(event, state, advanced)
        if ct is not None:
            return self._fire(ct, event, args, by, advanced)
        if by == "calendar":
            return None
        if failing is None:
            return self._refuse(event, args, by, refusal_not_possible(self.spec, state, event))
        candidate = self.compiled.candidates(event, state)[0]
        return self._refuse(event, args, by, refusal_by_guard(candidate.spec.guard[failing]))

    def _create(self, event: str, args: Mapping[str, Any]) -> Step:
        by = self.spec.events[event].by
        if self.created:
            return self._refuse(event, args, by, refusal_already_created(self.spec, event))
        self.machine = self.compiled.new_machine()
        # once this contract is gone its statechart serves the next one (unless an event
        # failed inside it: `_fire`)
        self._give_back = weakref.finalize(self, self.compiled.give_back, self.machine)
        self.values["state"] = leaf_state(self.machine, self.spec)
        self.values["last_day"] = self.day
        step = Step(self.day, event, args, True, by, transition=None,
                    state_before=None, state_after=self.state,
                    before={}, after=dict(self.values) if self.record_values else {})  # fmt: skip
        self._record(step)
        return step

    def _fire(self, ct: CompiledTransition, event: str, args: Mapping[str, Any], by: str,
              advanced: dict[str, Any]) -> Step:  # fmt: skip
        """The statechart takes the step on the advanced values; it must agree with the spec
        (same transition, effects run, same target), or the run fails."""
        before = dict(self.values) if self.record_values or self.on_step else {}
        state_before = self.values["state"]
        try:
            self.machine.send(chart_name(event), ctx=advanced)
        except BaseException:
            self._give_back.detach()  # a statechart an event failed in serves no other contract
            raise
        fired = advanced.pop(FIRED, None)
        advanced["state"] = leaf_state(self.machine, self.spec)
        expected = ct.spec.target or state_before
        if fired != ct.spec.id or advanced["state"] != expected:
            raise BackendDisagreement(
                f"on {dt.date.fromordinal(self.day)} the statechart took `{event}` from {state_before} "
                f"to {advanced['state']} running the effects of {fired or 'no transition'}; the spec's "
                f"semantics fires {ct.spec.id} to {expected}"
            )
        self.values.update(advanced)  # the same mapping: callers may hold it
        step = Step(self.day, event, dict(args), True, by, transition=ct.spec.id,
                    state_before=state_before, state_after=advanced["state"],
                    articles=ct.spec.articles, before=before,
                    after=dict(advanced) if self.record_values or self.on_step else {})  # fmt: skip
        self._record(step)
        return step

    def _refuse(self, event: str, args: Mapping[str, Any], by: str, why: Refusal) -> Step:
        step = Step(self.day, event, dict(args), False, by, state_before=self.state, state_after=self.state,
                    rule=why.rule, articles=tuple(why.articles), rule_ja=why.rule_ja or None)  # fmt: skip
        self._record(step)
        return step

    def _record(self, step: Step) -> None:
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
