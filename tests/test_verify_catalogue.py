"""The catalogue P01–P61 and P63–P97 (P62 is the 2025-04-01 revision's) on the bundled
spec, searched from nothing (no verdict cache, no proof hints): every verdict as the
analysis expects, every counterexample and witness replays, every proof says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    out = tmp_path_factory.mktemp("verify-out")
    cache = tmp_path_factory.mktemp("verify-cache")
    # from nothing: the proofs and witnesses searched for, not started from proof-hints.json
    # (tests/test_verify_hints.py checks the catalogue from the hints)
    verdicts, info = verify(SPEC_PATH, None, Settings(), out, use_cache=False, cache_dir=cache, hints=False)
    return {v.id: v for v in verdicts}, info, out


def test_every_property_is_checked(catalogue, spec) -> None:
    verdicts, info, _ = catalogue
    assert list(verdicts) == list(spec.properties)
    assert info["id"] == spec.meta["id"]


@pytest.mark.parametrize("pid", [f"P{i:02d}" for i in (*range(1, 62), *range(63, 98))])
def test_verdict_is_the_expected_one(catalogue, pid) -> None:
    verdicts, _, _ = catalogue
    v = verdicts[pid]
    assert v.matches, (v.verdict, v.expected, v.reason)


def test_known_findings(catalogue) -> None:
    verdicts, _, _ = catalogue
    assert verdicts["P13"].verdict == "violated"
    assert verdicts["P15"].verdict == "violated"
    assert verdicts["P18"].verdict == "reachable"
    p13 = Path(verdicts["P13"].counterexample).read_text(encoding="utf-8")
    assert "claim_damages" in p13 and "gross_negligence" in p13


def test_every_counterexample_and_witness_replays(catalogue, spec, compiled) -> None:
    verdicts, _, out = catalogue
    files = [Path(v.counterexample) for v in verdicts.values() if v.counterexample]
    files += [Path(w) for v in verdicts.values() for w in v.witnesses]
    assert len(files) >= 3
    for f in files:
        scenario = load_scenario(f, spec)
        result = replay(compiled, scenario)
        assert result.expectation_mismatches() == [], f


def test_counterexamples_and_witnesses_read_like_a_contract(catalogue, spec) -> None:
    """Issue 12 §7, issue 13: no 9999-12-31, every date within three years after the terms'
    effective date (2024-04-01), the base fee the usual ¥100,000, no event with ¥0."""
    import datetime as dt

    from ruamel.yaml import YAML

    verdicts, _, _ = catalogue
    files = [Path(v.counterexample) for v in verdicts.values() if v.counterexample]
    files += [Path(w) for v in verdicts.values() for w in v.witnesses]
    effective = spec.meta["effective"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "9999" not in text, f
        data = YAML(typ="safe").load(text)
        dates = [data["until"], *(v for e in data["events"] for v in e.values() if isinstance(v, dt.date))]
        assert all(effective <= d <= effective.replace(year=effective.year + 3) for d in dates), (f, dates)
        assert data["contract"]["base_fee"] == 100000, f
        assert all(e.get("amount", 1) > 0 for e in data["events"]), f


def test_counterexamples_show_the_violation_in_the_replay(catalogue, spec, compiled) -> None:
    from yakkan.verify.counterexample import _response_violation, find_goal
    from yakkan.verify.properties import obligation

    verdicts, _, _ = catalogue
    for pid in ("P13", "P15", "P18"):
        result = replay(compiled, load_scenario(verdicts[pid].counterexample, spec))
        ob = obligation(spec, spec.properties[pid])
        if ob.kind == "response":
            assert _response_violation(ob.prop, result)[1], pid
        else:
            assert find_goal(spec, ob.violation, result)[1], pid


def test_proofs_say_why(catalogue, spec) -> None:
    verdicts, _, _ = catalogue
    for v in verdicts.values():
        if v.verdict == "proved":
            assert v.why and all(w["lemma"] for w in v.why), v.id
    lemmas = " ".join(w["lemma"] + " " + w.get("formula", "") for w in verdicts["P02"].why)
    assert "billed_through_month >= month_of(today)" in lemmas
    # P04 rests on the spec's own supporting invariants, shown with their formula and articles
    p04 = {w["lemma"].split(":")[0]: w for w in verdicts["P04"].why if w["formula"]}
    assert len(p04) >= 5 and set(p04) <= set(spec.lemmas), p04
    for lid, w in p04.items():
        lemma = spec.lemmas[lid]
        expected = f"({lemma.when_text}) → {lemma.holds_text}" if lemma.when_text else lemma.holds_text
        assert w["formula"] == expected
        assert w["lemma"] == f"{lid}: {lemma.doc}" and w["articles"] == list(lemma.articles)
