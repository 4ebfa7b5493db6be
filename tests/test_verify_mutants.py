"""Mutants of the spec that must turn the gate red: the 6-3 guard removed, suspension no
longer charged, the deposit cap shifted (issue 4), and each fault the legal reviews found
(issue 10) put back as a mutant, caught by a property with a replayable counterexample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH


def mutant(tmp_path: Path, old: str, new: str) -> Path:
    """The bundled spec (and its terms) in tmp_path, with one text edit."""
    folder = tmp_path / "spec"
    folder.mkdir()
    shutil.copytree(SPEC_PATH.parent / "terms", folder / "terms")
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the mutation site is not unique: {old!r}"
    path = folder / "spec.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
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
    "deposit-cap-13": ('  deposit_cap: "deposit_cap_months * (base_fee + option_fee + other_fee)"',
                       '  deposit_cap: "13 * (base_fee + option_fee + other_fee)"', "P06"),
    # the faults of the legal reviews (issue 10), each as the old behaviour:
    # F1: a downgrade measured against the fee in force, not the fee agreed for next month
    "f01-downgrade-against-fee-in-force": (
        '      - {when: "new_base_fee >= agreed_base_next or not within_minimum_term",\n',
        '      - {when: "new_base_fee >= base_fee or not within_minimum_term",\n', "P01"),
    # F2: a raise notice overwrites an agreed change not yet in force
    "f02-notice-overwrites-agreement": ('      - "raise_to = new_base_fee"\n',
                                        '      - "raise_to = new_base_fee"\n      - "agreed_from = FOREVER"\n', "P30"),
    # F5: other fees never billed
    "f05-other-fees-not-billed": ('  plan_fees_next: "fee_next_month + agreed_option_next + other_fee"',
                                  '  plan_fees_next: "fee_next_month + agreed_option_next"', "P10"),
    # F9: a rejected applicant's deposit is held for ever
    "f09-deposit-kept-on-rejection": (
        '      - "deposit_returned += deposit_held"\n      - "deposit_held = 0"\n  - id: accept',
        "  - id: accept", "P34"),
    # F14: curing one breach clears them all
    "f14-one-cure-clears-all": ('      - "breach[breach_ground].committed = False"\n',
                                '      - "for g in Breach: breach[g].committed = False"\n', "P38"),
    # F18: a restriction vanishes through a suspension
    "f18-restriction-lost-in-suspension": ('    target: in_force.restricted\n    articles: ["17-3", "16-2"]\n',
                                           '    target: in_force.active\n    articles: ["17-3", "16-2"]\n', "P40"),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_turns_the_gate_red(tmp_path, name, spec) -> None:
    from yakkan.model.machine import CompiledSpec
    from yakkan.model.spec import load_spec

    old, new, pid = MUTANTS[name]
    path = mutant(tmp_path, old, new)
    out = tmp_path / "out"
    verdicts, _ = verify(path, [pid], Settings(), out, use_cache=False, cache_dir=tmp_path / "c")
    (v,) = verdicts
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
    """L06 says one month too many: it is false, so no proof may use it; P04 is still
    proved from what holds (the verifier mines the correct relation), without L06."""
    path = mutant(tmp_path, L06, L06.replace("month_of(service_start) + 1", "month_of(service_start) + 2"))
    verdicts, _ = verify(path, ["P04"], Settings(), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    (v,) = verdicts
    assert v.verdict == "proved", (v.verdict, v.reason)
    stated = [w["lemma"][:3] for w in v.why if w["formula"]]
    assert stated and "L06" not in stated, stated
    # (which of the true lemmas a proof keeps may vary with the solver's choices; the
    # relation L06 got wrong must come from somewhere, and it is mined, correct)
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
