"""The 19 faults two article-by-article reviews found (issue 10), one regression test each.

Each test replays a dated scenario and checks the figures worked out by hand from the
articles in its docstring: fees tax excluded, 10% consumption tax rounded down per bill
(8-3), late charges 14.6%/365 = 0.04% a day on the overdue amount (12-2). Unless a test
says otherwise the base fee is ¥100,000 (¥110,000 with tax) and the service starts on
2024-04-01, so the minimum term (7-1) is April–June 2024, ending 2024-06-30.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario

START = [
    {"on": "2024-04-01", "do": "apply"},
    {"on": "2024-04-01", "do": "accept"},
    {"on": "2024-04-01", "do": "pay", "amount": 110000},
    {"on": "2024-04-01", "do": "start_service"},
]


def run(tmp_path: Path, compiled, events: list[dict], until: str, **contract: Any) -> dict:
    """Replay `events` and return `yakkan replay --json`'s object, with the monthly bills
    (date, amount tax included) under "bills"."""
    data = {"name": "fault", "contract": {"base_fee": 100000, **contract}, "until": until, "events": events}
    path = tmp_path / "scenario.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    result = replay(compiled, load_scenario(path, compiled.spec))
    out = result.to_json()
    out["bills"] = [(s.date.isoformat(), s.after["charged"] - s.before["charged"])
                    for s in result.contract.steps if s.transition == "bill_next_month"]  # fmt: skip
    return out


def refused(result: dict) -> list[int]:
    return [i for i, e in enumerate(result["events"]) if not e["accepted"]]


def charges(result: dict) -> list[tuple[str, int]]:
    """(date, amount billed tax included) of every monthly bill of the run."""
    return result["bills"]


# -- plan changes and fees (6-3, 8-2, 8-4, 9-1) ------------------------------------------


def test_f01_a_downgrade_is_measured_against_the_fee_agreed(tmp_path, compiled) -> None:
    """6-3. On 04-10 the customer agrees ¥150,000 from May. On 04-20, still in the minimum
    term, a change to ¥120,000 is above the fee in force (¥100,000) but below the fee
    agreed for May: it lowers the fees, refused. May is billed on 04-30 at ¥150,000 +
    ¥15,000 tax = ¥165,000; charged by then ¥110,000 + ¥165,000 = ¥275,000."""
    r = run(tmp_path, compiled, [*START, {"on": "2024-04-10", "do": "change_plan", "base_fee": 150000},
                                 {"on": "2024-04-20", "do": "change_plan", "base_fee": 120000}], "2024-04-30")
    assert refused(r) == [5]
    assert r["events"][5]["articles"] == ["6-3"]
    assert r["ledger"]["charged"] == 275000


@pytest.mark.parametrize("order", ["agreed first", "notice first"])
def test_f02_an_agreed_change_and_a_raise_notice_both_apply_in_date_order(tmp_path, compiled, order) -> None:
    """6-3 and 8-4, in either order: an upgrade to ¥150,000 agreed for May, and a notice
    raising the fee to ¥200,000 from 2024-08-01. May–July are billed at ¥165,000 each,
    August (billed 07-31) at ¥220,000. Charged by 07-31: ¥110,000 + 3 × ¥165,000 +
    ¥220,000 = ¥825,000 (neither change overwrites the other)."""
    agreed = {"on": "2024-04-10", "do": "change_plan", "base_fee": 150000}
    notice = {"on": "2024-04-10", "do": "raise_fee", "base_fee": 200000, "effective_on": "2024-08-01"}
    pair = [agreed, notice] if order == "agreed first" else [notice, agreed]
    r = run(tmp_path, compiled, [*START, *pair], "2024-07-31")
    assert refused(r) == []
    assert charges(r) == [("2024-04-30", 165000), ("2024-05-31", 165000), ("2024-06-30", 165000),
                          ("2024-07-31", 220000)]  # fmt: skip
    assert r["ledger"]["charged"] == 825000


def test_f03_a_pending_upgrade_can_be_withdrawn_after_the_minimum_term(tmp_path, compiled) -> None:
    """6-3 bans lowering only before the minimum term has passed. On 07-05 an upgrade to
    ¥150,000 is agreed for August; on 07-10 the customer goes back to ¥100,000, the fee in
    force: accepted. August is billed on 07-31 at ¥110,000."""
    r = run(tmp_path, compiled, [*START, {"on": "2024-07-05", "do": "change_plan", "base_fee": 150000},
                                 {"on": "2024-07-10", "do": "change_plan", "base_fee": 100000}], "2024-07-31")
    assert refused(r) == []
    assert charges(r)[-1] == ("2024-07-31", 110000)


def test_f04_the_first_month_is_billed_at_the_fee_in_force_when_it_starts(tmp_path, compiled) -> None:
    """8-2, 9-1. Accepted 04-01 (initial payment ¥110,000); on 04-10 an upgrade to ¥150,000
    is agreed for May; the service starts in May. On 05-01 the first month's difference is
    billed: ¥50,000 + ¥5,000 = ¥55,000, so the start is refused until it is paid (6-2).
    June (billed 05-31): ¥165,000. Charged: ¥110,000 + ¥55,000 + ¥165,000 = ¥330,000."""
    r = run(tmp_path, compiled, [
        *START[:3], {"on": "2024-04-10", "do": "change_plan", "base_fee": 150000},
        {"on": "2024-05-02", "do": "start_service"},
        {"on": "2024-05-02", "do": "pay", "amount": 55000},
        {"on": "2024-05-02", "do": "start_service"},
    ], "2024-05-31")
    assert refused(r) == [4]
    assert r["events"][4]["articles"] == ["6-2"]
    assert r["ledger"]["charged"] == 330000
    assert charges(r) == [("2024-05-31", 165000)]


def test_f05_other_fees_are_billed_every_month(tmp_path, compiled) -> None:
    """8-1④. Other fees of ¥5,000 a month: the initial payment is (¥100,000 + ¥5,000) ×
    1.1 = ¥115,500, so is May's bill on 04-30. The deposit cap is 12 × ¥105,000 =
    ¥1,260,000 (11-2): ¥1,260,001 is refused."""
    r = run(tmp_path, compiled, [
        {"on": "2024-04-01", "do": "apply"},
        {"on": "2024-04-01", "do": "request_deposit", "amount": 1260001},
        {"on": "2024-04-01", "do": "request_deposit", "amount": 1260000},
        {"on": "2024-04-01", "do": "accept"},
        {"on": "2024-04-01", "do": "pay", "amount": 115500},
        {"on": "2024-04-01", "do": "start_service"},
    ], "2024-04-30", other_fee=5000)
    assert refused(r) == [1]
    assert charges(r) == [("2024-04-30", 115500)]
    assert r["ledger"]["charged"] == 231000


def test_f06_an_option_is_added_and_removed_but_not_within_the_minimum_term(tmp_path, compiled) -> None:
    """6-3, 8-1②. An option of ¥20,000 added on 04-10 is billed from May: (¥100,000 +
    ¥20,000) × 1.1 = ¥132,000. Removing it on 06-10 (minimum term) is refused; on 07-05
    it is accepted, and August (billed 07-31) is ¥110,000."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-10", "do": "change_options", "option_fee": 20000},
        {"on": "2024-06-10", "do": "change_options", "option_fee": 0},
        {"on": "2024-07-05", "do": "change_options", "option_fee": 0},
    ], "2024-07-31")
    assert refused(r) == [5]
    assert charges(r) == [("2024-04-30", 132000), ("2024-05-31", 132000), ("2024-06-30", 132000),
                          ("2024-07-31", 110000)]  # fmt: skip


