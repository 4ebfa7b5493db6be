"""`yakkan mutate` (issue 12 §6): mutants of the bundled spec with known outcomes, the
JSON shape, the exit codes and bad input. The mutants chosen are decided by the cheap
stages (Z3's equivalence check, the fast engine's portfolio): the test stays fast."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest

from yakkan.cli import main
from yakkan.model.errors import SpecError
from yakkan.model.spec import load_spec_document
from yakkan.verify import mutate_cli
from yakkan.verify.mutate import Context, MutateSettings, evaluate, merge, select
from yakkan.verify.mutation_operators import expression_edits

from conftest import SPEC_PATH, copy_spec_folders

# 7-2: dropping "no cancellation within the minimum term" lets a customer cancel in it: P03
KILLED = "transition.cancel.guard2.drop"
# 7-2: "the service has started" is implied by "not within the minimum term" (whose
# definition starts with `service_start == FOREVER or …`): dropping it changes nothing
EQUIVALENT = "transition.cancel.guard1.drop"
# 6-1: an accepted application stays applied: no transition reaches `concluded` any more
INVALID = "transition.accept.target.same"


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context.load(SPEC_PATH, MutateSettings())


def test_operators_on_one_expression() -> None:
    edits = {e.tag: (e.operator, e.text) for e in expression_edits("a <= b + 1 and add_months(d, 3) != x")}
    assert edits == {
        "cmp1": ("comparison", "a < b + 1 and add_months(d, 3) != x"),
        "cmp2": ("comparison", "a <= b + 1 and add_months(d, 3) == x"),
        "arith1": ("arithmetic", "a <= b - 1 and add_months(d, 3) != x"),
        "const1+1": ("constant", "a <= b + 2 and add_months(d, 3) != x"),
        "const1-1": ("constant", "a <= b + 0 and add_months(d, 3) != x"),
        "month2+1": ("calendar", "a <= b + 1 and add_months(d, 4) != x"),
        "month2-1": ("calendar", "a <= b + 1 and add_months(d, 2) != x"),
    }
    assert [(e.tag, e.text) for e in expression_edits("paid += amount")] == [("arith1", "paid -= amount")]


def test_the_mutants_of_the_bundled_spec(ctx) -> None:
    m = ctx.by_id[KILLED]
    assert m.operator == "guard-drop" and m.articles == ("7-2",)
    assert m.describe("en") == ("transition cancel guard clause 2 dropped (7-2): `not within_minimum_term`")
    assert m.describe("ja") == "遷移 cancel のガード条件 2を削除（7-2）: `not within_minimum_term`"
    ops = {x.operator for x in ctx.by_id.values()}
    assert ops == {"guard-drop", "guard-negate", "comparison", "arithmetic", "constant", "effect-drop",
                   "retarget", "calendar"}  # fmt: skip
    # a transition retargeted, a calendar date shifted, a parameter of the terms ± 1
    assert ctx.by_id["transition.cancel.guard2.negate"].new == "not (not within_minimum_term)"
    assert ctx.by_id["event.month_ends.at+1d"].new == "(month_end(month_of(today))) + 1"
    assert ctx.by_id["parameter.minimum_term_months.default-1"].new == 2
    # none below a parameter's domain: a renewal period of 0 months is no term (min: 1, 7-1)
    assert ctx.by_id["parameter.renewal_period_months.default+1"].new == 2
    assert "parameter.renewal_period_months.default-1" not in ctx.by_id
    assert "parameter.records_retention_days.default-1" not in ctx.by_id
    # 725 once 23-3 needed no complaint (I-43), 728 with I-44's guard of demand_cure, 749 with
    # the fees a cure demand covers (I-36), the abolition notice counted back (I-45) and the
    # breaches of 35-37 kept after their cure (28-1(4), 37-2), 744 once the fees overdue paid
    # off were one procedure (overdue_paid), not lines written twice
    assert len(ctx.by_id) == 744
    # the document is left as it was after building a mutant, even one the loader refuses
    orig = repr(ctx.spec.transitions)
    assert repr(ctx.build(ctx.by_id[EQUIVALENT]).transitions) != orig
    with pytest.raises(SpecError, match="state 'concluded' is unreachable from 'applied'"):
        ctx.build(ctx.by_id[INVALID])
    assert repr(load_spec_document(ctx.spec.path, ctx.doc).transitions) == orig


def test_select_is_deterministic() -> None:
    ids = [f"m{i:03d}" for i in range(100)]
    assert select(ids, 5, 0) == select(ids, 5, 0) == ['m041', 'm052', 'm056', 'm088', 'm094']
    assert select(ids, 5, 1) != select(ids, 5, 0)
    assert select(ids, None, 0) == ids and select(ids, 500, 3) == ids


def test_known_outcomes(ctx) -> None:
    killed = evaluate(ctx, KILLED)
    assert (killed["outcome"], killed["stage"], killed["by"], killed["how"]) == (
        "killed", "simulate", "P03", "counterexample")
    same = evaluate(ctx, EQUIVALENT)
    assert (same["outcome"], same["stage"]) == ("equivalent", "equivalence")
    assert same["reason"] == ("proved equal by Z3 under the variables' domains and the terms' parameters: "
                              "transition cancel")
    # a derived name no rule of the model reads (only the properties and reports do)
    assert evaluate(ctx, "derived.balance_due.arith3")["reason"] == "no rule of the model reads the changed text"
    refused = evaluate(ctx, INVALID)
    assert (refused["outcome"], refused["stage"], refused["reason"]) == (
        "invalid", "loader", "states.concluded: state 'concluded' is unreachable from 'applied'")


# 12-2, I-03: the administrative fee charged at each month's start with nothing overdue too
# (`overdue > 0` → `overdue >= 0`): at the terms' fee of ¥0 every month adds ¥0 either way
ADMIN_FEE_ALWAYS = "procedure.new_month.body12.cmp1"


def test_the_terms_parameters_are_their_values_in_the_equivalence_check(ctx, tmp_path) -> None:
    """The verifier checks the spec at the values its terms set (``scope: terms``); a rule
    that differs only at another value changes nothing it can check, as P91 shows: it
    kills this mutant only where the terms set a fee."""
    from yakkan.verify.mutate import equivalence

    same = evaluate(ctx, ADMIN_FEE_ALWAYS)
    assert same["outcome"] == "equivalent"
    assert same["reason"] == ("proved equal by Z3 under the variables' domains and the terms' parameters: "
                              "transition month_starts_before_service, transition restriction_lapses_at_month_start, "
                              "transition month_starts")
    folder = tmp_path / "spec"
    folder.mkdir()
    copy_spec_folders(folder)
    text = SPEC_PATH.read_text(encoding="utf-8")
    old = "late_admin_fee: {type: int, default: 0,"
    assert text.count(old) == 1
    (folder / "spec.yaml").write_text(text.replace(old, "late_admin_fee: {type: int, default: 500,"), "utf-8")
    fee = Context.load(folder / "spec.yaml", MutateSettings())
    differs, why, _ = equivalence(fee.spec, fee.build(fee.by_id[ADMIN_FEE_ALWAYS]), 4_000_000)
    assert (differs, why) == (False, "transition month_starts_before_service: differs")


def test_merge_scores_and_counts() -> None:
    def o(i: str, outcome: str, op: str = "guard-drop") -> dict:
        return {"id": i, "operator": op, "element": "transition t", "part": "guard clause 1", "articles": ["7-2"],
                "line": 1, "description": i, "description_ja": i, "outcome": outcome, "stage": "simulate",
                "by": "P03", "how": "counterexample"}  # fmt: skip

    r = merge([o("b", "survived"), o("a", "killed"), o("c", "equivalent", "comparison"), o("d", "invalid")], 10)
    assert (r["score"], r["killed"], r["survived"], r["equivalent"], r["invalid"], r["passed"]) == (
        0.5, 1, 1, 1, 1, False)
    assert r["operators"] == {
        "guard-drop": {"killed": 1, "survived": 1, "equivalent": 0, "invalid": 1, "mutants": 3},
        "comparison": {"killed": 0, "survived": 0, "equivalent": 1, "invalid": 0, "mutants": 1},
    }
    assert [s["id"] for s in r["survivors"]] == ["b"] and [m["id"] for m in r["mutants"]] == ["a", "b", "c", "d"]
    assert merge([o("a", "killed")], 1)["passed"] is True


def test_cli_json_and_exit_0(in_tmp, capsys) -> None:
    code = main(["mutate", str(SPEC_PATH), "--mutant", KILLED, "--mutant", EQUIVALENT, "--json",
                 "--workers", "2", "--out", str(in_tmp / "out")])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"spec", "seed", "limit", "settings", "mutants_total", "mutants_run", "killed", "survived",
            "equivalent", "invalid", "score", "min_score", "passed", "operators", "killed_by_stage",
            "killed_how", "survivors", "mutants"} <= set(out)  # fmt: skip
    assert (out["mutants_run"], out["killed"], out["equivalent"], out["score"], out["passed"]) == (2, 1, 1, 1.0, True)
    assert out["killed_by_stage"] == {"simulate": 1} and out["survivors"] == []
    assert {m["id"]: m["outcome"] for m in out["mutants"]} == {KILLED: "killed", EQUIVALENT: "equivalent"}
    assert json.loads((in_tmp / "out" / "report.json").read_text(encoding="utf-8")) == out
    # the same run again, in one process: read from the cache, the same report byte for byte
    assert main(["mutate", str(SPEC_PATH), "--mutant", KILLED, "--mutant", EQUIVALENT, "--json",
                 "--out", str(in_tmp / "out")]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == out
    assert main(["mutate", str(SPEC_PATH), "--mutant", KILLED, "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "score 100.0 % (1 killed of 1 non-equivalent)" in text and "no mutant survived." in text


def test_exit_1_below_the_threshold(ctx, monkeypatch, capsys) -> None:
    """A survivor below --min-score: exit 1, the survivor named with its element and articles."""
    def fake(c, ids, **kw):  # the map's outcomes, as a worker returns them
        m = c.by_id[ids[0]]
        return [{"id": m.id, "operator": m.operator, "element": f"{m.kind} {m.name}", "part": m.part,
                 "articles": list(m.articles), "line": m.line, "description": m.describe("en"),
                 "description_ja": m.describe("ja"), "outcome": "survived", "stage": "verify", "by": None,
                 "how": None, "verdict": None, "reason": ""}]  # fmt: skip

    monkeypatch.setattr(mutate_cli, "run_mutants", fake)
    args = Namespace(spec=SPEC_PATH, json=False, out=None, limit=None, seed=0, mutant=[KILLED], workers=1,
                     min_score=0.95, lang="ja", no_cache=True, list=False)  # fmt: skip
    assert mutate_cli.run(args) == 1
    text = capsys.readouterr().out
    assert "スコア 0.0 %" in text and "不合格" in text
    assert "遷移 cancel のガード条件 2を削除（7-2）: `not within_minimum_term`" in text
    args.min_score = 0.0
    assert mutate_cli.run(args) == 0


def test_exit_2_on_bad_input(in_tmp, capsys) -> None:
    assert main(["mutate", str(in_tmp / "missing.yaml")]) == 2
    assert main(["mutate", str(SPEC_PATH), "--limit", "0"]) == 2
    assert main(["mutate", str(SPEC_PATH), "--workers", "0"]) == 2
    assert main(["mutate", str(SPEC_PATH), "--min-score", "1.5"]) == 2
    assert main(["mutate", str(SPEC_PATH), "--mutant", "transition.cancel.guard9.drop"]) == 2
    err = capsys.readouterr().err
    assert "unknown mutant 'transition.cancel.guard9.drop' — did you mean" in err and "fix:" in err
    bad = in_tmp / "bad.yaml"
    bad.write_text("meta: {id: x}\n", encoding="utf-8")
    assert main(["mutate", str(bad)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_input_met_on_the_way_is_not_a_kill(ctx, monkeypatch) -> None:
    """A worked example that no longer loads (here: raised by the simulation stage) is bad
    input: the run stops with it, instead of counting the mutant as killed by a crash."""
    from yakkan.model.errors import ScenarioError
    from yakkan.verify import mutate

    def broken(*args, **kw):
        raise ScenarioError("unknown key 'terms'", path="examples/x.yaml", line=12)

    monkeypatch.setattr(mutate, "_simulate_kill", broken)
    with pytest.raises(ScenarioError, match="unknown key 'terms'"):
        evaluate(ctx, KILLED)
    # a model that really crashes on the mutant is still a kill
    monkeypatch.setattr(mutate, "_simulate_kill", lambda *a, **k: 1 // 0)
    out = evaluate(ctx, KILLED)
    assert (out["outcome"], out["stage"], out["reason"]) == (
        "killed", "crash", "ZeroDivisionError: integer division or modulo by zero")


# 19, 28-1: the option fee next month must be > 1 instead of > 0 to end an option: a
# survivor by design (README), so its full-check stage runs every property
SURVIVOR = "transition.terminate.guard4.const1+1"


def test_the_full_check_starts_from_the_proof_hints(ctx, monkeypatch) -> None:
    """A mutant the cheap stages leave: each property of the full check is proved again
    from the spec's proof hint on the mutant (P01 and P30 in one solver, P18's witness
    replayed), so none takes the search from nothing (nothing is prepared for it); without
    its hint, P18 does."""
    from yakkan.verify import mutate
    from yakkan.verify.runner import Verifier

    prepared: list[str] = []  # the full check's preparation (random runs, truth tables)
    monkeypatch.setattr(Verifier, "prepare", lambda self: prepared.append(self.spec.meta["id"]))
    mspec = ctx.build(ctx.by_id[SURVIVOR])
    assert {"P01", "P18", "P30"} <= set(ctx.hints)
    assert mutate._verify_kill(ctx, mspec, ["P01", "P18", "P30"]) is None
    assert prepared == []
    monkeypatch.setattr(ctx, "hints", {p: r for p, r in ctx.hints.items() if p != "P18"})
    assert mutate._verify_kill(ctx, mspec, ["P01", "P18", "P30"]) is None
    assert prepared == ["clara-msp"]
