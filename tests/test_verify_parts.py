"""Parts of the verifier with exact expected values: the argument boundaries the sampler
draws from the guards, lemma subsumption in a proof's `why`, work split over the cores."""

from __future__ import annotations

import pytest

from yakkan.model.contract import Contract
from yakkan.verify.lemmas import AtomFactory, Candidate, without_subsumed
from yakkan.verify.parallel import forked_map
from yakkan.verify.runner import why
from yakkan.verify.sampling import boundaries, sample_runs


def _contract(compiled, **values):
    c = Contract(compiled, {"base_fee": 100000, "option_fee": 5000, "other_fee": 0})
    c.values.update(values)
    return c


def test_guard_boundaries_solved_for_the_argument(compiled) -> None:
    """11-2: `amount <= deposit_cap` (12 × monthly fees); 11-1: `deposit_held + amount <=
    deposit_requested` solved for amount."""
    c = _contract(compiled, deposit_held=30000, deposit_requested=200000)
    env = {"deposit_cap_months": 12, "annual_plan": False, **c.parameters, **c.values, "today": 738000}
    request = sorted(fn(env) for fn in boundaries(compiled, "request_deposit")["amount"])
    assert 12 * 105000 in request  # the deposit cap of 11-2
    pay = sorted(fn(env) for fn in boundaries(compiled, "pay_deposit")["amount"])
    assert 200000 - 30000 in pay  # what is left of the request
    assert 12 * 105000 - 30000 in pay  # what is left under the cap


def test_a_lemma_implied_by_another_is_not_shown(spec) -> None:
    f = AtomFactory(spec)
    concl = f.make("service_start == FOREVER")
    narrow = Candidate((f.make("state == 'applied'"),), concl)
    wide = Candidate((f.make("state in ('applied', 'documents_requested')"),), concl)
    other = Candidate((f.make("state == 'concluded'"),), concl)
    unrelated = Candidate((f.make("state == 'applied'"),), f.make("end_date == FOREVER"))
    assert without_subsumed([narrow, wide, other, unrelated]) == [wide, other, unrelated]
    lines = [w["lemma"] for w in why([narrow, wide, other, unrelated])]
    assert lines == ["state in {applied, concluded, documents_requested} → service_start == FOREVER",
                     "state == 'applied' → end_date == FOREVER"]  # fmt: skip


def test_forked_work_gives_the_same_results_in_the_same_order() -> None:
    items = list(range(7))
    assert forked_map(lambda x: x * x, items, jobs=2) == forked_map(lambda x: x * x, items, jobs=1) == [
        0, 1, 4, 9, 16, 25, 36]  # fmt: skip


def test_forked_work_keeps_every_core_busy() -> None:
    """Once the parent has its first item, two children run at once on two cores: items 1
    and 2 each wait for the other (a barrier). One child at a time (as before 2026-11-30:
    --write-hints thinned the proofs on one core) breaks the barrier."""
    import multiprocessing as mp

    both = mp.get_context("fork").Barrier(2)

    def meet(x: int) -> int:
        if x:
            both.wait(timeout=60)  # a guard, not a target: the two meet at once
        return x

    assert forked_map(meet, [0, 1, 2], jobs=2) == [0, 1, 2]


def test_a_childs_error_is_raised_in_the_parent() -> None:
    def fail_on_two(x: int) -> int:
        if x == 2:
            raise ValueError("item 2")
        return x

    with pytest.raises(ValueError, match="item 2"):
        forked_map(fail_on_two, [0, 1, 2, 3], jobs=2)


def test_sampled_runs_do_not_depend_on_the_cores(compiled) -> None:
    one = sample_runs(compiled, 6, 12, seed=3, jobs=1)
    two = sample_runs(compiled, 6, 12, seed=3, jobs=2)
    assert [r.events for r in one] == [r.events for r in two]
    assert [[(s.day, s.event, s.transition) for s in r.steps] for r in one] == [
        [(s.day, s.event, s.transition) for s in r.steps] for r in two]  # fmt: skip
    assert len({r.events[0][0] for r in one}) > 1  # different histories, not one repeated
