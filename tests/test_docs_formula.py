"""Formulas as a lawyer reads them (diagrams/formula.py, quantifiers.py, why.py).

Grouping is never lost: an and/or inside another is bracketed 「（…）」, `not A or B` reads
「A ならば B」; names are read by their Japanese names (`names_ja`, states, events); a
proof's lemmas are sentences. Each expected string is exact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yakkan.diagrams.docmodel import DocModel
from yakkan.diagrams.readable import Readable
from yakkan.model.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spec():
    return load_spec(ROOT / "contracts/clara-msp/spec.yaml")


@pytest.fixture(scope="module")
def text(spec):
    return Readable(spec)


def test_or_of_and_keeps_its_grouping(text):
    # A or (B and C): the model's own renderer gives 「A または B かつ C」
    src = "objection or (resumed and records_deleted)"
    assert text.expr(src, "ja") == "継続拒絶の申出がある または （今月再開した かつ 記録が削除済み）"
    assert text.expr(src, "en") == "objection or (resumed and records_deleted)"
    # (A or B) and C is another formula, and reads as one
    assert text.expr("(objection or resumed) and records_deleted", "ja") == \
        "（継続拒絶の申出がある または 今月再開した） かつ 記録が削除済み"
    # and inside and is bracketed too: never ambiguous, whatever the reader assumes
    assert text.expr("objection and (resumed or records_deleted) and overdue > 0", "ja") == \
        "継続拒絶の申出がある かつ （今月再開した または 記録が削除済み） かつ 延滞額 > 0"


def test_negation_and_implication(text):
    assert text.expr("not (objection and resumed)", "ja") == "（継続拒絶の申出がある かつ 今月再開した）ではない"
    assert text.expr("not objection or resumed", "ja") == "継続拒絶の申出がある ならば 今月再開した"
    assert text.expr("not objection or resumed or overdue > 0", "ja") == \
        "継続拒絶の申出がある ならば （今月再開した または 延滞額 > 0）"


def test_names_states_events_and_unset_dates(text):
    assert text.expr("state in ('active', 'suspended') and end_date == FOREVER", "ja") == \
        "状態が「提供中」・「一時停止中」のいずれか かつ 終了日が未設定"
    assert text.expr("event != 'cancel' or today > minimum_term_end", "ja") == \
        "イベントが「解約」ではない または 本日 > 最低利用期間の末日"
    assert text.expr("ended_by == 'not_renewed'", "ja") == "終了事由が「継続拒絶」"
    assert text.expr("month_start(next_month) <= end_date", "ja") == "翌月の初日 ≤ 終了日"


def test_arithmetic_inside_functions_keeps_its_grouping(text):
    src = "max(0, month_of(cancel_period_end) - billed_through_month) * plan_fees_next"
    assert text.expr(src, "ja") == \
        ("（0、(解約時に料金を負う期間の末日の月 - 請求済みの最終月)のうち大きい方） × "
         "翌月からの1回の請求期間の料金の合計")
    # a conditional inside a comparison is bracketed
    assert text.expr("base_fee == (agreed_base_fee if agreed_from <= today else base_fee)", "ja") == (
        "基本利用料 = （合意済み変更の適用開始日 ≤ 本日 ならば 合意済みの翌月以降の基本利用料、"
        "そうでなければ 基本利用料）")


def test_record_and_set_syntax_is_read(text):
    src = "ground != '28-1(4)' or any(breach[g].committed for g in clauses_35_to_37)"
    assert text.expr(src, "ja", "terminate") == (
        "事由が「28-1(4)」ではない または "
        "（第35条から第37条までの義務のいずれかについて、違反が是正されずに残っている）")
    assert text.expr("ground != '37-2' or breach['37-1'].committed", "ja", "terminate") == \
        "事由が「37-2」ではない または 「37-1」：違反が是正されずに残っている"


def test_effects_are_shown_by_their_names(spec, text):
    assert text.effect("end_date = month_end(month_of(today))", "ja", "cancel") == "終了日 ← 本日の月の末日"
    assert text.effect("months_billed += 1", "ja", "cancel") == "請求済みの月数 ← 請求済みの月数 + 1"
    assert text.effect("bill_now(plan_fees)", "ja", "cancel") == "即時に請求する（1回の請求期間の料金の合計）"
    html = text.effect("initial_charged += bill_total", "ja", html=True)
    assert html == '初回入金の請求額 ← 初回入金の請求額 + <code class="name">bill_total</code>'  # no name: marked


def test_the_tree_form_lays_out_and_or(text):
    html = str(text.expr_html("not (event == 'cancel' and within_minimum_term) or objection", "ja", tree=True))
    assert html == (
        '<div class="f-if"><span class="f-head">次の場合には</span><div class="f-body">'
        '<div class="f-group"><span class="f-head">次のすべてを満たす</span><ul>'
        '<li><span class="f-leaf">イベントが「解約」</span></li><li><span class="f-leaf">最低利用期間内</span></li>'
        '</ul></div></div><span class="f-head">次が成り立つ</span><div class="f-body">'
        '<span class="f-leaf">継続拒絶の申出がある</span></div></div>')


def test_a_proofs_why_is_sentences(spec):
    ja, en = DocModel(spec, "ja"), DocModel(spec, "en")
    assert str(ja.why("inductive on its own: every step preserves it")) == \
        "この性質は単独で帰納的です。すべての手順がこの性質を保つため、常に成り立ちます。"
    assert str(ja.why("state in {active, suspended} and end_date == FOREVER → term_end < end_date")) == \
        "（状態が「提供中」・「一時停止中」のいずれか かつ 終了日が未設定）ならば、現在の期間の末日 &lt; 終了日。"
    assert str(ja.why("term_end is the last day of its month")) == "現在の期間の末日は、その月の末日です。"
    ahead = "not records_deleted → records_deletion_due on end_date + records_retention_days is still ahead"
    assert str(ja.why(ahead)) == \
        "記録が削除済みではないならば、「記録の削除期日」（終了日 + 記録の保存日数）はまだ先です。"
    assert str(ja.why("x @@ y")) == '検証器が見つけた補題: <code class="name">x @@ y</code>'  # unreadable: marked
    assert str(en.why("inductive on its own: every step preserves it")) == \
        "Inductive on its own: every step preserves it, so it always holds."


def test_names_ja_rejects_an_unknown_name(tmp_path):
    from test_model_bad_input import mutant

    from yakkan.model.errors import SpecError

    bad = mutant(tmp_path, "  late_rate_bp: {name:", "  late_rate_bq: {name:")
    with pytest.raises(SpecError) as exc:
        load_spec(bad)
    assert "names_ja.late_rate_bq: 'late_rate_bq' is no name of the spec" in str(exc.value)
    assert "did you mean 'late_rate_bp'?" in str(exc.value)


def test_a_name_read_as_a_clause_is_negated_as_a_clause(text):
    assert text.expr("not termination_declared and not within_minimum_term", "ja") == \
        "「解除の意思表示がされた」に該当しない かつ 最低利用期間内ではない"


def test_effects_with_record_and_set_syntax_are_read(text):
    assert text.effect("breach[breach_ground].committed = True", "ja", "violate") == \
        "違反の事由の違反が是正されずに残っている ← 真"
    assert text.effect("acted_23_24 = acted_23_24 or breach_ground in acts_23_24", "ja", "violate") == (
        "第23条・第24条の行為があった ← 第23条・第24条の行為があった または "
        "違反の事由が「第23条および第24条に該当する行為」に当たる")
    loop = ("for g in curable_breaches: breach[g].cure_deadline = deadline if breach[g].committed "
            "and breach[g].cure_deadline == FOREVER else breach[g].cure_deadline")
    assert text.effect(loop, "ja", "demand_cure").startswith(
        "第28条第2項の対象となる条項違反のそれぞれについて："
        "この違反について催告した是正の相当期間の末日（第28条第2項） ← "
        "（違反が是正されずに残っている かつ ")
