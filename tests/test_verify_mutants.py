"""Mutants of the spec that must turn the gate red: the 6-3 guard removed, suspension no
longer charged, the deposit cap shifted (issue 4), and each fault the legal reviews found
(issue 10) put back as a mutant, caught by a property with a replayable counterexample —
or, for a right the terms give (a reachability property), proved unreachable once the
mutant takes its route away. Each new property of issue 10 has a mutant of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH, copy_spec_folders


def mutant(tmp_path: Path, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> Path:
    """The bundled spec (and its terms) in tmp_path, with one text edit (or one edit for
    each pair of ``old`` and ``new`` when they are tuples: one fault at several sites)."""
    folder = tmp_path / "spec"
    folder.mkdir()
    copy_spec_folders(folder)
    text = SPEC_PATH.read_text(encoding="utf-8")
    olds, news = (old, new) if isinstance(old, tuple) else ((old,), (new,))
    for o, n in zip(olds, news, strict=True):
        assert text.count(o) == 1, f"the mutation site is not unique: {o!r}"
        text = text.replace(o, n)
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MUTANTS = {
    # 6-3: the guard against lowering the fee within the minimum term is gone
    "no-6-3-guard": ('      - {when: "new_base_fee >= agreed_base_next or not within_minimum_term",\n',
                     '      - {when: "True",\n', "P01"),
    # 17-1: a suspended contract is no longer billed
    "suspension-stops-charging": ("""    event: month_ends
    source: in_force
""", """    event: month_ends
    source: [in_force.active, in_force.restricted, in_force.interrupted]
