"""Rules of the terms the first model left out (issue 10, "missing rules"), each replayed
with figures worked out by hand from the articles.

Unless a test says otherwise the base fee is ¥100,000 (¥110,000 with 10% tax, 8-3), the
service starts on 2024-04-01 and April is paid with the initial payment (8-2). Late
charges are 14.6% a year on 365 days, i.e. 0.04% a day of the overdue amount (12-2).
"""

from __future__ import annotations

from pathlib import Path

from test_legal_fidelity import START, charges, refused, run

# -- 10-1, 10-2, 10-4, 10-5: payment methods and due dates ---------------------------------------


def test_a_direct_debit_day_moves_the_due_date_into_the_month(tmp_path: Path, compiled) -> None:
    """10-2(2): direct debit on the 27th. May's fees (billed 04-30) fall due on 05-27 and
    are paid that day: no late charge. June's fall due on 06-27 and are paid on 06-30,
    3 days late: ¥110,000 × 0.04% × 3 = ¥132. July's, billed 06-30, are not yet due."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-02", "do": "choose_payment_method", "method": "direct_debit"},
        {"on": "2024-04-02", "do": "set_payment_day", "payment_day": 27},
        {"on": "2024-05-27", "do": "pay", "amount": 110000},
        {"on": "2024-06-30", "do": "pay", "amount": 110132},
    ], "2024-06-30")
    assert refused(r) == []
    assert r["ledger"]["charged"] == 4 * 110000
    assert r["ledger"]["late_charges"] == 132
    assert r["ledger"]["balance_due"] == 110000  # July's fees, due 07-27


def test_without_an_agreed_day_the_fees_are_due_at_the_end_of_the_month_before(tmp_path: Path, compiled) -> None:
    """10-1: the same payments without a payment day. May's fees are due on 04-30; on
    05-27, 27 days late, ¥1,188 of late charges have accrued (¥110,000 × 0.04% × 27) and
    the payment settles them first (I-04), leaving ¥1,188 of May's fees unpaid. June's
    fees are due 05-31. Yen-days to 06-30: 110,000 × 27 + 1,188 × 4 (05-27..05-31) +
    111,188 × 30 (05-31..06-30) = 6,310,392; × 0.04% = ¥2,524.16, ¥2,524."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-05-27", "do": "pay", "amount": 110000},
        {"on": "2024-06-30", "do": "pay", "amount": 110132},
    ], "2024-06-30")
    assert r["ledger"]["late_charges"] == 2524
    # charged 440,000 (April–July) + late 2,524 − paid 330,132
    assert r["ledger"]["balance_due"] == 112392


def test_a_direct_debit_is_made_by_the_27th(tmp_path: Path, compiled) -> None:
    """10-2(2): the debit day is between the last day of the month before and the 27th:
    the 28th is refused under direct debit (and allowed by card, 10-2(3)); a 29th is
    refused for every method (the model's payment days are the 1st–28th, I-39)."""
    r = run(tmp_path, compiled, [
        *START, {"on": "2024-04-02", "do": "choose_payment_method", "method": "direct_debit"},
        {"on": "2024-04-02", "do": "set_payment_day", "payment_day": 28},
        {"on": "2024-04-03", "do": "choose_payment_method", "method": "card"},
        {"on": "2024-04-03", "do": "set_payment_day", "payment_day": 28},
        {"on": "2024-04-04", "do": "choose_payment_method", "method": "direct_debit"},
        {"on": "2024-04-04", "do": "set_payment_day", "payment_day": 29},
    ], "2024-04-04")
    assert refused(r) == [5, 8, 9]
    assert r["events"][5]["articles"] == ["10-2"]


def test_a_bank_transfer_charge_is_the_customers(tmp_path: Path, compiled) -> None:
    """10-2(1): by bank transfer the customer bears the remittance charge: ¥110,000 sent
    with a ¥440 charge pays ¥109,560 of May's fees (due 04-30); the ¥440 left is overdue
    and runs 31 days to 05-31: ¥440 × 0.04% × 31 = ¥5.456, ¥5. By card (10-2(3)) the
    settlement charge is the company's: the full ¥110,000 counts."""
    payment = {"on": "2024-04-30", "do": "pay", "amount": 110000, "bank_charge": 440}
    transfer = run(tmp_path, compiled, [*START, payment], "2024-05-31")
    assert transfer["ledger"]["paid"] == 110000 + 109560
    assert transfer["ledger"]["late_charges"] == 5
    card = run(tmp_path, compiled, [*START, {"on": "2024-04-02", "do": "choose_payment_method", "method": "card"},
                                    payment], "2024-05-31")
    assert card["ledger"]["paid"] == 220000
    assert card["ledger"]["late_charges"] == 0


