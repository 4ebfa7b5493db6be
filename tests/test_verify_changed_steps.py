"""Which steps an edit changes (issue 14 §5): `encoding.Model.step_digests` fingerprints
what the encoding of a step by each event is built from, so that the fast path checks a
proof again for the changed events' steps only, and keeps a run that sends none of them
(`Verifier._untouched`). The sets below are read off the spec: which guards and effects
name the parameter, directly or through a derived name."""

from __future__ import annotations

from pathlib import Path

import pytest

from yakkan.model.spec import load_spec
from yakkan.verify.encoding import Model
from yakkan.verify.runner import Settings, Verifier

from conftest import SPEC_PATH, copy_spec_folders

TEXT = SPEC_PATH.read_text(encoding="utf-8")


def digests_after(tmp_path: Path, old: str, new: str) -> tuple[str, dict[str, str]]:
    assert TEXT.count(old) == 1, old
    copy_spec_folders(tmp_path)
    (tmp_path / "spec.yaml").write_text(TEXT.replace(old, new), encoding="utf-8")
    return Model(load_spec(tmp_path / "spec.yaml")).step_digests


@pytest.mark.parametrize(("old", "new", "changed"), [
    # 11-2: the cap is `deposit_cap`, read by the guards of request_deposit and pay_deposit
    ("deposit_cap_months: {type: int, default: 12,", "deposit_cap_months: {type: int, default: 6,",
     ["pay_deposit", "request_deposit"]),
    # 7-1: the minimum term is computed by start_service's effects only
    ("minimum_term_months: {type: int, default: 3,", "minimum_term_months: {type: int, default: 6,",
     ["start_service"]),
    # 12-2: `late_charges` (a derived name) is read where a payment, a deposit or the end settles them
    ("late_rate_bp: {type: int, default: 1460,", "late_rate_bp: {type: int, default: 1000,",
     ["apply_deposit", "contract_ends", "pay"]),
    # 12-1: the penalty is detect_evasion's effect
    ("evasion_multiplier: {type: int, default: 2,", "evasion_multiplier: {type: int, default: 3,",
     ["detect_evasion"]),
    # one guard clause of request_deposit
    ('{when: "amount <= deposit_cap", rule:', '{when: "amount <= deposit_cap + 1", rule:', ["request_deposit"]),
    # lines moved, a refusal's wording, a Japanese text: the same steps
    ("\nparameters:", "\n# a comment\n\nparameters:", []),
    ('rule: "the deposit may not exceed 12 months', 'rule: "the deposit may never exceed 12 months', []),
])  # fmt: skip
def test_an_edit_changes_the_steps_of_the_events_that_read_it(spec, tmp_path: Path, old: str, new: str,
                                                             changed: list[str]) -> None:  # fmt: skip
    shared, events = Model(spec).step_digests
    shared2, events2 = digests_after(tmp_path, old, new)
    assert shared2 == shared
    assert sorted(e for e in events if events2[e] != events[e]) == changed


def test_the_shared_part_of_the_step(spec, tmp_path: Path) -> None:
    """What every step reads — a calendar date (no step may jump over a moment at which
    the calendar would fire), `time_advance` — changes the shared digest: no event's
    steps are the same steps any more."""
    shared, _ = Model(spec).step_digests
    assert digests_after(tmp_path / "a", 'month_ends: {by: calendar, at: "month_end(month_of(today))"',
                         'month_ends: {by: calendar, at: "month_end(month_of(today)) - 1"')[0] != shared
    assert digests_after(tmp_path / "b", '"yen_days += overdue * (today - last_day)',
                         '"yen_days += 2 * overdue * (today - last_day)')[0] != shared


def test_a_run_is_untouched_when_it_sends_no_changed_event_before_its_premise(spec) -> None:
    verifier = Verifier(spec, Settings())
    data = {"parameters": {}, "events": [[739000, "apply", {}], [739010, "accept", {}],
                                         [739020, "request_deposit", {"amount": 1}]], "until": 739020}  # fmt: skip
    assert verifier._untouched(data, ["pay_deposit"])
    assert not verifier._untouched(data, ["request_deposit"])
    assert verifier._untouched({**data, "reached_after": 2}, ["request_deposit"])  # held before it was sent
    assert not verifier._untouched({**data, "reached_after": 3}, ["request_deposit"])
    assert not verifier._untouched(data, ["month_ends"])  # the calendar tries its events every day
    assert not verifier._untouched(data, None)  # not known what changed
    assert verifier._untouched(data, [])


