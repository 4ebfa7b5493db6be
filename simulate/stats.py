"""What a portfolio run adds up to: integer tallies that merge in any order.

Everything here is a count or a sum of integer yen, so the tallies of worker processes
merge to the same totals whatever the split; averages are computed only when reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from yakkan.model import calendar_math as cm

from .driver import CustomerRun
from .engines import Model

MONEY = (
    "charged", "paid", "late_charges", "penalties", "outstanding", "credit", "refunded",
    "deposit_paid", "deposit_held", "deposit_applied", "deposit_returned", "liability_awarded",
    "charged_pre_tax", "tax_billed",
)  # fmt: skip
SUSPENDED = "suspended"
ENDED_TRANSITION = "contract_ends"


@dataclass(frozen=True)
class HitRecord:
    """A monitored property that fired (or was witnessed) on one customer."""

    property: str
    customer: int
    step: int
    day: int
    profile: str


@dataclass
class Tally:
    """Sums over customers; `merge` is associative and commutative."""

    months: int
    customers: int = 0
    steps: int = 0
    profiles: Counter = field(default_factory=Counter)
    state_months: Counter = field(default_factory=Counter)
    occupancy: dict[str, list[int]] = field(default_factory=dict)  # state -> per month
    billed: list[list[int]] = field(default_factory=list)  # per month [charged, paid]
    money: Counter = field(default_factory=Counter)
    money_by_profile: dict[str, Counter] = field(default_factory=dict)
    ended_by: Counter = field(default_factory=Counter)
    ended_by_profile: dict[str, Counter] = field(default_factory=dict)
    ended_in_month: dict[str, list[int]] = field(default_factory=dict)  # ended_by -> per month
    final_states: Counter = field(default_factory=Counter)
    suspensions: Counter = field(default_factory=Counter)  # completed: days -> count
    suspensions_ongoing: Counter = field(default_factory=Counter)  # still suspended at the end
    refusals_by_article: Counter = field(default_factory=Counter)
    refusals_by_rule: Counter = field(default_factory=Counter)  # (event, rule, articles, rule_ja) -> n
    sent: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)
    calendar: Counter = field(default_factory=Counter)
    # property -> customers it fired on, and its first hit (lowest customer index): memory and
    # merge time do not grow with the customers (a list of every hit re-sorted on every
    # chunk's merge took 17 s at 1M customers)
    fired: Counter = field(default_factory=Counter)
    first_hits: dict[str, HitRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.billed:
            self.billed = [[0, 0] for _ in range(self.months)]

    def add(self, run: CustomerRun, model: Model, m0: int) -> None:
        """Count one customer's run (`m0`: the month index of the run's first month)."""
        self.customers += 1
        self.steps += len(run.trace)
        self.profiles[run.profile] += 1
        for k, state in enumerate(run.occupancy):
            self.state_months[state] += 1
            self.occupancy.setdefault(state, [0] * self.months)[k] += 1
        for k, (charged, paid) in enumerate(run.billed):
            row = self.billed[k]
            row[0] += charged
            row[1] += paid
        money = _money(run, model)
        self.money.update(money)
        self.money_by_profile.setdefault(run.profile, Counter()).update(money)
        state = run.occupancy[-1] if run.occupancy else "-"
        self.final_states[state] += 1
        v = run.values
        calendar_events = model.calendar_events
        suspended_on = None
        for day, event, transition, state_after, refusal in run.trace:
            if event in calendar_events:
                self.calendar[event] += 1
            else:
                self.sent[event] += 1
            if refusal is not None:
                rule, articles, rule_ja = refusal
                for a in articles:
                    self.refusals_by_article[a] += 1
                self.refusals_by_rule[(event, rule, ", ".join(articles), rule_ja or "")] += 1
                continue
            if event not in calendar_events:
                self.accepted[event] += 1
            if state_after == SUSPENDED:
                if suspended_on is None:
                    suspended_on = day
            elif suspended_on is not None:
                self.suspensions[day - suspended_on] += 1
                suspended_on = None
            if transition == ENDED_TRANSITION:
                how = v["ended_by"]
                self.ended_by[how] += 1
                self.ended_by_profile.setdefault(run.profile, Counter())[how] += 1
                k = cm.month_of(day) - m0
                self.ended_in_month.setdefault(how, [0] * self.months)[min(k, self.months - 1)] += 1
        if suspended_on is not None:
            self.suspensions_ongoing[run.until - suspended_on] += 1
        for pid, (step, day) in run.hits.items():
            self.hit(HitRecord(pid, run.index, step, day, run.profile))

    def hit(self, h: HitRecord) -> None:
        """Count a property firing on one customer (each customer once per property)."""
        self.fired[h.property] += 1
        first = self.first_hits.get(h.property)
        if first is None or h.customer < first.customer:
            self.first_hits[h.property] = h

    def merge(self, other: Tally) -> Tally:
        for name in ("profiles", "state_months", "money", "ended_by", "final_states", "suspensions",
                     "suspensions_ongoing", "refusals_by_article",
                     "refusals_by_rule", "sent", "accepted", "calendar"):  # fmt: skip
            getattr(self, name).update(getattr(other, name))
        self.customers += other.customers
        self.steps += other.steps
        for state, row in other.occupancy.items():
            mine = self.occupancy.setdefault(state, [0] * self.months)
            for k, n in enumerate(row):
                mine[k] += n
        for how, row in other.ended_in_month.items():
            mine = self.ended_in_month.setdefault(how, [0] * self.months)
            for k, n in enumerate(row):
                mine[k] += n
        for k, (charged, paid) in enumerate(other.billed):
            self.billed[k][0] += charged
            self.billed[k][1] += paid
        for p, c in other.money_by_profile.items():
            self.money_by_profile.setdefault(p, Counter()).update(c)
        for p, c in other.ended_by_profile.items():
            self.ended_by_profile.setdefault(p, Counter()).update(c)
        self.fired.update(other.fired)
        for h in other.first_hits.values():
            first = self.first_hits.get(h.property)
            if first is None or h.customer < first.customer:
                self.first_hits[h.property] = h
        return self


def _money(run: CustomerRun, model: Model) -> dict[str, int]:
    v = run.values
    late = model.compiled.derived["late_charges"](v)
    balance = model.compiled.derived["balance_due"](v)
    out = {k: v[k] for k in MONEY if k in v}
    out["late_charges"] = late
    out["outstanding"] = max(0, balance)
    out["credit"] = max(0, -balance)
    return out
