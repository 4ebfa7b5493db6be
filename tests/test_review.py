"""`yakkan review OLD NEW`: verdict flips, staleness, the redline, money, the reports.

The verifier runs on a few small properties only (`--property`), never the catalogue.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.model.spec import load_spec
from yakkan.terms.redline import char_diff, redline
from yakkan.terms.review_data import build_review
from yakkan.terms.staleness import fingerprint
from yakkan.terms.structure import load_terms
from yakkan.terms.verdicts import Comparison
from yakkan.verify.cache import spec_fingerprint
from yakkan.verify.runner import Verdict

from conftest import copy_spec_folders

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "contracts" / "clara-msp"
REVISION = BASE / "2025-04-01"
TERMS = "terms/clara-msp-terms-2024-04-01.ja.txt"


def version(tmp_path: Path, name: str, spec: dict[str, str] | None = None,
            terms: dict[str, str] | None = None) -> Path:  # fmt: skip
    """A copy of the 2024-04-01 version (spec, terms, profiles) with text replaced."""
    folder = tmp_path / name
    copy_spec_folders(folder)
    shutil.copy(BASE / "profiles.yaml", folder / "profiles.yaml")
    text = (BASE / "spec.yaml").read_text(encoding="utf-8")
    for old, new in (spec or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "spec.yaml").write_text(text, encoding="utf-8")
    t = (folder / TERMS).read_text(encoding="utf-8")
    for old, new in (terms or {}).items():
        assert old in t, old
        t = t.replace(old, new)
    (folder / TERMS).chmod(0o644)
    (folder / TERMS).write_text(t, encoding="utf-8")
    return folder


# -- verdicts ---------------------------------------------------------------------------------

CAP = {  # 27-2 applied to each claim, and P13 stated per claim
    "      - \"liability_awarded += amount if cause == 'gross_negligence' else 0\"":
        "      - \"liability_awarded += min(amount, base_fee) if cause == 'gross_negligence' else 0\"",
    'P13: {kind: invariant, articles: ["27-2"], expect: violated,': 'P13: {kind: step, articles: ["27-2"], '
                                                                    'expect: violated,',
    'formula: "liability_awarded <= base_fee",': 'formula: "next_liability_awarded <= liability_awarded + base_fee",',
}
REFUND = {  # a refund rule: fees refunded for a claim over force majeure (30) — breaks 14 (P05)
    "      - \"liability_awarded += amount if cause == 'gross_negligence' else 0\"":
        "      - \"liability_awarded += amount if cause == 'gross_negligence' else 0\"\n"
        "      - \"refunded += amount if cause == '30' else 0\"",
}


def test_a_repair_with_its_expectation_changed_is_a_flip_the_author_foresaw(tmp_path, shared_cache):
    old = version(tmp_path, "old")
    cap = {**CAP, 'P13: {kind: invariant, articles: ["27-2"], expect: violated,': 'P13: {kind: step, '
           'articles: ["27-2"], expect: holds,'}  # fmt: skip
    new = version(tmp_path, "new", cap)
    r = build_review(old, new, properties=["P13", "P05"], out=tmp_path / "out")
    got = {c.id: (c.old.verdict, c.new.verdict, c.category) for c in r.verdicts}
    assert got == {"P05": ("proved", "proved", "same"), "P13": ("violated", "proved", "flip-expected")}
    assert r.exit_status == 0


def test_a_repair_the_author_did_not_expect_is_shown_as_a_flip(tmp_path, shared_cache):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", CAP)
    r = build_review(old, new, properties=["P13"], out=tmp_path / "out")
    (c,) = r.verdicts
    assert (c.category, c.expect_changed, c.new.matches) == ("flip", False, False)
    assert r.exit_status == 0  # a known finding that now holds breaks nothing expected to hold


def test_a_new_violation_breaks_the_review_with_its_counterexample(tmp_path, capsys, shared_cache):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", REFUND)
    md = tmp_path / "report" / "review.md"
    md.parent.mkdir()
    code = main(["review", str(old), str(new), "--property", "P05", "--out", str(tmp_path / "out"),
                 "--markdown", str(md)])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "1 property(ies) expected to hold break" in err
    text = md.read_text(encoding="utf-8")
    assert ("| P05 | 返還される料金は常に0円 | 14 | 証明済み（期待 成り立つ） | 違反あり（期待 成り立つ） | "
            "破れ（成り立つべき性質が成り立たない） |") in text
    # the counterexample's scenario, linked relative to the report
    assert "シナリオ：[P05-counterexample.yaml](../out/new/verify/P05-counterexample.yaml)" in text
    assert (tmp_path / "out" / "new" / "verify" / "P05-counterexample.yaml").is_file()
    assert ("| P05 | Fees refunded are always 0 | 14 | proved (expected holds) | violated (expected holds) | "
            "BREAKS") in text


def test_giving_a_promise_up_by_changing_expect_still_breaks(tmp_path, shared_cache):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", {**REFUND, 'P05: {kind: invariant, articles: ["14"], expect: holds':
                                    'P05: {kind: invariant, articles: ["14"], expect: violated'})
    r = build_review(old, new, properties=["P05"], out=tmp_path / "out")
    (c,) = r.verdicts
    assert (c.category, c.expect_changed, c.new.matches) == ("breaks", True, True)
    assert r.exit_status == 1


def _v(verdict: str, expected: str, matches: bool) -> Verdict:
    return Verdict(id="P99", title="t", kind="invariant", verdict=verdict, expected=expected, matches=matches,
                   depth=None, seconds=0.0, articles=["14"])  # fmt: skip


@pytest.mark.parametrize(("old", "new", "category", "breaks"), [
    (("proved", "holds", True), ("proved", "holds", True), "same", False),
    (("proved", "holds", True), ("violated", "holds", False), "breaks", True),
    (("proved", "holds", True), ("violated", "violated", True), "breaks", True),  # a promise given up
    (("proved", "holds", True), ("holds-to-depth", "holds", False), "unproved", False),
    (("violated", "violated", True), ("proved", "holds", True), "flip-expected", False),
    (("violated", "violated", True), ("proved", "violated", False), "flip", False),
    (("violated", "violated", True), ("violated", "holds", False), "breaks", True),
    (("reachable", "reachable", True), ("unreachable", "reachable", False), "breaks", True),
    (("proved", "holds", True), ("proved", "violated", False), "expect-only", False),
    (None, ("proved", "holds", True), "added", False),
    (("proved", "holds", True), None, "dropped", True),  # a promise no longer checked, no reason given
    (("violated", "violated", True), None, "removed", False),  # a finding no longer checked
])  # fmt: skip
def test_verdict_categories(old, new, category, breaks):
    c = Comparison("P99", _v(*old) if old else None, _v(*new) if new else None)
    assert (c.category, c.breaks) == (category, breaks)


# -- staleness -------------------------------------------------------------------------------

SIX_MONTHS = {"課金開始月から満３ヶ月となります": "課金開始月から満６ヶ月となります"}


def test_a_text_only_change_is_stale_until_re_read(tmp_path, capsys):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", terms=SIX_MONTHS)
    r = build_review(old, new, verify=False)
    (s,) = r.stale
    assert s.article == 7 and s.stale and not s.reread
    labels = [e.label for e in s.unchanged]
    assert {"parameters.minimum_term_months", "parameters.renewal_period_months", "properties.P23",
            "interpretations.I-01", "transitions.renew"} <= set(labels)  # fmt: skip
    assert "properties.P03" not in labels  # P03 cites 7-2, which did not change
    (m,) = s.numbers
    assert (m.citation, m.numbers, m.parameters) == (
        "7-1", ("6",), (("minimum_term_months", 3), ("renewal_period_months", 1)))
    assert main(["review", str(old), str(new), "--no-verify"]) == 1
    out, err = capsys.readouterr()
    assert "第7条：本文が変わりましたが、この条を引用する次の要素は変わっていません：" \
           "parameters.minimum_term_months" in out
    assert "7-1 の新しい本文は 6 と書いていますが、この箇所を引用するパラメータ（minimum_term_months = 3、" \
           "renewal_period_months = 1）はこの値を持っていません。" in out
    assert "stale encoding of article(s) 7" in err
    # re-reading the article records its fingerprint; the verifier's cached verdicts stay valid
    before = spec_fingerprint(new / "spec.yaml")
    assert main(["review", str(old), str(new), "--reread", "7"]) == 0
    fp = fingerprint(load_terms(new / TERMS).article(7))
    assert 'reread:\n  # Articles whose text' in (new / "spec.yaml").read_text(encoding="utf-8")
    assert f'  "7": "{fp}"\n' in (new / "spec.yaml").read_text(encoding="utf-8")
    assert spec_fingerprint(new / "spec.yaml") == before
    assert main(["review", str(old), str(new), "--no-verify"]) == 0
    # a second re-read rewrites the section in place
    assert main(["review", str(old), str(new), "--reread", "12"]) == 0
    spec_text = (new / "spec.yaml").read_text(encoding="utf-8")
    assert spec_text.count("reread:") == 1 and f'  "7": "{fp}"\n  "12": ' in spec_text


def test_updating_the_parameter_with_the_text_leaves_only_the_unchanged_citers(tmp_path):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", {"minimum_term_months: {type: int, default: 3": "minimum_term_months: "
                                    "{type: int, default: 6"}, SIX_MONTHS)  # fmt: skip
    (s,) = build_review(old, new, verify=False).stale
    assert s.numbers == ()
    assert "parameters.minimum_term_months" not in [e.label for e in s.unchanged]


def test_a_bad_reread_is_bad_input(tmp_path, capsys):
    old = version(tmp_path, "old")
    assert main(["review", str(old), str(old), "--reread", "99"]) == 2
    err = capsys.readouterr().err
    assert "--reread 99: the terms text clara-msp-terms-2024-04-01.ja.txt has no article 99" in err
    assert "fix: name an article of the new version's terms text" in err
    assert main(["review", str(old), str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such spec file or version folder" in capsys.readouterr().err


# -- redline ----------------------------------------------------------------------------------

OLD_TEXT = """第１章　総則
第１条（目的）
1. 当社は本サービスを提供します。
2. 料金は月額とします。
第２条（解約）
契約者は、以下の場合に解約できます。
1. 満３ヶ月を経過したとき
2. 当社が同意したとき
付則
この約款は、2024年1月1日から実施します。
"""
NEW_TEXT = """第１章　総則
第１条（目的）
1. 当社は本サービスを提供します。
2. 料金は月額とし、日割り計算はしません。
3. 料金は前払いとします。
第２条（解約）
契約者は、以下の場合に解約できます。
1. 満６ヶ月を経過したとき
2. 当社が同意したとき
付則
この約款は、2024年1月1日から実施します。
この約款は、2025年4月1日から改定実施します。
"""


def test_the_redline_aligns_articles_paragraphs_and_items(tmp_path):
    (tmp_path / "old.ja.txt").write_text(OLD_TEXT, encoding="utf-8")
    (tmp_path / "new.ja.txt").write_text(NEW_TEXT, encoding="utf-8")
    diffs = redline(load_terms(tmp_path / "old.ja.txt"), load_terms(tmp_path / "new.ja.txt"))
    got = [(d.label, [(u.citation, u.kind) for u in d.units]) for d in diffs]
    assert got == [
        ("前文", [("前文", "unchanged")]),
        ("第1条", [("1 (title)", "unchanged"), ("1-1", "unchanged"), ("1-2", "changed"), ("1-3", "added")]),
        ("第2条", [("2 (title)", "unchanged"), ("2", "unchanged"), ("2(1)", "changed"), ("2(2)", "unchanged")]),
        ("付則", [("付則 1", "unchanged"), ("付則 2", "added")]),
    ]
    assert diffs[1].units[2].segments == [("=", "料金は月額とし"), ("-", "ます"), ("+", "、日割り計算はしません"),
                                          ("=", "。")]  # fmt: skip
    assert diffs[2].units[2].segments == [("=", "満"), ("-", "３"), ("+", "６"), ("=", "ヶ月を経過したとき")]


def test_character_marks_fold_a_lone_kept_character_into_the_change():
    assert char_diff("当社が当該期日", "当該期日に当社が") == [("-", "当社が"), ("=", "当該期日"), ("+", "に当社が")]
    assert char_diff("前項第１号", "前項第４号") == [("=", "前項第"), ("-", "１"), ("+", "４"), ("=", "号")]
    assert char_diff("abcXd", "abcYd") == [("=", "abc"), ("-", "X"), ("+", "Y"), ("=", "d")]
    assert char_diff("aXbY", "aZbW") == [("=", "a"), ("-", "XbY"), ("+", "ZbW")]


# -- the proposed revision ------------------------------------------------------------------------


def test_the_proposed_revision_changes_these_articles_and_is_fully_re_read():
    r = build_review(BASE / "spec.yaml", REVISION, verify=False)
    changed = [d.label for d in r.text if d.kind != "unchanged"]
    assert changed == ["前文", "第1条", "第6条", "第7条", "第9条", "第10条", "第11条", "第12条", "第17条", "第24条",
                       "第27条", "第28条", "第31条", "第35条", "第37条", "付則"]  # fmt: skip
    assert [s.article for s in r.stale if s.unchanged and not s.reread] == []
    assert [(c.section, c.element) for c in r.model if c.section == "parameters"] == [
        ("parameters", "late_rate_bp"), ("parameters", "minimum_term_months"), ("parameters", "deposit_cap_months"),
        ("parameters", "suspension_max_months"), ("parameters", "renewal_period_months")]
    assert r.exit_status == 0


# -- money ------------------------------------------------------------------------------------


def test_money_on_the_same_portfolio_and_seed(tmp_path):
    """30 contracts over 24 months, seed 4, the 2024-04-01 profiles on both versions (a
    seed whose portfolio has customers who cancel after the minimum term)."""
    r = build_review(BASE / "spec.yaml", REVISION, verify=False, simulate=True, customers=30, months=24, seed=4,
                     out=tmp_path / "out")  # fmt: skip
    assert not r.money.profiles_differ  # the revision's profiles are the old ones: all differences are the terms'
    rows = {row["figure"]: (row["old"], row["new"], row["delta"]) for row in r.money.rows()}
    assert rows["charged"] == (55_033_000, 55_924_000, 891_000)  # customers stay 6 months, not 3
    assert rows["paid"] == (52_016_647, 52_822_641, 805_994)
    assert rows["late_charges"] == (99_355, 68_487, -30_868)  # 10% a year, not 14.6%
    assert rows["outstanding"] == (3_170_723, 3_224_860, 54_137)
    assert rows["deposits_paid"] == (400_000, 400_000, 0)
    assert rows["refunded"] == (0, 0, 0)
    # 17-4: a suspension the 2024 terms let run on ends after its 3 months (91 days) in the
    # revision; the customer, still not paying, is suspended again and is so at the end
    assert rows["suspensions_completed"] == (8, 9, 1) and rows["suspension_max_days"] == (61, 91, 30)
    assert rows["suspensions_ongoing_at_end"] == (2, 2, 0)
    assert {k: v for k, v in rows.items() if k.startswith("ended_")} == {
        "ended_cancelled": (4, 3, -1), "ended_not_renewed": (0, 0, 0), "ended_terminated": (2, 2, 0),
        "ended_abolished": (0, 0, 0), "ended_terminated_by_customer": (0, 0, 0)}
    assert sorted(p.name for p in (tmp_path / "out" / "old" / "simulate").glob("*.svg")) == [
        "endings.svg", "money.svg", "occupancy.svg", "refusals.svg", "suspensions.svg"]


# -- reports -----------------------------------------------------------------------------------


def test_markdown_html_json_and_the_step_summary(tmp_path, monkeypatch, capsys):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", terms=SIX_MONTHS)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    md, site = tmp_path / "review.md", tmp_path / "site"
    assert main(["review", str(old), str(new), "--no-verify", "--markdown", str(md), "--html", str(site),
                 "--json"]) == 1  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and [s["article"] for s in data["staleness"]] == [7]
    text = md.read_text(encoding="utf-8")
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + text
    assert text.startswith("## 約款改定レビュー：クララ株式会社 MSPサービス約款 2024-04-01 → 2024-04-01\n")
    assert "**7-1** 本サービスの最低利用期間は、課金開始月から満<del>３</del><ins>６</ins>ヶ月となります。" in text
    assert "\n---\n\n## Review of a change of the terms: Clara MSP terms of service 2024-04-01 → 2024-04-01\n" in text
    ja = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in ja and '<a href="en.html">English</a>' in ja
    assert "満<del>３</del><ins>６</ins>ヶ月" in ja
    assert '<html lang="en">' in (site / "en.html").read_text(encoding="utf-8")
    # the same review gives the same bytes
    assert main(["review", str(old), str(new), "--no-verify", "--markdown", str(tmp_path / "again" / "review.md"),
                 "--html", str(site)]) == 1  # fmt: skip
    assert (tmp_path / "again" / "review.md").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("option", ["--markdown", "--html"])
def test_an_output_that_cannot_be_written_is_refused_before_the_review_runs(tmp_path, option, capsys):
    old = version(tmp_path, "old")
    (tmp_path / "dir").mkdir()
    target = tmp_path / "dir" if option == "--markdown" else tmp_path / "file"
    target.touch() if option == "--html" else None
    assert main(["review", str(old), str(old), "--no-verify", option, str(target)]) == 2
    assert "fix:" in capsys.readouterr().err


def test_a_bad_reread_section_is_bad_input(tmp_path, capsys):
    spec = version(tmp_path, "bad") / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + 'reread:\n  "7-1": "0123456789abcdef"\n', encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "reread.7-1: '7-1' is not an article number" in err and "fix: keys are article numbers" in err
    spec.write_text(spec.read_text(encoding="utf-8").replace('"7-1": "0123456789abcdef"', '"7": "xyz"'),
                    encoding="utf-8")  # fmt: skip
    assert main(["check", str(spec)]) == 2
    assert "reread.7: 'xyz' is not a text fingerprint (16 hexadecimal digits)" in capsys.readouterr().err


def test_a_changed_parameter_whose_old_value_is_still_written_is_stale(tmp_path, capsys):
    """P11's title and I-03 keep 14.6% after the rate became 10%: stale until article 12 is re-read."""
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", {"late_rate_bp: {type: int, default: 1460": "late_rate_bp: {type: int, "
                                    "default: 1000"})  # fmt: skip
    r = build_review(old, new, verify=False)
    assert r.stale == []  # the text did not change
    assert [(c.element, c.written, c.old, c.new) for c in r.constants] == [
        ("interpretations.I-03", "14.6", 1460, 1000), ("properties.P11", "14.6", 1460, 1000)]
    assert main(["review", str(old), str(new), "--no-verify"]) == 1
    out, err = capsys.readouterr()
    assert "properties.P11 は、late_rate_bp の変更前の値 1460 を 14.6 と書いたままです（変更後の値は 1000）。" in out
    assert "old values of changed parameters kept in interpretations.I-03, properties.P11" in err
    assert main(["review", str(old), str(new), "--reread", "12"]) == 0
    assert main(["review", str(old), str(new), "--no-verify"]) == 0