def _encodings(spec) -> tuple[tuple[str, dict[str, str]], dict[str, str]]:
    """The step digests, and the Z3 text of a step by each event and of the initial states
    (every variable, the proofs' calendar), built in a fresh context."""
    import z3

    from yakkan.verify.encoding import System
    from yakkan.verify.engines import fresh_context

    fresh_context()
    model = Model(spec)
    system = System(model, None, exact=False)
    out = {}
    for event in model.by_event:
        system.calendar.group = 100
        s = system.state("s")
        system.calendar.group = 101
        out[event] = system.step(s, system.state("n"), "s", only_event=event).constraint.sexpr()
    out["<init>"] = z3.And(*system.init(system.state("i"))).sexpr()
    return model.step_digests, out


def test_equal_digests_are_equal_encodings_on_a_mutant_of_every_kind(spec) -> None:
    """The differential test of the digests against the encoding they stand for: on the
    first mutant of each operator and kind of `yakkan mutate` (22: guards dropped and
    negated, comparisons, constants, arithmetic, effects dropped, targets, calendar dates,
    parameters, derived names, procedures, time_advance), every event whose digest (and
    the shared one) is unchanged has the same Z3 step, and the initial states are the same
    when the shared digest is. An input of the encoding the digests missed fails here."""
    from yakkan.verify.mutate import Context, MutateSettings

    ctx = Context.load(SPEC_PATH, MutateSettings())
    (shared, events), texts = _encodings(ctx.spec)
    from yakkan.model.errors import SpecError

    done: set[tuple[str, str]] = set()
    compared = 0
    for m in sorted(ctx.by_id.values(), key=lambda m: m.id):
        if (m.operator, m.kind) in done:
            continue
        try:
            mutant = ctx.build(m)
        except SpecError:  # a mutant the loader refuses (a type error): the next of its kind
            continue
        done.add((m.operator, m.kind))
        (shared2, events2), texts2 = _encodings(mutant)
        for name, text in texts.items():
            same = shared2 == shared and (name == "<init>" or events2.get(name) == events[name])
            if same:
                compared += 1
                assert texts2[name] == text, f"{m.describe()}: the digests say {name}'s steps are unchanged"
    assert len(done) == 22
    assert compared > 22 * 30  # most events are untouched by one mutant (741 when written)


def test_a_reused_verdict_writes_its_scenarios_again(tmp_path: Path, spec) -> None:
    """A verdict taken again without a check (a reused one, a finding whose runs the edit
    left alone) writes its counterexample and a structural property's witnesses per state
    where this run puts its scenarios, and points at them there."""
    from yakkan.verify.runner import Verdict

    v = Verdict(id="P20", title="", kind="structural", verdict="proved", expected="holds", matches=True,
                depth=None, seconds=0.0, articles=[], witnesses=["elsewhere/P20-active-witness.yaml",
                                                                 "elsewhere/P20-suspended-witness.yaml"],
                witness_texts=["name: a\n", "name: b\n"])  # fmt: skip
    v.restore(tmp_path)
    assert v.witnesses == [str(tmp_path / "P20-active-witness.yaml"), str(tmp_path / "P20-suspended-witness.yaml")]
    assert [Path(p).read_text(encoding="utf-8") for p in v.witnesses] == ["name: a\n", "name: b\n"]
    finding = Verdict(id="P13", title="", kind="invariant", verdict="violated", expected="violated", matches=True,
                      depth=3, seconds=0.0, articles=[], counterexample="old/P13-counterexample.yaml",
                      scenario_text="name: P13-counterexample\n")  # fmt: skip
    finding.restore(tmp_path)
    assert finding.counterexample == str(tmp_path / "P13-counterexample.yaml")
    assert (tmp_path / "P13-counterexample.yaml").read_text(encoding="utf-8") == "name: P13-counterexample\n"
