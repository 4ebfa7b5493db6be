"""A proof that fails says which induction step it could not close, over the model's
names (issue 11 §3): the event, and before and after it the lifecycle state, the day, what
the property reads and what the event changed — dates as dates, a response's monitor as
its deadline."""

from __future__ import annotations

import datetime as dt
import json

from yakkan.cli import main
from yakkan.verify import engines
from yakkan.verify.encoding import Model
from yakkan.verify.failed_step import describe, failed_step
from yakkan.verify.properties import obligation

from conftest import SPEC_PATH, day

REVISION = SPEC_PATH.parent / "2025-04-01" / "spec.yaml"
FOREVER = dt.date.max.toordinal()


def test_a_response_step_is_told_with_dates_and_its_deadline(spec) -> None:
    """The step Houdini met on P15 before the monitor's own lemmas were given: a
    suspension 58 days old whose deadline is only 58 days after its start (unreachable:
    the deadline is 6 months after the start or later)."""
    ob = obligation(spec, spec.properties["P15"])
    before = {"state": "suspended", "today": day("2097-01-01"), "slot": 8, "suspended_on": day("2096-12-01"),
              "termination_declared": False, "base_fee": 16, "credit": -5,
              "mon.armed": True, "mon.deadline": day("2097-01-27")}
    after = dict(before, today=day("2097-01-02"), slot=0, credit=0)
    step = failed_step(Model(spec), ob, before, after, "month_starts")
    assert step == {
        "event": "month_starts",
        "before": {"state": "suspended", "today": "2097-01-01", "termination_declared": False, "credit": -5,
                   "response_awaited": True, "response_deadline": "2097-01-27"},
        "after": {"state": "suspended", "today": "2097-01-02", "termination_declared": False, "credit": 0,
                  "response_awaited": True, "response_deadline": "2097-01-27"},
    }
    assert describe(step) == [
        "    the induction step not closed (event month_starts):",
        "      before: state=suspended, today=2097-01-01, termination_declared=false, credit=-5, "
        "response_awaited=true, response_deadline=2097-01-27",
        "      after:  state=suspended, today=2097-01-02, termination_declared=false, credit=0, "
        "response_awaited=true, response_deadline=2097-01-27",
    ]
    assert describe(step, "ja", "月初")[0] == "    帰納法で閉じられなかった一歩（イベント month_starts（月初））:"


def test_a_date_never_set_reads_forever(spec) -> None:
    ob = obligation(spec, spec.properties["P03"])
    step = failed_step(Model(spec), ob, {"state": "active", "today": day("2030-05-31"), "term_end": FOREVER},
                       {"state": "active", "today": day("2030-06-01"), "term_end": day("2031-03-31")}, "renew")
    assert step["before"]["term_end"] == "FOREVER" and step["after"]["term_end"] == "2031-03-31"


def test_verify_reports_the_step_in_json_and_text(in_tmp, capsys, monkeypatch) -> None:
    """Wired through: when no attempt closes the induction, the last counterexample to
    induction is the verdict's `induction_step` (JSON) and is printed under the verdict."""
    cti = {"state": "active", "today": day("2030-05-31"), "slot": 3}
    after = {"state": "ended", "today": day("2030-06-01"), "slot": 0}

    def no_proof(*args, **kwargs):
        return engines.NoProof("not inductive with the lemmas found", cti, after, "term_expires")

    monkeypatch.setattr(engines, "prove", no_proof)
    argv = ["verify", str(SPEC_PATH), "--property", "P06", "--depth", "1", "--no-cache", "--no-hints"]
    code = main([*argv, "--json"])
    (item,) = json.loads(capsys.readouterr().out)["properties"]
    assert code == 1 and item["verdict"] == "holds-to-depth"
    assert item["induction_step"] == {"event": "term_expires", "before": {"state": "active", "today": "2030-05-31"},
                                      "after": {"state": "ended", "today": "2030-06-01"}}
    main(argv)
    out = capsys.readouterr().out
    assert "    the induction step not closed (event term_expires):\n" in out
    assert "      after:  state=ended, today=2030-06-01\n" in out


def test_why_a_proof_failed_reads_in_japanese() -> None:
    """The reasons a budget gives are sentences of the catalogue: no English is left in a
    Japanese report (the numbers are holes that only match numbers, so a reason nested in
    another is not split at the wrong place)."""
    from yakkan.lang import translate

    spent = ("induction: resource budget spent (60,000,000 Z3 units); no violation within 6 steps "
             "(resource budget spent (120,000,000 Z3 units) at depth 7)")  # fmt: skip
    assert translate(spent, "ja") == ("帰納法: リソース予算（Z3 単位 60,000,000）を使い切った。6 ステップ以内に違反なし"
                                      "（深さ 7 でリソース予算（Z3 単位 120,000,000）を使い切った）")
    guard = ("induction: not inductive with the lemmas found; no violation within 6 steps (wall-clock guard reached "
             "after 0.05 s (the machine was too slow or loaded; not a verdict) at depth 7)")  # fmt: skip
    assert translate(guard, "ja") == ("帰納法: 見つかった補題では帰納的でない。6 ステップ以内に違反なし"
                                      "（深さ 7 で 0.05 秒の実時間の保険に達した（マシンが遅いか負荷が高い。"
                                      "判定ではない））")
    assert translate("induction: a query of the proof ran over its time cap", "ja") == \
        "帰納法: 証明の問い合わせが時間の上限を超えた"
