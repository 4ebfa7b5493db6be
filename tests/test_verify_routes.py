"""A reachable property's own witness route, carried over to changed terms (verify/routes.py).

P85 (11-1, 11-2): the company can request a deposit of the whole cap. Its witness,
witnesses/P85.yaml, applies with a base fee of 100,000 yen a month (no option or other
fee) and requests 1,200,000 yen the same day: 12 times the monthly total, the cap of 11-2
as the 2024-04-01 terms set it. With the cap at 6 months that request is refused (above
the cap); the cap itself is now 6 × 100,000 = 600,000 yen, and the route with that figure
is P85's witness, found without drawing a single random run.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from yakkan.model.spec import load_spec
from yakkan.verify import sampling
from yakkan.verify.cli import verify
from yakkan.verify.counterexample import goal_finder
from yakkan.verify.properties import obligation
from yakkan.verify.routes import carried_over
from yakkan.verify.runner import Settings, Verifier

from conftest import SPEC_PATH, copy_spec_folders

CAP = "deposit_cap_months: {type: int, default: 12,"
# what the verdict keeps of the figure moved: the scenario to update, and how
MOVED = {"scenario": "witnesses/P85.yaml", "event": "request_deposit", "argument": "amount", "on": "2024-04-01",
         "from": 1_200_000, "to": 600_000}
APPLIED = 738977  # 2024-04-01, the day of the witness's two events


def spec_with_cap(folder: Path, months: int) -> Path:
    """A copy of the bundled spec (and its witness scenarios) with 11-2's cap at ``months``."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(CAP) == 1
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "witnesses").exists():
        copy_spec_folders(folder)
    path = folder / "spec.yaml"
    path.write_text(text.replace(CAP, f"deposit_cap_months: {{type: int, default: {months},"), encoding="utf-8")
    return path


def own_route(path: Path) -> tuple[object, object, object]:
    """P85's witness as written, replayed on the spec at ``path``; its goal; the verifier."""
    spec = load_spec(path)
    verifier = Verifier(spec, Settings(), None)
    route = verifier._scenario_run("witnesses/P85.yaml")
    goal = goal_finder(spec, obligation(spec, spec.properties["P85"]).violation)
    return verifier, route, goal


def test_the_request_of_the_old_cap_is_carried_over_to_the_new_cap(tmp_path: Path) -> None:
    verifier, route, reaches = own_route(spec_with_cap(tmp_path, 6))
    assert route.events[1] == (APPLIED, "request_deposit", {"amount": 1_200_000})
    assert reaches(list(route.steps)) is None  # 1,200,000 is above the cap of 600,000: refused
    carried = carried_over(verifier.compiled, route, verifier._scenario("witnesses/P85.yaml").until, reaches)
    assert carried is not None
    moved, figure = carried
    assert figure.to_data("witnesses/P85.yaml") == MOVED
    assert moved.events == ((APPLIED, "apply", {}), (APPLIED, "request_deposit", {"amount": 600_000}))
    assert dict(moved.parameters) == dict(route.parameters)  # the same contract: only the figure moved
    step = moved.steps[reaches(list(moved.steps))]
    assert (step.event, step.accepted, step.after["deposit_requested"]) == ("request_deposit", True, 600_000)


def test_no_route_is_made_up_where_the_terms_allow_none(tmp_path: Path) -> None:
    """A cap of 0 months: no deposit can be requested (P85 asks for a cap above 0), and no
    figure the guards offer makes one: nothing is carried over."""
    verifier, route, reaches = own_route(spec_with_cap(tmp_path, 0))
    assert carried_over(verifier.compiled, route, verifier._scenario("witnesses/P85.yaml").until, reaches) is None
    assert verifier._own_route(obligation(verifier.spec, verifier.spec.properties["P85"])) == []
    assert verifier.draws_runs("P85")


