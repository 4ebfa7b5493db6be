"""Proof hints (verify/hints.py, issue 14): the bundled specs carry `proof-hints.json`, so a
run with no verdict cache — a fresh clone, the CI gate — proves each property again from
its last proof's lemmas and runs instead of searching for them. A hint is believed of
nothing: the verdicts are those of the search from nothing (tests/test_verify_catalogue.py
runs it with ``hints=False``), a hint that no longer proves its property gives way to the
full check, and a file that is not a hints file is bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.verify.cli import verify
from yakkan.verify.hints import HINTS_FILE, read_hints
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH, copy_spec_folders

STALE = "the bundled proof hints are stale: `yakkan verify {} --no-cache --no-hints --write-hints` writes them again"
# 12-1's penalty with a sign error (and without its domain): P16 breaks (the deposit is
# returned while the customer still owes), though its hint still holds its old proof
NEGATIVE_PENALTY = ("evasion_multiplier: {type: int, default: 2, min: 0,",
                    "evasion_multiplier: {type: int, default: -1,")  # fmt: skip


@pytest.fixture(scope="module")
def hinted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The whole catalogue of the bundled spec with no verdict cache: from its hints."""
    out, cache = tmp_path_factory.mktemp("hinted-out"), tmp_path_factory.mktemp("hinted-cache")
    verdicts, _ = verify(SPEC_PATH, None, Settings(), out, use_cache=False, cache_dir=cache)
    return {v.id: v for v in verdicts}


def test_every_bundled_property_is_checked_again_from_its_hint(hinted, spec) -> None:
    assert list(hinted) == list(spec.properties)
    left = sorted(p for p, v in hinted.items() if v.route != "hint")
    # P67 reads the terms text, no step: it has no hint and is checked whole (0.2 s)
    assert left == ["P67"], STALE.format(SPEC_PATH.relative_to(SPEC_PATH.parents[2]))
    assert hinted["P67"].route == "full" and hinted["P67"].engine == "the terms text"


def test_the_verdicts_from_the_hints_are_the_catalogues(hinted) -> None:
    wrong = {p: (v.verdict, v.expected, v.reason) for p, v in hinted.items() if not v.matches}
    assert wrong == {}
    assert [p for p, v in hinted.items() if v.verdict == "violated"] == ["P13", "P15"]
    assert hinted["P18"].verdict == "reachable"


def test_a_proof_from_its_hint_checks_every_step(hinted) -> None:
    """The hint's route never reads which events an edit changed: every step is checked."""
    proofs = [v for v in hinted.values() if v.verdict == "proved" and v.kind in ("invariant", "step")]
    assert proofs and all(v.steps_rechecked is None for v in proofs)
    together = [v for v in proofs if "in one solver" in v.engine]
    assert together and all("(every step checked in one solver with" in v.engine for v in together)
    assert hinted["P17"].engine == "k-induction (k=1) with lemmas"  # a response: a process of its own


def test_the_second_bundled_version_has_its_hints_too() -> None:
    older = SPEC_PATH.parent / "2025-04-01" / "spec.yaml"
    hints = read_hints(older)
    assert len(hints) == 96 and "P67" not in hints and all(r["hint"] for r in hints.values())


def test_a_hint_is_only_the_fields_that_are_proved_again(tmp_path: Path) -> None:
    """What the cache believes of a proof of its own — the digests of the steps it was
    proved on, a finding's last verdict, how far a premise's run is the same run — is
    never read from a hints file."""
    data = json.loads((SPEC_PATH.parent / HINTS_FILE).read_text(encoding="utf-8"))
    p03 = data["properties"]["P03"]
    p03["steps"] = {"shared": "0" * 20, "events": {}}
    p03["last"] = {"verdict": "proved"}
    for run in p03["premises"].values():
        run["reached_after"], run["prefix"] = 1, "0" * 20
    (tmp_path / HINTS_FILE).write_text(json.dumps(data), encoding="utf-8")
    hint = read_hints(tmp_path / "spec.yaml")["P03"]
    assert sorted(hint) == ["format", "hint", "k", "lemmas", "premises", "slice", "verdict"]
    assert all(sorted(run) == ["events", "parameters", "until"] for run in hint["premises"].values())


