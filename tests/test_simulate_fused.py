"""The fused customer loop (simulate.fused, simulate.build) against the fast engine and the
reference: the same report byte for byte on the same seed; an overflow falls back to the
plain-Python loop; the tally merge keeps each property's first customer in any order."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_simulate_engines import chaos_profiles  # noqa: I001 - a sibling test module

from yakkan.simulate import build, fused
from yakkan.simulate.driver import plan_service
from yakkan.simulate.engines import Model
from yakkan.simulate.profiles import load_profiles
from yakkan.simulate.runner import run_portfolio
from yakkan.simulate.stats import HitRecord, Tally

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.load(SPEC)


def _report(loop: str, customers: int, months: int, seed: int, profiles: Path = PROFILES, engine: str = "fast",
            workers: int = 1) -> str:  # fmt: skip
    r = run_portfolio(SPEC, profiles, customers=customers, months=months, seed=seed, workers=workers,
                      engine=engine, loop=loop, shrink_findings=False)  # fmt: skip
    return r.json_text()


@pytest.mark.parametrize("seed", [0, 9])
def test_python_loop_report_is_the_fast_engines_byte_for_byte(seed):
    off = _report("off", 160, 48, seed)
    assert _report("python", 160, 48, seed) == off
    assert '"steps": ' in off and '"customer_months": 7680' in off


def test_python_loop_on_a_chaotic_portfolio(model, tmp_path):
    """Every event of the spec with arbitrary arguments: refusals of every kind, monitors firing."""
    path = tmp_path / "chaos.yaml"
    path.write_text(chaos_profiles(model), encoding="utf-8")
    off = _report("off", 60, 36, 2, path)
    assert _report("python", 60, 36, 2, path) == off
    assert '"by_rule": []' not in off


def test_fused_loop_against_the_reference_engine():
    """The reference (python-statemachine, day by day) on the same seed: the same report but
    for the engine's name."""
    ref = _report("off", 12, 24, 4, engine="reference")
    for loop in ("python", "compiled"):  # compiled where the cache has the bundled model's loop
        assert _report(loop, 12, 24, 4).replace('"engine": "fast"', '"engine": "reference"') == ref


def _compiled(model: Model, seed: int, months: int):
    portfolio = load_profiles(PROFILES, model.spec)
    run = build.load(model, portfolio, seed, months, compile_missing=False)
    if run is None:
        pytest.skip("the bundled model's loop is not in the cache (scripts/setup.sh builds it)")
    return portfolio, run


def test_compiled_loop_report_is_the_fast_engines_byte_for_byte(model):
    _compiled(model, 0, 60)
    assert _report("compiled", 400, 60, 3, workers=2) == _report("off", 400, 60, 3, workers=2)


def test_an_overflow_runs_the_chunk_again_in_python(model):
    """A compiled loop that meets an integer beyond its C locals raises OverflowError (Cython's
    overflowcheck); the chunk is then run again, from its start, by the plain-Python loop."""
    portfolio = load_profiles(PROFILES, model.spec)
    calls = []

    def overflowing(lo, hi, seed, months, g):
        calls.append((lo, hi))
        g["_sink"](lo, "punctual", 5, 9, [], "none", {"P18": (1, 2)})  # a half-counted customer
        raise OverflowError("value too large to convert to long long")

    gen = fused.Generator(model, portfolio, 5, 24)
    gen.source()
    loop = fused.FusedLoop(gen, overflowing)
    got = loop.run_chunk(0, 30)
    want = fused.python_loop(model, portfolio, 5, 24).run_chunk(0, 30)
    assert calls == [(0, 30)]
    assert loop.fallbacks == 1
    assert got == want
    assert got.customers == 30


def test_service_plan_and_months_reach_the_loop_as_data(model):
    """The generated source does not depend on the seed nor on the months (the cache key)."""
    portfolio = load_profiles(PROFILES, model.spec)
    a = fused.Generator(model, portfolio, 1, 12, cython=True).source()
    b = fused.Generator(model, portfolio, 7, 60, cython=True).source()
    assert a == b
    assert plan_service(portfolio, 1, 12) != plan_service(portfolio, 7, 60)
    assert build.module_name(a) == build.module_name(b)
    assert build.module_name(a) != build.module_name(a + "\n")


def test_cache_folder_is_outside_the_repository(monkeypatch, tmp_path):
    monkeypatch.setenv("YAKKAN_CACHE", str(tmp_path / "c"))
    assert build.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("YAKKAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert build.cache_dir() == tmp_path / "xdg" / "yakkan"


def test_merge_keeps_each_propertys_first_customer_in_any_order():
    def tally(*hits):
        t = Tally(1)
        for pid, customer in hits:
            t.hit(HitRecord(pid, customer, 3, 100 + customer, "p"))
        return t

    parts = [tally(("P1", 5), ("P2", 9)), tally(("P1", 2)), tally(("P2", 11), ("P3", 40))]
    forward, backward = Tally(1), Tally(1)
    for t in parts:
        forward.merge(t)
    for t in reversed(parts):
        backward.merge(t)
    for merged in (forward, backward):
        assert dict(merged.fired) == {"P1": 2, "P2": 2, "P3": 1}
        assert {p: h.customer for p, h in merged.first_hits.items()} == {"P1": 2, "P2": 9, "P3": 40}


@pytest.mark.parametrize("guard", ["late_charges == late_paid", "late_charges - late_paid <= overdue // 100"])
def test_fused_loop_follows_the_step_semantics_on_accrued_guards(tmp_path, guard):
    """Specs whose `detect_evasion` guard reads what `time_advance` accrues (the probe of
    tests/test_step_semantics.py): the fused loop reads the guard on the advanced values and
    a refusal restores them, as the fast engine does — the same report on a portfolio that
    sends the event with arbitrary amounts."""
    from test_step_semantics import DETECT_EVASION, with_guard

    spec_path = with_guard(tmp_path, DETECT_EVASION, guard)
    model = Model.load(spec_path)
    profiles = tmp_path / "chaos.yaml"
    profiles.write_text(chaos_profiles(model), encoding="utf-8")
    reports = [run_portfolio(spec_path, profiles, customers=40, months=24, seed=6, workers=1, loop=loop,
                             shrink_findings=False).json_text() for loop in ("python", "off")]  # fmt: skip
    assert reports[0] == reports[1]
    assert "\"rule\": \"generated\"" in reports[0]  # the accrued guard did refuse
