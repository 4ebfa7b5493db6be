"""The fast path of incremental re-verification (issue 14 §5, verify/incremental.py): after
a `scope: terms` parameter changes (every property's fingerprint with it), a property last
proved is proved again with its last proof's lemmas only, and a known finding found again
from its last counterexample's run — no random runs — with the verdict the full check
gives; a change that breaks a property gives its counterexample, never a stale `proved`.

One cold run of four properties warms the cache (module fixture); each test starts from
that cache and the unedited spec, at the same path (the last verdicts are kept by path).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from yakkan.verify import sampling
from yakkan.verify.cache import Cache
from yakkan.verify.cli import _recipes, verify
from yakkan.verify.dependencies import Fingerprints
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH, copy_spec_folders

IDS = ["P03", "P13", "P16", "P19"]
MINIMUM_TERM = ("minimum_term_months: {type: int, default: 3,", "minimum_term_months: {type: int, default: 6,")
# a sign error in the terms' table: a penalty that lowers what is owed, so the deposit is
# returned at the end while the customer still owes (P16); the multiplier's domain (min: 0)
# goes with it, as a careless edit would drop it
NEGATIVE_PENALTY = ("evasion_multiplier: {type: int, default: 2, min: 0,",
                    "evasion_multiplier: {type: int, default: -1,")  # fmt: skip
# 8-3: a lower tax rate; read by the effects of every event that bills or awards an amount
TAX_RATE = ("tax_rate_percent: {type: int, default: 10,", "tax_rate_percent: {type: int, default: 8,")
# 11-2: a smaller deposit cap; read by the guards of request_deposit and pay_deposit only
DEPOSIT_CAP = ("deposit_cap_months: {type: int, default: 12,", "deposit_cap_months: {type: int, default: 6,")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled spec's folder (root/spec) and the cache of one cold run of IDS
    (root/warm-cache)."""
    root = tmp_path_factory.mktemp("fast")
    (root / "spec").mkdir()
    copy_spec_folders(root / "spec")
    (root / "spec" / "spec.yaml").write_text(SPEC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    verdicts, _ = verify(root / "spec" / "spec.yaml", IDS, out_dir=root / "out", cache_dir=root / "warm-cache")
    assert [(v.id, v.verdict, v.route) for v in verdicts] == [
        ("P03", "proved", "full"), ("P13", "violated", "full"), ("P16", "proved", "full"), ("P19", "proved", "full")]
    return root


@pytest.fixture
def root(warm: Path) -> Path:
    """``warm`` with the spec unedited and the cache as the cold run left it (root/cache)."""
    (warm / "spec" / "spec.yaml").write_text(SPEC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.rmtree(warm / "cache", ignore_errors=True)
    shutil.copytree(warm / "warm-cache", warm / "cache")
    return warm


def edit(root: Path, old: str, new: str) -> None:
    path = root / "spec" / "spec.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def verdicts_of(root: Path, ids: list[str], use_cache: bool = True) -> list[Any]:
    verdicts, _ = verify(root / "spec" / "spec.yaml", ids, out_dir=root / "out", cache_dir=root / "cache",
                         use_cache=use_cache)  # fmt: skip
    return verdicts


def run(root: Path, ids: list[str], use_cache: bool = True) -> list[tuple[str, str, str]]:
    return [(v.id, v.verdict, v.route) for v in verdicts_of(root, ids, use_cache)]


def test_a_longer_minimum_term_is_proved_again_by_the_fast_path(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """minimum_term_months is in P03's formula and in the guards (every fingerprint
    changes); the fast path gives the verdicts the full check gives, without a random run."""
    edit(root, *MINIMUM_TERM)

    def no_random_runs(*args: object, **kw: object) -> None:
        raise AssertionError("the fast path sampled random runs")

    monkeypatch.setattr(sampling, "sample_runs", no_random_runs)
    assert run(root, IDS) == [("P03", "proved", "fast"), ("P13", "violated", "fast"),
                              ("P16", "proved", "fast"), ("P19", "proved", "fast")]  # fmt: skip
    monkeypatch.undo()
    assert run(root, ["P03", "P13", "P19"], use_cache=False) == [
        ("P03", "proved", "full"), ("P13", "violated", "full"), ("P19", "proved", "full")]
    # the fast path's counterexample is a scenario the new spec replays
    assert (root / "out" / "P13-counterexample.yaml").is_file()


def test_a_change_that_breaks_a_property_gives_its_counterexample(root: Path) -> None:
    """The last proof's lemmas no longer prove P16: the full check runs and finds the
    violation; P19 (which no penalty touches) is still proved on the fast path."""
    edit(root, *NEGATIVE_PENALTY)
    verdicts = verdicts_of(root, ["P16", "P19"])
    assert [(v.id, v.verdict, v.route) for v in verdicts] == [("P16", "violated", "full"), ("P19", "proved", "fast")]
    assert (root / "out" / "P16-counterexample.yaml").is_file()
    # the penalty is detect_evasion's effect (12-1): its new steps break P16's lemmas (the
    # full check then finds the violation) and keep P19's, checked for those steps only
    assert verdicts[1].steps_rechecked == ["detect_evasion"]
    assert "checked in one solver with 1 other properties" in verdicts[1].engine


def test_a_smaller_deposit_cap_rechecks_only_the_deposit_steps(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """deposit_cap_months changes the steps of request_deposit and pay_deposit (their guards,
    11-2) and nothing else: the three proofs are checked again for those steps, in one solver,
    and P13's counterexample (a damages claim, 27-2) sends neither event, so its last
    verdict stands with the same scenario, figures and all. No solver process is forked."""
    from yakkan.model.spec import load_spec

    spec_path = root / "spec" / "spec.yaml"
    own = Fingerprints(load_spec(spec_path)).own("P13")
    last = Cache(root / "cache").latest(spec_path, Settings().key(), "P13", own)
    assert last is not None and last.scenario_text
    (root / "out" / "P13-counterexample.yaml").unlink(missing_ok=True)
    edit(root, *DEPOSIT_CAP)
    from yakkan.verify import parallel

    def no_fork(*args: object, **kw: object) -> None:
        raise AssertionError("a solver process was forked")

    monkeypatch.setattr(parallel, "Worker", no_fork)
    verdicts = verdicts_of(root, IDS)
    assert [(v.id, v.verdict, v.route, v.steps_rechecked) for v in verdicts] == [
        (p, verdict, "fast", ["pay_deposit", "request_deposit"])
        for p, verdict in (("P03", "proved"), ("P13", "violated"), ("P16", "proved"), ("P19", "proved"))]
    assert all("checked in one solver with 2 other properties" in verdicts[i].engine for i in (0, 2, 3))
    assert verdicts[1].units == 0 and verdicts[1].story and verdicts[1].fault["transition"] == "claim_damages"
    assert (root / "out" / "P13-counterexample.yaml").read_text(encoding="utf-8") == last.scenario_text
    monkeypatch.undo()
    # the full check agrees
    assert run(root, ["P03", "P16"], use_cache=False) == [("P03", "proved", "full"), ("P16", "proved", "full")]


def test_a_finding_whose_run_sends_a_changed_event_is_not_left_for_the_parents_solver(root: Path) -> None:
    """`together` (the parent's one solver, in process) takes the proofs and the findings
    whose runs the edit left the same; a finding whose run sends a changed event is
    replayed at once in a solver process of its own, beside that solver, not after it.
    P13's counterexample (a damages claim, 27-2) is an application, its acceptance and the
    claim, whose award is taxed: a new tax rate touches it; it sends no deposit event (11-2)."""
    from yakkan.model.spec import load_spec
    from yakkan.verify.runner import Verifier

    spec_path = root / "spec" / "spec.yaml"
    fingerprints = Fingerprints(load_spec(spec_path))
    recipes = _recipes(Cache(root / "cache"), spec_path, Settings(), IDS, {p: fingerprints.own(p) for p in IDS})
    for change, near in ((TAX_RATE, ["P03", "P16", "P19"]), (DEPOSIT_CAP, IDS)):
        edit(root, *change)
        assert Verifier(load_spec(spec_path), Settings(), None).together(recipes) == near
        edit(root, change[1], change[0])


def test_no_fast_path_unless_the_last_verdict_was_proved_or_the_finding_expected(root: Path) -> None:
    """The last verdicts as the cold run left them: P03, P16, P19 proved (their lemmas),
    P13 the known finding (its counterexample's run); any other last verdict, or another
    property under the same id, takes the full path."""
    spec_path = root / "spec" / "spec.yaml"
    from yakkan.model.spec import load_spec

    fingerprints = Fingerprints(load_spec(spec_path))
    own = {p: fingerprints.own(p) for p in IDS}
    cache, settings = Cache(root / "cache"), Settings()
    recipes = _recipes(cache, spec_path, settings, IDS, own)
    assert sorted(recipes) == IDS
    proof = ["format", "k", "lemmas", "premises", "slice", "steps", "verdict"]
    assert [sorted(recipes[p]) for p in IDS] == [proof, ["last", "runs", "steps", "verdict"], proof, proof]
    assert recipes["P13"]["last"]["verdict"] == "violated"  # the finding's last verdict, whole
    for verdict in ("holds-to-depth", "unknown", "violated", "vacuous"):
        last = cache.latest(spec_path, settings.key(), "P19", own["P19"])
        assert last is not None
        last.verdict = verdict
        cache.put_latest(spec_path, settings.key(), last, own["P19"])
        assert sorted(_recipes(cache, spec_path, settings, IDS, own)) == ["P03", "P13", "P16"]
    # another formula under the same id: not the same property
    assert sorted(_recipes(cache, spec_path, settings, IDS, {**own, "P03": "0" * 20})) == ["P13", "P16"]
    # another spec path: no last verdict
    assert _recipes(cache, root / "elsewhere.yaml", settings, IDS, own) == {}


def test_a_stale_lemma_or_run_is_left_out(spec, compiled) -> None:
    """A last proof's lemma the spec no longer states or that no longer parses (a renamed
    variable) is left out; a run with an event or a parameter the spec no longer has is
    not replayed (no fast path: the full check decides)."""
    from yakkan.verify.incremental import candidates_from, replay_run
    from yakkan.verify.lemmas import AtomFactory, stated_lemmas

    stated = stated_lemmas(spec, AtomFactory(spec))
    data = [{"lemma": "L01"}, {"lemma": "L999"},
            {"premises": [["state == 'active'", "active"]], "conclusion": ["no_such_variable > 0", "x"]},
            {"premises": [], "conclusion": ["refunded == 0", "nothing is refunded"]}]  # fmt: skip
    assert [c.text for c in candidates_from(spec, stated, data)] == [f"L01: {spec.lemmas['L01'].doc}",
                                                                     "nothing is refunded"]  # fmt: skip
    day = 739128
    good = {"parameters": {"base_fee": 100000}, "events": [[day, "apply", {}], [day + 27, "accept", {}]],
            "until": day + 27}  # fmt: skip
    run = replay_run(compiled, good)
    assert run is not None and [(s.event, s.after["state"]) for s in run.steps[:2]] == [
        ("apply", "applied"), ("accept", "concluded")]
    assert run.parameters["minimum_term_months"] == 3  # the terms' figures: the spec's own
    assert replay_run(compiled, {**good, "events": [*good["events"], [day + 30, "no_such_event", {}]]}) is None
    assert replay_run(compiled, {**good, "parameters": {"no_such_fee": 1}}) is None
    assert replay_run(compiled, {**good, "events": good["events"][1:]}) is None  # not from the application on
