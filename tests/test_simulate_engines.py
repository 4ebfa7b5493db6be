"""The fast engine against the reference (python-statemachine, day by day): same steps,
same values, same monitor findings — on portfolio customers and on random event scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.model.expr import BOOL, DATE, INT
from yakkan.simulate.driver import plan_service, run_customer
from yakkan.simulate.engines import Model
from yakkan.simulate.profiles import load_profiles
from yakkan.simulate.shrink import fires

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"
START = dt.date(2024, 4, 1).toordinal()


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.load(SPEC)


@pytest.fixture(scope="module")
def portfolio(model):
    return load_profiles(PROFILES, model.spec)


def _same(a, b) -> None:
    assert a.trace == b.trace
    assert a.values == b.values
    assert a.hits == b.hits
    assert a.occupancy == b.occupancy
    assert a.billed == b.billed


@pytest.mark.parametrize("seed", [0, 5])
def test_engines_agree_on_portfolio_customers(model, portfolio, seed):
    service = plan_service(portfolio, seed, 48)
    for i in range(10):
        fast = run_customer(model, portfolio, service, "fast", seed, i, 48)
        ref = run_customer(model, portfolio, service, "reference", seed, i, 48)
        _same(fast, ref)


def test_engines_agree_under_service_wide_events(model, portfolio):
    rules = {r.event: r for r in portfolio.service}
    assert set(rules) == {"raise_fee", "announce_abolition"}
    d = dt.date.fromisoformat
    service = [(d("2024-06-10").toordinal(), -3, rules["raise_fee"], {}),
               (d("2025-02-03").toordinal(), -2, rules["raise_fee"], {}),
               (d("2025-09-20").toordinal(), -1, rules["announce_abolition"], {})]  # fmt: skip
    ended = set()
    for i in range(8):
        fast = run_customer(model, portfolio, service, "fast", 5, i, 36)
        _same(fast, run_customer(model, portfolio, service, "reference", 5, i, 36))
        ended.add(fast.values["ended_by"])
    assert "abolished" in ended


def test_a_run_is_its_sent_events_replayed(model, portfolio):
    service = plan_service(portfolio, 1, 36)
    for i in range(5):
        run = run_customer(model, portfolio, service, "fast", 1, i, 36, record=True)
        for engine in ("fast", "reference"):
            c = model.contract(engine, {**model.default_parameters(), **run.contract})
            for day, event, args in run.events:
                c.send(event, day, args)
            c.settle_to(run.until)
            assert c.trace == run.trace
            assert c.finish(run.until) == run.hits


# -- random event scripts ------------------------------------------------------------------


def _arg_strategy(model: Model, arg, day: int):
    t = arg.type
    if t == INT:
        lo = arg.minimum if arg.minimum is not None else 0
        return st.sampled_from([lo, lo + 1, 5000, 50000, 100000, 110000, 250000, 2_000_000])
    if t == DATE:
        return st.integers(-5, 150).map(lambda k: day + k)
    if t == BOOL:
        return st.booleans()
    return st.sampled_from(model.spec.enums[t.enum])


@st.composite
def scripts(draw, model: Model):
    events = [e for e in model.spec.events.values() if e.by != "calendar" and not e.creates]
    day = START + draw(st.integers(0, 20))
    out = [(day, model.spec.creating_event.name, {})]
    for _ in range(draw(st.integers(0, 40))):
        day += draw(st.sampled_from([0, 0, 1, 3, 10, 29, 31, 62]))
        ev = draw(st.sampled_from(events))
        args = {a.name: draw(_arg_strategy(model, a, day)) for a in ev.args
                if a.default is None or draw(st.booleans())}  # fmt: skip
        out.append((day, ev.name, args))
    return out, day + draw(st.integers(0, 200))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engines_agree_on_random_scripts(model, data):
    events, until = data.draw(scripts(model))
    params = model.default_parameters()
    runs = []
    for engine in ("fast", "reference"):
        c = model.contract(engine, params)
        for day, event, args in events:
            c.send(event, day, args)
        c.settle_to(until)
        runs.append((c.trace, dict(c.values), c.finish(until)))
    assert runs[0] == runs[1]


def test_fires_reports_the_first_step(model):
    d = START
    events = [(d, "apply", {}), (d + 1, "accept", {}), (d + 2, "claim_damages", {"amount": 500000,
              "cause": "gross_negligence"})]  # fmt: skip
    for engine in ("fast", "reference"):
        assert fires(model, engine, {}, events, d + 2, "P13") == (2, d + 2)
        assert fires(model, engine, {}, events[:2], d + 2, "P13") is None


def chaos_profiles(model: Model) -> str:
    """A portfolio whose one profile tries every event of the spec with arbitrary arguments."""
    rules = []
    for ev in model.spec.events.values():
        if ev.by == "calendar" or ev.creates:
            continue
        r = f"      - do: {ev.name}\n        chance: 0.12\n        day: {{uniform: [1, 31]}}\n"
        for a in ev.args:
            if a.type == INT:
                r += f"        {a.name}: {{choice: [1, 1000, 50000, 110000, 500000, 1200000, 5000000]}}\n"
            elif a.type == DATE:
                r += f"        {a.name}: {{expr: \"today + 3 * (day_of(today) * 7 % 40) - 10\"}}\n"
            elif a.type == BOOL:
                r += f"        {a.name}: {{choice: [true, false]}}\n"
            else:
                r += f"        {a.name}: {{choice: {list(model.spec.enums[a.type.enum])}}}\n"
        rules.append(r)
    rules.append('      - {do: pay, chance: 0.7, day: {uniform: [1, 31]}, when: "balance_due > 0",'
                 ' amount: {expr: "balance_due + 1000"}}\n')  # fmt: skip
    head = PROFILES.read_text(encoding="utf-8").split("\nprofiles:\n")[0]
    head = head.replace("arrival_month: {uniform: [0, 23]}", "arrival_month: {uniform: [0, 5]}")
    return head + "\nprofiles:\n  chaos:\n    rules:\n" + "".join(rules) + "\nmix:\n  chaos: 1\n"


def test_engines_agree_on_a_chaotic_portfolio(model, tmp_path):
    path = tmp_path / "chaos.yaml"
    path.write_text(chaos_profiles(model), encoding="utf-8")
    chaos = load_profiles(path, model.spec)
    service = plan_service(chaos, 2, 36)
    refused = 0
    for i in range(25):
        fast = run_customer(model, chaos, service, "fast", 2, i, 36)
        _same(fast, run_customer(model, chaos, service, "reference", 2, i, 36))
        refused += sum(1 for s in fast.trace if s[4] is not None)
    assert refused > 100  # the chaos does reach the refusals