def test_the_pull_request_comment_keeps_the_money_in_tables_and_links_no_plot(tmp_path):
    """A plot is a file of the runner's: the comment's Markdown keeps the figures as tables and
    says the plots are in the full report; the HTML page still links them."""
    from yakkan.terms.money import MoneyComparison
    from yakkan.terms.review_render import FullReport, blocks, relative_link, render_markdown

    r = build_review(BASE / "spec.yaml", BASE / "spec.yaml", verify=False)
    folder = tmp_path / "out" / "old" / "simulate"
    folder.mkdir(parents=True)
    (folder / "money.svg").write_text("<svg/>", encoding="utf-8")
    run = {"money": {"charged": 1000, "late_charges": 30}, "ended_by": {"cancelled": 2}}
    r.money = MoneyComparison(2, 3, 0, runs={"old": run, "new_old_profiles": {**run, "money": {"charged": 1500}}},
                              files={"old": str(folder)})  # fmt: skip
    link = lambda p: relative_link(p, tmp_path)  # noqa: E731
    md = render_markdown(blocks(r, "ja", link, comment=FullReport(folder="out/site")))
    assert "| 請求額 | 1,000 | 1,500 | +500 |" in md and "| 終了：解約 | 2 | 2 | 0 |" in md
    assert "money.svg" not in md
    assert "グラフは全体の報告（HTML 版）のシミュレーション結果にあります。\n" in md
    assert "図とグラフを含む全体の報告（HTML 版）：`out/site/index.html`（英語版は `out/site/en.html`）\n" in md
    page = render_markdown(blocks(r, "ja", link))  # the HTML page's blocks: the plot linked
    assert "グラフと報告：2024-04-01 [money.svg](out/old/simulate/money.svg)" in page