# -- 8-2, 28-2: an applicant whose initial payment never arrives ------------------------------------


def test_a_contract_whose_initial_payment_never_arrives_can_be_ended(tmp_path: Path, compiled) -> None:
    """8-2, 28-2, 9-1: the initial payment (¥110,000) falls due on 04-10 and is never
    paid. The company demands a cure by 04-25 and terminates on 04-26. The service was
    never usable, so no month's fee is owed (charged ¥0, I-33); the late charges accrued
    on it while it was due stay: ¥110,000 × 0.04% × 16 days (04-10 to 04-26) = ¥704."""
    r = run(tmp_path, compiled, [
        {"on": "2024-04-01", "do": "apply"}, {"on": "2024-04-01", "do": "accept"},
        {"on": "2024-04-11", "do": "demand_cure", "deadline": "2024-04-25"},
        {"on": "2024-04-26", "do": "terminate", "ground": "28-2"},
    ], "2024-05-31", initial_payment_due="2024-04-10")
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "terminated")
    assert r["ledger"]["charged"] == 0
    assert r["ledger"]["late_charges"] == 704


# -- 19, 28-1: a part of the service ends ------------------------------------------------------------

WITH_OPTIONS = [  # base ¥100,000 and options ¥30,000: ¥143,000 a month with tax
    {"on": "2024-04-01", "do": "apply"},
    {"on": "2024-04-01", "do": "accept"},
    {"on": "2024-04-01", "do": "pay", "amount": 143000},
    {"on": "2024-04-01", "do": "start_service"},
]


def test_an_abolished_option_service_is_not_charged_after_its_end(tmp_path: Path, compiled) -> None:
    """19, 20-2, 9-1, 9-2: on 04-05 the company announces the abolition of the option
    services on 07-15 (3 months' notice: 07-05 at the earliest). May, June and July are
    billed in full (¥143,000: the options are in force on July 1st, no pro-rating); from
    August only the base fee (¥110,000). The contract stays in force."""
    r = run(tmp_path, compiled, [*WITH_OPTIONS, {"on": "2024-04-05", "do": "announce_abolition",
                                                 "effective_on": "2024-07-15", "part": "options"}],
            "2024-08-31", option_fee=30000)
    assert refused(r) == []
    assert charges(r) == [("2024-04-30", 143000), ("2024-05-31", 143000), ("2024-06-30", 143000),
                          ("2024-07-31", 110000), ("2024-08-31", 110000)]  # fmt: skip
    assert (r["state"], r["ended_by"]) == ("active", None)


def test_a_part_is_terminated_only_under_28_1(tmp_path: Path, compiled) -> None:
    """28-1: the company may terminate a part of the contract without notice on a ground
    of 28-1 (here a seizure, 28-1(2)): the options end on 04-10 and May is billed at the
    base fee alone (¥110,000). 28-2 reaches the contract as a whole only: a partial
    termination for an uncured breach is refused; the contract stays in force."""
    r = run(tmp_path, compiled, [
        *WITH_OPTIONS, {"on": "2024-04-05", "do": "violate", "ground": "31-3"},
        {"on": "2024-04-05", "do": "demand_cure", "deadline": "2024-04-08"},
        {"on": "2024-04-09", "do": "terminate", "ground": "28-2", "part": "options"},
        {"on": "2024-04-10", "do": "violate", "ground": "28-1(2)"},
        {"on": "2024-04-10", "do": "terminate", "ground": "28-1(2)", "part": "options"},
        {"on": "2024-05-10", "do": "change_options", "option_fee": 50000},
    ], "2024-05-31", option_fee=30000)
    assert refused(r) == [6, 9]
    assert r["events"][6]["articles"] == ["28-1", "28-2", "37-2"]
    assert charges(r) == [("2024-04-30", 110000), ("2024-05-31", 110000)]
    assert (r["state"], r["ended_by"]) == ("active", None)


# -- 8-1①, 9-2, 11-2: annual plans ---------------------------------------------------------------

ANNUAL = [  # a base fee of ¥1,200,000 a year: ¥1,320,000 with tax, the first year paid up front
    {"on": "2024-04-01", "do": "apply"},
    {"on": "2024-04-01", "do": "accept"},
    {"on": "2024-04-01", "do": "pay", "amount": 1320000},
    {"on": "2024-04-01", "do": "start_service"},
]


