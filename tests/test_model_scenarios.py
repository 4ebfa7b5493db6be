"""The shipped scenarios replay to figures worked out by hand from the articles.

Each scenario file carries its own `expect:` block; the tests below restate the key
figures with the arithmetic, so that a change to a scenario file cannot silently move
an expectation.
"""

from __future__ import annotations

import pytest

from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario

from conftest import SCENARIOS

ALL = sorted(SCENARIOS.glob("*.yaml"))


def run(spec, compiled, name: str):
    return replay(compiled, load_scenario(SCENARIOS / f"{name}.yaml", spec))


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_every_shipped_scenario_meets_its_expectations(spec, compiled, path):
    result = replay(compiled, load_scenario(path, spec))
    assert result.scenario.expect, f"{path.name} states no expectations"
    assert result.expectation_mismatches() == []


def test_late_charges_over_a_month_boundary_in_a_leap_year(spec, compiled):
    r = run(spec, compiled, "late-payment-leap-year")
    ledger = r.ledger()
    # 2024-01-31 → 2024-03-04 is 33 days because February 2024 has 29.
    to_march_4 = 110_000 * 29 + 220_000 * 4
    assert to_march_4 * 4 // 10_000 == 1628
    remaining = 220_000 - (110_000 - 1628)
    assert remaining == 111_628
    assert (to_march_4 + remaining * 16) * 4 // 10_000 == 2342
    assert ledger["late_charges"] == 2342
    assert ledger["balance_due"] == 330_000 + 2342 - 220_000


def test_tax_is_rounded_down_once_per_bill(spec, compiled):
    r = run(spec, compiled, "tax-rounding")
    # 13,346 × 10% = 1,334.6 → 1,334; 12,345 × 10% = 1,234.5 → 1,234
    assert r.contract.values["tax_billed"] == 1334 + 1234
    assert r.ledger()["charged"] == 14_680 + 13_579


def test_deposit_cap_is_twelve_months_of_fees(spec, compiled):
    r = run(spec, compiled, "deposit-cap")
    refused = [s for s in r.event_steps if not s.accepted]
    assert [(s.event, s.args["amount"], s.articles) for s in refused] == [
        ("request_deposit", 1_440_001, ("11-2",)),
        ("pay_deposit", 1, ("11-1", "11-2")),
    ]
    assert r.ledger()["deposit_held"] == 12 * 120_000


def test_payment_allocation_late_charges_first(spec, compiled):
    r = run(spec, compiled, "suspension-for-non-payment")
    pay = next(
        s for s in r.event_steps if s.event == "pay" and s.args["amount"] == 110_000 and s.day != r.event_steps[0].day
    )
    # 10 days late on 110,000: 440 yen of late charges are settled before the fee.
    assert pay.after["late_paid"] - pay.before["late_paid"] == 440
    assert pay.after["overdue"] == 440


def test_deposit_applied_then_balance_returned_without_interest(spec, compiled):
    r = run(spec, compiled, "deposit-applied-and-returned")
    v = r.contract.values
    assert v["deposit_applied"] == 220_000 + 2_200
    assert v["deposit_returned"] == 330_000 - 222_200
    assert v["deposit_held"] + v["deposit_applied"] + v["deposit_returned"] == v["deposit_paid"]


def test_abolition_bills_the_last_month_whole(spec, compiled):
    r = run(spec, compiled, "abolition")
    days_late = 153 + 122 + 92 + 61 + 30
    assert r.ledger()["late_charges"] == 110_000 * days_late * 4 // 10_000 == 20_152
    assert r.ledger()["charged"] == 6 * 110_000  # April (initial) .. September, not October
    assert r.ended_by == "abolished"
    assert r.contract.values["end_date"] == r.scenario.events[-1].args["effective_on"]


def test_cancellation_takes_effect_at_month_end_and_stops_billing(spec, compiled):
    r = run(spec, compiled, "cancel-after-minimum-term")
    cancel = r.event_steps[-1]
    assert cancel.accepted and cancel.after["ended_by"] == "cancelled"
    assert r.contract.values["months_billed"] == 4  # May to August
    assert r.ledger()["charged"] == 165_000 + 3 * 110_000


def test_issue_example_refuses_cancellation_within_minimum_term(spec, compiled):
    r = run(spec, compiled, "issue-example")
    cancel = r.event_steps[-1]
    assert not cancel.accepted
    assert cancel.articles == ("7-2",)
    assert r.ledger()["charged"] == 165_000 + 5 * 110_000
