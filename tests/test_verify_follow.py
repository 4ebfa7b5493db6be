"""`engines.StepChecker` checks a run of the executable model step by step against the
encoding. Each event's step is built once between two states of constants and substituted
(`StepTemplates`, with the months of the exact calendar given as `Calendar.known` computes
them, and in the checker's context each table of month starts built once and substituted:
`Calendar.tables`). That must be the step built with the values: on random runs, every
step built both ways is allowed, and the same step with a value the model did not compute
is refused both ways."""

from __future__ import annotations

import random

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.verify import engines
from yakkan.verify.encoding import System
from yakkan.verify.runner import Settings, Verifier
from yakkan.verify.sampling import random_run


@pytest.fixture(scope="module")
def verifier(spec):
    return Verifier(spec, Settings(), None)


def _run(verifier, seed: int, length: int):
    run = random_run(verifier.compiled, random.Random(seed), length)
    initial = next(s.after for s in run.steps if s.accepted)
    steps = [verifier._zstep(s) for s in run.steps if s.accepted and s.transition is not None]
    return run, initial, steps


def _allowed(sysm: System, parameters, constraints) -> bool:
    z = z3.Solver()
    z.add(*[sym == parameters[name] for name, sym in sysm.model.param_syms.items()])
    z.add(*sysm.calendar.definitions)
    z.add(*constraints)
    return z.check() == z3.sat


def _changed_int(spec, before, after) -> str | None:
    """A whole-number variable of the contract the step changed (the encoding computes it:
    one value only; a scratch variable is a value of the step alone, free after it)."""
    return next((v for v in sorted(after) if v in spec.variables and not spec.variables[v].scratch
                 and spec.variables[v].type.kind == "int" and after[v] != before.get(v)), None)  # fmt: skip


def _step_between(sysm: System, k: int, event: str, s, n, args) -> list:
    """The step by ``event`` from ``s`` to ``n`` (states of Z3 values) built with the values:
    what a template with the values substituted must be."""
    m = sysm.model
    st = sysm.step(s, n, k, only_event=event)
    return [st.constraint, st.event == m.event_sort[event], *[t == v for t, v in engines._given(m, st, event, args)]]


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), length=st.integers(10, 40), tables=st.booleans())
def test_a_template_step_is_the_step_built_with_the_values(verifier, seed, length, tables) -> None:
    verifier._fresh_context()
    run, initial, steps = _run(verifier, seed, length)
    sysm = System(verifier.model, None, exact=True)
    if tables:  # as in a `StepChecker`: each table of month starts built once and substituted
        sysm.calendar.tables = {}
    templates = engines.StepTemplates(sysm)
    before, slot0 = initial, sysm.model.mid
    checked = refused = 0
    for k, (slot, event, args, after) in enumerate(steps):
        s = engines.concrete_state(sysm, before, slot0)
        variants = [after]
        var = _changed_int(verifier.spec, before, after)
        if var is not None:
            variants.append({**after, var: after[var] + 1})
        for i, values in enumerate(variants):
            n = engines.concrete_state(sysm, values, slot)
            direct = _step_between(sysm, k, event, s, n, args)
            template = templates.between(event, s, n, args)
            answer = _allowed(sysm, run.parameters, direct)
            assert _allowed(sysm, run.parameters, [template]) == answer, (k, event, var, i)
            assert answer == (i == 0), (k, event, var, i)  # the model's step, and only it
            checked += 1
            refused += i > 0
        before, slot0 = after, slot
    assert checked > len(steps) and refused > 0