def test_f07_a_contract_that_ends_before_the_service_owes_no_month(tmp_path, compiled) -> None:
    """9-1: fees run from the day the service is usable. Initial fee ¥50,000: the initial
    payment is (¥100,000 + ¥50,000) × 1.1 = ¥165,000. A deposit of ¥100,000 is paid. The
    company abolishes the service before it starts (notice 04-02, effective 07-02). At the
    end the first month is withdrawn: what is owed is the initial fee, ¥55,000, which the
    deposit settles (11-4); ¥45,000 of the deposit comes back."""
    r = run(tmp_path, compiled, [
        {"on": "2024-04-01", "do": "apply"},
        {"on": "2024-04-01", "do": "request_deposit", "amount": 100000},
        {"on": "2024-04-01", "do": "pay_deposit", "amount": 100000},
        {"on": "2024-04-01", "do": "accept"},
        {"on": "2024-04-02", "do": "announce_abolition", "effective_on": "2024-07-02"},
    ], "2024-07-31", initial_fee=50000)
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "abolished")
    ledger = r["ledger"]
    assert (ledger["charged"], ledger["paid"], ledger["balance_due"]) == (55000, 55000, 0)
    assert (ledger["deposit_held"], ledger["deposit_returned"]) == (0, 45000)


def test_f08_an_initial_due_date_before_the_acceptance_falls_due_at_acceptance(tmp_path, compiled) -> None:
    """8-2 (I-34): a due date set before the acceptance falls due on the acceptance day,
    2024-04-01. Unpaid, ¥110,000 accrues late charges from 04-02: by 04-11, 10 days ×
    ¥110,000 × 0.04% = ¥440."""
    r = run(tmp_path, compiled, [{"on": "2024-04-01", "do": "apply"}, {"on": "2024-04-01", "do": "accept"}],
            "2024-04-11", initial_payment_due="2024-03-25")
    assert r["ledger"]["late_charges"] == 440
    assert r["ledger_detail"]["overdue"] == 110000


