"""Counterexamples a lawyer believes (issue 12 §7, issue 13 "Counterexamples a lawyer follows").

A counterexample found by a random run or by Z3 is correct but often odd to read: the
application two years before the terms' effective date or decades after it, a base fee of
¥1, a payment of ¥110,002 with a bank charge of ¥100,000, events that play no part. This
module rewrites its story (the contract parameters and the dated events, a scenario) into
the plainest one that still shows the violation:

* **minimal** — events not needed are dropped by delta debugging (``ddmin``) over the
  event list, the application kept;
* **usual fees** — each contract parameter put back to the spec's default, else to a
  round amount below it (``base_fee`` ¥100,000, or ¥50,000, ¥10,000, … where the violation
  needs a lower fee); an event's amount that exceeded the odd fee then exceeds the usual
  one by half (damages ¥150,000 against a ¥100,000 base fee, 27-2);
* **round amounts** — an event's yen argument at its default, else rounded to ¥10,000 or
  ¥1,000;
* **dates near the terms** — the story moved by whole years so that the application falls
  in the first year after the terms' effective date (``meta.effective``), each quiet
  period before an event shortened by whole months, and a date argument far from its
  event (an effective date in 9891) brought within months of it.

Every candidate is a scenario replayed by the executable model (the fast engine) and kept
only when the violation (or the witness's goal) still happens; the search is a fixed
sequence of candidates, so the same spec gives the same story (byte-identical files). A
response property is replayed up to one day past the missed deadline. The runner then
checks the final story step by step in the Z3 encoding (exact calendar, every variable);
when that fails within the budget, the original counterexample is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import takewhile
from typing import Any

from yakkan.model import calendar_math as cm
from yakkan.model.expr import DATE
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import Replay
from yakkan.model.spec import PropertyDef

from .properties import Goal

Event = tuple[int, str, Mapping[str, Any]]
MONEY_SUFFIXES = ("fee", "amount", "charge")
"""An int parameter or event argument whose name ends so is an amount of yen (``base_fee``,
``amount``, ``bank_charge``); ``support_cap``, ``payment_day`` are counts."""
NICE = (10_000, 1_000)
YEARS_AFTER = 1
"""The application is moved into [effective, effective + this many years)."""


@dataclass(frozen=True)
class Story:
    """A counterexample as a scenario: contract parameters, events (the application
    first), and the day the replay runs to (None: the last event's)."""

    parameters: Mapping[str, Any]
    events: tuple[Event, ...]
    until: int | None


def is_money(name: str, typ: Any) -> bool:
    return getattr(typ, "kind", None) == "int" and name.endswith(MONEY_SUFFIXES)


def round_yen(value: int, unit: int) -> int:
    """``value`` rounded half up to a multiple of ``unit`` (at least ``unit``)."""
    return max(unit, (value + unit // 2) // unit * unit)


def ddmin(items: list[Any], keeps: Callable[[list[Any]], bool]) -> list[Any]:
    """Zeller's delta debugging: a 1-minimal sublist of ``items`` for which ``keeps`` holds
    (``keeps(items)`` is assumed). Deterministic: subsets are tried in order."""
    n = 2
    while len(items) >= 2:
        size = len(items) // n
        chunks = [items[i * size : (i + 1) * size] if i < n - 1 else items[i * size :] for i in range(n)]
        reduced = False
        for i in range(n):
            complement = [x for j, c in enumerate(chunks) if j != i for x in c]
            if keeps(complement):
                items, n, reduced = complement, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    if len(items) == 1 and keeps([]):
        return []
    return items


class Polisher:
    """Rewrites a story into a plainer one that shows the same violation (or goal)."""

    def __init__(self, compiled: CompiledSpec, prop: PropertyDef | None, goal: Goal | None) -> None:
        from .counterexample import _response_violation, find_goal

        self.compiled = compiled
        self.spec = compiled.spec
        self.prop = prop
        self.goal = goal
        self._find_goal = find_goal
        self._response_violation = _response_violation
        self.replays = 0
        eff = self.spec.meta.get("effective") if isinstance(self.spec.meta, Mapping) else None
        self.effective = _ordinal(eff)

    # -- replay -------------------------------------------------------------------------

    def settle(self, story: Story) -> tuple[Story, Replay] | None:
        """The story's replay if the violation (goal) happens in it, with ``until`` set to
        the goal's day (a response: the day after the missed deadline); else None."""
        from .counterexample import _replay_events

        events = list(story.events)
        last = events[-1][0]
        if self.goal is not None:
            result = self._replay(story.parameters, events, story.until)
            if result is None:
                return None
            at, ok = self._find_goal(self.spec, self.goal, result)
            if not ok or at is None:
                return None
            until = max(result.contract.steps[at].day, last)
            return replace(story, until=until), result
        assert self.prop is not None
        p = self.prop
        horizon = cm.add_months(max(story.until or last, last), p.within_months + 1) + p.within_days + 2
        result = self._replay(story.parameters, events, horizon)
        if result is None:
            return None
        at, ok = self._response_violation(p, result)
        if not ok or at is None:
            return None
        trigger = result.contract.steps[at].day
        until = max(cm.add_months(trigger, p.within_months) + p.within_days + 1, last)
        result = _replay_events(self.compiled, story.parameters, events, until)
        if result is None or not self._response_violation(p, result)[1]:
            return None
        return replace(story, until=until), result

    def _replay(self, parameters: Mapping[str, Any], events: list[Event], until: int | None) -> Replay | None:
        from .counterexample import _replay_events

        self.replays += 1
        return _replay_events(self.compiled, parameters, events, until)

    # -- the passes -----------------------------------------------------------------------

    def polish(self, story: Story) -> tuple[Story, Replay] | None:
        """The plainest story found (None when the given one does not show the violation)."""
        best = self.settle(story)
        if best is None:
            return None
        # the fees first: with a fee of ¥0 the payment is not needed and would be dropped
        for step in (self.usual_fees, self.round_amounts, self.minimal, self.near_effective, self.compact,
                     self.near_dates, self.minimal):  # fmt: skip
            best = step(*best)
        return best

    def minimal(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """Events not needed dropped (delta debugging; the application is kept)."""
        head, rest = story.events[0], list(story.events[1:])
        found: dict[tuple[int, ...], tuple[Story, Replay] | None] = {}

        def keeps(sub: list[int]) -> bool:
            key = tuple(sub)
            if key not in found:
                found[key] = self.settle(replace(story, events=(head, *(rest[i] for i in sub))))
            return found[key] is not None

        kept = ddmin(list(range(len(rest))), keeps) if rest else []
        if len(kept) == len(rest):
            return story, result
        got = found[tuple(kept)]
        assert got is not None
        return got

    def usual_fees(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """Each contract parameter at the spec's default; a fee below the default that the
        violation needs, at a round amount below it."""
        best = (story, result)
        for name, p in self.spec.parameters.items():
            story = best[0]
            value = story.parameters.get(name, p.default)
            if p.scope != "contract" or value == p.default:
                continue
            candidates = [({**story.parameters, name: p.default}, story.events)]
            money = is_money(name, p.type)
            if money and isinstance(p.default, int) and p.default > 0 and value < p.default:
                over = round_yen(p.default * 3 // 2, NICE[0])
                events = tuple((d, e, {k: self._over(e, k, v, value, over) for k, v in a.items()})
                               for d, e, a in story.events)  # fmt: skip
                if events != story.events:
                    candidates.append(({**story.parameters, name: p.default}, events))
                lows = [p.default // k for k in (2, 5, 10, 20, 50, 100)]
                candidates += [({**story.parameters, name: low}, story.events)
                               for low in lows if low > value and low % 1000 == 0]  # fmt: skip
            for params, events in candidates:
                got = self.settle(replace(story, parameters=params, events=events))
                if got is None and money:  # the usual fee is billed: pay it when it is needed
                    paid = self._paid_up(params, events, story.until)
                    got = self.settle(replace(story, parameters=params, events=paid)) if paid else None
                if got is not None:
                    best = got
                    break
        return best

    def _paid_up(self, parameters: Mapping[str, Any], events: tuple[Event, ...],
                 until: int | None) -> tuple[Event, ...] | None:  # fmt: skip
        """``events`` with a payment of what is billed and unpaid (``pay``, ``amount``) put
        before each customer or company event refused (a service started only once the
        initial payment is in, 6-2): the story told with a usual fee needs the payment a ¥0
        fee did not. None when nothing changes or the spec has no such payment event."""
        pay = self.spec.events.get("pay")
        if pay is None or "amount" not in {a.name for a in pay.args}:
            return None
        events = tuple(events)
        for _ in range(4):
            result = self._replay(parameters, list(events), until)
            if result is None:
                return None
            steps = list(result.contract.steps)
            at_step = next((i for i, st in enumerate(steps) if not st.accepted and st.by != "calendar"), None)
            if at_step is None:
                return events
            refused = steps[at_step]
            # a refused step records no values: the ledger as the last step before it left it
            before = next((st.after for st in reversed(steps[:at_step]) if st.after), {})
            due = int(before.get("charged", 0)) - int(before.get("paid", 0))
            at = next((i for i, (d, e, _) in enumerate(events) if d == refused.day and e == refused.event), None)
            if due <= 0 or at is None or (at > 0 and events[at - 1][1] == "pay"):
                return None
            events = (*events[:at], (refused.day, "pay", {"amount": due}), *events[at:])
        return None

    def round_amounts(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """Each yen argument of an event at its default, else a round amount."""
        best = (story, result)
        for i in range(1, len(story.events)):
            day, event, args = best[0].events[i]
            for key, value in args.items():
                arg = self.spec.events[event].arg(key)
                if arg is None or not self._money_arg(event, key) or not isinstance(value, int):
                    continue
                options = []
                if isinstance(arg.default, int):
                    options.append(arg.default)
                options += [round_yen(value, unit) for unit in NICE]
                lo = arg.minimum if arg.minimum is not None else 0
                tried = takewhile(lambda o, value=value: o != value, dict.fromkeys(o for o in options if o >= lo))
                best = self._first_argument(best, i, key, tried)
        return best

    def near_effective(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """The story moved by whole years so that the application falls within a year
        after the terms' effective date (then by a year more, if the calendar of that year
        does not show the violation)."""
        if self.effective is None:
            return story, result
        day0 = dt.date.fromordinal(story.events[0][0])
        eff = dt.date.fromordinal(self.effective)
        if self.effective <= day0.toordinal() < _plus_years(self.effective, YEARS_AFTER):
            return story, result
        target = eff.year if (day0.month, day0.day) >= (eff.month, eff.day) else eff.year + 1
        for years in (target - day0.year, target - day0.year + 1):
            try:
                got = self.settle(self._shifted(story, lambda d, y=years: _plus_years(d, y), everything=True))
            except ValueError:  # a far date (an abolition in 9998) would leave the calendar: keep the story
                continue
            if got is not None:
                return got
        return story, result

    def compact(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """Each quiet period before an event shortened by whole months (the event and all
        after it moved earlier together): the longest shortening the violation allows,
        found by bisection over the months."""
        best = (story, result)
        for i in range(1, len(story.events)):
            s = best[0]
            lo, hi = 0, cm.month_of(s.events[i][0]) - cm.month_of(s.events[i - 1][0]) - 1
            found = None
            while lo < hi:
                months = (lo + hi + 1) // 2
                cand = self._shifted(s, lambda d, m=months: _plus_months(d, -m), start=i)
                got = self.settle(cand) if cand.events[i][0] >= s.events[i - 1][0] else None
                if got is not None:
                    lo, found = months, got
                else:
                    hi = months - 1
            if found is not None:
                best = found
        return best

    def near_dates(self, story: Story, result: Replay) -> tuple[Story, Replay]:
        """A date argument more than a year from its event's day (Z3 picks 9891-10-04 for a
        termination's effective date) at the event's day (its default ``today``), else a
        whole number of months after it. The last event first: a later notice that brings
        the end forward (28-3) keeps its date before the earlier notice's."""
        best = (story, result)
        for i in range(len(story.events) - 1, 0, -1):
            day, event, args = best[0].events[i]
            for key, value in args.items():
                if not self._date_arg(event, key) or abs(value - day) <= 366:
                    continue
                options = [day] if self.spec.events[event].arg(key).default == "today" else []
                options += [_plus_months(day, k) for k in (1, 2, 3, 6, 12)]
                best = self._first_argument(best, i, key, options)
        return best

    # -- helpers --------------------------------------------------------------------------

    def _first_argument(self, best: tuple[Story, Replay], i: int, key: str,
                        options: Iterable[Any]) -> tuple[Story, Replay]:  # fmt: skip
        """``best`` with event ``i``'s argument ``key`` at the first of ``options`` that
        still shows the violation (goal); ``best`` unchanged when none does."""
        for option in options:
            events = list(best[0].events)
            day, event, args = events[i]
            events[i] = (day, event, {**args, key: option})
            got = self.settle(replace(best[0], events=tuple(events)))
            if got is not None:
                return got
        return best

    def _over(self, event: str, key: str, v: Any, fee: int, over: int) -> Any:
        """An event's yen argument that exceeded the odd ``fee``, at ``over`` (one and a half
        usual fees); one with a default (a bank charge) at its default."""
        if not self._money_arg(event, key):
            return v
        default = self.spec.events[event].arg(key).default
        if isinstance(default, int):
            return default
        return over if fee < v < over else v

    def _money_arg(self, event: str, key: str) -> bool:
        arg = self.spec.events[event].arg(key)
        return arg is not None and is_money(arg.expr_name, arg.type)

    def _shifted(self, story: Story, move: Callable[[int], int], start: int = 0,
                 everything: bool = False) -> Story:  # fmt: skip
        """The story with the events from ``start`` (their date arguments too), ``until``,
        and (``everything``) the contract's date parameters moved by ``move``."""
        forever = self.spec.constants.get("FOREVER")
        events = list(story.events[:start])
        for day, event, args in story.events[start:]:
            new = {k: (move(v) if self._date_arg(event, k) and v != forever else v) for k, v in args.items()}
            events.append((move(day), event, new))
        params = dict(story.parameters)
        if everything:
            for name, p in self.spec.parameters.items():
                if p.scope == "contract" and p.type == DATE and params.get(name) not in (None, forever):
                    params[name] = move(params[name])
        until = move(story.until) if story.until is not None else None
        return Story(params, tuple(events), until)

    def _date_arg(self, event: str, key: str) -> bool:
        arg = self.spec.events[event].arg(key)
        return arg is not None and arg.type == DATE


def _ordinal(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).toordinal()
        except ValueError:
            return None
    return None


def _plus_years(day: int, years: int) -> int:
    d = dt.date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February into a common year
        return d.replace(year=d.year + years, day=28).toordinal()


def _plus_months(day: int, months: int) -> int:
    """The same day of the month ``months`` later (the month's last day if it is shorter)."""
    d = dt.date.fromordinal(day)
    m = d.year * 12 + d.month - 1 + months
    y, mo = divmod(m, 12)
    last = (dt.date(y + (mo + 1) // 12, (mo + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, mo + 1, min(d.day, last)).toordinal()
