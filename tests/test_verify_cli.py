"""`yakkan verify` as a CI gate: exit codes, --json, JUnit, SARIF, Markdown, the cache."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from test_verify_mutants import MUTANTS, mutant

from yakkan.cli import main

from conftest import SPEC_PATH


def test_exit_0_when_every_verdict_matches(in_tmp, capsys) -> None:
    code = main(["verify", str(SPEC_PATH), "--property", "P05", "--property", "P13", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True
    items = {p["id"]: p for p in out["properties"]}
    assert set(items) == {"P05", "P13"}
    for p in items.values():
        assert {"id", "verdict", "expected", "matches", "depth", "seconds", "articles", "counterexample"} <= set(p)
    assert items["P05"]["verdict"] == "proved" and items["P05"]["counterexample"] is None
    assert items["P13"]["verdict"] == "violated" and items["P13"]["counterexample"].endswith(".yaml")


def test_exit_2_on_bad_input(in_tmp, capsys) -> None:
    assert main(["verify", str(SPEC_PATH), "--property", "P99"]) == 2
    assert "unknown property 'P99'" in capsys.readouterr().err
    assert main(["verify", str(in_tmp / "missing.yaml")]) == 2
    assert main(["verify", str(SPEC_PATH), "--depth", "0"]) == 2
    bad = in_tmp / "bad.yaml"
    bad.write_text("meta: {id: x}\n", encoding="utf-8")
    assert main(["verify", str(bad)]) == 2


def test_reports_on_a_spec_with_a_real_violation(in_tmp, monkeypatch, capsys) -> None:
    old, new, _ = MUTANTS["no-6-3-guard"]
    path = mutant(in_tmp, old, new)
    summary = in_tmp / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    junit, sarif, md = in_tmp / "r" / "junit.xml", in_tmp / "r" / "out.sarif", in_tmp / "r" / "summary.md"
    code = main(["verify", str(path), "--property", "P01", "--property", "P05", "--junit", str(junit),
                 "--sarif", str(sarif), "--markdown", str(md), "--out", str(in_tmp / "cx")])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 1
    assert "P01" in text and "violated" in text and "MISMATCH" in text
    # JUnit: one test case per property, the violation a failure
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name").split()[0]: c for c in suite.iter("testcase")}
    assert cases["P01"].find("failure") is not None and cases["P05"].find("failure") is None
    # SARIF 2.1.0: located at the property's line and at the transition at fault
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "P01" and result["level"] == "error"
    spec_lines = path.read_text(encoding="utf-8").splitlines()
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert spec_lines[line - 1].lstrip().startswith("P01:")
    fault = result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"]
    assert "id:" in spec_lines[fault - 1] or "- id" in spec_lines[fault - 1]
    # Markdown, also appended to the step summary
    assert "| P01 | violated | holds | ❌" in md.read_text(encoding="utf-8")
    assert "P01" in summary.read_text(encoding="utf-8")


def test_unchanged_rerun_uses_the_cache(in_tmp, capsys) -> None:
    args = ["verify", str(SPEC_PATH), "--property", "P05", "--property", "P24", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert [p["verdict"] for p in first["properties"]] == [p["verdict"] for p in second["properties"]]
    assert [p["cached"] for p in first["properties"]] == [False, False]
    assert [p["cached"] for p in second["properties"]] == [True, True]
    assert main([*args, "--no-cache"]) == 0
    third = json.loads(capsys.readouterr().out)
    assert [p["cached"] for p in third["properties"]] == [False, False]


def test_a_vacuous_proof_fails_the_gate(in_tmp, capsys) -> None:
    """Restoring a suspended service made impossible: P12 (a suspension is lifted only
    when …) still holds, but only because its premise can never hold — vacuous, exit 1."""
    removed = ('  suspension_grounds_removed: "overdue == 0 and not any(breach[g].committed '
               'for g in suspension_breaches)"')
    path = mutant(in_tmp, removed, '  suspension_grounds_removed: "False"')
    code = main(["verify", str(path), "--property", "P12", "--json", "--no-cache"])
    (item,) = json.loads(capsys.readouterr().out)["properties"]
    assert code == 1
    assert (item["verdict"], item["matches"]) == ("vacuous", False)
    assert "can never hold" in item["reason"]


def test_a_spent_budget_is_unknown_and_fails_the_gate(in_tmp, capsys) -> None:
    """Z3 resource units decide (`--rlimit`): too few, and the verdict is unknown, exit 1."""
    code = main(["verify", str(SPEC_PATH), "--property", "P06", "--rlimit", "1000", "--json", "--no-cache"])
    (item,) = json.loads(capsys.readouterr().out)["properties"]
    assert code == 1
    assert item["verdict"] in ("unknown", "holds-to-depth") and item["matches"] is False
    assert "resource budget spent (1,000 Z3 units)" in item["reason"]


def test_the_wall_clock_guard_is_unknown_and_fails_the_gate(in_tmp, capsys) -> None:
    code = main(["verify", str(SPEC_PATH), "--property", "P06", "--timeout", "0.05", "--json", "--no-cache"])
    (item,) = json.loads(capsys.readouterr().out)["properties"]
    assert code == 1
    assert item["verdict"] in ("unknown", "holds-to-depth") and item["matches"] is False
    assert "wall-clock guard reached after 0.05 s" in item["reason"] or "timeout after 0.05 s" in item["reason"]


def test_an_unfinished_vacuity_check_is_never_proved(in_tmp, capsys, monkeypatch) -> None:
    """The probe: P03 with cancellation made impossible. The induction proves it, but the
    search for a cancellation (its premise) runs out of budget: the verdict is unknown,
    exit 1 — never "proved" with a timeout as its reason."""
    from yakkan.verify.engines import DepthReached
    from yakkan.verify.runner import Verifier

    def out_of_budget(self, ob, goal, budget, depth, z3_check=True):
        raise DepthReached("budget spent", 3)

    monkeypatch.setattr(Verifier, "search", out_of_budget)
    monkeypatch.setattr(Verifier, "_premise_in_runs", lambda self, premise, budget, runs: False)
    guard = '      - {when: "not within_minimum_term", rule: "no cancellation within the minimum term (I-06)"'
    path = mutant(in_tmp, guard, guard.replace('"not within_minimum_term"', '"False"'))
    code = main(["verify", str(path), "--property", "P03", "--json", "--no-cache"])
    (item,) = json.loads(capsys.readouterr().out)["properties"]
    assert code == 1
    assert (item["verdict"], item["matches"]) == ("unknown", False), item
    assert "premise was not shown reachable" in item["reason"]
