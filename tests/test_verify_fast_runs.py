"""The verifier's random runs on the fast engine (`yakkan.simulate.recording`) give the
reference `Contract`'s steps exactly: same histories, same `Step`s field by field (values
before and after, in the same key order), hence the same lemma samples."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from yakkan.model.contract import Contract
from yakkan.model.machine import CompiledSpec
from yakkan.model.spec import load_spec
from yakkan.simulate.recording import RecordingContract
from yakkan.verify.incremental import replay_run, run_data
from yakkan.verify.lemmas import sample_values
from yakkan.verify.runner import Settings, Verifier
from yakkan.verify.sampling import fast_spec, random_run, sample_runs

REVISION = Path(__file__).resolve().parent.parent / "contracts" / "clara-msp" / "2025-04-01" / "spec.yaml"


def _same_runs(reference: list, fast: list) -> None:
    assert [r.parameters for r in fast] == [r.parameters for r in reference]
    assert [r.events for r in fast] == [r.events for r in reference]
    for a, b in zip(reference, fast, strict=True):
        assert b.steps == a.steps
        # repr: also the order of the values' keys and their types (1 is not True)
        assert [repr(s) + repr(list(s.before.items())) + repr(list(s.after.items())) for s in b.steps] == [
            repr(s) + repr(list(s.before.items())) + repr(list(s.after.items())) for s in a.steps]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_a_random_run_is_the_same_on_both_engines(compiled: CompiledSpec, seed: int) -> None:
    reference = random_run(compiled, random.Random(seed), 30, engine="reference")
    fast = random_run(compiled, random.Random(seed), 30, engine="fast")
    _same_runs([reference], [fast])
    assert any(s.by == "calendar" for s in fast.steps)  # the calendar's steps are compared too
    assert any(not s.accepted for s in fast.steps)  # and refusals


def test_the_revision_samples_are_the_same_on_both_engines() -> None:
    """Coverage-guided streams (each run depends on the transitions of the runs before it)
    on the 2025-04-01 revision; the lemma samples built from them are equal."""
    spec = load_spec(REVISION)
    compiled = CompiledSpec(spec)
    reference = sample_runs(compiled, 8, 20, seed=5, jobs=1, engine="reference")
    fast = sample_runs(compiled, 8, 20, seed=5, jobs=1, engine="fast")
    _same_runs(reference, fast)
    model = Verifier(spec, Settings(), jobs=1).model
    assert repr(sample_values(model, fast, None)) == repr(sample_values(model, reference, None))


def test_an_unknown_engine_is_refused(compiled: CompiledSpec) -> None:
    with pytest.raises(ValueError, match="unknown engine 'quick'"):
        random_run(compiled, random.Random(0), 5, engine="quick")


def test_between_steps_the_values_are_the_reference_values(compiled: CompiledSpec) -> None:
    """The sampler reads the values after `advance_to` to choose the next event: ``today``
    is the day the calendar ran to on both engines, the other values those of the last step."""
    params = {n: p.default for n, p in compiled.spec.parameters.items()}
    reference, fast = Contract(compiled, params), RecordingContract(fast_spec(compiled), params)
    day = 739000
    for c in (reference, fast):
        c.send(compiled.spec.creating_event.name, day)
        c.advance_to(day + 45)
    assert fast.values == reference.values
    assert fast.values["today"] == day + 45


def test_a_replayed_run_is_the_same_on_both_engines(compiled: CompiledSpec) -> None:
    """The fast path's replay of a recorded run (`incremental.replay_run`), the calendar
    run to the end (`settle_to`), gives the reference's steps."""
    for seed, after in ((2, 81), (11, 5)):
        run = random_run(compiled, random.Random(seed), 25, engine="reference")
        data = run_data(compiled.spec, (run.parameters, run.events, run.steps[-1].day + 90))
        fast, reference = replay_run(compiled, data), replay_run(compiled, data, engine="reference")
        _same_runs([reference], [fast])
        tail = fast.steps[len(run.steps) :]
        assert [s.by for s in tail] == ["calendar"] * after  # the calendar ran on after the last event


def test_a_premise_reached_only_on_the_fast_engine_is_a_disagreement(compiled: CompiledSpec) -> None:
    """A premise is shown reachable only by a run the reference engine replays step for step:
    a fast-engine run whose values differ from the reference's (a bug of the generated code)
    fails the check as a backend disagreement instead of making a vacuous property proved."""
    import dataclasses

    from yakkan.verify.properties import obligation
    from yakkan.verify.runner import BackendDisagreement

    verifier = Verifier(compiled.spec, Settings(), None, jobs=1)
    verifier.prepare()
    found = None
    for pid, prop in compiled.spec.properties.items():
        for premise in obligation(compiled.spec, prop).premises:
            run = verifier._premise_in_runs(premise, _budget(), verifier.runs())
            if run is not None and any(s.after for s in run.steps):
                found = (pid, premise, run)
                break
        if found:
            break
    assert found is not None
    pid, premise, run = found
    steps = list(run.steps)
    k = next(i for i, s in enumerate(steps) if s.accepted and s.after)
    wrong = dict(steps[k].after, today=steps[k].after.get("today", 0) + 1)
    steps[k] = dataclasses.replace(steps[k], after=wrong)
    with pytest.raises(BackendDisagreement, match="the fast and the reference engine disagree"):
        verifier._premise_in_runs(premise, _budget(), [dataclasses.replace(run, steps=tuple(steps))])


def _budget():
    from yakkan.verify.engines import Budget

    return Budget(120_000_000, 600)


def test_the_verifiers_fast_engine_monitors_no_property(compiled: CompiledSpec) -> None:
    """The verifier reads a random run's steps, not the monitors' hits: its fast engine is
    generated without them (a third of the time to generate), and the runs above are the
    reference engine's all the same."""
    from yakkan.simulate.fast import FastSpec

    assert not any("H.append" in src or "R[" in src for src in fast_spec(compiled).sources.values())
    assert sum("H.append" in src for src in FastSpec(compiled).sources.values()) > 100