# -- the deposit (11) --------------------------------------------------------------------


def test_f09_a_rejected_applicants_deposit_comes_back(tmp_path, compiled) -> None:
    """11, 5: no contract came into being, so the ¥50,000 paid with the application is
    returned when the application is rejected."""
    r = run(tmp_path, compiled, [
        {"on": "2024-04-01", "do": "apply"},
        {"on": "2024-04-01", "do": "request_deposit", "amount": 50000},
        {"on": "2024-04-02", "do": "pay_deposit", "amount": 50000},
        {"on": "2024-04-05", "do": "reject", "ground": "5(4)"},
    ], "2024-04-05")
    assert r["state"] == "rejected"
    assert (r["ledger"]["deposit_held"], r["ledger"]["deposit_returned"]) == (0, 50000)


# -- ways out (7-1, 19, 28, 29, 37) --------------------------------------------------------


def test_f10_an_earlier_end_wins(tmp_path, compiled) -> None:
    """7-1, 19: an abolition notified on 05-01 for 09-30 does not take away the customer's
    objection to renewal, which ends the contract at the minimum term's end (06-30).
    Charged: April (initial) + May + June = ¥330,000; July is never billed."""
    r = run(tmp_path, compiled, [*START, {"on": "2024-05-01", "do": "announce_abolition", "effective_on": "2024-09-30"},
                                 {"on": "2024-05-10", "do": "object_to_renewal"}], "2024-07-31")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "not_renewed")
    assert r["ledger"]["charged"] == 330000


def test_f10_a_cancellation_is_not_refused_by_a_later_abolition(tmp_path, compiled) -> None:
    """29, 19: abolition notified for 10-31; the customer cancels on 07-10 (after the
    minimum term, renewed for July): the contract ends on 07-31, and the fees of the
    contract period (through July) are owed. Charged: April–July, ¥440,000."""
    r = run(tmp_path, compiled, [*START, {"on": "2024-06-15", "do": "announce_abolition", "effective_on": "2024-10-31"},
                                 {"on": "2024-07-10", "do": "cancel"}], "2024-08-31")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "cancelled")
    assert r["ledger"]["charged"] == 440000