""", "P02"),
    # 11-2: the guards cap the deposit at 13 months of fees instead of the terms' 12
    "deposit-cap-13": ('  deposit_cap: "(1 if annual_plan else deposit_cap_months) * '
                       '(base_fee + option_fee + other_fee)"',
                       '  deposit_cap: "(1 if annual_plan else 13) * (base_fee + option_fee + other_fee)"', "P06"),
    # the faults of the legal reviews (issue 10), each as the old behaviour:
    # F1: a downgrade measured against the fee in force, not the fee agreed for next month
    "f01-downgrade-against-fee-in-force": (
        '      - {when: "new_base_fee >= agreed_base_next or not within_minimum_term",\n',
        '      - {when: "new_base_fee >= base_fee or not within_minimum_term",\n', "P01"),
    # F2: a raise notice overwrites an agreed change not yet in force
    "f02-notice-overwrites-agreement": ('      - "raise_to = new_base_fee"\n',
                                        '      - "raise_to = new_base_fee"\n      - "agreed_from = FOREVER"\n', "P30"),
    # F3: after the minimum term, going back from an agreed upgrade to the fee in force is
    # refused ("plan already has this fee"): P54's witness scenario is refused at its 18th event
    "f03-no-way-back-to-the-fee-in-force": (
        '      - {when: "new_base_fee != agreed_base_next", rule: "the base fee agreed for next month',
        '      - {when: "new_base_fee != base_fee", rule: "the base fee agreed for next month', "P54"),
    # F4: the initial bill frozen at acceptance: a rise before the start month is not billed
    "f04-first-month-frozen-at-acceptance": ('    effects: ["new_month()", "top_up_first_month()"]\n',
                                             '    effects: ["new_month()"]\n', "P31"),
    # F5: other fees never billed
    "f05-other-fees-not-billed": ('  plan_fees_next: "fee_next_month + agreed_option_next + other_fee"',
                                  '  plan_fees_next: "fee_next_month + agreed_option_next"', "P10"),
    # F6: the 6-3 ban on removing an option service within the minimum term is missing ...
    "f06-option-removed-within-minimum-term": (
        '      - {when: "new_option_fee >= agreed_option_next or not within_minimum_term",\n',
        '      - {when: "True",\n', "P01"),
    # ... and the option fee can never change
    "f06-option-fee-never-changes": (
        '      - "option_fee = agreed_option_fee if agreed_from <= today else option_fee"\n',
        '      - "option_fee = option_fee"\n', "P29"),
    # F7: a contract ended before the service was usable still owes a month's fees
    "f07-month-owed-before-service": (
        '    effects: ["reduce_first_fees(0)", "overdue += not_due", "not_due = 0", "settle_deposit()"]\n',
        '    effects: ["overdue += not_due", "not_due = 0", "settle_deposit()"]\n', "P32"),
    # F8: an initial due date before the acceptance is kept, and never falls due
    "f08-initial-due-date-in-the-past": ('      - "initial_due = max(initial_payment_due, today)"\n',
                                         '      - "initial_due = initial_payment_due"\n', "P33"),
    # F9: a rejected applicant's deposit is held for ever
    "f09-deposit-kept-on-rejection": (
        '      - "deposit_returned += deposit_held"\n      - "deposit_held = 0"\n  - id: accept',
        "  - id: accept", "P34"),
    # F10: once any end date exists, the objection to renewal is refused ("already ending")
    "f10-no-objection-once-ending": (
        '      - {when: "term_end < end_date", rule: "the contract already ends on or before this term',
        '      - {when: "end_date == FOREVER", rule: "the contract already ends on or before this term', "P36"),
    # F11: a second termination notice is always refused
    "f11-no-second-termination-notice": (
        '      - {when: "effective_on < end_date", rule: "the contract already ends on or before that date", '
        'articles: ["28-3"],',
        '      - {when: "effective_on < end_date and not termination_declared", rule: "the contract already ends '
        'on or before that date", articles: ["28-3"],', "P52"),
    # F12: non-payment is no ground of 28-2: no cure period lapses for it
    "f12-non-payment-no-breach": (' or (payment_demanded > 0 and today > payment_cure_deadline)"\n', '"\n', "P37"),
    # F13: a cure deadline not tied to a breach: a demand gives it to every ground
    "f13-deadline-for-every-ground": (
        "breach[g].cure_deadline = deadline if breach[g].committed and breach[g].cure_deadline == FOREVER",
        "breach[g].cure_deadline = deadline if breach[g].cure_deadline == FOREVER", "P53"),
    # F14: curing one breach clears them all
    "f14-one-cure-clears-all": ('      - "breach[breach_ground].committed = False"\n',
                                '      - "for g in Breach: breach[g].committed = False"\n', "P38"),
    # F16: the customer's 37-2 termination bound by the minimum term
    "f16-no-customer-termination-within-minimum-term": (
        '      - {when: "company_antisocial", rule:',
        '      - {when: "company_antisocial and not within_minimum_term", rule:', "P39"),
    # F17: the extra fee of 16-2 does not cover the month's requests: the same count restricts again
    "f17-fee-covers-nothing": (
        """      - {when: "ground != '16-1' or support_requests > max(support_cap, requests_at_lift)",""",
        """      - {when: "ground != '16-1' or support_requests > support_cap",""", "P41"),
    # F18: a restriction vanishes through an interruption (through a suspension, the same
    # fault is found by no sampled run: the bounded search takes 92 s)
    "f18-restriction-lost-in-interruption": (
        '    target: in_force.restricted\n    articles: ["18", "11-1", "16-2"]\n',
        '    target: in_force.active\n    articles: ["18", "11-1", "16-2"]\n', "P40"),
    # F19: use is restricted for the support cap only (not under 23-2(5), 23-3)
    "f19-restriction-for-support-cap-only": (
        """      - {when: "ground != 'none'", rule: "a restriction names its ground""",
        """      - {when: "ground == '16-1'", rule: "a restriction names its ground""", "P42"),
    # the other new properties of issue 10, each with a mutant of its own:
    # an objection moves an end already set (by a termination, an abolition) later
    "p35-objection-moves-the-end-later": (
        '      - {when: "term_end < end_date", rule: "the contract already ends on or before this term',
        '      - {when: "True", rule: "the contract already ends on or before this term', "P35"),
    # the minimum term one month too long
    "p43-minimum-term-one-month-long": (
        '      - "minimum_term_end = month_end(month_of(today) + minimum_term_months - 1)"\n',
        '      - "minimum_term_end = month_end(month_of(today) + minimum_term_months)"\n', "P43"),
    # records deleted for any breach of chapter 4, not only for an act of 23 or 24
    "p44-records-deleted-for-any-breach": (
        """      - {when: "state == 'ended' or acted_23_24\"""",
        """      - {when: "state == 'ended' or any(breach[g].committed for g in chapter_4_duties)\"""", "P44"),
    # no cancellation at all
    "p45-no-cancellation": ('      - {when: "not within_minimum_term", rule: "no cancellation',
                            '      - {when: "False", rule: "no cancellation', "P45"),
    # the properties that kill what `yakkan mutate` found surviving (issue 12), each with the
    # surviving mutant:
    # 11-1: a deposit requested from any customer in force, overdue or not
    "p55-deposit-requested-without-ground": (
        """      - {when: "state in ('applied', 'documents_requested', 'concluded') or resumed or overdue > 0",""",
        """      - {when: "state in ('applied', 'documents_requested', 'concluded') or resumed or overdue >= 0",""",
        "P55"),
    # 10-2: the 27th refused as a debit day
    "p56-no-debit-on-the-27th": ('      - {when: "payment_method != \'direct_debit\' or new_payment_day <= 27",',
                                 '      - {when: "payment_method != \'direct_debit\' or new_payment_day < 27",', "P56"),
    # 28-1: a termination of the option services leaves their end unset
    "p57-option-termination-sets-no-end": (
        """      - "end_date = effective_on if part == 'whole' else end_date"
      - "option_end = effective_on if part == 'options' else option_end"
""", """      - "end_date = effective_on if part == 'whole' else end_date"
""", "P57"),
    # 17-1: the ground of a suspension is not recorded
    "p58-suspension-ground-not-recorded": ('    effects: ["suspension_ground = ground", "suspended_on = today"]',
                                           '    effects: ["suspended_on = today"]', "P58"),
    # 9-1: the initial payment is not recorded, so an end before the service withdraws nothing
    "p59-first-fees-kept-before-service": ('      - "initial_charged = bill_total"\n', "", "P59"),
    # I-04: the withdrawn first fees still counted as not yet due
    "p60-withdrawn-fees-still-owed": ('      - "not_due -= pay_part"\n      - "top_up -= pay_part"\n',
                                      '      - "top_up -= pay_part"\n', "P60"),
    # 27-1: liability for every cause but gross negligence
    "p61-liability-without-fault": (
        """      - "liability_awarded += amount if cause == 'gross_negligence' else 0\"""",
        """      - "liability_awarded += amount if cause != 'gross_negligence' else 0\"""", "P61"),
    # the properties that kill what `yakkan mutate` found surviving on 2026-11-30 (issue 14):
    # 28-2: a cure demanded with no breach to cure (the demand changes nothing, and is accepted)
    "p63-cure-demanded-without-a-breach": ('      - {when: "any_breach", rule: "a cure is demanded',
                                           '      - {when: "True", rule: "a cure is demanded', "P63"),
    # 28-2: a cure period that has already lapsed on the day it is demanded
    "p63-cure-deadline-already-past": ('      - {when: "deadline > today", rule: "the cure period',
                                       '      - {when: "True", rule: "the cure period', "P63"),
    # 9-2: a monthly plan's first month billed at 1/12 (the test of a whole first period negated)
    "p64-first-month-pro-rated": (
        "reduce_first_fees(first_month_fees if months_of_first_bill == period_months else",
        "reduce_first_fees(first_month_fees if months_of_first_bill != period_months else", "P64"),
    # 17-1(3): a suspension for a refused inspection that never happened
    "p65-suspension-without-its-fact": (
        """      - {when: "ground != '17-1(3)' or breach['17-1(3)'].committed", rule:""",
        """      - {when: "True", rule:""", "P65"),
    # 25-3: the records kept a day past the time the company set
    "p66-records-kept-a-day-longer": ('at: "end_date + records_retention_days", phase: end',
                                      'at: "end_date + records_retention_days + 1", phase: end', "P66"),
    # and on seed 1 (2026-11-30), each with its property:
    # 28-1(4): an immediate termination for a breach of 35 to 37 that never happened
    "p68-termination-28-1-4-without-its-breach": (
        "{when: \"ground != '28-1(4)' or grave_breach != 'none'\", rule", "{when: \"True\", rule", "P68"),
    # 28-2: a part of the contract ended after a cure period (only 28-1 ends a part)
    "p69-a-part-ended-under-28-2": ("{when: \"part == 'whole' or ground in ('28-1(1)'",
                                    "{when: \"True or ground in ('28-1(1)'", "P69"),
    # 28-3: a termination of the option services naming a day after the one already set
    "p70-option-end-put-off": (
        "part == 'whole' or effective_on < min(option_end, end_date)\", rule: \"the option services already end on "
        "or before that date\", articles: [\"19\", \"28-3\"],\n"
        "         ja: \"オプションサービスは、既にその日以前に終了することが定まっています\"}\n"
        "      - {when: \"ground != 'none'\"",
        "part != 'whole' or effective_on < min(option_end, end_date)\", rule: \"the option services already end on "
        "or before that date\", articles: [\"19\", \"28-3\"],\n"
        "         ja: \"オプションサービスは、既にその日以前に終了することが定まっています\"}\n"
        "      - {when: \"ground != 'none'\"", "P70"),
    # 37-2: the customer's termination recorded, its day never set as the end
    "p71-customer-termination-ends-nothing": ('      - "end_date = effective_on"\n', "", "P71"),
    # 23-2(5): a restriction for a prohibited act that never happened
    "p72-restriction-without-an-act": (
        "{when: \"ground != '23-2(5)' or any(breach[g].committed for g in acts_23)\"",
        "{when: \"ground == '23-2(5)' or any(breach[g].committed for g in acts_23)\"", "P72"),
    # 25-1: records deleted only when they already are (the right to delete them is gone)
    "p73-records-never-deleted-in-force": ('{when: "not records_deleted", rule:',
                                           '{when: "records_deleted", rule:', "P73"),
    # 11-1(1): a resumption into a restriction kept is no deposit ground
    "p74-resumed-restricted-no-ground": ('    effects: ["resumed = True"]\n  - {id: resume,',
                                         '    effects: []\n  - {id: resume,', "P74"),
    # 6-3: an agreed change of the option services never takes effect
    "p75-option-change-not-agreed": ('      - "agreed_option_fee = new_option_fee"\n', "", "P75"),
    # 11-1: a deposit requested that is no more than the one held (less held than requested)
    "p76-deposit-requested-below-the-one-held": ('{when: "amount > deposit_held", rule:',
                                                 '{when: "True", rule:', "P76"),
    # 28-2: a first demand for cure starts no period (only a breach that has one is given one)
    "p77-demand-starts-no-period": ("breach[g].cure_deadline = deadline if breach[g].committed and "
                                    "breach[g].cure_deadline == FOREVER",
                                    "breach[g].cure_deadline = deadline if breach[g].committed and "
                                    "breach[g].cure_deadline != FOREVER", "P77"),
    # 18: the service resumed stays interrupted
    "p78-resumed-still-interrupted": ("{id: resume, event: resume, source: in_force.interrupted, "
                                      "target: in_force.active,",
                                      "{id: resume, event: resume, source: in_force.interrupted, target: same,", "P78"),
    # and on seed 3 (2026-11-30), each with its property:
    # 37-2: the customer terminates while the company is not found linked to anti-social forces
    "p79-customer-terminates-without-its-ground": ('{when: "company_antisocial", rule: "the customer terminates',
                                                   '{when: "not company_antisocial", rule: "the customer terminates',
                                                   "P79"),
    # 11-2: only a deposit above the cap may be requested
    "p80-deposit-requested-above-the-cap": ('{when: "amount <= deposit_cap", rule:',
                                            '{when: "amount > deposit_cap", rule:', "P80"),
    # 17-3: a suspension with no restriction in place ends in a restriction
    "p81-restored-into-a-restriction": (
        "    event: restore\n    source: in_force.suspended\n    target: in_force.active\n",
        "    event: restore\n    source: in_force.suspended\n    target: in_force.restricted\n", "P81"),
    # 23-2, 23-3: a restriction lifted, its ground kept
    "p81-lifted-ground-kept": ("""    effects: ["restriction_ground = 'none'"]\n  - {id: receive_complaint""",
                               """    effects: []\n  - {id: receive_complaint""", "P81"),
    # 16-1: the month's processing on its second day
    "p82-month-starts-on-the-second": ('at: "month_start(month_of(today))", phase: start',
                                       'at: "month_start(month_of(today)) + 1", phase: start', "P82"),
    # 16-1: the support requests of the month before counted in the new one
    "p82-support-count-carried-over": ('      - "support_requests = 0"\n', "", "P82"),
    # and on seed 4 (2026-11-30), each with its property:
    # 29: a cancellation leaves the rest of the period unbilled
    "p83-cancellation-bills-nothing": (
        '      - "bill_now(months_unbilled_in_term * plan_fees_next // 12 if annual_plan else '
        'months_unbilled_in_term * plan_fees_next)"\n', "", "P83"),
    # 6-3: only a change of the option services that changes nothing is accepted
    "p84-option-change-refused": ('{when: "new_option_fee != agreed_option_next", rule:',
                                  '{when: "new_option_fee == agreed_option_next", rule:', "P84"),
    # 11-2: the cap itself may not be requested
    "p85-cap-not-requested": ('{when: "amount <= deposit_cap", rule:', '{when: "amount < deposit_cap", rule:', "P85"),
    # and on seed 5 (2026-12-01), each with its property:
    # 8-4: only a "raise" that raises nothing is accepted
    "p18-no-raise-by-notice": ('{when: "new_base_fee > max(base_fee, agreed_base_next)", rule:',
                               '{when: "not (new_base_fee > max(base_fee, agreed_base_next))", rule:', "P18"),
    # 17-3: the service restored, the ground of suspension kept
    "p86-restored-ground-kept": (
        """    effects: ["suspension_ground = 'none'", "suspended_on = FOREVER"]\n  # ---- interruption""",
        """    effects: ["suspended_on = FOREVER"]\n  # ---- interruption""", "P86"),
    # 11-1: the deposit paid only below the amount requested
    "p87-requested-deposit-not-paid-in-full": ('{when: "deposit_held + amount <= deposit_requested", rule:',
                                               '{when: "deposit_held + amount < deposit_requested", rule:', "P87"),
    # 28-1, 28-3: no termination on the day of the notice
    "p88-no-termination-on-the-day": ('{when: "effective_on >= today", rule: "the termination date named',
                                      '{when: "effective_on > today", rule: "the termination date named', "P88"),
    # and on seed 6: 7-1, I-35: an objection for the day the contract already ends on names a new cause
    "p89-objection-relabels-a-fixed-end": ('{when: "term_end < end_date", rule:',
                                           '{when: "term_end <= end_date", rule:', "P89"),
    # 37-2, I-35: seed 2's survivor, a customer's termination for the day already fixed
    "p89-customer-termination-relabels-a-fixed-end": (
        '{when: "effective_on < end_date", rule: "the contract already ends on or before that date", '
        'articles: ["37-2"]',
        '{when: "effective_on <= end_date", rule: "the contract already ends on or before that date", '
        'articles: ["37-2"]',
        "P89"),
    # and on seed 7: 8-4, I-15: a notice effective mid-month applied from that month's first day
    "p90-raise-applied-before-its-day": ("(0 if day_of(effective_on) == 1 else 1)))",
                                         "(0 if day_of(effective_on) == 1 else 0)))", "P90"),
    # 12-2, I-03: an administrative fee charged to a customer not in arrears
    "p91-admin-fee-without-arrears": ('"late_admin_charged += late_admin_fee if overdue > 0 else 0"',
                                      '"late_admin_charged += late_admin_fee if overdue > 0 else 1"', "P91"),
    # and on seed 8 (2026-12-01), each with its property:
    # 6-3, 8-4, I-10: before the service starts, a month begins without its processing: a
    # change agreed for it stays pending and the first month is billed at the old fee
    "p92-month-before-service-unprocessed": ('    effects: ["new_month()", "top_up_first_month()"]\n',
                                             '    effects: ["top_up_first_month()"]\n', "P92"),
    # 8-4, I-15: a notice effective on a month's first day applied from the month after
    "p93-raise-on-the-first-a-month-late": ("(0 if day_of(effective_on) == 1 else 1)))",
                                            "(1 if day_of(effective_on) == 1 else 1)))", "P93"),
    # 10-1, 10-2: the payment day kept after the fees fell due on it
    "p94-payment-day-left-behind": ('      - "fees_due = FOREVER"\n', "", "P94"),
    # 10-1, 10-2, I-39: a payment day of the 29th, which February lacks: its fees fall due in March
    # 20-2, I-45: the notice period counted forward from the notice (30 November reaches
    # 28 February, clamped), not back from the abolition date (28 November)
    "p09-notice-counted-forward": ('{when: "month_of(today) + abolition_notice_months < month_of(effective_on) or '
                                   '(month_of(today) + abolition_notice_months == month_of(effective_on) and '
                                   'day_of(today) <= day_of(effective_on))", rule:',
                                   '{when: "effective_on >= add_months(today, abolition_notice_months)", rule:', "P09"),
    # 28-2, I-36: a payment does not reduce the fees a cure demand covers: the demand for
    # May's fee, paid in full, would still serve to terminate over June's (a third review)
    "p96-payment-does-not-cure-the-demand": (
        '      - "overdue_paid()"\n      - "pay_rest -= pay_part"\n',
        '      - "overdue -= pay_part"\n      - "pay_rest -= pay_part"\n', "P96"),
    # 28-1(4), 35: a cured breach of 35-1 takes away the company's right to terminate (a third review)
    "p97-cure-takes-the-right-away": (
        '{when: "ground != \'28-1(4)\' or grave_breach != \'none\'", rule:',
        '{when: "ground != \'28-1(4)\' or any(breach[g].committed for g in clauses_35_to_37)", rule:', "P97"),
    "p95-payment-day-february-lacks": ('{when: "new_payment_day <= 28", rule:', '{when: "new_payment_day <= 29", rule:',
                                       "P95"),
}


# Half the random runs (the first of each of the two streams: the same runs as the default's
# first half) hold the counterexample of every mutant but two, and cost half. F9's is found
# by the bounded search only, after a failed proof attempt, with half the runs (42 s against
# 13 s with all). No sampled run pays the extra fee of 16-2 (F17): the bounded search finds
# it after the proof attempt (half the budget) fails, at depth 6 — with the default budget
# until I-44 gave demand_cure a third guard clause, which made that search dearer: it now
# spends 120M units at depth 6 (`holds-to-depth`, a red gate too), and finds the
# counterexample with twice the budget (60 s).
# P70's needs two terminations of the option services, the second naming a later day: the
# default runs hold it (with half of them the search spends its budget at depth 6).
# P83's needs a cancellation after the minimum term with months of the period unbilled: only
# the default runs hold one (with half, `holds-to-depth` at depth 7: a red gate too). So do
# P89's, an objection for the day the contract already ends on, since the third review's
# spec draws other runs (with half, `holds-to-depth`: red too).
# The gate turns red without a counterexample: the proof fails and the search finds no run.
# A notice counted forward differs only where three months after the notice day has no such
# day (29–31 November → 28 February): no random run announces an abolition on such a day,
# and the bounded search finds no run the executable model replays within its budget.
# The fault is shown by hand in `tests/test_legal_fidelity.py` (I-45).
RED_WITHOUT_COUNTEREXAMPLE = {"p09-notice-counted-forward"}
SETTINGS = {
    "f09-deposit-kept-on-rejection": Settings(),
    "f17-fee-covers-nothing": Settings(samples=80, rlimit=240_000_000),
    "p70-option-end-put-off": Settings(),
    "p83-cancellation-bills-nothing": Settings(),
    "p89-objection-relabels-a-fixed-end": Settings(),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_turns_the_gate_red(tmp_path, name, spec) -> None:
    from yakkan.model.machine import CompiledSpec
    from yakkan.model.spec import load_spec

    old, new, pid = MUTANTS[name]
    path = mutant(tmp_path, old, new)
    out = tmp_path / "out"
    if spec.properties[pid].kind == "reachable":
        # the route is gone: a short search for a witness, then the proof that no step
        # reaches it (the verdict is that proof, whatever the depth searched)
        settings = Settings(depth=3, samples=80)
        verdicts, _ = verify(path, [pid], settings, out, use_cache=False, cache_dir=tmp_path / "c")
        (v,) = verdicts
        assert v.verdict == "unreachable" and not v.matches, (v.verdict, v.reason)
        return
    settings = SETTINGS.get(name, Settings(samples=80))
    verdicts, _ = verify(path, [pid], settings, out, use_cache=False, cache_dir=tmp_path / "c")
    (v,) = verdicts
    if name in RED_WITHOUT_COUNTEREXAMPLE:
        assert v.verdict in ("unknown", "holds-to-depth") and not v.matches, (v.verdict, v.reason)
        return
    assert v.verdict == "violated" and not v.matches, (v.verdict, v.reason)
    # the counterexample replays on the mutant and shows the violation
    mspec = load_spec(path)
    result = replay(CompiledSpec(mspec), load_scenario(v.counterexample, mspec))
    assert result.expectation_mismatches() == []
    assert v.fault is not None and v.fault.get("line")


# The spec's supporting invariants (lemmas:) are never trusted: each is proved before use.
L06 = """  L06: {articles: ["9-1", "10-1"], when: "service_start != FOREVER",
    holds: "months_billed == billed_through_month - month_of(service_start) + 1","""


def test_a_false_lemma_is_dropped_not_trusted(tmp_path) -> None:
    """L06 says one month too many: it is false, so no proof may use it. Without it, P04 is
    proved only if the verifier mines the correct relation within the budget; with annual
    plans that takes more than 200M units (at 400M the mined proof took 80M with one
    calendar encoding and ran out with the final one), so either verdict may come: a proof
    that does not name L06, or `holds-to-depth`, which fails the gate (never a proof that
    trusts the false lemma)."""
    path = mutant(tmp_path, L06, L06.replace("month_of(service_start) + 1", "month_of(service_start) + 2"))
    verdicts, _ = verify(path, ["P04"], Settings(rlimit=200_000_000), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    (v,) = verdicts
    assert v.verdict in ("proved", "holds-to-depth"), (v.verdict, v.reason)
    if v.verdict == "holds-to-depth":
        assert not v.matches  # the gate is red: the false lemma gave no proof
        return
    stated = [w["lemma"][:3] for w in v.why if w["formula"]]
    assert "L06" not in stated, stated
    # the relation L06 got wrong must come from somewhere, and it is mined, correct
    assert any("months_billed" in w["lemma"] and "billed_through_month" in w["lemma"] for w in v.why), v.why


def test_without_its_lemma_p04_is_not_passed(tmp_path) -> None:
    """Without L08 (no month after the term is billed but the next term's first) no proof
    of P04 is found: the verdict is holds-to-depth, which fails the gate."""
    l08 = SPEC_PATH.read_text(encoding="utf-8").split("  L08: ")[1].split("\n  L09: ")[0]
    path = mutant(tmp_path, "  L08: " + l08 + "\n", "")
    verdicts, _ = verify(path, ["P04"], Settings(timeout=10), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    (v,) = verdicts
    assert v.verdict in ("holds-to-depth", "unknown") and not v.matches, (v.verdict, v.why)


@pytest.mark.parametrize("rewrite", [
    '"yen_days += (today - last_day) * overdue if last_day != FOREVER else 0"',
    '"yen_days += 1 * ((today - last_day) * overdue) if last_day != FOREVER else 0"',
])
def test_an_equivalent_rewrite_keeps_its_proof(tmp_path, rewrite) -> None:
    """The accrual of 12-2 written with its factors swapped (or times one): the same
    arithmetic, so P11 (late charges = floor(overdue × 14.6 % × days / 365)) stays proved —
    the proof's abstract product is normalised before it is abstracted."""
    path = mutant(tmp_path, '"yen_days += overdue * (today - last_day) if last_day != FOREVER else 0"', rewrite)
    verdicts, _ = verify(path, ["P11"], Settings(), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    assert verdicts[0].verdict == "proved", (verdicts[0].verdict, verdicts[0].reason)
