"""A new violation comes with its counterexample story — in Japanese in the ja report (issue 11, 2).

The review of a copy of 2024-04-01 with a refund rule that breaks 14 (P05) tells P05's
counterexample in the ja Markdown and HTML as dated steps with their events, arguments,
money and the figure that breaks the promise, and the ja part passes the language check
(diagrams/langcheck.py). The verifier runs on P05 only.
"""

from __future__ import annotations

import json

from markdown_it import MarkdownIt
from ruamel.yaml import YAML
from test_review import REFUND, version

from yakkan.cli import main
from yakkan.diagrams.langcheck import english_runs
from yakkan.diagrams.story import story_lines
from yakkan.model.spec import load_spec

from conftest import SCENARIOS


def test_a_refused_step_and_the_state_at_the_end_are_told_in_japanese(spec):
    assert story_lines(spec, "P03", SCENARIOS / "issue-example.yaml", "ja") == [
        "手順1　2024-04-01　契約者：申込み `apply` → 申込中",
        "手順2　2024-04-03　当社：承諾通知 `accept` → 契約成立（初回入金待ち）［6-1, 8-2］　"
        "請求額の累計（税込） ¥0 → ¥165,000",
        "手順3　2024-04-10　契約者：支払い `pay`（金額 ¥165,000、送金手数料 0）［10-1, 10-2, 12-2］　"
        "支払済み額 ¥0 → ¥165,000",
        "手順4　2024-05-01　当社：提供開始 `start_service` → 提供中［6-2, 9-1, 7-1］　提供開始日 未設定 → 2024-05-01、"
        "最低利用期間の末日 未設定 → 2024-07-31",
        "手順5　2024-06-15　契約者：解約 `cancel` ✗ 拒否：最低利用期間内は解約できません（I-06）［7-2］",
        "2024-09-30 時点の状態：提供中",
    ]  # fmt: skip


def test_a_new_violation_is_told_in_japanese_in_the_ja_report(tmp_path, capsys, shared_cache):
    old = version(tmp_path, "old")
    new = version(tmp_path, "new", REFUND)
    md, site = tmp_path / "report" / "review.md", tmp_path / "site"
    md.parent.mkdir()
    code = main(["review", str(old), str(new), "--property", "P05", "--out", str(tmp_path / "out"),
                 "--markdown", str(md), "--html", str(site), "--json"])  # fmt: skip
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    scenario = tmp_path / "out" / "new" / "verify" / "P05-counterexample.yaml"
    events = YAML(typ="safe").load(scenario.read_text(encoding="utf-8"))["events"]
    lines = story_lines(load_spec(new / "spec.yaml"), "P05", scenario, "ja")
    # one line a step (no calendar step changes the state here), each with its event's date; the claim breaks it
    assert [line.split("　")[:2] for line in lines[:-1]] == [[f"手順{n}", str(e["on"])] for n, e in
                                                              enumerate(events, 1)]  # fmt: skip
    assert [e["do"] for e in events][-1] == "claim_damages" and events[-1]["cause"] == "30"
    claim = events[-1]
    assert lines[-2] == (f"手順{len(events)}　{claim['on']}　契約者：損害賠償請求 `claim_damages`（金額 "
                         f"¥{claim['amount']:,}、損害の原因 30）［27-1, 27-2, 30］　返金額 ¥0 → ¥{claim['amount']:,}"
                         "　← ここで約束が破られます")  # fmt: skip
    assert lines[-1] == f"手順{len(events)}で約束が破られます：返金額 ¥{claim['amount']:,}"
    assert data["verdicts"][0]["story_ja"] == "\n".join(lines)

    text = md.read_text(encoding="utf-8")
    ja = text.split("\n---\n")[0]
    story = "\n\n".join(["P05 の反例（違反あり）。新しい版で再生した経過：", *lines, "再生するコマンド："])
    assert story in ja
    assert "Counterexample of P05 (violated):" not in ja and "Counterexample of P05 (violated):" in text
    assert english_runs(MarkdownIt("commonmark", {"html": True}).render(ja)) == []
    page = (site / "index.html").read_text(encoding="utf-8")
    assert f"<p>{lines[-1]}</p>" in page
    assert english_runs(page) == []
