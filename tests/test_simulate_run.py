"""Portfolio runs: the report's format, the same bytes whatever the number of workers, and
deliberately broken specs (mutants) reported with shrunk scenarios that replay."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from yakkan.cli import main
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec
from yakkan.simulate import run_portfolio
from yakkan.simulate.monitors import MonitorSet
from yakkan.simulate.shrink import ddmin

from conftest import copy_spec_folders

ROOT = Path(__file__).resolve().parents[1]
CLARA = ROOT / "contracts" / "clara-msp"
SPEC = CLARA / "spec.yaml"
PROFILES = CLARA / "profiles.yaml"

REQUIRED = ("customers", "months", "seed", "customer_months", "engine", "violations", "ended_by",
            "state_months", "money")  # fmt: skip


def test_report_json_has_the_documented_keys(tmp_path):
    report = run_portfolio(SPEC, customers=40, months=12, seed=2, workers=1, out=tmp_path)
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data == json.loads(report.json_text())
    for key in REQUIRED:
        assert key in data
    assert data["customer_months"] == 40 * 12
    assert data["engine"] == "fast"
    for key in ("charged", "paid", "late_charges", "penalties", "outstanding"):
        assert isinstance(data["money"][key], int)
    assert sum(data["state_months"].values()) == 40 * 12
    assert sum(data["mix"].values()) == 40
    assert [p["property"] for p in data["not_monitored"]] == ["P20", "P21", "P67"]
    assert data["not_monitored"][2]["reason"] == "read from the terms text, not from a run: checked by `yakkan verify`"
    for name in ("occupancy", "money", "suspensions", "endings", "refusals"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0
        svg = (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "<dc:date>" not in svg


def test_same_seed_same_bytes_whatever_the_workers(tmp_path):
    out = tmp_path / "run"
    run_portfolio(SPEC, customers=150, months=24, seed=11, workers=1, out=out)
    first = {p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    shutil.rmtree(out)
    run_portfolio(SPEC, customers=150, months=24, seed=11, workers=2, out=out)
    second = {p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    run_portfolio(SPEC, customers=150, months=24, seed=12, workers=1, out=out)
    assert (out / "report.json").read_bytes() != first["report.json"]


def test_bundled_spec_has_no_violation_and_known_findings_are_not_failures(tmp_path):
    report = run_portfolio(SPEC, customers=300, months=60, seed=0, workers=2, out=tmp_path)
    assert report.violations == []
    assert report.exit_status == 0
    known = {f.property for f in report.findings if not f.violation and f.kind != "reachable"}
    assert "P15" in known  # 17 sets no maximum length for a suspension (a finding)
    assert known <= {"P13", "P15"}


def test_cli_json(tmp_path, capsys):
    status = main(["simulate", "--customers", "30", "--months", "6", "--seed", "4", "--json",
                   "--out", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    data = json.loads(out)
    assert status == 0
    assert data["customers"] == 30 and data["months"] == 6 and data["seed"] == 4


def test_reference_engine_gives_the_same_report(tmp_path):
    fast = run_portfolio(SPEC, customers=12, months=18, seed=3, workers=1, engine="fast")
    ref = run_portfolio(SPEC, customers=12, months=18, seed=3, workers=1, engine="reference")
    a, b = fast.to_json(), ref.to_json()
    assert a.pop("engine") == "fast" and b.pop("engine") == "reference"
    assert a == b


def test_ddmin_finds_a_one_minimal_subset():
    def test(xs):
        return 3 in xs and 7 in xs

    assert ddmin(list(range(20)), test) == [3, 7]


# -- mutants ------------------------------------------------------------------------------------


def _mutant(tmp_path: Path, old: str, new: str) -> Path:
    """The Clara spec and its terms copied to tmp_path, with one edit to the spec's text."""
    copy_spec_folders(tmp_path)
    text = SPEC.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    load_spec(path)  # the mutant is still a valid spec
    return path


def _check_scenario(spec_path: Path, scenario: str, pid: str, capsys) -> None:
    spec = load_spec(spec_path)
    sc = load_scenario(scenario, spec)
    result = replay(CompiledSpec(spec), sc)
    assert result.expectation_mismatches() == []
    monitor = MonitorSet(spec).start()
    for step in result.contract.steps:
        monitor(step)
    assert pid in monitor.finish(sc.until), f"{pid} does not fire on the replay of {scenario}"
    capsys.readouterr()
    assert main(["replay", scenario, "--spec", str(spec_path)]) == 0
    assert "expectations: all met" in capsys.readouterr().out


def test_mutant_refund_is_reported_as_P05_with_a_replayable_scenario(tmp_path, capsys):
    old = """      - "allocate(amount - (bank_charge if payment_method == 'bank_transfer' else 0))"\n"""
    spec_path = _mutant(tmp_path, old, old + '      - "refunded += 1"\n')
    out = tmp_path / "out"
    report = run_portfolio(spec_path, profiles_path=PROFILES, customers=40, months=12, seed=0, workers=1, out=out)
    assert report.exit_status == 1
    (v,) = [f for f in report.violations if f.property == "P05"]
    assert v.customers_affected > 0 and v.scenario is not None
    assert Path(v.scenario).is_file() and Path(v.scenario).parent == out / "scenarios"
    assert v.scenario_events <= 3  # apply and a payment suffice
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (entry,) = [x for x in data["violations"] if x["property"] == "P05"]
    assert {"property", "customer", "step", "scenario"} <= entry.keys()
    _check_scenario(spec_path, v.scenario, "P05", capsys)
    status = main(["simulate", str(spec_path), "--profiles", str(PROFILES), "--customers", "10",
                   "--months", "6", "--out", str(tmp_path / "cli")])  # fmt: skip
    assert status == 1
    assert "P05" in capsys.readouterr().err


def test_mutant_without_the_6_3_guard_is_reported_as_P01(tmp_path, capsys):
    spec_path = _mutant(
        tmp_path,
        '      - {when: "new_base_fee >= agreed_base_next or not within_minimum_term",\n',
        '      - {when: "True",\n',
    )  # fmt: skip
    profiles = tmp_path / "profiles.yaml"  # impatient customers only, downgrading every month
    text = PROFILES.read_text(encoding="utf-8")
    head, _ = text.split("\nmix:\n")
    downgrade = '      - do: change_plan\n        chance: 0.3\n'
    assert downgrade in head
    head = head.replace(downgrade, downgrade.replace("0.3", "1"))
    profiles.write_text(head + "\nmix:\n  impatient: 1\n", encoding="utf-8")
    report = run_portfolio(spec_path, profiles_path=profiles, customers=30, months=12, seed=1, workers=1,
                           out=tmp_path / "out")  # fmt: skip
    (v,) = [f for f in report.violations if f.property == "P01"]
    assert v.scenario_events is not None and v.scenario_events <= 6
    _check_scenario(spec_path, v.scenario, "P01", capsys)
    # the same mutant on the reference engine finds the same first violation
    ref = run_portfolio(spec_path, profiles_path=profiles, customers=30, months=12, seed=1, workers=1,
                        engine="reference", shrink_findings=False)  # fmt: skip
    (r,) = [f for f in ref.violations if f.property == "P01"]
    assert (r.customer, r.step, r.day, r.customers_affected) == (v.customer, v.step, v.day, v.customers_affected)