def test_an_unproved_promise_shows_why_and_the_induction_step() -> None:
    """A promise expected to hold that is no longer proved: the review gives the verifier's
    reason and the induction step no lemma set closed, in Japanese in the ja part."""
    from yakkan.terms.review_data import Review
    from yakkan.terms.review_render import _verdict_blocks, render_markdown

    new = _v("holds-to-depth", "holds", False)
    new.reason = "induction: resource budget spent (60,000,000 Z3 units)"
    new.induction_step = {"event": "renew", "before": {"state": "active", "today": "2030-05-31"},
                          "after": {"state": "active", "today": "2030-06-01"}}
    r = Review(old_path=Path("a"), new_path=Path("b"), name="n", name_ja="n", old_version="1", new_version="2",
               model=[], profiles=[], text=[], stale=[],
               verdicts=[Comparison("P99", _v("proved", "holds", True), new)])  # fmt: skip
    en = render_markdown(_verdict_blocks(r, "en", str))
    assert "P99: induction: resource budget spent (60,000,000 Z3 units)" in en
    assert ("the induction step not closed (event renew):\n  before: state=active, today=2030-05-31\n"
            "  after:  state=active, today=2030-06-01") in en
    ja = render_markdown(_verdict_blocks(r, "ja", str))
    assert "P99: 帰納法: リソース予算（Z3 単位 60,000,000）を使い切った" in ja
    assert "帰納法で閉じられなかった一歩（イベント renew）:\n  前: state=active, today=2030-05-31" in ja


