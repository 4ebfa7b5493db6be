"""One customer's life: behaviour profiles driving a contract on either engine.

The driver is the same for both engines: it plans each month's events from the
customer's profile, the company's policy and the service-wide decisions, then sends
them day by day. Every random draw comes from a generator seeded by (seed, customer
index), and service-wide decisions from one seeded by (seed, "service"), so a customer's
life does not depend on how customers are split among worker processes.

The events actually sent are exactly what a scenario file holds: replaying them (with
`until` = the last day of the run) reproduces the run step for step, which is how a
monitor's finding becomes a scenario (`simulate.shrink`).
"""

from __future__ import annotations

import functools
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from yakkan.model import calendar_math as cm

from .engines import Model
from .fast import TraceStep
from .profiles import Portfolio, Rule, _poisson

Action = tuple[int, int, Rule, "dict[str, Any] | None"]  # (day, order, rule, drawn arguments)


@dataclass
class CustomerRun:
    """What one customer's run left: its trace, month-end states, final values and hits."""

    index: int
    profile: str
    contract: dict[str, Any]  # the drawn contract parameters (scenario `contract:` block)
    trace: list[TraceStep]
    occupancy: list[str]  # state at the end of each month ("-" before the application)
    billed: list[tuple[int, int]]  # (charged, paid) at the end of each month, cumulative
    values: dict[str, Any]
    hits: dict[str, tuple[int, int]]  # property -> (step index, day)
    until: int
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)


def customer_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"yakkan-simulate:{seed}:customer:{index}")


@functools.lru_cache(maxsize=64)
def month_bounds(start: int, months: int) -> tuple[tuple[int, int], ...]:
    """(first day, last day) of each month of the run."""
    m0 = cm.month_of(start)
    return tuple((cm.month_start(m0 + k), cm.month_end(m0 + k)) for k in range(months))


def _day_in_month(entry: Any, first: int, last: int, rng: random.Random) -> int:
    if entry.__class__ is int:
        d = first + entry - 1
    elif entry == "last":
        return last
    else:
        d = first + entry.draw(rng) - 1
    return d if d < last else last


def _drawn(rule: Rule, rng: random.Random) -> dict[str, Any]:
    return {a.name: a.dist.draw(rng) for a in rule.args if a.dist is not None}


Plan = tuple[Rule, float, "float | None", tuple[Any, ...]]


def _plans(model: Model, rules: tuple[Rule, ...]) -> dict[str | None, tuple[Plan, ...]]:
    """Per state (None: before the application), the rules to plan: (rule, chance, rate, days).

    A rule whose `when` is false in every state the contract can still reach from its
    current one would never send anything; not planning it changes only the time taken.
    """
    key = ("plans", *map(id, rules))
    cached = model.cache.get(key)
    if cached is None:
        leaves = frozenset(model.spec.leaf_states)

        def plan(r: Rule) -> Plan:
            days = tuple(31 if d == "last" else d for d in r.days)
            return (r, r.chance, r.rate, days)

        cached = {s: tuple(plan(r) for r in rules if model.reachable[s] & (leaves - r.dead_in)) for s in leaves}
        cached[None] = tuple(plan(r) for r in rules)
        model.cache[key] = cached
    return cached


def plan_service(portfolio: Portfolio, seed: int, months: int) -> list[Action]:
    """The service-wide decisions (fee raises, abolition): the same for every customer."""
    rng = random.Random(f"yakkan-simulate:{seed}:service")
    out: list[Action] = []
    order = 0
    for first, last in month_bounds(portfolio.start, months):
        for rule in portfolio.service:
            for _ in range(rule.count(rng)):
                for entry in rule.days:
                    out.append((_day_in_month(entry, first, last, rng), -1_000_000 + order, rule, _drawn(rule, rng)))
                    order += 1
    return out