def test_a_step_that_skips_a_calendar_event_is_refused_both_ways(verifier) -> None:
    """Each step of a run taken from the state 40 days earlier (nothing overdue, so nothing
    accrues in between): the calendar events that would have fired in between (a month's
    start) refuse it, in the template (whose part that reads only the two states is built
    once for every event) as in the step built with the values."""
    verifier._fresh_context()
    run, initial, steps = _run(verifier, 5, 40)
    sysm = System(verifier.model, None, exact=True)
    templates = engines.StepTemplates(sysm)
    before, slot0 = initial, sysm.model.mid
    answers = []
    for k, (slot, event, args, after) in enumerate(steps):
        if event not in verifier.model.slot_of and not before["overdue"]:
            early = engines.concrete_state(sysm, {**before, "today": before["today"] - 40,
                                                  "last_day": before["last_day"] - 40}, slot0)  # fmt: skip
            n = engines.concrete_state(sysm, after, slot)
            answer = _allowed(sysm, run.parameters, _step_between(sysm, k, event, early, n, args))
            assert _allowed(sysm, run.parameters, [templates.between(event, early, n, args)]) == answer, (k, event)
            answers.append((before["state"], answer))
        before, slot0 = after, slot
    # in force, a month's start comes within 40 days; applied for or ended, no calendar event fires
    assert sorted(set(answers)) == [("applied", True), ("concluded", False), ("ended", True)]
    assert [sum(1 for st, _ in answers if st == state) for state in ("applied", "concluded", "ended")] == [4, 13, 17]


def test_follow_names_the_first_step_the_encoding_refuses(verifier) -> None:
    run, initial, steps = _run(verifier, 5, 40)
    checker = engines.StepChecker(verifier.spec)
    assert checker.follow(engines.Budget(), initial, steps, run.parameters) is None
    events = [e for _, e, _, _ in steps]
    assert len(steps) == 45 and len(set(events)) < len(events) - 20  # most steps from a template
    assert checker.queries == 46  # the initial state and each step
    assert len(checker.templates._built) == len(set(events))
    for k in (3, 17, 31, 44):
        slot, event, args, after = steps[k]
        var = _changed_int(verifier.spec, steps[k - 1][3], after) or "charged"
        tampered = [*steps[:k], (slot, event, args, {**after, var: after[var] + 1}), *steps[k + 1 :]]
        asked = checker.queries
        assert checker.follow(engines.Budget(), initial, tampered, run.parameters) == k, (k, event, var)
        assert checker.queries == asked + 1  # the steps before it were allowed already: not asked again
        fresh = engines.StepChecker(verifier.spec)
        assert fresh.follow(engines.Budget(), initial, tampered, run.parameters) == k, (k, event, var)


def test_a_refused_step_leaves_nothing_behind_in_the_checkers_solver(verifier) -> None:
    """The steps of a run are asked in one solver, each in a scope of its own: a step the
    encoding refuses does not make the next step refused too."""
    run, initial, steps = _run(verifier, 5, 40)
    checker = engines.StepChecker(verifier.spec)
    slot, event, args, after = steps[3]
    var = _changed_int(verifier.spec, steps[2][3], after) or "charged"
    tampered = [*steps[:3], (slot, event, args, {**after, var: after[var] + 1}), *steps[4:]]
    assert checker.follow(engines.Budget(), initial, tampered, run.parameters) == 3
    assert checker.queries == 5  # the initial state, steps 0-2, the tampered step
    assert checker.follow(engines.Budget(), initial, steps, run.parameters) is None
    assert checker.queries == 5 + 42  # the true step 3 and the 41 after it


def test_a_step_allowed_for_one_contract_is_asked_again_for_another(verifier) -> None:
    """The checker remembers a step with the contract's parameters: the same values after
    the application under another base fee are another question (the encoding reads the
    parameter), and its answer is the encoding's."""
    run, initial, steps = _run(verifier, 5, 40)
    checker = engines.StepChecker(verifier.spec)
    assert checker.follow(engines.Budget(), initial, steps[:5], run.parameters) is None
    other = {**run.parameters, "base_fee": run.parameters["base_fee"] + 1000}
    asked = checker.queries
    assert checker.follow(engines.Budget(), initial, steps[:5], other) is not None
    assert checker.queries > asked


def test_a_step_check_spends_no_unit_of_the_property(verifier) -> None:
    run, initial, steps = _run(verifier, 5, 40)
    budget = engines.Budget()
    assert engines.StepChecker(verifier.spec).follow(budget, initial, steps, run.parameters) is None
    assert budget.used == 0
    spent = engines.Budget(seconds=0.0)
    with pytest.raises(engines.Unknown, match="wall-clock guard"):
        engines.StepChecker(verifier.spec).follow(spent, initial, steps, run.parameters)