def test_a_promise_dropped_without_a_reason_breaks_and_a_retired_one_does_not(tmp_path) -> None:
    """A property of the old version the new spec lacks is a promise no longer checked: the
    review fails on it (P54 was once left out of the revision by mistake) unless the new
    spec's `retired:` says why, in English and Japanese."""
    from yakkan.terms.review_data import Review
    from yakkan.terms.review_render import _verdict_blocks, render_markdown

    def review(c: Comparison) -> Review:
        return Review(old_path=Path("a"), new_path=Path("b"), name="n", name_ja="n", old_version="1",
                      new_version="2", model=[], profiles=[], text=[], stale=[], verdicts=[c])  # fmt: skip

    dropped = review(Comparison("P99", _v("reachable", "reachable", True), None))
    (c,) = dropped.verdicts
    assert (c.category, c.breaks, dropped.exit_status) == ("dropped", True, 1)
    assert ("P99 is not in the new version's spec: the promise is no longer checked. If that is meant, record why "
            "under the new spec's retired: (e.g. retired: {P99: {reason: \"…\", ja: \"…\"}}).") in \
        render_markdown(_verdict_blocks(dropped, "en", str))
    ja = render_markdown(_verdict_blocks(dropped, "ja", str))
    assert "P99 は新しい版の仕様にありません。約束が検証されなくなります。" in ja
    retired = review(Comparison("P99", _v("proved", "holds", True), None, "article 14 was deleted", "第14条を削除した"))
    assert (retired.verdicts[0].category, retired.exit_status) == ("removed", 0)
    assert "P99 を検証しなくなった理由：第14条を削除した" in render_markdown(_verdict_blocks(retired, "ja", str))
    finding = review(Comparison("P99", _v("violated", "violated", True), None))
    assert (finding.verdicts[0].category, finding.exit_status) == ("removed", 0)  # a finding, not a promise