def run_customer(model: Model, portfolio: Portfolio, service: list[Action], engine: str, seed: int,
                 index: int, months: int, record: bool = False) -> CustomerRun:  # fmt: skip
    """Simulate customer `index` for `months` months on `engine`.

    Each month the live rules (`_plans`) are drawn into a list of (day, order, rule) sorted
    once; onboarding steps and follow-ups wait in a heap; both are merged by (day, order).
    A rule's drawn arguments are drawn when it is sent, its expressions evaluated then.
    """
    rng = customer_rng(seed, index)
    random = rng.random
    profile = portfolio.draw_profile(rng)
    contract = portfolio.draw_contract(profile, rng)
    arrival = portfolio.arrival.draw(rng)
    parameters = {**model.default_parameters(), **contract}
    c = model.contract(engine, parameters)
    bounds = month_bounds(portfolio.start, months)
    heap: list[Action] = []
    order = 0

    # onboarding: a sequence, each step after the last one that happened
    first, last = bounds[min(arrival, months - 1)]
    day = first
    for i, rule in enumerate(portfolio.onboarding if arrival < months else ()):
        if i == 0:
            day = _day_in_month(rule.days[0], first, last, rng)
        elif rule.count(rng):
            day += rule.after_days.draw(rng)
        else:
            continue
        heapq.heappush(heap, (day, order, rule, None))
        order += 1

    events: list[tuple[int, str, dict[str, Any]]] = []
    occupancy: list[str] = []
    billed: list[tuple[int, int]] = []
    service_by_month: list[list[Action]] = [[] for _ in bounds]
    m0 = cm.month_of(bounds[0][0])
    for a in service:
        service_by_month[cm.month_of(a[0]) - m0].append(a)
    plans = _plans(model, (*profile.rules, *portfolio.company))
    v = c.values
    send, advance_to = c.send, c.advance_to
    heappop, heappush = heapq.heappop, heapq.heappush
    for k, (first, last) in enumerate(bounds):
        length = last - first + 1
        month: list[Action] = []
        if k >= arrival:
            for rule, chance, rate, entries in plans[c.state if c.created else None]:
                if rate is None:
                    if chance < 1.0 and random() >= chance:
                        continue
                    n = 1
                else:
                    n = _poisson(rng, rate)
                for _ in range(n):
                    for e in entries:
                        d = e if e.__class__ is int else e.draw(rng)
                        month.append((first + d - 1 if d <= length else last, order, rule, None))
                        order += 1
        if service_by_month[k]:
            month += service_by_month[k]
        month.sort()  # by (day, order): orders are unique, so the rules are never compared
        i, n_month = 0, len(month)
        while True:
            if i < n_month:
                a = month[i]
                if heap and (heap[0][0], heap[0][1]) < (a[0], a[1]):
                    a = heappop(heap)
                else:
                    i += 1
            elif heap and heap[0][0] <= last:
                a = heappop(heap)
            else:
                break
            day, _, rule, drawn = a
            if rule.creates:
                args = {}
            else:
                if not c.created:
                    continue
                advance_to(day)
                v["today"] = day
                if rule.when is not None and not rule.when(v, day):
                    continue
                args = dict(drawn) if drawn is not None else {a.name: a.dist.draw(rng) for a in rule.dist_args}
                ok = True
                for a in rule.expr_args:
                    args[a.name] = x = a.expr(v, day)
                    if a.minimum is not None and x < a.minimum:
                        ok = False
                if not ok:
                    continue
            send(rule.event, day, args)
            if record:
                events.append((day, rule.event, args))
            for follow in rule.then:
                if follow.count(rng):
                    heappush(heap, (day + follow.after_days.draw(rng), order, follow, None))
                    order += 1
        advance_to(last)
        c.close_day()
        occupancy.append(c.state or "-")
        billed.append((v["charged"], v["paid"]))
    until = bounds[-1][1]
    c.settle_to(until)
    hits = c.finish(until)
    return CustomerRun(index=index, profile=profile.name, contract=contract, trace=c.trace,
                       occupancy=occupancy, billed=billed, values=dict(c.values), hits=dict(hits), until=until,
                       events=events)  # fmt: skip