def test_after_the_cap_changes_p85s_witness_is_its_own_route_and_no_random_run_is_drawn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Warm on the terms as written, then the cap at 6 months: P85's last witness requests
    the old cap, which the new cap refuses; its recheck takes the witness's route with the
    new cap (the fast path, no random run drawn). The cold check of the edited spec writes
    the same witness."""
    folder = tmp_path / "spec"
    path = spec_with_cap(folder, 12)
    verdicts, _ = verify(path, ["P85"], out_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert [(v.id, v.verdict, v.witness_moved) for v in verdicts] == [("P85", "reachable", None)]
    spec_with_cap(folder, 6)

    def no_random_runs(*args: object, **kw: object) -> None:
        raise AssertionError("random runs were drawn")

    monkeypatch.setattr(sampling, "sample_runs", no_random_runs)
    verdicts, _ = verify(path, ["P85"], out_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert [(v.id, v.verdict, v.matches, v.route) for v in verdicts] == [("P85", "reachable", True, "fast")]
    assert verdicts[0].witness_moved == MOVED and verdicts[0].engine == "simulation + z3 step check"
    witness = (tmp_path / "out" / "P85-witness.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(witness)
    day = dt.date(2024, 4, 1)
    assert data["events"] == [{"on": day, "do": "apply"}, {"on": day, "do": "request_deposit", "amount": 600_000}]
    assert data["expect"]["ledger"]["deposit_requested"] == 600_000
    monkeypatch.undo()
    shutil.rmtree(tmp_path / "out")
    verdicts, _ = verify(path, ["P85"], out_dir=tmp_path / "out", use_cache=False)
    assert [(v.id, v.verdict, v.route, v.witness_moved) for v in verdicts] == [("P85", "reachable", "full", MOVED)]
    assert (tmp_path / "out" / "P85-witness.yaml").read_text(encoding="utf-8") == witness
    # a later edit that leaves P85's route alone (a longer minimum term, 7-1): the fast path
    # replays the route the full check found, and writes what a cold check writes
    path.write_text(path.read_text(encoding="utf-8").replace(
        "minimum_term_months: {type: int, default: 3,", "minimum_term_months: {type: int, default: 6,"),
        encoding="utf-8")  # fmt: skip
    fast, _ = verify(path, ["P85"], out_dir=tmp_path / "fast", cache_dir=tmp_path / "cache")
    cold, _ = verify(path, ["P85"], out_dir=tmp_path / "cold", use_cache=False)
    assert [(v.route, v.verdict, v.witness_moved) for v in fast + cold] == [("fast", "reachable", MOVED),
                                                                           ("full", "reachable", MOVED)]  # fmt: skip
    assert (tmp_path / "fast" / "P85-witness.yaml").read_text(encoding="utf-8") == \
        (tmp_path / "cold" / "P85-witness.yaml").read_text(encoding="utf-8")  # fmt: skip


def test_the_reviewer_is_told_which_witness_scenario_to_update() -> None:
    """The terminal and the pull request's summary name the scenario, the figure moved and
    to what, in the language of the reports (the event's Japanese name beside its id)."""
    from yakkan.lang import using
    from yakkan.verify.report import markdown, moved_witnesses
    from yakkan.verify.runner import Verdict

    v = Verdict(id="P85", title="The company can request a deposit of the whole cap of 11-2", kind="reachable",
                verdict="reachable", expected="reachable", matches=True, depth=1, seconds=0.1,
                articles=["11-1", "11-2"], witness_moved=MOVED)  # fmt: skip
    quiet = Verdict(id="P87", title="t", kind="reachable", verdict="reachable", expected="reachable", matches=True,
                    depth=2, seconds=0.1, articles=["11-1"])  # fmt: skip
    en = ("witnesses/P85.yaml no longer reaches P85 as written: with request_deposit's amount on 2024-04-01 moved "
          "from 1,200,000 to 600,000 (where a guard of the event turns under these terms) it does, and that is the "
          "witness written; update the scenario to these terms")
    ja = ("witnesses/P85.yaml は書かれたままでは P85 に到達しなくなった。2024-04-01 の 保証金の請求（request_deposit） "
          "の amount を 1,200,000 から 600,000 に移すと（この約款でその事象のガードが切り替わる値）到達し、それを実例と"
          "して書き出した。シナリオをこの約款に合わせて更新してください")
    events = {"request_deposit": "保証金の請求"}
    with using("en"):
        assert moved_witnesses([quiet, v]) == [en]
        assert markdown([v, quiet], "clara").endswith(f"\n#### Witness scenarios to update\n\n- {en}\n")
        assert "Witness scenarios" not in markdown([quiet], "clara")
    with using("ja"):
        assert moved_witnesses([v], events) == [ja]
        assert markdown([v], "clara", {}, events).endswith(f"\n#### 更新が必要な実例シナリオ\n\n- {ja}\n")


def test_the_bundled_routes_are_taken_as_written() -> None:
    """Under the terms as written every reachable property's own witness reaches its goal
    as it stands: nothing is moved, and none of them needs the random runs."""
    spec = load_spec(SPEC_PATH)
    verifier = Verifier(spec, Settings(), None)
    own = [p for p, prop in spec.properties.items() if prop.kind == "reachable" and prop.witness]
    assert own == ["P36", "P45", "P54", "P48", "P85", "P87", "P88", "P97"]
    for pid in own:
        [run] = verifier._own_route(obligation(spec, spec.properties[pid]))
        assert run is verifier._scenario_run(spec.properties[pid].witness), pid
        assert not verifier.draws_runs(pid)
