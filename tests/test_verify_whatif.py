"""`yakkan what-if` (issue 14 §2, a verification sweep over what-if parameters): the spec's
text with a terms parameter's default rewritten in place, each variant verified on the fast
path from the base's verdicts, and the verdicts that change named. The cluster's report is
the local one (tests/test_simulate_cluster.py)."""

from __future__ import annotations

import difflib
import json

import pytest

from yakkan.cli import main
from yakkan.model.errors import InputError
from yakkan.model.spec import load_spec
from yakkan.verify import whatif
from yakkan.verify.whatif import Assignment, parse_assignment, variants_of

from conftest import SPEC_PATH, spec_without_the_multipliers_domain


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC_PATH)


def test_values_ranges_and_repeats(spec):
    assert parse_assignment("minimum_term_months=1,3,6", spec) == Assignment("minimum_term_months", (1, 3, 6))
    assert parse_assignment(" deposit_cap_months = 1..4, 12", spec).values == (1, 2, 3, 4, 12)
    assert parse_assignment("minimum_term_months=6,3,6", spec).values == (6, 3)  # in the order asked, once


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("minimum_term_months", "'minimum_term_months' is not NAME=VALUES", "e.g. minimum_term_months=1,3,6"),
    ("minimum_term_monts=3", "unknown parameter 'minimum_term_monts' — did you mean 'minimum_term_months'?",
     "the terms' parameters: tax_rate_percent, late_rate_bp"),
    ("base_fee=50000", "'base_fee' is set per contract, not by the terms", "the terms' parameters:"),
    ("minimum_term_months=3,six", "'six' is not a whole number", "e.g. minimum_term_months=1,3,6"),
    ("minimum_term_months=1..65", "'1..65' is not a range of at most 64 values", "e.g."),
    ("minimum_term_months=6..3", "'6..3' is not a range of at most 64 values", "e.g."),
    ("minimum_term_months=2000000000", "minimum_term_months=2000000000 is outside its domain", "give values of"),
    ("minimum_term_months=99999999999", "minimum_term_months=99999999999 is outside its domain", "give values of"),
    ("minimum_term_months=" + "9" * 31, f"'{'9' * 31}' is not a whole number", "e.g."),
    # the terms' own domains (`min:` in the spec): a term of at least a month (7-1), days and
    # rates that are never negative
    ("minimum_term_months=0,3", "minimum_term_months=0 is outside its domain (1 to 1,000,000,000)",
     "give values of at least 1"),
    ("renewal_period_months=0", "renewal_period_months=0 is outside its domain (1 to", "give values of at least 1"),
    ("records_retention_days=-5", "records_retention_days=-5 is outside its domain (0 to",
     "give values of at least 0"),
    ("tax_rate_percent=-100", "tax_rate_percent=-100 is outside its domain (0 to", "give values of at least 0"),
    ("late_rate_bp=-1", "late_rate_bp=-1 is outside its domain (0 to", "give values of at least 0"),
])  # fmt: skip
def test_a_bad_assignment_says_what_to_write(spec, text, message, hint):
    with pytest.raises(InputError) as err:
        parse_assignment(text, spec)
    assert err.value.message.startswith(message)
    assert err.value.hint.startswith(hint)


def test_a_variant_is_the_spec_with_one_literal_rewritten(spec):
    base, six = variants_of(SPEC_PATH, [parse_assignment("minimum_term_months=3,6", spec)])
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert base.text == text  # the terms' own value: the spec, byte for byte
    changed = [d for d in difflib.ndiff(text.splitlines(), six.text.splitlines()) if d[:1] in "+-"]
    assert changed == [
        '-   minimum_term_months: {type: int, default: 3, min: 1, scope: terms, articles: ["7-1"],',
        '+   minimum_term_months: {type: int, default: 6, min: 1, scope: terms, articles: ["7-1"],',
    ]
    assert six.label == "minimum_term_months=6"


