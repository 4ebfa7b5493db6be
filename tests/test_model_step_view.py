"""A step formula read on a step through `StepFormulaEnv.view` (a goal looked for in the
sampled runs, one formula on thousands of steps) reads every name as the dict of the step
does (`StepFormulaEnv.__call__`, the monitors: many formulas on one step)."""

from __future__ import annotations

import random

import pytest

from yakkan.model.contract import StepFormulaEnv
from yakkan.verify.runner import Settings, Verifier
from yakkan.verify.sampling import random_run


def test_the_view_of_a_step_is_its_dict(spec) -> None:
    compiled = Verifier(spec, Settings(), None).compiled
    env = StepFormulaEnv(spec)
    steps = 0
    for seed in range(12):
        for step in random_run(compiled, random.Random(seed), 40).steps:
            if not step.accepted or step.transition is None:
                continue
            view, d = env.view(step), env(step)
            assert dict(view) == d and len(view) == len(d)
            assert all(view[k] == v for k, v in d.items())
            with pytest.raises(KeyError):
                view["next_no_such_name"]
            steps += 1
    assert steps > 300