def test_f11_a_second_termination_on_a_new_ground_ends_the_contract_earlier(tmp_path, compiled) -> None:
    """28-2 then 37-2: terminated for an uncured breach effective 06-30; anti-social links
    found on 05-01 allow termination without notice on 05-02 (37-2), which ends it then.
    Charged: April (initial) + May (billed 04-30) = ¥220,000."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-05", "do": "violate", "ground": "23-1(12)"},
        {"on": "2024-04-06", "do": "demand_cure", "deadline": "2024-04-20"},
        {"on": "2024-04-21", "do": "terminate", "ground": "28-2", "effective_on": "2024-06-30"},
        {"on": "2024-05-01", "do": "violate", "ground": "37-1"},
        {"on": "2024-05-02", "do": "terminate", "ground": "37-2"},
    ], "2024-06-30")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "terminated")
    assert r["ledger"]["charged"] == 220000


@pytest.mark.parametrize("breach", ["non-payment", "17-1(4)"])
def test_f12_non_payment_and_hindrance_are_breaches_for_28_2(tmp_path, compiled, breach) -> None:
    """10-1, 17-1(4), 28-2. May's fee (billed 04-30) is not paid (or the customer seriously
    hinders operations, having paid May on 04-30): a cure is demanded on 05-10 by 05-20;
    on 05-21 the company terminates. Unpaid, ¥110,000 accrues late charges from 05-01
    until paid, also after the end: by 05-31, 31 days × ¥110,000 × 0.04% = ¥1,364
    (non-payment). June is never billed."""
    conduct = [{"on": "2024-04-30", "do": "pay", "amount": 110000},
               {"on": "2024-05-05", "do": "violate", "ground": "17-1(4)"}] if breach == "17-1(4)" else []  # fmt: skip
    r = run(tmp_path, compiled, [*START, *conduct, {"on": "2024-05-10", "do": "demand_cure", "deadline": "2024-05-20"},
                                 {"on": "2024-05-21", "do": "terminate", "ground": "28-2"}], "2024-05-31")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "terminated")
    assert r["ledger"]["charged"] == 220000
    assert r["ledger"]["late_charges"] == (1364 if breach == "non-payment" else 0)


def test_f13_a_cure_deadline_serves_only_its_own_breach(tmp_path, compiled) -> None:
    """28-2. A cure of 23-1(12) is demanded by 04-20 and it is cured on 04-10; 23-1(1),
    committed on 04-15, was never the subject of a demand: termination on 04-21 is
    refused."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-05", "do": "violate", "ground": "23-1(12)"},
        {"on": "2024-04-06", "do": "demand_cure", "deadline": "2024-04-20"},
        {"on": "2024-04-10", "do": "resolve", "ground": "23-1(12)"},
        {"on": "2024-04-15", "do": "violate", "ground": "23-1(1)"},
        {"on": "2024-04-21", "do": "terminate", "ground": "28-2"},
    ], "2024-04-21")
    assert refused(r) == [8]
    assert r["events"][8]["articles"] == ["28-2"]


def test_f14_each_breach_is_cured_on_its_own(tmp_path, compiled) -> None:
    """17-3: suspended for two chapter-4 breaches, curing one does not restore the service
    (refused on 04-16); curing the other does (04-18). Curing a breach never committed
    is refused."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-10", "do": "violate", "ground": "23-1(1)"},
        {"on": "2024-04-10", "do": "violate", "ground": "23-1(12)"},
        {"on": "2024-04-11", "do": "suspend", "ground": "17-1(2)"},
        {"on": "2024-04-15", "do": "resolve", "ground": "23-1(1)"},
        {"on": "2024-04-16", "do": "restore"},
        {"on": "2024-04-17", "do": "resolve", "ground": "21(3)"},
        {"on": "2024-04-18", "do": "resolve", "ground": "23-1(12)"},
        {"on": "2024-04-18", "do": "restore"},
    ], "2024-04-18")
    assert refused(r) == [8, 9]
    assert r["state"] == "active"


CUSTOMER_DUTIES = {
    # read off the articles: every 「…するものとします」/「…してはならない」 of the customer
    "21": ["21(1)", "21(2)", "21(3)", "21(4)", "21(5)", "21(6)"],
    "22": ["22"],
    "23": [f"23-1({i})" for i in range(1, 23)],
    "24": ["24-1", "24-3"],
    "26": ["26"],
    "31": ["31-1", "31-2", "31-3"],
    "32": ["32-1", "32-2"],
    "34": ["34"],
    "35": ["35-1", "35-4"],
    "36": ["36-6", "36-7"],
    "37": ["37-1"],
}


def test_f15_every_customer_duty_can_be_stated_as_a_breach(spec) -> None:
    """21–26, 31, 32, 34–37: each duty of the customer is a ground of `violate`, and the
    model says what it allows: suspension (chapter 4, 17-1(2)), termination without
    notice (35–37, 28-1(4)) or after a cure period (28-2)."""
    grounds = set(spec.enums["Breach"])
    missing = [d for duties in CUSTOMER_DUTIES.values() for d in duties if d not in grounds]
    assert missing == []
    reach = set(spec.sets["curable_breaches"].values) | set(spec.sets["clauses_35_to_37"].values)
    assert [d for duties in CUSTOMER_DUTIES.values() for d in duties if d not in reach] == []


def test_f16_the_customer_terminates_over_the_companys_anti_social_links(tmp_path, compiled) -> None:
    """37-2, 37-3: within the minimum term, owing nothing more: the contract ends on
    04-15 and only April (the initial payment, ¥110,000) is charged."""
    r = run(tmp_path, compiled, [*START, {"on": "2024-04-10", "do": "find_company_antisocial"},
                                 {"on": "2024-04-15", "do": "terminate_by_customer"}], "2024-06-30")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "terminated_by_customer")
    assert r["ledger"]["charged"] == 110000


# -- restriction (16, 23) ---------------------------------------------------------------------

ELEVEN_REQUESTS = [{"on": "2024-04-02", "do": "request_support"}] * 11  # cap 10 (16-1)


def test_f17_the_extra_fee_covers_the_requests_made_so_far(tmp_path, compiled) -> None:
    """16-2: after the ¥10,000 fee (¥11,000 with tax) lifts the restriction, the same
    month's count does not restrict again (refused on 04-04); a new request does (04-05)."""
    r = run(tmp_path, compiled, [*START, *ELEVEN_REQUESTS, {"on": "2024-04-03", "do": "restrict"},
                                 {"on": "2024-04-03", "do": "pay_restriction_fee"},
                                 {"on": "2024-04-04", "do": "restrict"},
                                 {"on": "2024-04-05", "do": "request_support"},
                                 {"on": "2024-04-05", "do": "restrict"}], "2024-04-05")
    assert refused(r) == [17]
    assert r["state"] == "restricted"
    assert r["ledger"]["charged"] == 110000 + 11000