def test_every_combination_of_two_parameters(spec):
    out = variants_of(SPEC_PATH, [parse_assignment("minimum_term_months=3,6", spec),
                                  parse_assignment("deposit_cap_months=6,12", spec)])  # fmt: skip
    assert [v.label for v in out] == [
        "minimum_term_months=3, deposit_cap_months=6", "minimum_term_months=3, deposit_cap_months=12",
        "minimum_term_months=6, deposit_cap_months=6", "minimum_term_months=6, deposit_cap_months=12",
    ]  # fmt: skip
    with pytest.raises(InputError, match="'minimum_term_months' is given twice"):
        variants_of(SPEC_PATH, [parse_assignment("minimum_term_months=3", spec)] * 2)
    with pytest.raises(InputError, match="81 combinations of values: at most 64"):
        variants_of(SPEC_PATH, [parse_assignment(f"{n}=1..9", spec) for n in ("minimum_term_months",
                                                                             "deposit_cap_months")])  # fmt: skip


def test_the_report_names_the_verdicts_that_change(tmp_path, capsys):
    """12-1's multiplier of the evaded fee made negative (-1): the penalty for the
    ¥1,100,000 detected is then -¥1,100,000, a credit, and at the end (11-4) the deposit
    account pays the customer back what the customer never paid, so P16 (the deposit is
    returned net of what is owed) is violated; P05 (no fee charged before its due date)
    does not read the multiplier and stays proved. The counterexample replays on the
    variant's spec, written beside it. (The bundled spec refuses -1, outside the
    multiplier's domain: this is a copy without it, as the spec was.)"""
    out = tmp_path / "whatif"
    spec = spec_without_the_multipliers_domain(tmp_path / "clara")
    argv = ["--lang", "en", "what-if", "evasion_multiplier=2,-1", "--spec", str(spec), "--property", "P05",
            "--property", "P16", "--json", "--no-cache", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == {"values": {"evasion_multiplier": 2}, "as_expected": 2, "properties": 2}
    (same, negative) = data["variants"]
    assert (same["label"], same["base"], same["as_expected"], same["changed"], same["spec"]) == \
        ("evasion_multiplier=2", True, 2, [], None)  # fmt: skip
    # P05 proved again with its last lemmas; P16's last lemmas no longer inductive: the full check
    assert negative["routes"] == {"reused": 0, "fast": 1, "hint": 0, "full": 1}
    folder = out / "evasion_multiplier=-1"
    scenario = folder / "P16-counterexample.yaml"
    assert negative["spec"] == str(folder / "spec" / "spec.yaml")
    assert negative["changed"] == [{
        "id": "P16", "title": "At the end, the deposit balance is returned net of what is owed",
        "title_ja": "終了時には、債務を控除した保証金の残額が返還される", "before": "proved", "after": "violated",
        "expected": "holds", "matches": False, "articles": ["11-4"], "counterexample": str(scenario)}]  # fmt: skip
    assert negative["not_as_expected"] == ["P16"]
    assert "evasion_multiplier: {type: int, default: -1," in (folder / "spec" / "spec.yaml").read_text("utf-8")
    assert main(["--lang", "en", "replay", str(scenario), "--spec", negative["spec"], "--json"]) == 0
    ledger = json.loads(capsys.readouterr().out)["ledger"]
    assert (ledger["penalties"], ledger["deposit_returned"]) == (-1100000, 1100000)
    # the text a reader gets: the change, and how to replay it
    assert main(argv[:-4] + ["--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        "  P16 At the end, the deposit balance is returned net of what is owed: proved → violated — "
        "NOT as expected (expected holds)",
        f"    replay it on these terms: yakkan replay {scenario} --spec {negative['spec']}",
    ]


def test_text_report_in_japanese(capsys):
    data = {"spec": {"id": "clara-msp", "version": "2024-04-01", "path": "x"},
            "base": {"values": {"minimum_term_months": 3}, "as_expected": 61, "properties": 61},
            "variants": [{"values": {"minimum_term_months": 0}, "label": "minimum_term_months=0", "base": False,
                          "as_expected": 60, "properties": 61, "not_as_expected": ["P18"], "spec": None,
                          "routes": {"reused": 0, "fast": 60, "hint": 0, "full": 1},
                          "changed": [{"id": "P18", "title": "The company can raise the fee within the minimum term",
                                       "title_ja": "当社は最低利用期間内に料金を値上げできる", "before": "reachable",
                                       "after": "unknown", "expected": "reachable", "matches": False,
                                       "articles": ["8-4"], "counterexample": None}]}]}  # fmt: skip
    assert whatif.text(data, "ja").splitlines() == [
        "仮定の検証: clara-msp 2024-04-01、プロパティ 61 件。現行の約款（minimum_term_months=3）では 61 件が期待どおり",
        "",
        "minimum_term_months=0: 61 件中 60 件が期待どおり — "
        "現行の約款の判定から再検査 60 件、完全な検査 1 件、再利用 0 件",
        "  P18 当社は最低利用期間内に料金を値上げできる: 到達可能 → 判定不能 — 期待と不一致（期待: 到達可能）",
    ]
    assert whatif.text(data, "en").splitlines()[3] == (
        "  P18 The company can raise the fee within the minimum term: reachable → unknown — "
        "NOT as expected (expected reachable)")


def test_simulate_shows_what_a_variant_does_to_the_money(tmp_path, capsys):
    """`--simulate`: the same portfolio and seed on the terms as written and on the
    variant. 10-2's late charge at a rate of 0 (late_rate_bp=0): no late charge is ever
    accrued, so the variant's late charges are ¥0, exactly the terms as written's less;
    nothing else the customers are charged reads the rate (the fees of 9, the penalties
    of 12, the deposit of 11), and no customer decides differently (the same endings and
    suspensions): only what is paid and still owed moves with the late charges. The terms
    as written's figures are those of `yakkan simulate` on the spec with the same seed."""
    from yakkan.simulate.runner import run_portfolio
    from yakkan.verify.whatif_money import figures_of

    out = tmp_path / "whatif"
    argv = ["--lang", "en", "what-if", "late_rate_bp=0", "--property", "P05", "--json", "--simulate",
            "--customers", "40", "--months", "24", "--seed", "3", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in data["simulation"].items() if k != "profiles"} == {"customers": 40, "months": 24,
                                                                               "seeds": [3]}  # fmt: skip
    base = data["base"]["money"]
    expected = run_portfolio(spec_path=SPEC_PATH, customers=40, months=24, seed=3, shrink_findings=False)
    assert base["figures"] == figures_of(expected.to_json())
    assert base["figures"]["late_charges"] > 0 and base["figures"]["charged"] > 0
    (zero,) = data["variants"]
    money = zero["money"]
    assert money["figures"]["late_charges"] == 0
    assert money["delta"]["late_charges"] == -base["figures"]["late_charges"]
    assert {k for k, d in money["delta"].items() if d} == {"late_charges", "paid", "outstanding"}
    assert money["delta"]["paid"] < 0 and money["delta"]["outstanding"] < 0
    assert (money["new_violations"], money["gone_violations"]) == ([], [])
    # each run's report beside the variant's spec (the terms as written: its own folder)
    report = json.loads((out / "late_rate_bp=0" / "simulate" / "report.json").read_text("utf-8"))
    assert report["spec"]["path"] == zero["spec"] and report["money"]["late_charges"] == 0
    assert (out / "late_rate_bp=1460" / "simulate" / "report.json").is_file()
    # the text: the terms as written's headline, the variant's changed figures with their difference
    assert main([a for a in argv if a != "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    late = base["figures"]["late_charges"]
    assert lines[1] == "money: 40 customers over 24 months (seed 3), the same portfolio on every variant"
    assert lines[4] == f"    late charges ¥{late:,}"
    assert lines.index("  money:") == 9
    assert lines[11] == f"    late charges ¥0 (-¥{late:,})"
    assert lines[-1] == "  no verdict changes"


def test_several_seeds_give_the_mean_and_the_spread(capsys):
    """`--seeds 2`: seeds 5 and 6 simulated on each; a figure is the mean of the two
    seeds' (rounded half up to the yen), a difference the mean of the seeds' differences,
    and the spread its least and greatest. Late charges at a rate of 0 are ¥0 on both
    seeds, so the spread of their difference is exactly the terms as written's late
    charges on each seed, negated."""
    from yakkan.simulate.runner import run_portfolio
    from yakkan.verify.whatif_money import figures_of

    argv = ["--lang", "en", "what-if", "late_rate_bp=0", "--property", "P05", "--simulate", "--customers", "30",
            "--months", "18", "--seed", "5", "--seeds", "2"]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["simulation"]["seeds"] == [5, 6]
    own = [figures_of(run_portfolio(spec_path=SPEC_PATH, customers=30, months=18, seed=s, shrink_findings=False)
                      .to_json()) for s in (5, 6)]  # fmt: skip
    late = [f["late_charges"] for f in own]
    assert min(late) > 0 and late[0] != late[1]  # two seeds that differ: the spread is not a copy of one
    base = data["base"]["money"]["figures"]
    assert base["late_charges"] == (late[0] + late[1] + 1) // 2
    assert base["charged"] == (own[0]["charged"] + own[1]["charged"] + 1) // 2
    money = data["variants"][0]["money"]
    assert money["figures"]["late_charges"] == 0
    assert money["spread"]["late_charges"] == [-max(late), -min(late)]
    assert money["delta"]["late_charges"] == (-late[0] - late[1] + 1) // 2
    assert money["spread"]["charged"] == [0, 0]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == ("money: 30 customers over 18 months, the mean of seeds 5 to 6 (in brackets: the mean "
                        "difference; its least and greatest over the seeds), the same portfolio on every variant")
    assert (f"    late charges ¥0 (-¥{-money['delta']['late_charges']:,}; -¥{max(late):,} to -¥{min(late):,})"
            in lines)  # fmt: skip


def test_simulate_text_in_japanese():
    row = {"money": {"figures": {"charged": 120000, "late_charges": 0, "ended_cancelled": 4,
                                 "suspension_mean_days": 30.5},
                     "delta": {"charged": 0, "late_charges": -1234, "ended_cancelled": -1, "suspension_mean_days": 0.5},
                     "violations": ["P16"], "new_violations": ["P16"], "gone_violations": []}}  # fmt: skip
    from yakkan.verify.whatif_money import money_lines

    assert money_lines(row, "ja") == [
        "  金額:", "    遅延損害金 ¥0（-¥1,234）", "    終了：解約 4（-1）", "    一時停止の平均日数 30.5（+0.5）",
        "  シミュレーションの監視で新たに違反: P16"]  # fmt: skip
    row["money"]["spread"] = {"charged": [-10, 10], "late_charges": [-2000, -500], "ended_cancelled": [-1, -1],
                              "suspension_mean_days": [0.5, 0.5]}  # fmt: skip
    assert money_lines(row, "ja")[1:3] == ["    請求額 ¥120,000（¥0、-¥10 から +¥10）",
                                           "    遅延損害金 ¥0（-¥1,234、-¥2,000 から -¥500）"]  # fmt: skip
    del row["money"]["spread"]
    row["money"]["delta"] = dict.fromkeys(row["money"]["delta"], 0)
    row["money"]["new_violations"] = []
    assert money_lines(row, "ja") == ["  金額: 現行の約款と同じ"]


def test_a_simulation_option_without_simulate_is_exit_2(tmp_path, capsys):
    out = tmp_path / "whatif"
    assert main(["--lang", "en", "what-if", "late_rate_bp=0", "--seeds", "5", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("yakkan: error: --seeds: --seeds is for the simulation, and nothing is simulated\n"
                            "  fix: add --simulate, or leave it out\n")
    assert not out.exists()


@pytest.mark.parametrize(("option", "message"), [
    (["--customers", "0"], "yakkan: error: --customers: must be between 1 and"),
    (["--months", "0"], "yakkan: error: --months: must be between 1 and"),
    (["--seeds", "21"], "yakkan: error: --seeds: must be between 1 and 20, got 21"),
])  # fmt: skip
def test_simulate_bad_counts_are_exit_2_and_write_nothing(tmp_path, capsys, option, message):
    out = tmp_path / "whatif"
    assert main(["--lang", "en", "what-if", "late_rate_bp=0", "--simulate", *option, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(message)
    assert not out.exists()
