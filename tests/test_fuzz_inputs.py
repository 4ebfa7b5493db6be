"""Fuzzing the inputs that come from pull requests: mutated specs, scenarios and profiles.

Whatever the mutation, `yakkan` exits 0, 1 or 2 — never a traceback, never an exception
out of `main` — an exit 2 carries a `fix:` line, each input takes a bounded time, and
nothing is written outside the output folder. The example counts are kept small for CI on
two cores (about 40 s in all); `benchmarks/fuzz_inputs.py` runs the same strategies longer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import PROFILES, SCENARIOS, SPEC, files_under, mutants, problems, run_cli, spec_folder

SECONDS_PER_INPUT = 20.0  # generous: two cores shared; a hostile input is refused in well under a second
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow],
                database=None)  # fmt: skip


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder, so that a default output path (out/…) would show up."""
    monkeypatch.chdir(tmp_path)


def _assert_fine(outcome, label: str) -> None:
    found = problems(outcome)
    assert not found, f"{label}: " + "\n".join(found)
    assert outcome.seconds < SECONDS_PER_INPUT, f"{label}: took {outcome.seconds:.1f} s"


@settings(FUZZ, max_examples=25)
@given(text=mutants(SPEC))
def test_mutated_spec(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = spec_folder(Path(tmp) / "spec", text)
        before = files_under(Path(tmp))
        _assert_fine(run_cli(["check", str(path)]), "check")
        assert files_under(Path(tmp)) == before
    assert not os.listdir(".")


@settings(FUZZ, max_examples=40)
@given(which=st.sampled_from(SCENARIOS), data=st.data())
def test_mutated_scenario(which: Path, data: st.DataObject) -> None:
    text = data.draw(mutants(which))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / which.name
        path.write_text(text, encoding="utf-8")
        _assert_fine(run_cli(["replay", str(path), "--json"]), f"replay {which.name}")
        assert files_under(Path(tmp)) == {path}
    assert not os.listdir(".")


@settings(FUZZ, max_examples=20)
@given(text=mutants(PROFILES))
def test_mutated_profiles(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profiles.yaml"
        path.write_text(text, encoding="utf-8")
        out = Path(tmp) / "out"
        outcome = run_cli(["simulate", "--profiles", str(path), "--customers", "4", "--months", "3",
                           "--workers", "1", "--json", "--out", str(out)])  # fmt: skip
        _assert_fine(outcome, "simulate")
        assert {p for p in files_under(Path(tmp)) if out not in p.parents and p != out} == {path}
    assert not os.listdir(".")
