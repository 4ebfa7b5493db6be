"""The generated Python computes what `Expr.compile()` computes, for every expression of
the spec, on random values; partial evaluation never changes a result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yakkan.model.expr import BOOL, DATE, INT
from yakkan.model.spec import load_spec
from yakkan.simulate.codegen import Specializer, compile_function, today_only_in_month_of

SPEC = Path(__file__).resolve().parents[1] / "contracts" / "clara-msp" / "spec.yaml"
FOREVER = dt.date(9999, 12, 31).toordinal()


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def _expressions(spec):
    out = []
    for t in spec.transitions:
        out += [(f"{t.id} guard", c.expr) for c in t.guard]
        out += [(f"{t.id} effect {a.target}", a.value) for a in t.effects]
    out += [(f"time_advance {a.target}", a.value) for a in spec.time_advance]
    for p in spec.properties.values():
        for name in ("formula", "trigger", "response"):
            if getattr(p, name) is not None:
                out.append((f"{p.id} {name}", getattr(p, name)))
    out += [(f"{e.name} at", e.at) for e in spec.calendar_events]
    return out


def _value(draw, t, spec):
    if t == INT:
        return draw(st.one_of(st.integers(-5, 5), st.integers(0, 3_000_000)))
    if t == BOOL:
        return draw(st.booleans())
    if t == DATE:
        return draw(st.one_of(st.just(FOREVER), st.integers(738000, 741000)))
    return draw(st.sampled_from(spec.enums[t.enum]))


@st.composite
def envs(draw, spec):
    env = {}
    types = {n: p.type for n, p in spec.parameters.items()}
    types.update({n: v.type for n, v in spec.variables.items()})
    for ev in spec.events.values():
        types.update({a.expr_name: a.type for a in ev.args})
    for name, t in types.items():
        env[name] = _value(draw, t, spec)
        env["next_" + name] = _value(draw, t, spec)
    env.update(spec.constants)
    env["today"] = draw(st.integers(738000, 741000))
    env["state"] = draw(st.sampled_from(spec.leaf_states))
    env["next_state"] = draw(st.sampled_from(spec.leaf_states))
    env["event"] = draw(st.sampled_from(list(spec.events)))
    return env


def _generated(expr, consts=None):
    sp = Specializer(lambda n: f"v[{n!r}]", consts)
    return compile_function("f", f"def f(v):\n    return {sp.src(expr)}\n")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_generated_code_equals_the_closures(spec, data):
    env = data.draw(envs(spec))
    for where, expr in _expressions(spec):
        try:
            expected = expr.compile()(env)
        except (OverflowError, ValueError):
            continue
        assert _generated(expr)(env) == expected, where


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_partial_evaluation_agrees_where_its_constants_hold(spec, data):
    env = data.draw(envs(spec))
    consts = {"state": env["state"], "next_state": env["next_state"], "event": env["event"], **spec.constants}
    for where, expr in _expressions(spec):
        try:
            expected = expr.compile()(env)
        except (OverflowError, ValueError):
            continue
        assert _generated(expr, consts)(env) == expected, where


def test_identities_fold_away(spec):
    p27 = spec.properties["P27"].formula
    alias = {"next_tax_billed": "tax_billed", "next_charged_pre_tax": "charged_pre_tax", "next_charged": "charged"}
    code = Specializer(lambda n: n, {}, alias).code(p27)
    assert code.const and code.value is True  # a step that bills nothing pays no tax
    p03 = spec.properties["P03"].formula
    assert Specializer(lambda n: n, {"event": "pay"}).code(p03).value is True


def test_calendar_dates_constant_within_a_month(spec):
    kinds = {e.name: today_only_in_month_of(e.at) for e in spec.calendar_events}
    assert kinds["month_starts"] and kinds["month_ends"]
