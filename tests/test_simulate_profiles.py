"""Behaviour profiles: the default portfolio loads; a bad file is reported with its line
and a fix, like a bad spec."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.model.errors import InputError
from yakkan.model.spec import load_spec
from yakkan.simulate.profiles import Dist, ProfileError, load_profiles

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"
TEXT = PROFILES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def test_default_portfolio(spec):
    p = load_profiles(PROFILES, spec)
    assert set(p.profiles) >= {"punctual", "late", "chronic", "heavy_support", "violator",
                               "leaves_after_minimum", "impatient"}  # fmt: skip
    assert {r.event for r in p.service} == {"raise_fee", "announce_abolition"}
    assert {r.event for r in p.company} >= {"suspend", "restore", "interrupt", "terminate"}
    assert p.onboarding[0].event == "apply"
    assert sum(w for _, w in p.mix) > 0
    rng = random.Random(1)
    contract = p.draw_contract(p.profiles["punctual"], rng)
    assert contract["base_fee"] in (50000, 100000, 200000, 400000)


def test_distributions_draw_within_their_bounds():
    rng = random.Random(0)
    d = Dist("uniform", (10000, 200000), step=1000)
    assert all(10000 <= (x := d.draw(rng)) <= 200000 and x % 1000 == 0 for _ in range(200))
    c = Dist("choice", ("a", "b"), (0.0, 1.0))
    assert {c.draw(rng) for _ in range(50)} == {"b"}


def _bad(tmp_path: Path, spec, old: str, new: str) -> ProfileError:
    assert old in TEXT, old
    path = tmp_path / "profiles.yaml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profiles(path, spec)
    err = exc.value
    assert isinstance(err, InputError) and err.path == path
    return err


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


CASES = [
    # (old, new, words in the message, words in the hint or None)
    ("  - {do: accept, after_days:", "  - {do: acept, after_days:", ["unknown event 'acept'", "did you mean 'accept'"],
     "events:"),
    ("  - {do: accept, after_days:", "  - {do: month_ends, after_days:", ["raised by the calendar"], "remove it"),
    ("    ground: \"17-1(1)\"", "    grund: \"17-1(1)\"", ["'grund'", "did you mean 'ground'"], "'suspend' takes"),
    ("    ground: \"17-1(1)\"", "    ground: \"17-1(9)\"", ["'17-1(9)' is not one of"], None),
    ("chance: 0.7\n    day: 25", "chance: 1.7\n    day: 25", ["chance is a probability"], None),
    ("when: \"state == 'applied'\"}", "when: \"state == 'aplied'\"}", ["in `state == 'aplied'`"], "expressions use"),
    ("when: \"state == 'applied'\"}", "when: \"base_fee + 1\"}", ["in `base_fee + 1`"], None),
    ("  support_cap: {choice:", "  tax_rate_percent: {choice:", ["fixed by the terms"], "change it in the spec"),
    ("  option_fee: {choice:", "  optoin_fee: {choice:", ["unknown contract parameter 'optoin_fee'"],
     "contract parameters"),
    ("{uniform: [1, 28]}}\n  - do: request_documents", "{uniform: [28, 1]}}\n  - do: request_documents",
     ["uniform takes [lo, hi]"], None),
    ("weights: [3, 5, 3, 1]", "weights: [3, 5, 3]", ["weights is a list of 4 numbers"], None),
    ("  punctual: 45", "  puntual: 45", ["unknown profile 'puntual'", "did you mean 'punctual'"], "profiles:"),
    ("  - {do: apply, day: {uniform: [1, 28]}}\n", "", ["onboarding must begin with the application"], "apply"),
    ("    amount: {expr: \"not_due + overdue\"}", "", ["needs the argument 'amount'"], None),
    ("amount: {uniform: [10000, 200000], step: 1000}", "amount: {uniform: [0, 200000], step: 1000}",
     ["amount must be at least 1"], None),
    ("    deadline: {expr: \"today + 14\"}", "    deadline: {expr: \"today > 14\"}", ["in `today > 14`"], None),
]


@pytest.mark.parametrize("old,new,message,hint", CASES)
def test_bad_profiles_are_reported_with_line_and_fix(tmp_path, spec, old, new, message, hint):
    err = _bad(tmp_path, spec, old, new)
    for words in message:
        assert words in err.message, err.message
    if hint:
        assert err.hint and hint in err.hint, err.hint
    assert err.line is not None
    text = TEXT.replace(old, new, 1)
    if new.strip():
        first = new.strip().splitlines()[0].strip()
        assert abs(err.line - _line(text, first)) <= 3, (err.line, _line(text, first), str(err))


def test_bad_yaml_and_missing_file(tmp_path, spec):
    path = tmp_path / "p.yaml"
    path.write_text("mix: {a: 1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profiles(path, spec)
    with pytest.raises(ProfileError, match="file not found"):
        load_profiles(tmp_path / "missing.yaml", spec)


def test_cli_reports_a_bad_profiles_file_with_exit_2(tmp_path, capsys):
    path = tmp_path / "profiles.yaml"
    path.write_text(TEXT.replace("  punctual: 45", "  puntual: 45"), encoding="utf-8")
    status = main(["simulate", "--profiles", str(path), "--customers", "5", "--months", "2"])
    assert status == 2
    err = capsys.readouterr().err
    assert f"{path}:{_line(path.read_text(), 'puntual: 45')}" in err and "fix:" in err
