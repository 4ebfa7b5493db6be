"""Bad input — a spec, a scenario, a command line — gets a message with file, line and a
fix, exit status 2, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from yakkan.model.errors import ScenarioError, SpecError
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec

from conftest import ROOT, SCENARIOS, SPEC_PATH, copy_spec_folders

SPEC_TEXT = SPEC_PATH.read_text(encoding="utf-8")


def mutant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """A copy of the bundled spec (with its terms) with `old` replaced by `new`."""
    assert SPEC_TEXT.count(old) >= 1, f"mutation anchor not found: {old!r}"
    folder = tmp_path / "clara"
    copy_spec_folders(folder)
    path = folder / "spec.yaml"
    path.write_text(SPEC_TEXT.replace(old, new, count), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


SPEC_MUTANTS = [
    (
        "misspelt target state",
        "    source: in_force.suspended\n    target: in_force.active",
        "    source: in_force.suspended\n    target: in_force.actve",
        "unknown state 'in_force.actve' — did you mean 'active'?",
    ),
    (
        "misspelt source state",
        "source: concluded\n    target: in_force.active",
        "source: concludde\n    target: in_force.active",
        "did you mean 'concluded'?",
    ),
    ("unknown event", "event: request_support,", "event: request_suport,", "did you mean 'request_support'?"),
    (
        "type error in a guard",
        'when: "arrears > 0"',
        'when: "arrears > service_start"',
        "cannot compare",
    ),
    (
        "unknown name in an effect",
        '"support_requests += 1"',
        '"support_request += 1"',
        "did you mean 'support_requests'?",
    ),
    ("enum value typo", "ended_by = 'cancelled'", "ended_by = 'canceled'", 'did you mean "cancelled"?'),
    ("code in an expression", '"refunded == 0"', "\"__import__('os').system('true') == 0\"", "not allowed"),
    ("attribute access", '"refunded == 0"', '"refunded.__class__ == 0"', "not allowed"),
    (
        "article that does not exist",
        'articles: ["16-2"], ja: 追加料金の支払い',
        'articles: ["16-3"], ja: 追加料金の支払い',
        "16-3",
    ),
    (
        "transition out of a final state",
        'source: ended\n    target: same\n    articles: ["11-4"]',
        'source: ended\n    target: in_force.active\n    articles: ["11-4"]',
        "leaves the final state 'ended'",
    ),
    (
        "duplicate key",
        "  pay_deposit: {by: customer,",
        '  pay: {by: customer, articles: ["10-1"]}\n  pay_deposit: {by: customer,',
        "duplicate key",
    ),
    (
        "coverage gap",
        '  39: {en: "Consultation: no behaviour.",\n    ja: "協議：契約の挙動には関わりません。"}\n',
        "",
        "article 39",
    ),
    (
        "lemma naming a moment of a day that is no calendar event",
        "(today == term_end and passed_month_ends)",
        "(today == term_end and passed_month_end)",
        "did you mean 'passed_month_ends'?",
    ),
    (
        "lemma that is not a condition",
        'holds: "end_date == FOREVER"',
        'holds: "end_date"',
        "lemmas.L02.holds",
    ),
    (
        "lemma named like a property",
        '  L01: {articles: ["9-1"],',
        '  P01: {articles: ["9-1"],',
        "'P01' cannot name a lemma",
    ),
    (
        "lemma without its sentence",
        'doc: "Before the service starts there is no billing start date.",',
        "doc: ,",
        "doc is a sentence for the reader",
    ),
    (
        "a spec name taking a lemma's moment of the day",
        "  billed_through_month: {type: int,",
        '  passed_month_ends: {type: bool, init: "False"}\n  billed_through_month: {type: int,',
        "names starting with 'passed_' are reserved",
    ),
    (
        "unknown key",
        '    reviewer: "No path returns a fee."}',
        '    reviewr: "No path returns a fee."}',
        "did you mean 'reviewer'?",
    ),
    # a reachability's witness scenario (P54): a file in the spec's folder, nothing else
    ("witness outside the spec's folder", "witness: witnesses/P54.yaml", "witness: ../../etc/passwd.yaml",
     "witness must be a relative path to a .yaml scenario in the spec's folder"),
    ("witness that does not exist", "witness: witnesses/P54.yaml", "witness: witnesses/P99.yaml",
     "witness scenario witnesses/P99.yaml does not exist next to the spec"),
    ("witness on an invariant", "P46: {kind: invariant, articles: [\"10-2\"], expect: holds,",
     "P46: {kind: invariant, articles: [\"10-2\"], expect: holds, witness: witnesses/P54.yaml,",
     "only a reachable property has a witness scenario"),
    # the worked examples the verifier replays: scenarios in the spec's folder, in a list
    ("example outside the spec's folder", "  - examples/annual-plan-abolished-in-its-second-year.yaml",
     "  - /etc/annual.yaml", "an example must be a relative path to a .yaml scenario in the spec's folder"),
    ("example that does not exist", "  - examples/annual-plan-abolished-in-its-second-year.yaml",
     "  - examples/annual.yaml", "example scenario examples/annual.yaml does not exist next to the spec"),
    ("examples not a list", "examples:\n  - examples/annual-plan-abolished-in-its-second-year.yaml",
     "examples: examples/annual-plan-abolished-in-its-second-year.yaml", "examples is a list of scenario files"),
]


@pytest.mark.parametrize("case,old,new,message", SPEC_MUTANTS, ids=[m[0] for m in SPEC_MUTANTS])
def test_bad_spec_is_rejected_with_place_and_reason(tmp_path, case, old, new, message):
    path = mutant(tmp_path, old, new)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    text = str(err.value)
    assert message in text
    assert str(path) in text
    assert err.value.line is not None


def test_error_points_at_the_offending_line(tmp_path):
    path = mutant(tmp_path, 'when: "arrears > 0"', 'when: "arrears > service_start"')
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert err.value.line == line_of(path.read_text(), "arrears > service_start")
    line = path.read_text().splitlines()[err.value.line - 1]
    assert line[err.value.column - 1 :].startswith("> service_start")  # the comparison at fault


def test_unreachable_state_reported(tmp_path):
    path = mutant(tmp_path, "target: in_force.interrupted,", "target: in_force.active,")
    with pytest.raises(SpecError, match="state 'interrupted' is unreachable"):
        load_spec(path)


SCENARIO_CASES = [
    ("unknown event", "- {on: 2024-04-03, do: accept}", "- {on: 2024-04-03, do: acept}", "did you mean 'accept'?"),
    ("missing argument", "do: pay, amount: 165000}", "do: pay}", "needs the argument 'amount'"),
    ("mistyped argument", "amount: 165000", "amount: '165000'", "not a whole number of yen"),
    ("unknown argument", "amount: 165000", "amout: 165000", "did you mean 'amount'?"),
    (
        "date going backwards",
        "- {on: 2024-05-01, do: start_service}",
        "- {on: 2024-04-02, do: start_service}",
        "earlier than the event before it",
    ),
    ("calendar event", "do: start_service}", "do: month_ends}", "raised by the calendar"),
    ("impossible date", "on: 2024-04-10", "on: 2024-04-31", "'2024-04-31' is not a valid date"),
    ("terms parameter in a contract", "option_fee: 0,", "tax_rate_percent: 8,", "fixed by the terms"),
]


@pytest.mark.parametrize("case,old,new,message", SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_is_bad_input_with_its_line(tmp_path, spec, case, old, new, message):
    text = (SCENARIOS / "issue-example.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, spec)
    assert message in str(err.value)
    assert err.value.line == line_of(path.read_text(), new)


def yakkan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yakkan", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # fmt: skip


def test_cli_bad_scenario_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("contract: {base_fee: 1}\nevents:\n  - {on: 2024-04-01, do: aply}\n", encoding="utf-8")
    out = yakkan("replay", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert f"{path}:3" in out.stderr and "did you mean 'apply'?" in out.stderr


def test_cli_bad_spec_exits_2_without_traceback(tmp_path):
    path = mutant(tmp_path, "event: request_support,", "event: request_suport,")
    out = yakkan("check", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "request_suport" in out.stderr


def test_cli_missing_file_and_bad_arguments_exit_2(tmp_path):
    out = yakkan("replay", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2 and "file not found" in out.stderr and "Traceback" not in out.stderr
    out = yakkan("replay")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_cli_not_yaml(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("events: [\n", encoding="utf-8")
    out = yakkan("replay", str(path))
    assert out.returncode == 2 and "not valid YAML" in out.stderr


def test_check_reads_the_witness_scenarios(tmp_path):
    """A witness scenario is bad input of `yakkan check`, not only of the `verify` run that
    replays it: a misspelt event in P54's witness is named with its file and line."""
    path = mutant(tmp_path, "witness: witnesses/P54.yaml", "witness: witnesses/P54.yaml")
    witness = path.parent / "witnesses" / "P54.yaml"
    text = witness.read_text(encoding="utf-8")
    witness.write_text(text.replace("do: change_plan, base_fee: 100000", "do: chnge_plan, base_fee: 100000"),
                       encoding="utf-8")
    out = yakkan("check", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert f"{witness}:{line_of(witness.read_text(encoding='utf-8'), 'chnge_plan')}:" in out.stderr
    assert "chnge_plan" in out.stderr
    assert yakkan("check", str(SPEC_PATH)).returncode == 0


@pytest.mark.parametrize("ids, options", [(["P85"], []), (["P85", "P03"], []), (["P18"], ["--no-hints"])])
def test_verify_reads_a_witness_scenario_before_it_checks(tmp_path, ids, options):
    """`verify` reads every witness scenario in its own process before any check: a
    misspelt event in P85's witness is bad input (file, line, the fix), whether P85 is
    checked alone or with others, or not at all (P18, from nothing: no check would have
    read the file), not a solver process that ended without a verdict."""
    path = mutant(tmp_path, "witness: witnesses/P85.yaml", "witness: witnesses/P85.yaml")
    witness = path.parent / "witnesses" / "P85.yaml"
    text = witness.read_text(encoding="utf-8").replace("do: request_deposit,", "do: request_deposite,")
    witness.write_text(text, encoding="utf-8")
    args = [a for pid in ids for a in ("--property", pid)]
    out = yakkan("verify", str(path), *args, *options, "--no-cache", "--out", str(tmp_path / "out"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "without a verdict" not in out.stdout + out.stderr
    assert f"{witness}:{line_of(text, 'request_deposite')}: events[1]: unknown event 'request_deposite'" in out.stderr
    assert "did you mean 'request_deposit'?" in out.stderr and "fix:" in out.stderr
    assert not (tmp_path / "out").exists()
