"""Every refusal rule of the model, with the article it cites; a refusal changes nothing."""

from __future__ import annotations

import pytest

from yakkan.model.contract import Contract

from conftest import day

STARTED = [  # a contract in force from 2024-04-01, minimum term April–June
    ("2024-04-01", "apply", {}),
    ("2024-04-01", "accept", {}),
    ("2024-04-01", "pay", {"amount": 110_000}),
    ("2024-04-01", "start_service", {}),
]
CONCLUDED = STARTED[:2]
BREACH = [("2024-04-05", "violate", {"ground": "23-1(1)"})]

# (case, events before, the refused event, the rule's articles)
CASES = [
    ("nothing before the application", [], ("2024-04-01", "pay", {"amount": 1}), ("4-1",)),
    ("one application", CONCLUDED[:1], ("2024-04-02", "apply", {}), ("4-1",)),
    ("no service before the initial payment", CONCLUDED, ("2024-04-02", "start_service", {}), ("6-2",)),
    ("no cancellation within the minimum term", STARTED, ("2024-06-30", "cancel", {}), ("7-2",)),
    ("no cancellation before the service starts", CONCLUDED, ("2024-04-02", "cancel", {}), ("7-2",)),
    ("no second end", [*STARTED, ("2024-07-01", "cancel", {})], ("2024-07-02", "cancel", {}), ("29",)),
    ("no objection before the term starts", CONCLUDED, ("2024-04-02", "object_to_renewal", {}), ("7-1",)),
    ("no downgrade within the minimum term", STARTED, ("2024-06-30", "change_plan", {"base_fee": 90_000}), ("6-3",)),
    ("a change changes the fee", STARTED, ("2024-07-01", "change_plan", {"base_fee": 100_000}), ("6-3",)),
    (
        "8-4 only raises",
        STARTED,
        ("2024-05-01", "raise_fee", {"base_fee": 90_000, "effective_on": "2024-06-01"}),
        ("8-4", "6-3"),
    ),
    (
        "no retroactive raise",
        STARTED,
        ("2024-05-01", "raise_fee", {"base_fee": 120_000, "effective_on": "2024-04-30"}),
        ("8-4", "3-1"),
    ),
    ("restriction needs requests over the cap", STARTED, ("2024-04-02", "restrict", {}), ("16-1", "16-2")),
    ("a restriction names its ground", STARTED, ("2024-04-02", "restrict", {"ground": "none"}), ("16-1", "23-2")),
    ("23-2(5) needs a prohibited act", STARTED, ("2024-04-02", "restrict", {"ground": "23-2(5)"}), ("23-2",)),
    (
        "the extra fee lifts only a restriction for support requests",
        [*STARTED, *BREACH, ("2024-04-06", "restrict", {"ground": "23-2(5)"})],
        ("2024-04-07", "pay_restriction_fee", {}),
        ("16-2",),
    ),
    (
        "a restriction for support requests is lifted by the fee",
        [*STARTED, *(("2024-04-02", "request_support", {}),) * 11, ("2024-04-03", "restrict", {})],
        ("2024-04-04", "lift_restriction", {}),
        ("16-2",),
    ),
    ("an option fee change changes the fee", STARTED, ("2024-07-01", "change_options", {"option_fee": 0}), ("6-3",)),
    (
        "no option removed within the minimum term",
        [*STARTED, ("2024-04-10", "change_options", {"option_fee": 5_000}), ("2024-05-02", "pay", {"amount": 5_500})],
        ("2024-06-30", "change_options", {"option_fee": 0}),
        ("6-3",),
    ),
    ("only an uncured breach is cured", STARTED, ("2024-04-10", "resolve", {"ground": "23-1(1)"}), ("17-3", "28-2")),
    (
        "a fact of 28-1 is not cured",
        [*STARTED, ("2024-04-05", "violate", {"ground": "28-1(2)"})],
        ("2024-04-10", "resolve", {"ground": "28-1(2)"}),
        ("28-1",),
    ),
    ("37-2 needs the company's anti-social links", STARTED, ("2024-04-10", "terminate_by_customer", {}), ("37-2",)),
    (
        "the customer's termination is not backdated",
        [*STARTED, ("2024-04-05", "find_company_antisocial", {})],
        ("2024-04-10", "terminate_by_customer", {"effective_on": "2024-04-09"}),
        ("37-2",),
    ),
    (
        "the customer's termination must end the contract earlier",
        [*STARTED, ("2024-04-05", "find_company_antisocial", {}),
         ("2024-04-06", "terminate_by_customer", {"effective_on": "2024-05-31"})],
        ("2024-04-10", "terminate_by_customer", {"effective_on": "2024-06-15"}),
        ("37-2",),
    ),
    (
        "suspension for non-payment needs an overdue fee",
        STARTED,
        ("2024-04-30", "suspend", {"ground": "17-1(1)"}),
        ("17-1",),
    ),
    ("suspension for breach needs a breach", STARTED, ("2024-04-30", "suspend", {"ground": "17-1(2)"}), ("17-1",)),
    ("17-1(3) needs a refused inspection", STARTED, ("2024-04-30", "suspend", {"ground": "17-1(3)"}), ("17-1",)),
    ("17-1(4) needs serious hindrance", STARTED, ("2024-04-30", "suspend", {"ground": "17-1(4)"}), ("17-1",)),
    ("a suspension names its ground", STARTED, ("2024-04-30", "suspend", {"ground": "none"}), ("17-1",)),
    (
        "no restore while the ground remains",
        [*STARTED, *BREACH, ("2024-04-06", "suspend", {"ground": "17-1(2)"})],
        ("2024-04-07", "restore", {}),
        ("17-3",),
    ),
    (
        "no restore after termination was declared",
        [
            *STARTED,
            *BREACH,
            ("2024-04-06", "suspend", {"ground": "17-1(2)"}),
            ("2024-04-07", "demand_cure", {"deadline": "2024-04-20"}),
            ("2024-04-21", "terminate", {"ground": "28-2", "effective_on": "2024-05-31"}),
            ("2024-04-22", "resolve", {"ground": "23-1(1)"}),
        ],
        ("2024-04-23", "restore", {}),
        ("17-3",),
    ),
    (
        "abolition needs three months' notice",
        STARTED,
        ("2024-06-15", "announce_abolition", {"effective_on": "2024-09-14"}),
        ("20-2",),
    ),
    ("a cure is demanded for a breach", STARTED, ("2024-04-10", "demand_cure", {"deadline": "2024-05-10"}), ("28-2",)),
    (
        "a cure period lies ahead",
        [*STARTED, *BREACH],
        ("2024-04-10", "demand_cure", {"deadline": "2024-04-10"}),
        ("28-2",),
    ),
    (
        "a cure period ends on a day (28-2's 相当の期間: a period that never ends is none)",
        [*STARTED, *BREACH],
        ("2024-04-10", "demand_cure", {"deadline": "9999-12-31"}),
        ("28-2",),
    ),
    ("a termination names its ground", STARTED, ("2024-04-10", "terminate", {"ground": "none"}), ("28",)),
    ("28-1(2) needs the fact", STARTED, ("2024-04-10", "terminate", {"ground": "28-1(2)"}), ("28-1",)),
    (
        "28-1(2) needs that fact, not another",
        [*STARTED, ("2024-04-05", "violate", {"ground": "28-1(3)"})],
        ("2024-04-10", "terminate", {"ground": "28-1(2)"}),
        ("28-1",),
    ),
    (
        "28-1(4) needs a breach of 35-37",
        [*STARTED, *BREACH],
        ("2024-04-10", "terminate", {"ground": "28-1(4)"}),
        ("28-1",),
    ),
    ("37-2 needs anti-social links", STARTED, ("2024-04-10", "terminate", {"ground": "37-2"}), ("37-2",)),
    (
        "28-2 needs a lapsed cure period",
        [*STARTED, *BREACH],
        ("2024-04-10", "terminate", {"ground": "28-2"}),
        ("28-2",),
    ),
    (
        "a second termination must end the contract earlier",
        [
            *STARTED,
            ("2024-04-05", "violate", {"ground": "28-1(2)"}),
            ("2024-04-06", "terminate", {"ground": "28-1(2)", "effective_on": "2024-05-31"}),
        ],
        ("2024-04-07", "terminate", {"ground": "28-1(2)", "effective_on": "2024-06-15"}),
        ("28-3",),
    ),
    (
        "no termination in the past",
        [*STARTED, ("2024-04-05", "violate", {"ground": "28-1(2)"})],
        ("2024-04-07", "terminate", {"ground": "28-1(2)", "effective_on": "2024-04-06"}),
        ("28-3",),
    ),
    ("a deposit needs a ground", STARTED, ("2024-04-10", "request_deposit", {"amount": 1000}), ("11-1",)),
    ("the deposit cap", CONCLUDED[:1], ("2024-04-01", "request_deposit", {"amount": 1_200_001}), ("11-2",)),
    (
        "the deposit requested is already held",
        [
            CONCLUDED[0],
            ("2024-04-01", "request_deposit", {"amount": 1000}),
            ("2024-04-01", "pay_deposit", {"amount": 1000}),
        ],
        ("2024-04-02", "request_deposit", {"amount": 1000}),
        ("11-1",),
    ),
    (
        "no objection once ending",
        [*STARTED, ("2024-05-01", "object_to_renewal", {})],
        ("2024-05-02", "object_to_renewal", {}),
        ("7-1",),
    ),
    (
        "records are deleted once",
        [*STARTED, ("2024-04-05", "violate", {"ground": "24-1"}), ("2024-04-06", "delete_data", {})],
        ("2024-04-07", "delete_data", {}),
        ("25-3",),
    ),
    (
        "the cap holds when the deposit is paid (P06)",
        [
            CONCLUDED[0],
            ("2024-04-01", "request_deposit", {"amount": 1_200_000}),
            *STARTED[1:],
            ("2024-07-01", "change_plan", {"base_fee": 50_000}),
        ],
        ("2024-08-02", "pay_deposit", {"amount": 1_200_000}),
        ("11-2",),
    ),
    ("no deposit beyond the request", CONCLUDED[:1], ("2024-04-01", "pay_deposit", {"amount": 1}), ("11-1", "11-2")),
    ("no deposit to apply", STARTED, ("2024-05-10", "apply_deposit", {}), ("11-3",)),
    (
        "the deposit applies to arrears only",
        [
            CONCLUDED[0],
            ("2024-04-01", "request_deposit", {"amount": 1000}),
            ("2024-04-01", "pay_deposit", {"amount": 1000}),
            *STARTED[1:],
        ],
        ("2024-04-10", "apply_deposit", {}),
        ("11-3",),
    ),
    ("records stay while in force", STARTED, ("2024-04-10", "delete_data", {}), ("25-1", "25-3")),
    (
        "no deposit left to return",
        [*STARTED, ("2024-07-01", "cancel", {})],
        ("2024-08-01", "return_deposit", {}),
        ("11-4",),
    ),
    ("no restore of an active service", STARTED, ("2024-04-10", "restore", {}), ("17-3",)),
    (
        "nothing to pay after a rejection",
        [CONCLUDED[0], ("2024-04-01", "reject", {"ground": "5(3)"})],
        ("2024-04-02", "pay", {"amount": 1}),
        ("10-1", "10-2"),
    ),
    ("a bank charge less than the amount sent", STARTED, ("2024-04-10", "pay", {"amount": 440, "bank_charge": 440}),
     ("10-2",)),
    ("a method already chosen", STARTED, ("2024-04-10", "choose_payment_method", {"method": "bank_transfer"}),
     ("10-3",)),
    (
        "a direct debit by the 27th (method)",
        [*STARTED, ("2024-04-02", "set_payment_day", {"payment_day": 28})],
        ("2024-04-03", "choose_payment_method", {"method": "direct_debit"}),
        ("10-2",),
    ),
    (
        "a direct debit by the 27th (day)",
        [*STARTED, ("2024-04-02", "choose_payment_method", {"method": "direct_debit"})],
        ("2024-04-03", "set_payment_day", {"payment_day": 28}),
        ("10-2",),
    ),
    ("a payment day of the 1st to the 28th", STARTED, ("2024-04-03", "set_payment_day", {"payment_day": 31}),
     ("10-1", "10-2")),
    (
        "a part ends only once the service has started",
        CONCLUDED,
        ("2024-04-02", "announce_abolition", {"effective_on": "2024-08-01", "part": "options"}),
        ("19", "28-1"),
    ),
    (
        "no option service to end",
        STARTED,
        ("2024-04-02", "announce_abolition", {"effective_on": "2024-08-01", "part": "options"}),
        ("19", "28-1", "8-1"),
    ),
    (
        "the options already end by then",
        [*STARTED, ("2024-04-02", "change_options", {"option_fee": 1000}),
         ("2024-04-02", "announce_abolition", {"effective_on": "2024-08-01", "part": "options"})],
        ("2024-04-03", "announce_abolition", {"effective_on": "2024-08-02", "part": "options"}),
        ("19", "28-3"),
    ),
    (
        "a part is terminated under 28-1 only",
        [*STARTED, ("2024-04-02", "find_company_antisocial", {}), ("2024-04-02", "violate", {"ground": "37-1"})],
        ("2024-04-03", "terminate", {"ground": "37-2", "part": "options"}),
        ("28-1", "28-2", "37-2"),
    ),
    (
        "ended options are not added again",
        [*STARTED, ("2024-04-02", "change_options", {"option_fee": 1000}),
         ("2024-04-02", "announce_abolition", {"effective_on": "2024-08-01", "part": "options"})],
        ("2024-09-03", "change_options", {"option_fee": 2000}),
        ("19", "28-1"),
    ),
    ("a payment day already set", STARTED, ("2024-04-03", "set_payment_day", {"payment_day": 0}), ("10-4", "10-5")),
]