def test_an_annual_plan_is_billed_a_year_at_a_time(tmp_path: Path, compiled) -> None:
    """8-1①, 8-2, 10-1, 7-1 (I-41): the initial payment holds the first plan year
    (April 2024 – March 2025, ¥1,320,000); nothing is billed during the year; the second
    year is billed on 2025-03-31, the last day of the month before it, and the term, which
    ended with the first plan year, renews for a year (to 2026-03-31)."""
    r = run(tmp_path, compiled, ANNUAL, "2025-04-30", base_fee=1200000, annual_plan=True)
    assert refused(r) == []
    assert charges(r) == [("2025-03-31", 1320000)]
    assert r["ledger"]["charged"] == 2 * 1320000
    assert r["ledger"]["late_charges"] == 1320000 * 30 * 4 // 10000  # due 03-31, 30 days to 04-30


def test_an_annual_bill_covers_only_the_months_before_a_known_end(tmp_path: Path, compiled) -> None:
    """9-1, 9-2 (I-41): an abolition announced on 2024-10-01 for 2025-06-15 is known when
    the second year is billed (2025-03-31): only April, May and June 2025 are billed, at
    1/12 of the annual fee each: 3 × ¥100,000 + 10% tax = ¥330,000."""
    abolition = {"on": "2024-10-01", "do": "announce_abolition", "effective_on": "2025-06-15"}
    r = run(tmp_path, compiled, [*ANNUAL, abolition], "2025-06-30", base_fee=1200000, annual_plan=True)
    assert refused(r) == []
    assert charges(r) == [("2025-03-31", 330000)]
    assert (r["state"], r["ended_by"]) == ("ended", "abolished")


def test_an_annual_plans_deposit_is_capped_at_the_annual_total(tmp_path: Path, compiled) -> None:
    """11-2: the fees are annual: the cap is their annual total, ¥1,200,000 (a monthly
    plan's cap would be 12 × the monthly total)."""
    r = run(tmp_path, compiled, [{"on": "2024-04-01", "do": "apply"},
                                 {"on": "2024-04-01", "do": "request_deposit", "amount": 1200001},
                                 {"on": "2024-04-01", "do": "request_deposit", "amount": 1200000}],
            "2024-04-01", base_fee=1200000, annual_plan=True)
    assert refused(r) == [1]
    assert r["events"][1]["articles"] == ["11-2"]


def test_cancelling_an_annual_plan_owes_the_year_already_billed(tmp_path: Path, compiled) -> None:
    """29, 14 (I-41): cancelled on 2024-08-10, after the minimum term (April–June): the
    contract ends on 2024-08-31; the contract period is the plan year, already billed in
    the initial payment, so nothing more is billed and nothing is returned."""
    r = run(tmp_path, compiled, [*ANNUAL, {"on": "2024-08-10", "do": "cancel"}], "2025-04-30",
            base_fee=1200000, annual_plan=True)
    assert refused(r) == []
    assert (r["state"], r["ended_by"]) == ("ended", "cancelled")
    assert r["ledger"]["charged"] == 1320000
    assert r["ledger"]["refunded"] == 0


def test_an_annual_plan_ending_in_its_first_year_keeps_only_its_months(tmp_path: Path, compiled) -> None:
    """9-1 (I-41): concluded 2024-04-01 on an annual plan (¥1,200,000 a year) and paid
    ¥1,320,000; on 04-02 the company announces the abolition of the service on
    2024-07-20, before the service starts on 04-05. April–July are the first plan
    period's months in force: 4 × ¥100,000 + 10% = ¥440,000 is owed; the other
    ¥880,000 paid is credit (I-12), not a refund (14)."""
    r = run(tmp_path, compiled, [
        {"on": "2024-04-01", "do": "apply"}, {"on": "2024-04-01", "do": "accept"},
        {"on": "2024-04-01", "do": "pay", "amount": 1320000},
        {"on": "2024-04-02", "do": "announce_abolition", "effective_on": "2024-07-20"},
        {"on": "2024-04-05", "do": "start_service"},
    ], "2024-07-31", base_fee=1200000, annual_plan=True)
    assert refused(r) == []
    assert r["ledger"]["charged"] == 440000
    assert r["ledger"]["balance_due"] == -880000
    assert (r["state"], r["ended_by"]) == ("ended", "abolished")