@pytest.mark.parametrize("detour", ["suspension", "interruption"])
def test_f18_a_restriction_survives_a_suspension_or_an_interruption(tmp_path, compiled, detour) -> None:
    """16-2: restricted on 04-03 and not paid for; after a suspension (or interruption)
    in the same month the service comes back restricted, and the fee still lifts it."""
    middle = ([{"on": "2024-04-05", "do": "violate", "ground": "21(2)"},
               {"on": "2024-04-06", "do": "suspend", "ground": "17-1(2)"},
               {"on": "2024-04-07", "do": "resolve", "ground": "21(2)"},
               {"on": "2024-04-08", "do": "restore"}] if detour == "suspension" else
              [{"on": "2024-04-06", "do": "interrupt", "interrupt_cause": "18(1)"},
               {"on": "2024-04-08", "do": "resume"}])  # fmt: skip
    r = run(tmp_path, compiled, [*START, *ELEVEN_REQUESTS, {"on": "2024-04-03", "do": "restrict"}, *middle],
            "2024-04-08")
    assert refused(r) == []
    assert r["state"] == "restricted"


def test_f19_use_is_restricted_for_a_prohibited_act_or_a_complaint(tmp_path, compiled) -> None:
    """23-2(5), 23-3: restricted for a prohibited act (the extra fee does not lift it; the
    company does), then for a third party's complaint."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-05", "do": "restrict", "ground": "23-2(5)"},
        {"on": "2024-04-06", "do": "violate", "ground": "23-1(11)"},
        {"on": "2024-04-06", "do": "restrict", "ground": "23-2(5)"},
        {"on": "2024-04-07", "do": "pay_restriction_fee"},
        {"on": "2024-04-08", "do": "lift_restriction"},
        {"on": "2024-04-09", "do": "receive_complaint"},
        {"on": "2024-04-10", "do": "restrict", "ground": "23-3"},
    ], "2024-04-10")
    assert refused(r) == [4, 7]
    assert r["state"] == "restricted"


def test_23_3_restricts_use_on_the_companys_judgment_alone(tmp_path, compiled) -> None:
    """23-3's second limb: the company takes the measures of 23-2 also "when it judges, for
    another reason, the service's operation unsuitable" (その他の理由で本サービスの運営上不適当
    であると当社が判断したとき) — no complaint and no act of the customer's (I-43). The
    restriction holds until the company lifts it (the extra fee of 16-2 does not)."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-05", "do": "restrict", "ground": "23-3"},
        {"on": "2024-04-06", "do": "pay_restriction_fee"},
        {"on": "2024-04-08", "do": "lift_restriction"},
    ], "2024-04-08")  # fmt: skip
    assert refused(r) == [5]  # the extra fee (START is 4 events, the restriction the fifth)
    assert r["state"] == "active"
    r = run(tmp_path, compiled, [*START, {"on": "2024-04-05", "do": "restrict", "ground": "23-3"}], "2024-04-30")
    assert refused(r) == [] and r["state"] == "restricted"


# -- a third review (2026-12-01) ----------------------------------------------------------------