def _args(args: dict) -> dict:
    return {k: day(v) if k in ("effective_on", "deadline") else v for k, v in args.items()}


def _refuse(compiled, before, event):
    contract = Contract(compiled, {n: p.default for n, p in compiled.spec.parameters.items()})
    for on, name, args in before:
        step = contract.send(name, day(on), _args(args))
        assert step.accepted, f"setup step {name} on {on} refused: {step.rule}"
    on, name, args = event
    contract.advance_to(day(on))
    values_before = dict(contract.values)
    state_before = contract.state
    return contract, values_before, state_before, contract.send(name, day(on), _args(args))


@pytest.mark.parametrize("case,before,event,articles", CASES, ids=[c[0] for c in CASES])
def test_refused_with_its_article_and_nothing_changes(compiled, case, before, event, articles):
    contract, values_before, state_before, step = _refuse(compiled, before, event)
    assert not step.accepted
    assert step.articles == articles
    assert step.rule
    assert contract.state == state_before
    changed = {k for k in values_before if contract.values.get(k) != values_before[k]}
    # only the event's own arguments (inputs of the guard) may have been set
    arg_names = {a.expr_name for a in compiled.spec.events[event[1]].args} | {"today"}
    assert changed <= arg_names


def test_every_guard_rule_has_a_refusal_case(compiled):
    """Each rule a customer or company event can be refused by is exercised above (a
    clause that only chooses between two transitions of the event — restored to a
    restriction still in place, or to plain service — never refuses)."""
    seen = {_refuse(compiled, before, event)[3].rule for _, before, event, _ in CASES}
    transitions = compiled.spec.transitions
    for i, t in enumerate(transitions):
        if compiled.spec.events[t.event].by == "calendar":
            continue  # a calendar event whose guard fails simply does not fire
        later = [u for u in transitions[i + 1:] if u.event == t.event and set(t.sources) <= set(u.sources)]
        for clause in t.guard:
            if later and all(clause.rule not in {c.rule for c in u.guard} for u in later):
                continue  # chooses the transition; a later one takes the event
            assert clause.rule in seen, f"no refusal case for {t.id}: {clause.rule}"