def test_the_spec_records_a_retired_property_with_both_reasons(tmp_path) -> None:
    from yakkan.model.errors import SpecError

    new = version(tmp_path, "new")
    spec_path = new / "spec.yaml"
    text = spec_path.read_text(encoding="utf-8")
    spec_path.write_text(text + '\nretired:\n  P99: {reason: "article 99 was deleted", ja: "第99条を削除した"}\n',
                         encoding="utf-8")  # fmt: skip
    assert load_spec(spec_path).retired == {"P99": {"reason": "article 99 was deleted", "ja": "第99条を削除した"}}
    spec_path.write_text(text + '\nretired:\n  P05: {reason: "r", ja: "理由"}\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec_path)
    assert caught.value.message == "P05 is both a property and retired"
    spec_path.write_text(text + '\nretired:\n  P99: {reason: "r"}\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec_path)
    assert caught.value.message == "a retired property needs its reason, in English and Japanese"


def test_a_fraction_is_not_the_old_value_written_again(tmp_path):
    """I-41 says "1/12 of the annual fees" (12分の1): when the deposit cap changes from 12
    months to 6, that 12 is a ratio, not the cap; "12 months" in the same text would be."""
    old = version(tmp_path, "old")
    cap = {"deposit_cap_months: {type: int, default: 12": "deposit_cap_months: {type: int, default: 6"}
    new = version(tmp_path, "new", cap)
    r = build_review(old, new, verify=False)
    assert "interpretations.I-41" not in {c.element for c in r.constants}
    i41 = 'at 1/12 of the annual fees each'
    assert i41 in (new / "spec.yaml").read_text(encoding="utf-8")
    again = version(tmp_path, "again", {**cap, i41: "at 1/12 of the annual fees each, capped at 12 months"})
    assert "interpretations.I-41" in {c.element for c in build_review(old, again, verify=False).constants}


def test_the_review_names_a_witness_scenario_the_new_terms_no_longer_allow(tmp_path, capsys, in_tmp):
    """11-2's cap from 12 months to 6: P85's witness scenario requests 1,200,000 yen (12 ×
    100,000), which the new cap refuses; P85 is still reachable, with the request moved to
    the new cap, 600,000 yen (6 × 100,000). Its verdict does not change, but the review
    names the scenario the change has to update, in the language of the report. (Its own
    cache: the site review's tests expect the shared one to hold P05 and P13 only.)"""
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", {"deposit_cap_months: {type: int, default: 12":
                                    "deposit_cap_months: {type: int, default: 6"})  # fmt: skip
    lines = {
        "ja": "witnesses/P85.yaml は書かれたままでは P85 に到達しなくなった。"
              "2024-04-01 の request_deposit の amount を 1,200,000 から 600,000 に移すと"
              "（この約款でその事象のガードが切り替わる値）到達し、それを実例として書き出した。"
              "シナリオをこの約款に合わせて更新してください",
        "en": "witnesses/P85.yaml no longer reaches P85 as written: with request_deposit's amount on 2024-04-01 moved "
              "from 1,200,000 to 600,000 (where a guard of the event turns under these terms) it does, and that is "
              "the witness written; update the scenario to these terms",
    }
    md = tmp_path / "review.md"
    code = main(["review", str(old), str(new), "--property", "P85", "--out", str(tmp_path / "out"),
                 "--markdown", str(md)])  # fmt: skip
    # (1: the guards and P06 still write the old 12, which the review reports as stale)
    assert code == 1 and "transitions.request_deposit" in capsys.readouterr().err
    ja, en = md.read_text(encoding="utf-8").split("\n---\n\n")  # the Japanese report, then the English
    for text, line, other in ((ja, lines["ja"], lines["en"]), (en, lines["en"], lines["ja"])):
        assert "\n" + line.replace("_", "\\_") + "\n" in text  # (markdown escapes the ids' _)
        assert other.replace("_", "\\_") not in text