def _edited_copy(tmp_path: Path, hints: dict | None = None) -> Path:
    folder = tmp_path / "clara"
    copy_spec_folders(folder)
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(NEGATIVE_PENALTY[0]) == 1
    (folder / "spec.yaml").write_text(text.replace(*NEGATIVE_PENALTY), encoding="utf-8")
    if hints is None:
        shutil.copy(SPEC_PATH.parent / HINTS_FILE, folder / HINTS_FILE)
    else:
        (folder / HINTS_FILE).write_text(json.dumps(hints), encoding="utf-8")
    return folder / "spec.yaml"


def test_a_stale_hint_gives_way_to_the_full_check(tmp_path: Path) -> None:
    """P16's hint holds the proof of the bundled terms; with the penalty's sign error it
    no longer proves P16, and the full check finds the counterexample."""
    path = _edited_copy(tmp_path)
    verdicts, _ = verify(path, ["P16", "P19"], Settings(), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "cache")  # fmt: skip
    assert [(v.id, v.verdict, v.route) for v in verdicts] == [("P16", "violated", "full"), ("P19", "proved", "hint")]


def test_a_forged_hint_proves_nothing(tmp_path: Path) -> None:
    """A hint is data from a pull request: a lemma that would make anything inductive if it
    were believed (`deposit_held < deposit_held`: false, so every step from a state where
    it holds keeps everything) is dropped by the base case, and the broken property is
    still found broken."""
    data = json.loads((SPEC_PATH.parent / HINTS_FILE).read_text(encoding="utf-8"))
    forged = data["properties"]["P16"]
    false = "deposit_held < deposit_held"
    forged["lemmas"].append({"premises": [], "conclusion": [false, false]})
    path = _edited_copy(tmp_path, data)
    verdicts, _ = verify(path, ["P16"], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "cache")
    assert [(v.id, v.verdict, v.route) for v in verdicts] == [("P16", "violated", "full")]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "clara"
    copy_spec_folders(folder)
    shutil.copy(SPEC_PATH, folder / "spec.yaml")
    return folder / "spec.yaml"


def test_write_hints_writes_what_the_next_run_starts_from(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path)
    argv = ["--lang", "en", "verify", str(path), "--property", "P03", "--property", "P18", "--no-cache", "--json"]
    assert main([*argv, "--write-hints"]) == 0
    first = (path.parent / HINTS_FILE).read_bytes()
    hints = read_hints(path)
    assert sorted(hints) == ["P03", "P18"]
    assert hints["P03"]["verdict"] == "proved" and hints["P18"]["verdict"] == "reachable"
    assert main([*argv, "--write-hints"]) == 0  # from the hints now: the same proofs, the same bytes
    assert (path.parent / HINTS_FILE).read_bytes() == first
    capsys.readouterr()
    assert main(argv) == 0
    routes = [(p["id"], p["route"]) for p in json.loads(capsys.readouterr().out)["properties"]]
    assert routes == [("P03", "hint"), ("P18", "hint")]
    assert main([*argv, "--no-hints"]) == 0
    routes = [(p["id"], p["route"]) for p in json.loads(capsys.readouterr().out)["properties"]]
    assert routes == [("P03", "full"), ("P18", "full")]
    # a run of one more property keeps the others' hints
    assert main(["verify", str(path), "--property", "P19", "--no-cache", "--json", "--write-hints"]) == 0
    assert sorted(read_hints(path)) == ["P03", "P18", "P19"]


