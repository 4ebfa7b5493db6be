"""Old scenario files keep replaying against the version they were written for (issue 11, 1).

Every bundled scenario — scenarios/, each version's worked examples and witnesses — names
its version in `terms:`; `yakkan replay` without a spec (or with the contract folder)
picks that version and meets the file's `expect:`. A spec of another version given on
purpose is replayed with a note (第２条: a revision can come to govern an existing
contract, so the question is a real one); a version the folder lacks is bad input at the
`terms:` line.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.model.errors import ScenarioError
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario, load_spec_scenarios
from yakkan.model.spec import load_spec
from yakkan.model.versions import choose_spec, versions_in, written_for

from conftest import ROOT, SCENARIOS, SPEC_PATH

CONTRACT = SPEC_PATH.parent
REVISION = CONTRACT / "2025-04-01"
BUNDLED = sorted([*SCENARIOS.glob("*.yaml"), *CONTRACT.glob("examples/*.yaml"), *CONTRACT.glob("witnesses/*.yaml"),
                  *REVISION.glob("examples/*.yaml"), *REVISION.glob("witnesses/*.yaml")])  # fmt: skip
EXAMPLE = SCENARIOS / "issue-example.yaml"
_specs: dict[Path, CompiledSpec] = {}


def compiled_of(path: Path) -> CompiledSpec:
    if path not in _specs:
        _specs[path] = CompiledSpec(load_spec(path))
    return _specs[path]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_contract_folder_holds_two_versions():
    assert versions_in(CONTRACT) == {"2024-04-01": CONTRACT / "spec.yaml", "2025-04-01": REVISION / "spec.yaml"}
    assert len(BUNDLED) == 15 + 6 + 8 + 6 + 8  # scenarios, then each version's examples and witnesses


@pytest.mark.parametrize("path", BUNDLED, ids=[str(p.relative_to(ROOT)) for p in BUNDLED])
def test_every_bundled_scenario_replays_against_its_own_version(path):
    stated = written_for(path).version
    assert stated == ("2025-04-01" if REVISION in path.parents else "2024-04-01")
    choice = choose_spec(path, None, CONTRACT)
    assert choice.chosen_by_file and choice.spec == versions_in(CONTRACT)[stated]
    compiled = compiled_of(choice.spec)
    assert compiled.spec.meta["version"] == stated
    result = replay(compiled, load_scenario(path, compiled.spec))
    assert result.scenario.expect, f"{path.name} states no expectations"
    assert result.expectation_mismatches() == []


@pytest.mark.parametrize("folder", [CONTRACT, REVISION], ids=["2024-04-01", "2025-04-01"])
def test_a_versions_worked_examples_happen_under_it(folder):
    """A worked example of a version is a contract concluded under it: its first event is
    on or after the version's effective date (before it, the earlier terms governed)."""
    effective = str(compiled_of(folder / "spec.yaml").spec.meta["effective"])
    examples = sorted(folder.glob("examples/*.yaml"))
    assert len(examples) == 6
    for path in examples:
        scenario = load_scenario(path, compiled_of(folder / "spec.yaml").spec)
        assert scenario.events[0].date.isoformat() >= effective, path.name
    assert effective == ("2025-04-01" if folder == REVISION else "2024-04-01")


def test_replay_picks_the_version_without_a_spec_and_with_the_contract_folder():
    example = REVISION / "examples/support-cap-restriction-lifted-by-the-fee.yaml"
    for argv in ([str(example), "--json"], [str(example), "--spec", str(CONTRACT), "--json"],
                 [str(EXAMPLE), "--spec", str(CONTRACT), "--json"]):  # fmt: skip
        code, out, err = run("replay", *argv)
        data = json.loads(out)
        assert (code, err) == (0, "")
        assert data["spec"]["version"] == data["written_for"] == written_for(Path(argv[0])).version
        assert data["expectations_met"] is True


def test_another_version_given_on_purpose_replays_with_a_note():
    code, out, err = run("replay", str(EXAMPLE), "--spec", str(REVISION / "spec.yaml"))
    assert code == 1
    assert err.splitlines() == [
        f"note: {EXAMPLE} was written for the terms of 2024-04-01 (line 5); replayed against 2025-04-01 as asked, "
        "its expectations are those of 2024-04-01",
        f"  to replay it against its own version: yakkan replay {EXAMPLE}",
        f"yakkan: 2 expectation(s) of {EXAMPLE} not met",
    ]
    code, _, err = run("--lang", "ja", "replay", str(EXAMPLE), "--spec", str(REVISION / "spec.yaml"))
    assert code == 1
    assert err.splitlines()[0] == (f"注記: {EXAMPLE} は 2024-04-01 版の約款に対して書かれたシナリオ（5 行目）。"
                                   "指定どおり 2025-04-01 版で再生するが、期待値は 2024-04-01 版のもの")


def test_a_version_the_folder_lacks_is_bad_input_at_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('terms: "2024-04-01"', "terms: 2024-4-01"),
                   encoding="utf-8")  # fmt: skip
    code, out, err = run("replay", str(bad), "--spec", str(CONTRACT))
    assert (code, out) == (2, "")
    assert err == (f"yakkan: error: {bad}:5: terms: no version '2024-4-01' in `{CONTRACT}` — did you mean "
                   "'2024-04-01'?\n  fix: name a version the folder holds (2024-04-01, 2025-04-01), or give its spec "
                   "with --spec\n")  # fmt: skip
    code, out, err = run("--lang", "ja", "replay", str(bad), "--spec", str(CONTRACT))
    assert (code, out) == (2, "")
    assert err == (f"yakkan: エラー: {bad}:5: terms: `{CONTRACT}` に版 '2024-4-01' がない"
                   "（'2024-04-01' の誤りでは？）\n  修正: フォルダにある版（2024-04-01, 2025-04-01）を指定するか、"
                   "その仕様ファイルを --spec で指定してください\n")  # fmt: skip


def test_a_terms_that_is_not_a_version_name_is_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('terms: "2024-04-01"', "terms: [1]"), encoding="utf-8")
    code, out, err = run("replay", str(bad))
    assert (code, out) == (2, "")
    assert err == (f"yakkan: error: {bad}:5: terms: `[1]` is not a version of the terms\n"
                   "  fix: name the version the scenario was written for, e.g. terms: 2024-04-01\n")  # fmt: skip


def test_a_worked_example_named_by_the_spec_of_another_version_is_bad_input(tmp_path):
    folder = tmp_path / "2025-04-01"
    shutil.copytree(REVISION, folder)
    example = folder / "examples/support-cap-restriction-lifted-by-the-fee.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace('terms: "2025-04-01"', 'terms: "2024-04-01"'),
                       encoding="utf-8")  # fmt: skip
    with pytest.raises(ScenarioError) as caught:
        load_spec_scenarios(load_spec(folder / "spec.yaml"))
    e = caught.value
    assert (e.path, e.line, e.where) == (example, 11, "terms")
    assert e.message == "the scenario is written for 2024-04-01, but it is named by the spec of 2025-04-01"
