"""Incremental re-verification (issue 14 §5): after an edit, only the properties whose
dependency fingerprint changed are checked again (verify/dependencies.py).

The checks are a fake (``runner.check_all`` replaced): what is tested is which properties
the cache sends to the verifier, not Z3 on 66 properties.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.model.spec import load_spec
from yakkan.verify import runner
from yakkan.verify.cli import verify as verify_api
from yakkan.verify.dependencies import parameters_read
from yakkan.verify.runner import Verdict

from conftest import SPEC_PATH, copy_spec_folders

ALL = list(load_spec(SPEC_PATH).properties)
# the properties expected `violated` or `reachable` (catalogue order): the fake gives their verdicts a story
WITH_STORY = ["P13", "P15", "P18", "P36", "P37", "P39", "P42", "P45", "P54", "P48", "P51", "P52", "P56", "P73",
              "P84", "P85", "P87", "P88", "P97"]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled spec's folder; the cache and out/ in tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    copy_spec_folders(spec_dir)
    (spec_dir / "spec.yaml").write_text(SPEC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    return spec_dir


def fake_check_all(runs: list[list[str]], verdict_of):
    """A stand-in for ``runner.check_all`` that records the ids of each run in ``runs`` and
    gives each property the verdict ``verdict_of(property, run number)`` makes."""

    def fake(spec, ids, settings, out_dir, jobs=None, on_start=None, on_done=None, hints=None, recipes=None,
             in_process=False):
        ids = list(ids)
        runs.append(ids)
        out = []
        for pid in ids:
            v = verdict_of(spec.properties[pid], len(runs))
            if on_done:
                on_done(v)
            out.append(v)
        return out

    return fake


def fake_verdict(p, verdict: str, **fields) -> Verdict:
    """A matching verdict of property ``p``."""
    return Verdict(id=p.id, title=p.title, kind=p.kind, verdict=verdict, expected=p.expect, matches=True,
                   depth=None, seconds=0.0, articles=list(p.articles), line=p.line, **fields)  # fmt: skip


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The ids each run sent to the (fake) verifier."""
    runs: list[list[str]] = []

    def told(p, _run):
        story = p.expect in ("violated", "reachable")
        return fake_verdict(p, p.expect if story else "proved", story=f"story of {p.id}" if story else "")

    monkeypatch.setattr(runner, "check_all", fake_check_all(runs, told))
    return runs