@pytest.mark.parametrize(("notice", "abolition", "accepted"), [
    ("2024-11-28", "2025-02-28", True),   # 28 Feb: three months before it is 28 Nov
    ("2024-11-29", "2025-02-28", False),  # counted forward, 29 Nov + 3 months is "29 Feb" → 28 Feb: two days short
    ("2024-11-30", "2025-02-28", False),
    ("2025-02-28", "2025-05-31", True),   # 31 May: three months before it is "31 Feb" → 28 Feb
    ("2025-03-01", "2025-05-31", False),
    ("2024-06-15", "2024-09-15", True),   # the days with their number in both months: as before
    ("2024-06-15", "2024-09-14", False),
])  # fmt: skip
def test_an_abolition_notice_is_counted_back_from_the_abolition_date(tmp_path, compiled, notice, abolition,
                                                                     accepted) -> None:  # fmt: skip
    """20-2: notified 廃止日の３ヶ月前までに, by the day three months before the abolition date
    (I-45). For 28 February 2025 that is 28 November 2024: a notice on 29 or 30 November is
    late, though three months after it, clamped to February's last day, is 28 February."""
    r = run(tmp_path, compiled, [*START, {"on": notice, "do": "announce_abolition", "effective_on": abolition}],
            abolition)  # fmt: skip
    assert refused(r) == ([] if accepted else [4])
    assert (r["state"], r["ended_by"]) == (("ended", "abolished") if accepted else ("active", None))


@pytest.mark.parametrize(("paid", "terminated"), [(112000, False), (111000, True)])
def test_a_cure_demand_for_non_payment_covers_the_fees_overdue_when_made(tmp_path, compiled, paid,
                                                                         terminated) -> None:  # fmt: skip
    """28-2, I-36: May's fee (¥110,000, billed and due 04-30) is unpaid; on 05-10 a cure is
    demanded by 06-10. June's fee falls due on 05-31. On 06-05 the customer pays: late
    charges first (May: 36 days × ¥110,000 × 0.04% = ¥1,584; June: 5 days, ¥220; together
    ¥1,804), then the oldest fee (I-04). ¥112,000 pays May's ¥110,000 in full and ¥196 of
    June's: the non-payment demanded is cured, and June's, which fell due after the demand,
    is another breach that needs its own demand: termination on 06-11 is refused. ¥111,000
    leaves ¥804 of May's fee unpaid after the deadline: the termination ends the contract."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-05-10", "do": "demand_cure", "deadline": "2024-06-10"},
        {"on": "2024-06-05", "do": "pay", "amount": paid},
        {"on": "2024-06-11", "do": "terminate", "ground": "28-2"},
    ], "2024-06-11")  # fmt: skip
    assert r["ledger"]["paid"] == 110000 + paid
    assert refused(r) == ([] if terminated else [6])
    assert (r["state"], r["ended_by"]) == (("ended", "terminated") if terminated else ("active", None))


@pytest.mark.parametrize(("breach", "ground", "terminated"), [
    ("35-1", "28-1(4)", True),   # confidentiality breached on 04-10, cured on 04-12
    ("37-1", "37-2", True),      # a link to anti-social forces, cut on 04-12
    ("37-1", "28-1(4)", True),   # 37 is within 35 to 37
    ("23-1(1)", "28-1(4)", False),  # a breach outside 35 to 37 gives no right under 28-1(4)
])  # fmt: skip
def test_a_breach_of_35_to_37_keeps_the_right_to_terminate_after_its_cure(tmp_path, compiled, breach, ground,
                                                                          terminated) -> None:  # fmt: skip
    """28-1(4) (第３５条…ないし第３７条…に違反したとき) and 37-2 (判明した場合、何らの催告なく):
    the right to terminate without demand arises from the breach, and a cure before the
    company uses it does not take it away (28-2's cure route excludes the items of 28-1).
    Terminated on 04-15, effective that day: April's fee was paid with the initial payment
    (¥110,000 charged and paid), May is never billed. Not terminated, the contract runs on:
    May's fee is billed on 04-30 and June's on 05-31, ¥330,000 in all."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-10", "do": "violate", "ground": breach},
        {"on": "2024-04-12", "do": "resolve", "ground": breach},
        {"on": "2024-04-15", "do": "terminate", "ground": ground},
    ], "2024-05-31")  # fmt: skip
    assert refused(r) == ([] if terminated else [6])
    assert (r["state"], r["ended_by"]) == (("ended", "terminated") if terminated else ("active", None))
    assert r["ledger"]["charged"] == (110000 if terminated else 330000)