@pytest.mark.parametrize(("text", "line", "en", "ja"), [
    ('{"format": 1,\n "properties": {\n', 3, "proof-hints.json is not JSON", "proof-hints.json は JSON ではない"),
    ('{"format": 2, "properties": {}}', 1, "proof-hints.json is not a proof hints file of format 1",
     "proof-hints.json は形式 1 の証明ヒントファイルではない"),
    ('{"format": 1, "properties": {\n "P03": {"verdict": "proved", "k": 1,\n  "slice": [], "lemmas": [{"lemma": 7}]}}}',
     2, "the hint of 'P03' is malformed at 'lemmas[0].lemma'", "'P03' の証明ヒントの 'lemmas[0].lemma' が不正"),
    # a run longer than any the verifier makes (its replay would hold up the parent process)
    ('{"format": 1, "properties": {\n "P18": {"verdict": "reachable", "runs": [{"parameters": {}, "until": 1, '
     '"events": [' + ", ".join(['[1, "apply", {}]'] * 1001) + ']}]}}}', 2,
     "the hint of 'P18' is malformed at 'runs[0].events'", "'P18' の証明ヒントの 'runs[0].events' が不正"),
])  # fmt: skip
def test_a_file_that_is_not_a_hints_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, text: str, line: int,
                                                       en: str, ja: str) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    path = _copy(tmp_path)
    (path.parent / HINTS_FILE).write_text(text, encoding="utf-8")
    for lang, message, fix in (("en", en, "yakkan verify --write-hints"), ("ja", ja, "書き直すか")):
        status = main(["--lang", lang, "verify", str(path), "--property", "P03"])
        err = capsys.readouterr().err
        assert status == 2, err
        assert message in err and f"{HINTS_FILE}:{line}" in err and fix in err, err
        assert "Traceback" not in err
    assert main(["--lang", "en", "verify", str(path), "--property", "P03", "--no-hints", "--no-cache"]) == 0


def test_the_report_names_the_hints_that_no_longer_prove_their_property(tmp_path: Path, capsys, monkeypatch) -> None:
    """A pull request that breaks a proof is told which hints to write again (they cost time
    now, not a verdict), in the language of the report."""
    monkeypatch.chdir(tmp_path)
    path = _edited_copy(tmp_path)
    for lang, line in (("en", "1 proof hint(s) no longer prove their property (P16): they took the full check; "),
                       ("ja", "証明ヒント 1 件がもはや性質を証明しない（P16）。完全な検査を行った。")):  # fmt: skip
        status = main(["--lang", lang, "verify", str(path), "--property", "P16", "--property", "P19", "--no-cache"])
        out = capsys.readouterr().out
        assert status == 1  # P16 violated, as the sign error makes it
        assert line in out and f"`yakkan verify {path} --no-cache --no-hints --write-hints`" in out, out
    main(["verify", str(path), "--property", "P19", "--no-cache"])
    assert "proof hint(s)" not in capsys.readouterr().out  # P19's hint proves it


def test_a_written_hint_keeps_only_the_lemmas_its_proof_needs(tmp_path: Path) -> None:
    """`--write-hints` thins each proof (verify/thinning.py): P17 (25-3: the records deleted
    within 30 days of the end) is proved by three lemmas — an ended contract's calendar has
    run to its end date (L22), the records are deleted on their deletion day (L17), and the
    response's monitor waits only once the contract has ended. Three lemmas more, each true
    and proved with them (the search from nothing kept 19 lemmas, 7.9M units), are dropped."""
    path = _copy(tmp_path)
    bundled = read_hints(SPEC_PATH)["P17"]
    needed = bundled["lemmas"]
    assert [c.get("lemma") or c["conclusion"][0] for c in needed] == [
        "L22", "L17", "state == 'ended'"]  # fmt: skip
    padded = [{"lemma": "L07"}, needed[0], {"lemma": "L20"}, needed[1], {"lemma": "L05"}, *needed[2:]]
    hints = json.loads((SPEC_PATH.parent / HINTS_FILE).read_text(encoding="utf-8"))
    hints["properties"] = {"P17": {**bundled, "lemmas": padded}}
    (path.parent / HINTS_FILE).write_text(json.dumps(hints), encoding="utf-8")
    out = tmp_path / "out"
    (padded_verdict,), _ = verify(path, ["P17"], Settings(), out, use_cache=False)
    assert padded_verdict.route == "hint" and padded_verdict.verdict == "proved"
    verify(path, ["P17"], Settings(), out, use_cache=False, write_hints=True)
    assert read_hints(path)["P17"]["lemmas"] == needed
    (thin,), _ = verify(path, ["P17"], Settings(), out, use_cache=False)
    assert thin.route == "hint" and thin.verdict == "proved"
    assert thin.units * 4 < padded_verdict.units  # the same proof: 159,332 units, not 709,370
