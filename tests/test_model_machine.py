"""The executable model: a python-statemachine chart built from the spec, and the ledger's
bookkeeping identities under random customer and company behaviour (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.model.contract import Contract
from yakkan.model.expr import BOOL, DATE, INT
from yakkan.model.machine import chart_name


def test_chart_has_the_spec_states_with_in_force_compound(compiled):
    chart = compiled.machine_class
    assert {s.id for s in chart.states} >= {
        chart_name(s) for s in compiled.spec.states if not compiled.spec.states[s].parent
    }
    in_force = chart.in_force
    assert sorted(s.id for s in in_force.states) == ["active", "interrupted", "restricted", "suspended"]
    assert chart.rejected.final
    # `ended` takes bookkeeping events after the end (payments, deletion), so the chart
    # cannot mark it final; the spec does, and no transition leaves it (checked at load).
    assert compiled.spec.states["ended"].final


def test_chart_events_are_the_spec_events(compiled):
    chart = compiled.machine_class
    names = {e.id for e in chart.events}
    expected = {chart_name(t.event) for t in compiled.spec.transitions}
    assert names == expected


START = dt.date(2024, 4, 1).toordinal()


def _arg_strategy(arg, spec):
    if arg.type == INT:
        return st.integers(min_value=max(arg.minimum or 0, 0), max_value=400_000)
    if arg.type == DATE:
        return st.integers(min_value=0, max_value=200)  # days after the event
    if arg.type == BOOL:
        return st.booleans()
    return st.sampled_from(spec.enums[arg.type.enum])


@st.composite
def histories(draw, spec):
    names = [e for e, d in spec.events.items() if d.by != "calendar" and not d.creates]
    events = []
    for _ in range(draw(st.integers(min_value=1, max_value=25))):
        name = draw(st.sampled_from(names))
        args = {a.name: draw(_arg_strategy(a, spec)) for a in spec.events[name].args}
        events.append((draw(st.integers(min_value=0, max_value=45)), name, args))
    return events


def test_random_histories_keep_the_ledger_identities(compiled):
    spec = compiled.spec

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(histories(spec))
    def check(history):
        c = Contract(compiled, {n: p.default for n, p in spec.parameters.items()})
        today = START
        c.send("apply", today)
        for gap, name, args in [(0, "accept", {}), (0, "pay", {"amount": 110_000}), (1, "start_service", {})] + history:
            today += gap
            args = {k: today + v if spec.events[name].arg(k).type == DATE else v for k, v in args.items()}
            c.send(name, today, args)
            v = c.values
            late = c.derived("late_charges")
            # what is owed, counted two ways (I-04, I-12): the balance is the open items less credit
            assert c.derived("balance_due") == (
                v["overdue"] + v["not_due"] + late - v["late_paid"] + v["penalties_unpaid"] - v["credit"]
            )
            assert min(v["overdue"], v["not_due"], v["credit"], late - v["late_paid"], v["penalties_unpaid"]) >= 0
            assert v["deposit_held"] + v["deposit_applied"] + v["deposit_returned"] == v["deposit_paid"]  # 11-2
            assert v["refunded"] == 0  # 14
            assert v["charged"] == v["charged_pre_tax"] + v["tax_billed"]  # 8-3
            assert c.state in spec.leaf_states
        c.settle_to(today + 40)
        if c.state == "ended":
            assert v["deposit_held"] == 0  # 11-4: nothing stays held after the end

    check()


def _steps(result):
    return [(s.day, s.event, s.transition, s.state_after, s.after) for s in result.contract.steps]


def test_a_finished_contracts_statechart_serves_the_next_contract(spec):
    """A statechart is built once per contract that is alive at the same time: a contract
    that is gone gives its chart back, reset, and the next contract runs on it exactly as on
    a new one — here after a suspension for non-payment and its lifting, which leave the
    chart in a compound state (in force, active)."""
    import gc

    from yakkan.model.machine import CompiledSpec
    from yakkan.model.replay import replay
    from yakkan.model.scenario import load_scenario

    from conftest import SCENARIOS

    suspended = load_scenario(SCENARIOS / "suspension-for-non-payment.yaml", spec)
    support = load_scenario(SCENARIOS / "support-restriction.yaml", spec)
    expected = _steps(replay(CompiledSpec(spec), support))  # on a chart of its own

    compiled = CompiledSpec(spec)
    first = replay(compiled, suspended)
    chart = first.contract.machine
    assert {s.id for s in chart.configuration} == {"in_force", "active"}
    del first
    gc.collect()
    again = replay(compiled, support)
    assert again.contract.machine is chart
    assert _steps(again) == expected


def test_a_stopped_or_failed_statechart_is_not_given_back(spec):
    """A chart that entered a final state (python-statemachine stops it for good: 5, a
    rejected application) and one an event failed in serve no other contract."""
    import gc

    import pytest

    from yakkan.model.machine import CompiledSpec

    compiled = CompiledSpec(spec)
    defaults = {n: p.default for n, p in spec.parameters.items()}
    rejected = Contract(compiled, defaults)
    rejected.send("apply", START)
    assert rejected.send("reject", START + 3, {"ground": "5(1)"}).state_after == "rejected"
    failed = Contract(compiled, defaults)
    failed.send("apply", START)

    def breaks(*_, **__):
        raise RuntimeError("a callback failed")

    failed.machine.send = breaks
    with pytest.raises(RuntimeError):
        failed.send("accept", START + 3)
    del rejected, failed
    gc.collect()
    assert compiled._spare_machines == []
