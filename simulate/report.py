"""The report of a portfolio run: report.json, the terminal tables, and the plots.

report.json (and `yakkan simulate --json`) is one object; timings are left out so the
same seed gives the same bytes. Keys:

    format            "yakkan-simulate/1"
    spec, profiles    {id, version, path} / {path, digest}
    customers, months, seed, customer_months, engine, start, end
    mix               customers per profile
    violations        monitors of properties expected to hold that fired: each
                      {property, title, articles, customer, profile, step, date,
                       customers_affected, scenario (shrunk, replayable), scenario_events}
    known_findings    the same for properties expected to be violated (P13, P15)
    witnesses         reachability properties witnessed (P18): {property, customers, ...}
    not_monitored     structural properties (P20, P21, P67) with the reason
    monitors          per property: {kind, expect, customers} (customers on which it fired)
    ended_by          counts by how contracts ended; final_states: state at the end
    ended_in_month    per way of ending, contracts ended in each month of the run
    state_months      customer-months per state (month-end state; pre_application before
                      the application); occupancy: per state, customers per month
    money             integer yen totals at the end: charged, paid, late_charges, penalties,
                      outstanding (balances owed), credit (paid ahead), refunded, deposits
                      {paid, held, applied, returned}, liability_awarded, charged_pre_tax,
                      tax_billed; money_by_profile: the same per profile
    billed_by_month   cumulative {charged, paid} at each month end
    suspensions       {completed, ongoing_at_end, mean_days, median_days, p90_days,
                       max_days, histogram (by 30-day bands)}
    refusals          {total, by_article, by_rule: [{event, rule, rule_ja, articles, count}]}
    events            {sent, accepted} per event; calendar: calendar steps per event
    steps             steps of all contracts
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.model import calendar_math as cm
from yakkan.model.spec import FIGURES_AS_WRITTEN, Spec

from .profiles import Portfolio
from .stats import Tally

FORMAT = "yakkan-simulate/1"
PRE = "pre_application"
NOT_MONITORED_REASON = "a graph property of the lifecycle, not of a run: proved by `yakkan verify`"
NOT_MONITORED_TEXT = "read from the terms text, not from a run: checked by `yakkan verify`"


@dataclass(frozen=True)
class Finding:
    """A property that fired in the run: its first customer and the shrunk scenario."""

    property: str
    title: str
    kind: str
    expect: str
    articles: tuple[str, ...]
    violation: bool
    customer: int
    profile: str
    step: int
    day: int
    customers_affected: int
    scenario: str | None
    scenario_events: int | None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "property": self.property, "title": self.title, "articles": list(self.articles),
            "customer": self.customer, "profile": self.profile, "step": self.step,
            "date": iso(self.day), "customers_affected": self.customers_affected,
        }  # fmt: skip
        if self.kind != "reachable":
            out["scenario"] = self.scenario
            out["scenario_events"] = self.scenario_events
        if self.note:
            out["note"] = self.note
        return out


def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _percentile(hist: Counter, q: float) -> int:
    total = sum(hist.values())
    if not total:
        return 0
    rank, seen = q * (total - 1), 0
    for value in sorted(hist):
        seen += hist[value]
        if seen > rank:
            return value
    return max(hist)


@dataclass
class Report:
    """A finished run (see the module docstring for its JSON form)."""

    spec: Spec
    spec_path: Path
    profiles_path: Path
    portfolio: Portfolio
    customers: int
    months: int
    seed: int
    engine: str
    tally: Tally
    findings: list[Finding]
    workers: int = 1
    elapsed: float = 0.0  # seconds, not part of the JSON
    simulated: float = 0.0
    files: list[Path] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.violation]

    @property
    def exit_status(self) -> int:
        """0, or 1 when a monitor fired on a property expected to hold."""
        return 1 if self.violations else 0

    @property
    def start(self) -> int:
        return self.portfolio.start

    @property
    def end(self) -> int:
        return cm.month_end(cm.month_of(self.portfolio.start) + self.months - 1)

    def month_label(self, k: int) -> str:
        y, m = divmod(cm.month_of(self.start) + k, 12)
        return f"{y}-{m + 1:02d}"

    # -- JSON ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        t, spec = self.tally, self.spec
        ways = [w for w in spec.enums.get("EndedBy", ()) if w != "none"] or sorted(t.ended_by)
        states = [*spec.leaf_states, PRE]
        occupancy = {(_pre(s)): row for s, row in t.occupancy.items()}
        hist = t.suspensions
        completed = sum(hist.values())
        mean = round(sum(k * n for k, n in hist.items()) / completed, 1) if completed else 0.0
        fired = t.fired
        money = dict(t.money)
        return {
            "format": FORMAT,
            "spec": {"id": spec.meta["id"], "version": str(spec.meta["version"]), "path": str(self.spec_path)},
            "profiles": {"path": str(self.profiles_path), "digest": self.portfolio.digest,
                         "titles": {n: {"en": p.title, "ja": p.title_ja} for n, p in self.portfolio.profiles.items()}},
            "customers": self.customers,
            "months": self.months,
            "seed": self.seed,
            "customer_months": self.customers * self.months,
            "engine": self.engine,
            "start": iso(self.start),
            "end": iso(self.end),
            "mix": {p: t.profiles.get(p, 0) for p in self.portfolio.profiles},
            "violations": [f.to_json() for f in self.findings if f.violation],
            "known_findings": [f.to_json() for f in self.findings if not f.violation and f.kind != "reachable"],
            "witnesses": [f.to_json() for f in self.findings if f.kind == "reachable"],
            "not_monitored": [{"property": p.id, "title": p.title,
                               "reason": NOT_MONITORED_TEXT if p.check == FIGURES_AS_WRITTEN
                               else NOT_MONITORED_REASON}
                              for p in spec.properties.values() if p.kind == "structural"],
            "monitors": {p.id: {"kind": p.kind, "expect": p.expect, "customers": fired.get(p.id, 0)}
                         for p in spec.properties.values() if p.kind != "structural"},
            "ended_by": {w: t.ended_by.get(w, 0) for w in ways},
            "final_states": {_pre(s): t.final_states[s] for s in sorted(t.final_states, key=_state_order(states))},
            "ended_in_month": {w: t.ended_in_month.get(w, [0] * self.months) for w in ways},
            "state_months": {_pre(s): t.state_months[s] for s in sorted(t.state_months, key=_state_order(states))},
            "occupancy": {s: occupancy[s] for s in sorted(occupancy, key=_state_order(states))},
            "money": {
                "charged": money.get("charged", 0), "paid": money.get("paid", 0),
                "late_charges": money.get("late_charges", 0), "penalties": money.get("penalties", 0),
                "outstanding": money.get("outstanding", 0), "credit": money.get("credit", 0),
                "refunded": money.get("refunded", 0),
                "deposits": {k: money.get(f"deposit_{k}", 0) for k in ("paid", "held", "applied", "returned")},
                "liability_awarded": money.get("liability_awarded", 0),
                "charged_pre_tax": money.get("charged_pre_tax", 0), "tax_billed": money.get("tax_billed", 0),
            },
            "money_by_profile": {p: {k: t.money_by_profile[p].get(k, 0) for k in
                                     ("charged", "paid", "late_charges", "penalties", "outstanding")}
                                 for p in self.portfolio.profiles if p in t.money_by_profile},
            "billed_by_month": {"charged": [r[0] for r in t.billed], "paid": [r[1] for r in t.billed]},
            "suspensions": {
                "completed": completed,
                "ongoing_at_end": sum(t.suspensions_ongoing.values()),
                "mean_days": mean,
                "median_days": _percentile(hist, 0.5),
                "p90_days": _percentile(hist, 0.9),
                "max_days": max(hist) if hist else 0,
                "ongoing_max_days": max(t.suspensions_ongoing) if t.suspensions_ongoing else 0,
                "histogram": _bands(hist),
            },
            "refusals": {
                "total": sum(t.refusals_by_rule.values()),
                "by_article": dict(sorted(t.refusals_by_article.items(), key=lambda kv: (-kv[1], kv[0]))),
                "by_rule": [{"event": e, "rule": r, "rule_ja": ja, "articles": a, "count": n} for (e, r, a, ja), n in
                            sorted(t.refusals_by_rule.items(), key=lambda kv: (-kv[1], kv[0]))],
            },
            "events": {"sent": dict(sorted(t.sent.items())), "accepted": dict(sorted(t.accepted.items()))},
            "calendar": dict(sorted(t.calendar.items())),
            "steps": t.steps,
        }  # fmt: skip

    def json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    # -- files -------------------------------------------------------------------------------

    def write(self, out: Path) -> list[Path]:
        """report.json and the plots (PNG and SVG) under `out`."""
        from yakkan.model.limits import check_output_folder, write_in

        from .plots import write_plots

        check_output_folder(out)
        path = write_in(out, "report.json", self.json_text())
        self.files = [path, *write_plots(self, out)]
        return self.files

    # -- terminal ----------------------------------------------------------------------------

    def render(self, console: Any) -> None:
        """The tables a product reader looks at (rich)."""
        from .table import render

        render(self, console)


def _pre(state: str) -> str:
    return PRE if state == "-" else state


def _state_order(states: list[str]):
    order = {s: i for i, s in enumerate(states)}
    return lambda s: (order.get(_pre(s), len(order)), s)


def _bands(hist: Counter) -> dict[str, int]:
    out: dict[str, int] = {}
    for days, n in sorted(hist.items()):
        lo = (days // 30) * 30
        key = f"{lo}-{lo + 29}"
        out[key] = out.get(key, 0) + n
    return out