def verify(folder: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["verify", str(folder / "spec.yaml"), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "spec.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def rerun_after(folder: Path, capsys, checked: list[list[str]], old: str, new: str) -> list[str]:
    """The ids checked again after the edit (a warm cache from the unedited spec)."""
    verify(folder, capsys)
    assert checked == [ALL]
    edit(folder, old, new)
    out = verify(folder, capsys)
    again = checked[1] if len(checked) > 1 else []
    assert [p["id"] for p in out["properties"] if not p["cached"]] == again
    return again


def test_a_japanese_doc_text_and_a_comment_rerun_nothing(folder, capsys, checked) -> None:
    """A Japanese description is documentation; a comment line above every property moves
    their lines: the reused verdicts point at the lines as they are now."""
    again = rerun_after(folder, capsys, checked, "{name: 遅延損害金の年率（1万分率）, doc: 遅延損害金の率。",
                        "{name: 遅延損害金の年率（1万分率）, doc: 遅延損害金の利率。")  # fmt: skip
    assert again == []
    edit(folder, "\nproperties:\n", "\n# a comment\nproperties:\n")
    verdicts, _ = verify_api(folder / "spec.yaml")
    assert len(checked) == 1  # still only the first run
    lines = (folder / "spec.yaml").read_text(encoding="utf-8").splitlines()
    p01 = next(v for v in verdicts if v.id == "P01")
    assert p01.cached is True and lines[p01.line - 1].lstrip().startswith("P01:")
    assert p01.to_json()["fingerprint"] == p01.fingerprint and len(p01.fingerprint) == 20


def test_late_rate_default_reruns_every_property(folder, capsys, checked) -> None:
    """late_rate_bp feeds late_charges, and a payment goes to late charges first (the
    procedure `pay`: pay_part = min(pay_rest, late_charges - late_paid)), so it decides
    `overdue`, which the guards of start_service, suspend, restore, apply_deposit … read:
    which steps exist depends on it, and so does what every property sees."""
    assert rerun_after(folder, capsys, checked, "late_rate_bp: {type: int, default: 1460,",
                       "late_rate_bp: {type: int, default: 1461,") == ALL  # fmt: skip


def test_a_guard_edit_reruns_every_property(folder, capsys, checked) -> None:
    assert rerun_after(folder, capsys, checked, '{when: "billed_through_month < next_month", rule:',
                       '{when: "billed_through_month <= next_month", rule:') == ALL  # fmt: skip


def test_a_property_edit_reruns_that_property(folder, capsys, checked) -> None:
    old = "formula: \"state != 'suspended' or billed_through_month >= month_of(today)\""
    new = "formula: \"state != 'suspended' or billed_through_month + 0 >= month_of(today)\""
    assert rerun_after(folder, capsys, checked, old, new) == ["P02"]


def test_a_contract_default_reruns_only_the_verdicts_with_a_story(folder, capsys, checked) -> None:
    """A proof holds for every base fee in its domain: the default only starts a
    counterexample's story (realistic.py), so only the verdicts with a story re-run."""
    assert rerun_after(folder, capsys, checked, "base_fee: {type: int, default: 100000,",
                       "base_fee: {type: int, default: 120000,") == WITH_STORY  # fmt: skip


def test_an_unread_terms_parameter_reruns_only_the_stories(folder, capsys, checked) -> None:
    """A terms parameter no guard, effect, lemma or property reads: its default changes
    no proof; the verdicts with a story re-run all the same (a story prints the whole
    ledger at every step, whatever the property reads)."""
    edit(folder, "\nparameters:\n", "\nparameters:\n  audit_days: {type: int, default: 7, scope: terms}\n")
    spec = load_spec(folder / "spec.yaml")
    assert "audit_days" not in parameters_read(spec, spec.properties["P01"])
    assert "late_rate_bp" in parameters_read(spec, spec.properties["P01"])
    assert rerun_after(folder, capsys, checked, "audit_days: {type: int, default: 7,",
                       "audit_days: {type: int, default: 8,") == WITH_STORY  # fmt: skip


def test_an_edit_undone_makes_the_first_verdicts_the_last_again(folder, capsys, monkeypatch) -> None:
    """Each property's last verdict (what the next edit's fast path starts from) is the one
    of the last run of this spec path: after an edit is undone, the run that reuses the
    first verdicts as a whole (the spec's own index, nothing loaded) makes them the last
    again, not the undone edit's."""
    from yakkan.verify.cache import CACHE_DIR, Cache
    from yakkan.verify.dependencies import Fingerprints

    runs: list[list[str]] = []
    monkeypatch.setattr(runner, "check_all", fake_check_all(runs, lambda p, n: fake_verdict(p, "proved",
                                                                                             reason=f"run {n}")))
    path = folder / "spec.yaml"
    original = path.read_text(encoding="utf-8")

    def last(pids: list[str]) -> set[str]:
        fingerprints = Fingerprints(load_spec(path))
        return {Cache(CACHE_DIR).latest(path, runner.Settings().key(), p, fingerprints.own(p)).reason for p in pids}

    verify_api(path, hints=False)
    edit(folder, "late_rate_bp: {type: int, default: 1460,", "late_rate_bp: {type: int, default: 1461,")
    verify_api(path, hints=False)
    assert [len(r) for r in runs] == [len(ALL), len(ALL)] and last(ALL) == {"run 2"}
    path.write_text(original, encoding="utf-8")
    verify_api(path, hints=False)
    assert len(runs) == 2  # (every verdict reused)
    assert last(ALL) == {"run 1"}
