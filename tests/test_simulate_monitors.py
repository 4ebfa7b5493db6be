"""Runtime monitors: Hypothesis drives the reference contract with random events and dates;
no monitor of a property expected to hold may fire. Plus the timer semantics of the
response properties (P15 17, P17 25-3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from yakkan.model.contract import Contract
from yakkan.model.expr import BOOL, DATE, INT
from yakkan.simulate.engines import Model
from yakkan.simulate.monitors import MonitorSet, deadline, expected_to_hold

SPEC = Path(__file__).resolve().parents[1] / "contracts" / "clara-msp" / "spec.yaml"
MODEL = Model.load(SPEC)
SPEC_ = MODEL.spec
MONITORS = MonitorSet(SPEC_)
EVENTS = sorted(e.name for e in SPEC_.events.values() if e.by != "calendar" and not e.creates)
START = dt.date(2024, 4, 1).toordinal()


def _arg(arg, day: int):
    t = arg.type
    if t == INT:
        lo = arg.minimum if arg.minimum is not None else 0
        return st.one_of(st.sampled_from([lo, 10000, 100000, 110000, 1_200_000]), st.integers(lo, 3_000_000))
    if t == DATE:
        return st.integers(-3, 200).map(lambda k: day + k)
    if t == BOOL:
        return st.booleans()
    return st.sampled_from(SPEC_.enums[t.enum])


class ContractWithMonitors(RuleBasedStateMachine):
    """Random customer and company events on random days, every step monitored."""

    @initialize(params=st.fixed_dictionaries({
        "base_fee": st.sampled_from([0, 50000, 100000, 400000]),
        "option_fee": st.sampled_from([0, 10000]),
        "initial_fee": st.sampled_from([0, 50000]),
        "support_cap": st.integers(0, 3),
    }), offset=st.integers(0, 27))  # fmt: skip
    def start(self, params, offset):
        self.monitor = MONITORS.start()
        self.contract = Contract(MODEL.compiled, {**MODEL.default_parameters(), **params}, on_step=self.monitor)
        self.day = START + offset
        self.contract.send("apply", self.day)

    @rule(days=st.sampled_from([0, 1, 2, 7, 15, 30, 31, 45]))
    def wait(self, days):
        self.day += days
        self.contract.advance_to(self.day)

    @rule(data=st.data(), event=st.sampled_from(EVENTS))
    def send(self, data, event):
        args = {a.name: data.draw(_arg(a, self.day), label=a.name) for a in SPEC_.events[event].args
                if a.default is None or data.draw(st.booleans(), label=f"give {a.name}")}  # fmt: skip
        self.contract.send(event, self.day, args)

    @rule()
    def onboard(self):
        """accept, pay what is due, start: reach the interesting states more often"""
        c = self.contract
        c.send("accept", self.day)
        due = c.values["not_due"] + c.values["overdue"]
        if due > 0:
            c.send("pay", self.day, {"amount": due})
        c.send("start_service", self.day)

    @precondition(lambda self: self.contract.created and self.contract.derived("balance_due") > 0)
    @rule()
    def pay_balance(self):
        self.contract.send("pay", self.day, {"amount": self.contract.derived("balance_due") + 1})

    @invariant()
    def no_expected_property_fires(self):
        if hasattr(self, "monitor"):
            bad = {pid for pid in self.monitor.hits if expected_to_hold(SPEC_.properties[pid])}
            assert not bad, f"monitors fired on properties expected to hold: {sorted(bad)}"

    def teardown(self):
        if hasattr(self, "monitor"):
            self.contract.settle_to(self.day + 31)
            hits = self.monitor.finish(self.day + 31)
            assert not {pid for pid in hits if expected_to_hold(SPEC_.properties[pid])}


ContractWithMonitors.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip
TestContractWithMonitors = ContractWithMonitors.TestCase


def _suspended_contract(hook):
    c = Contract(MODEL.compiled, MODEL.default_parameters(), on_step=hook)
    d = START
    c.send("apply", d)
    c.send("accept", d)
    c.send("pay", d, {"amount": 110000})
    c.send("start_service", d)
    c.send("suspend", d + 70, {"ground": "17-1(1)"})  # the May bill, due 04-30, unpaid
    return c, d + 70


def test_response_timer_fires_after_the_deadline():
    monitor = MONITORS.start()
    c, suspended = _suspended_contract(monitor)
    last = deadline(suspended, SPEC_.properties["P15"])
    assert last == dt.date(2024, 12, 10).toordinal()  # 6 months after 2024-06-10
    c.advance_to(last)  # the month-end steps up to the deadline are still in time
    assert "P15" not in monitor.hits
    c.send("notify_details_change", last + 1)  # any step after it notices the overrun
    hit = monitor.hits["P15"]
    assert hit.day == last + 1 and hit.step == len(c.steps) - 1


def test_response_cleared_when_restored():
    monitor = MONITORS.start()
    c, suspended = _suspended_contract(monitor)
    c.send("pay", suspended + 1, {"amount": c.derived("balance_due") + 1000})
    c.send("restore", suspended + 2)
    assert c.state == "active"
    c.settle_to(suspended + 400)
    assert "P15" not in monitor.finish(suspended + 400)


def test_structural_properties_are_not_monitored():
    assert set(MONITORS.not_monitored) == {"P20", "P21", "P67"}
