"""The two backends agree (issue 4 §5).

* Random histories of the executable model (``Contract``) are runs of the Z3 encoding
  with the same values at every step (each step is checked between the two known states).
* Runs the encoding finds (bounded model checking, exact calendar, every variable)
  replay in the executable model step for step: same days, events, transitions, values.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.model.expr import BOOL, enum_type, parse_expr
from yakkan.model.spec import EVENT_ENUM
from yakkan.verify import counterexample, engines
from yakkan.verify.encoding import System, prepare
from yakkan.verify.properties import Goal
from yakkan.verify.runner import Settings, Verifier
from yakkan.verify.sampling import random_run
from yakkan.verify.structural import _step_env
from yakkan.verify.trace import decode


@pytest.fixture(scope="module")
def verifier(spec):
    return Verifier(spec, Settings(), None)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), length=st.integers(5, 30))
def test_random_histories_are_runs_of_the_encoding(verifier, seed, length) -> None:
    run = random_run(verifier.compiled, random.Random(seed), length)
    trace = verifier.run_trace(list(run.steps), dict(run.parameters), engines.Budget())
    assert trace is not None
    accepted = [s for s in run.steps if s.accepted and s.transition is not None]
    assert [(s.day, s.transition) for s in trace.steps] == [(s.day, s.transition) for s in accepted]


# events within 5 steps of an application; `suspend` needs an arrear (a due date passed),
# which the exact calendar makes slow to search (up to a minute): it has its own test below
SHALLOW = ["pay", "start_service", "month_ends", "request_deposit", "pay_deposit",
           "claim_damages", "detect_evasion", "raise_fee", "month_starts", "reject", "interrupt"]  # fmt: skip


def _event_goal(spec, event: str) -> Goal:
    env = dict(_step_env(spec))
    env["event"] = enum_type(EVENT_ENUM)
    expr = parse_expr(f"event == '{event}'", env, spec.enums, BOOL)
    return Goal(expr.text, "step", prepare(expr), expr)


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.sampled_from(SHALLOW), base_fee=st.sampled_from([0, 1000, 100000]),
       initial_fee=st.sampled_from([0, 50000]))  # fmt: skip
def test_encoding_runs_replay_in_the_executable_model(verifier, event, base_fee, initial_fee) -> None:
    spec = verifier.spec
    goal = _event_goal(spec, event)
    sysm = System(verifier.model, None, exact=True)
    prefer = {"base_fee": base_fee, "initial_fee": initial_fee}
    # a search with the exact calendar over every event: a larger budget than a property's
    found = engines.bmc(sysm, engines.Budget(units=480_000_000), 5, engines.target_of(None, goal, sysm),
                        prefer=prefer)
    assert found is not None, f"no run reaches {event} in 5 steps"
    trace = decode(sysm, found.model, found.path.states, found.path.steps)
    checked = counterexample.check(verifier.compiled, None, trace, goal)
    assert checked.divergence is None, (trace.steps, checked.replay.to_json())
    assert checked.reproduced
    replayed = counterexample.accepted(checked.replay)
    for z, r in zip(trace.steps, replayed, strict=False):
        assert {k: r.after[k] for k in z.values if k in r.after} == {
            k: v for k, v in z.values.items() if k in r.after
        }


def test_a_suspension_found_in_z3_replays_in_the_executable_model(verifier, monkeypatch) -> None:
    """The verifier's own search (abstract calendar, refined on a divergence), with the
    random runs of the executable model switched off: the run comes from Z3 alone, and the
    scenario written from it reaches the suspension in the executable model. (Step-for-step
    agreement with the exact calendar is the test above; histories that reach a suspension
    in the executable model are runs of the encoding by the first test.)"""
    monkeypatch.setattr(Verifier, "_from_samples", lambda self, ob, goal, budget, z3_check=True: None)
    goal = _event_goal(verifier.spec, "suspend")
    found, _ = verifier.search(None, goal, engines.Budget(), 8)
    assert found is not None
    trace, checked = found
    assert trace.steps[-1].event == "suspend"
    assert checked.reproduced
    replayed = counterexample.accepted(checked.replay)
    suspensions = [s for s in replayed if s.event == "suspend"]
    assert suspensions and suspensions[0].state_after == "suspended"
