"""The rules added for the terms' payment methods, partial endings and annual plans (issue
10, "missing rules"), each taken out again as a mutant of the spec: the property that
states the promise must then be violated, with a counterexample that replays."""

from __future__ import annotations

import pytest
from test_verify_mutants import mutant

from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec
from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings

MUTANTS = {
    # 10-2: the payment day shifted by one (month M's fees due a day late)
    "due-a-day-after-the-payment-day": (
        '"fees_due = month_start(next_month) + (payment_day - 1) if payment_day > 0 else fees_due"',
        '"fees_due = month_start(next_month) + payment_day if payment_day > 0 else fees_due"', "P25"),
    # 10-2(2): direct debit chosen whatever the payment day
    "direct-debit-after-the-27th": (
        '''      - {when: "new_payment_method != 'direct_debit' or payment_day <= 27",''',
        '''      - {when: "True",''', "P46"),
    # 10-2: every method's charge taken from the payment
    "every-charge-the-customers": (
        '''      - "paid += amount - (bank_charge if payment_method == 'bank_transfer' else 0)"''',
        '''      - "paid += amount - bank_charge"''', "P47"),
    # 19, 28-1: option services still billed after they ended
    "ended-options-still-billed": (
        '  agreed_option_next: "0 if option_end < month_start(next_month) else (agreed_option_fee if agreed_from <= '
        'month_start(next_month) else option_fee)"',
        '  agreed_option_next: "agreed_option_fee if agreed_from <= month_start(next_month) else option_fee"', "P49"),
    # 28-1: terminating a part ends the whole contract
    "a-part-ends-the-whole": ('''      - "end_date = effective_on if part == 'whole' else end_date"''',
                              '''      - "end_date = effective_on"''', "P50"),
    # 9-1, 9-2: an annual plan billed a whole year past a known end
    "annual-billed-past-the-end": (
        '      - "bill_month(plan_fees_next if months_to_bill == period_months '
        'else months_to_bill * plan_fees_next // 12)"',
        '      - "bill_month(plan_fees_next)"', "P10"),
    "annual-months-past-the-end": ('      - "billed_through_month = next_month + months_to_bill - 1"',
                                   '      - "billed_through_month = next_month + period_months - 1"', "P28"),
    # 11-2: an annual plan's deposit capped at 12 annual totals
    "annual-deposit-cap-times-12": (
        '  deposit_cap: "(1 if annual_plan else deposit_cap_months) * (base_fee + option_fee + other_fee)"',
        '  deposit_cap: "deposit_cap_months * (base_fee + option_fee + other_fee)"', "P06"),
    # 10-2: choosing direct debit changes nothing (the customer's choice is lost): no
    # direct-debit customer ever has fees fall due on a debit day (P48 unreachable)
    "direct-debit-never-chosen": ('    effects: ["payment_method = new_payment_method"]',
                                  '    effects: ["payment_method = payment_method"]', "P48"),
    # 19, 28-1: abolishing or terminating a part ends the whole contract: no month is
    # billed after the option services end (P51 unreachable)
    "every-partial-end-ends-the-whole": (
        ('''      - "end_date = min(end_date, effective_on) if part == 'whole' else end_date"''',
         '''      - "end_date = effective_on if part == 'whole' else end_date"'''),
        ('''      - "end_date = min(end_date, effective_on)"''', '''      - "end_date = effective_on"'''), "P51"),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_turns_the_gate_red(tmp_path, name) -> None:
    old, new, pid = MUTANTS[name]
    path = mutant(tmp_path, old, new)
    if load_spec(path).properties[pid].kind == "reachable":
        # the customer's route is gone: the verdict is the proof that no step reaches it
        settings = Settings(depth=3, samples=80)
        verdicts, _ = verify(path, [pid], settings, tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c")
        (v,) = verdicts
        assert v.verdict == "unreachable" and not v.matches, (v.verdict, v.reason)
        return
    verdicts, _ = verify(path, [pid], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c")
    (v,) = verdicts
    assert v.verdict == "violated" and not v.matches, (v.verdict, v.reason)
    mspec = load_spec(path)
    result = replay(CompiledSpec(mspec), load_scenario(v.counterexample, mspec))
    assert result.expectation_mismatches() == []
