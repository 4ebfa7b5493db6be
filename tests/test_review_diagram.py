"""The review's diagram and the docs site's review pages (issue 11, item 2: *the diagram*, and
"an HTML page in the docs site").

The diagram is the new lifecycle drawn from the two specs with the transitions the change
added (「追加」), changed (「変更」) and removed (「削除」, from the old spec) marked; the
marks are read back from the SVG's groups (the ids the diagram gives its states and edges).
The verifier is not run (`--no-verify`): none of this needs verdicts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.diagrams.cli import site_review
from yakkan.diagrams.i18n import event_name
from yakkan.diagrams.langcheck import english_runs
from yakkan.diagrams.marks import TAGS
from yakkan.model.spec import load_spec
from yakkan.terms.review_data import build_review
from yakkan.terms.review_diagram import render_review_diagram

from conftest import copy_spec_folders

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "contracts" / "clara-msp"
REVISION = BASE / "2025-04-01"
SVG_NS = "{http://www.w3.org/2000/svg}"
GREEN, ORANGE, GREY_TEXT = "#1b7f3b", "#d9730d", "#6b757f"
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def drawn(svg: bytes) -> dict[str, dict[str, list]]:
    """Per group id of the SVG (a state, an edge, the legend): its texts with their colour,
    and the strokes of its lines (colour, dashed)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG_NS}g"):
        if g.get("class") not in ("node", "edge"):
            continue
        texts = [(t.text or "", t.get("fill")) for t in g.iter(f"{SVG_NS}text")]
        strokes = [(p.get("stroke"), p.get("stroke-dasharray") is not None) for p in g.iter(f"{SVG_NS}path")]
        gid = g.get("id") or ""
        if re.fullmatch(r"(?:node|edge)\d+", gid):  # no id of the diagram's own: Graphviz's name
            gid = g.findtext(f"{SVG_NS}title") or gid
        out[gid] = {"texts": texts, "strokes": strokes}
    return out


def followed_by(texts: list[tuple[str, str | None]], first: tuple[str, str], then: tuple[str, str]) -> bool:
    return any(texts[i] == first and texts[i + 1] == then for i in range(len(texts) - 1))


def tags_outside_legend(groups: dict[str, dict[str, list]], tag: str) -> list[str]:
    return sorted(gid for gid, g in groups.items() if gid != "marks_legend" and any(tag in t for t, _ in g["texts"]))


@pytest.fixture(scope="module")
def revision():
    """The review of the proposed revision: the deposit cap (11-2), the liability cap (27-2)
    and the 17-4 ground of termination change four transitions that keep their state, and
    17-4's longest suspension adds the two ways out of a suspension when it lapses."""
    return build_review(BASE / "spec.yaml", REVISION, verify=False)


def test_the_proposed_revision_marks_its_changed_and_added_transitions(revision):
    assert revision.diagram.to_json() == {"transitions": [
        {"id": "request_deposit", "kind": "changed", "event": "request_deposit",
         "sources": ["applied", "documents_requested", "concluded", "in_force"], "target": None,
         "articles": ["11-1", "11-2"], "procedures": []},
        {"id": "pay_deposit", "kind": "changed", "event": "pay_deposit",
         "sources": ["applied", "documents_requested", "concluded", "in_force"], "target": None, "articles": ["11-1"],
         "procedures": []},
        {"id": "suspension_lapses_restricted", "kind": "added", "event": "suspension_lapses",
         "sources": ["in_force.suspended"], "target": "restricted", "articles": ["17-4", "16-2"], "procedures": []},
        {"id": "suspension_lapses", "kind": "added", "event": "suspension_lapses", "sources": ["in_force.suspended"],
         "target": "active", "articles": ["17-4"], "procedures": []},
        {"id": "terminate", "kind": "changed", "event": "terminate", "sources": ["concluded", "in_force"],
         "target": None, "articles": ["28-1", "28-2", "28-3", "37-2", "17-4"], "procedures": []},
        {"id": "claim_damages", "kind": "changed", "event": "claim_damages",
         "sources": ["concluded", "in_force", "ended"], "target": None,
         "articles": ["27-1", "27-2", "30"], "procedures": []},
    ], "states": []}  # fmt: skip


def test_a_changed_transition_that_keeps_its_state_is_marked_in_its_states_list(revision):
    ja = drawn(render_review_diagram(*revision.specs, revision.diagram, "ja"))
    applied = ja["state_applied"]["texts"]
    assert followed_by(applied, ("保証金の請求", ORANGE), ("「変更」", ORANGE))
    assert followed_by(applied, ("保証金の預託", ORANGE), ("「変更」", ORANGE))
    assert ("支払い・", None) in applied  # an unchanged event keeps the diagram's colour
    assert followed_by(ja["state_ended"]["texts"], ("損害賠償請求", ORANGE), ("「変更」", ORANGE))
    assert tags_outside_legend(ja, "「変更」") == ["in_force__internal", "state_applied", "state_concluded",
                                                 "state_documents_requested", "state_ended"]  # fmt: skip
    # the lapse of 17-4 drawn on the lines out of a suspension (with the restoration's)
    assert tags_outside_legend(ja, "「追加」") == ["edge_restore__suspended", "edge_restore_restricted__suspended"]
    assert tags_outside_legend(ja, "「削除」") == []
    assert [t for t, _ in ja["marks_legend"]["texts"]] == [
        "改定による変更", "緑・太線「追加」 = 新しい版で追加された遷移・状態",
        "橙・太線「変更」 = 条件・効果・遷移先・条項、または呼び出す手続が変わった遷移・状態",
        "灰・破線「削除」 = 旧版にあり新しい版で削除された遷移・状態"]  # fmt: skip
    en = drawn(render_review_diagram(*revision.specs, revision.diagram, "en"))
    assert followed_by(en["state_applied"]["texts"], ("request_deposit", ORANGE), ("[changed]", ORANGE))
    assert en["marks_legend"]["texts"][0] == ("Changes of the revision", None)


def edited_version(tmp_path: Path) -> Path:
    """A copy of 2024-04-01 in which the restoration from a suspension to a restriction is
    removed, an interruption of a suspended service is added, and `resume` cites 18 only."""
    folder = tmp_path / "new"
    copy_spec_folders(folder)
    shutil.copy(BASE / "profiles.yaml", folder / "profiles.yaml")
    text = (BASE / "spec.yaml").read_text(encoding="utf-8")
    start, end = text.index("  - id: restore_restricted\n"), text.index("  - id: restore\n")
    text = text[:start] + text[end:]
    interrupt = ('  - {id: interrupt, event: interrupt, source: [in_force.active, in_force.restricted], '
                 'target: in_force.interrupted,\n     articles: ["18", "20-1"]}\n')  # fmt: skip
    resume = ('  - {id: resume, event: resume, source: in_force.interrupted, target: in_force.active, '
              'articles: ["18", "11-1"],')
    assert interrupt in text and resume in text
    text = text.replace(interrupt, interrupt + '  - {id: interrupt_suspended, event: interrupt, source: '
                        'in_force.suspended, target: in_force.interrupted,\n     articles: ["18"]}\n')  # fmt: skip
    text = text.replace(resume, resume.replace('["18", "11-1"]', '["18"]'))
    (folder / "spec.yaml").write_text(text, encoding="utf-8")
    return folder


def line_strokes(drawing: dict, name: str) -> set:
    """The strokes of a labelled edge: its label node's own and its two halves' (the line is
    drawn through the label, `name-in` and `name-out`)."""
    parts = [drawing.get(n, {}).get("strokes", []) for n in (name, f"{name}-in", f"{name}-out")]
    return {s for part in parts for s in part}


def test_added_changed_and_removed_state_changing_transitions(tmp_path):
    review = build_review(BASE / "spec.yaml", edited_version(tmp_path), verify=False)
    assert [(t.id, t.kind) for t in review.diagram.transitions] == [
        ("interrupt_suspended", "added"), ("resume", "changed"), ("restore_restricted", "removed")]
    ja = drawn(render_review_diagram(*review.specs, review.diagram, "ja"))
    added = ja["edge_interrupt_suspended__suspended"]
    assert added["texts"] == [("中止・一時中断 ", GREEN), ("「追加」", GREEN), ("18", "#5f6b76")]
    assert line_strokes(ja, "edge_interrupt_suspended__suspended") == {(GREEN, False)}
    changed = ja["edge_resume__interrupted"]
    assert changed["texts"][:2] == [("再開 ", "#a85400"), ("「変更」", ORANGE)]
    assert line_strokes(ja, "edge_resume__interrupted") == {(ORANGE, False)}
    removed = ja["removed_restore_restricted"]  # drawn from the old spec, dashed and grey
    assert removed["texts"] == [("「削除」 提供の回復", GREY_TEXT), ("17-3, 16-2", GREY_TEXT)]
    assert set(removed["strokes"]) == {("#8a949e", True)}
    assert "edge_restore_restricted__suspended" not in ja  # the new version does not draw it
    en = drawn(render_review_diagram(*review.specs, review.diagram, "en"))
    assert en["removed_restore_restricted"]["texts"][0] == ("[removed] restore", GREY_TEXT)


def test_the_reports_show_and_link_the_marked_diagram(tmp_path, capsys, monkeypatch):
    for name in GITHUB_RUN:
        monkeypatch.delenv(name, raising=False)
    new = edited_version(tmp_path)
    md, html = tmp_path / "out" / "review.md", tmp_path / "out" / "html"
    args = ["review", str(BASE / "spec.yaml"), str(new), "--no-verify", "--markdown", str(md), "--html", str(html)]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["diagram"]["transitions"][2] == {
        "id": "restore_restricted", "kind": "removed", "event": "restore", "sources": ["in_force.suspended"],
        "target": "restricted", "articles": ["17-3", "16-2"], "procedures": []}  # fmt: skip
    # the Markdown carries its diagram as Mermaid: no picture beside it
    assert sorted(p.name for p in md.parent.iterdir()) == ["html", "review.md"]
    assert sorted(p.name for p in html.iterdir()) == ["en.html", "index.html", "lifecycle.en.svg", "lifecycle.ja.svg"]
    text = md.read_text(encoding="utf-8")
    assert "### 状態遷移図の変更\n\n" in text
    assert f"図とグラフを含む全体の報告（HTML 版）：`{html}/index.html`（英語版は `{html}/en.html`）\n" in text
    assert "| 「追加」 | interrupt\\_suspended | 中止・一時中断 | 一時停止中 → 中止・一時中断中 | 18 |\n" in text
    assert "| 「削除」 | restore\\_restricted | 提供の回復 | 一時停止中 → 利用制限中 | 17-3, 16-2 |\n" in text
    assert "| \\[removed\\] | restore\\_restricted | restore | Suspended → Restricted | 17-3, 16-2 |\n" in text
    ja, en = mermaid_blocks(text)
    assert marked(ja, "ja") == [
        ("「追加」", "interrupt_suspended", "suspended --> interrupted : 「追加」 中止・一時中断 18"),
        ("「変更」", "resume", "interrupted --> active : 「変更」 再開 18"),
        ("「削除」", "restore_restricted", "suspended --> restricted : 「削除」 提供の回復 17-3, 16-2"),
    ]  # fmt: skip
    assert marked(en, "en")[2] == ("[removed]", "restore_restricted", "suspended --> restricted : [removed] restore "
                                                                      "17-3, 16-2")  # fmt: skip
    page = (html / "index.html").read_text(encoding="utf-8")
    assert '<figure class="diagram"><a href="lifecycle.ja.svg"><img src="lifecycle.ja.svg" ' \
           'alt="状態遷移図（変更箇所に印）"></a></figure>' in page  # fmt: skip
    assert "```mermaid" not in page and english_runs(page) == []
    assert '<img src="lifecycle.en.svg"' in (html / "en.html").read_text(encoding="utf-8")
    # the same review, the same bytes
    assert main(args) == 0
    assert md.read_text(encoding="utf-8") == text


# -- the pull-request comment ------------------------------------------------------------------------

GITHUB_RUN = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
REVISION_MARKS = [  # the marks of the 2024-04-01 → 2025-04-01 review (see the first test)
    ("changed", "request_deposit"), ("changed", "pay_deposit"), ("added", "suspension_lapses_restricted"),
    ("added", "suspension_lapses"), ("changed", "terminate"), ("changed", "claim_damages")]  # fmt: skip


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"\n```mermaid\n(.*?)\n```\n", markdown, re.S)


def marked(block: str, lang: str) -> list[tuple[str, str, str]]:
    """(tag, transition id, what shows the mark) for each `%% <tag> <id>` comment of a Mermaid
    block: the next line that is not a comment, or, for a note, the note's line that names the
    mark. The line shown must carry the tag."""
    tags = set(TAGS[lang].values())
    lines = [ln.strip() for ln in block.splitlines()]
    out = []
    for i, ln in enumerate(lines):
        m = re.fullmatch(r"%% (\S+) (\S+)", ln)
        if not m or m.group(1) not in tags:
            continue
        shown = next(x for x in lines[i + 1:] if not x.startswith("%%"))
        if shown.startswith("note "):
            note = lines[lines.index(shown, i):]
            note = note[:note.index("end note")]
            event = next(t.event for spec in SPECS for t in spec.transitions if t.id == m.group(2))
            name = event_name(SPECS[0], event, lang)
            shown = next(x for x in note if x == f"{m.group(1)} {name}")
        assert m.group(1) in shown, (ln, shown)
        out.append((m.group(1), m.group(2), shown))
    return out


SPECS = (load_spec(REVISION / "spec.yaml"), load_spec(BASE / "spec.yaml"))


def test_the_pull_request_comment_draws_the_marked_lifecycle_in_mermaid(tmp_path, monkeypatch):
    """GitHub shows no file of the runner's in a comment or a step summary: the Markdown links
    no picture, draws the lifecycle in Mermaid with exactly the review's marks, and names the
    run whose artifacts hold the full report."""
    for name in GITHUB_RUN:
        monkeypatch.delenv(name, raising=False)
    md = tmp_path / "review.md"
    args = ["review", str(BASE / "spec.yaml"), str(REVISION), "--no-verify", "--markdown", str(md)]
    assert main(args) == 0
    text = md.read_text(encoding="utf-8")
    assert re.findall(r"!\[[^\]]*\]\((?!https://)[^)]*\)", text) == []  # no relative image link
    assert re.findall(r"\]\([^)]*\.(?:png|svg)\)", text) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.md"]
    ja, en = mermaid_blocks(text)
    assert ja.startswith("stateDiagram-v2\n") and en.startswith("stateDiagram-v2\n")
    kinds = {"ja": {v: k for k, v in TAGS["ja"].items()}, "en": {v: k for k, v in TAGS["en"].items()}}
    for block, lang in ((ja, "ja"), (en, "en")):
        marks = marked(block, lang)
        assert sorted({(kinds[lang][tag], i) for tag, i, _ in marks}) == sorted(REVISION_MARKS)
    assert [s for t, i, s in marked(ja, "ja") if i == "suspension_lapses"] == [
        "suspended --> active : 「追加」 一時停止期間の満了 [「解除の意思表示がされた」に該当しない] 17-4"]
    assert [s for t, i, s in marked(ja, "ja") if i == "claim_damages"] == [
        "concluded : 「変更」 損害賠償請求", "「変更」 損害賠償請求", "ended : 「変更」 損害賠償請求"]
    assert "凡例：「追加」＝新しい版で追加された遷移・状態（状態は緑の枠）" in text
    assert "\nLegend: [added] = a transition or state the new version adds" in text.replace("\\[", "[").replace(
        "\\]", "]")  # fmt: skip
    assert "図とグラフを含む全体の報告（HTML 版）は `--html DIR` で書き出せます。\n" in text
    # the same review, the same bytes; on GitHub Actions, a link to the run
    assert main(args) == 0 and md.read_text(encoding="utf-8") == text
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "clara/yakkan")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    assert main(args) == 0
    run = md.read_text(encoding="utf-8")
    assert "図とグラフを含む全体の報告（HTML 版）は、GitHub Actions の実行の成果物にあります：" \
           "[実行 4242 の成果物](https://github.com/clara/yakkan/actions/runs/4242)\n" in run  # fmt: skip
    assert "(https://github.com/clara/yakkan/actions/runs/4242)" in run.split("\n---\n")[1]


# -- the docs site ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`yakkan docs 2025-04-01/spec.yaml --review spec.yaml`, run from the repository's root."""
    out = tmp_path_factory.mktemp("review-site") / "site"
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        with pytest.MonkeyPatch.context() as mp:  # an empty verdict cache, whatever the repository's holds
            mp.setattr("yakkan.verify.cli.CACHE_DIR", out.parent / "empty-cache")
            assert main(["docs", str(REVISION / "spec.yaml"), "-o", str(out), "--review", str(BASE / "spec.yaml")]) == 0
    finally:
        os.chdir(here)
    return out


def test_a_review_of_a_missing_version_is_bad_input_and_writes_nothing(tmp_path, capsys):
    assert main(["docs", str(REVISION / "spec.yaml"), "-o", str(tmp_path / "site"), "--review",
                 str(tmp_path / "2023-04-01")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert f"{tmp_path / '2023-04-01'}: no such spec file or version folder" in err and "fix:" in err
    assert not (tmp_path / "site").exists()


def test_a_site_review_shows_paths_outside_the_working_folder_by_their_version_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    review = site_review(BASE / "spec.yaml", REVISION)
    assert (review.old_path, review.new_path) == (Path("clara-msp/spec.yaml"), Path("2025-04-01/spec.yaml"))


def test_the_site_has_the_review_pages_linked_from_its_index_and_navigation(site):
    assert sorted(p.name for p in (site / "review").iterdir()) == [
        "en.html", "index.html", "lifecycle.en.svg", "lifecycle.ja.svg"]  # fmt: skip
    root = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="review/index.html"><span class="big">改定レビュー</span></a>' in root
    assert '<a href="review/en.html" lang="en">Review of the revision</a>' in root
    assert "旧版 2024-04-01 から新版 2025-04-01 への変更" in root
    assert '<a href="../review/index.html">改定レビュー</a>' in (site / "ja" / "terms.html").read_text(encoding="utf-8")
    assert '<a href="../review/en.html">Review of the revision</a>' in (site / "en" / "index.html").read_text(
        encoding="utf-8")  # fmt: skip
    ja = (site / "review" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../assets/style.css">' in ja
    assert '<a href="../ja/terms.html">条文とモデル</a>' in ja
    assert '<a href="index.html" class="current">改定レビュー</a>' in ja
    assert '<a class="lang" href="en.html" hreflang="en">English</a>' in ja
    assert '<body data-search-base="../ja/">' in ja
    assert "<h1>約款改定レビュー：クララ株式会社 MSPサービス約款 2024-04-01 → 2025-04-01</h1>" in ja
    assert '<img src="lifecycle.ja.svg" alt="状態遷移図（変更箇所に印）">' in ja
    assert "<td>「変更」</td><td>request_deposit</td><td>保証金の請求</td>" in ja
    en = (site / "review" / "en.html").read_text(encoding="utf-8")
    assert '<a class="lang" href="index.html" hreflang="ja">日本語</a>' in en
    assert "<td>[changed]</td><td>claim_damages</td><td>claim_damages</td>" in en
    assert b"\xe3\x80\x8c\xe5\xa4\x89\xe6\x9b\xb4\xe3\x80\x8d" in (site / "review" / "lifecycle.ja.svg").read_bytes()


def test_the_japanese_review_page_holds_no_english_sentence_and_no_absolute_path(site):
    ja = (site / "review" / "index.html").read_text(encoding="utf-8")
    assert english_runs(ja) == []
    for page in ("index.html", "en.html"):
        text = (site / "review" / page).read_text(encoding="utf-8")
        assert str(ROOT) not in text and str(site) not in text
    assert "<code>yakkan review contracts/clara-msp/spec.yaml contracts/clara-msp/2025-04-01/spec.yaml</code>" in ja


# -- the docs site's verdicts ------------------------------------------------------------------------

SITE_LINK = lambda p: Path(p).name  # noqa: E731 - as the site links a file beside the page


def test_a_site_review_without_verdicts_names_the_command_that_produces_them(site):
    ja = (site / "review" / "index.html").read_text(encoding="utf-8")
    assert "<h2>検証結果の変化</h2>\n<p>このページには検証結果の変化がありません。両版の検証結果がキャッシュに" \
           "ないためです。<code>yakkan review contracts/clara-msp/spec.yaml contracts/clara-msp/2025-04-01/spec.yaml" \
           "</code> を実行してから、同じフォルダで <code>yakkan docs</code> を実行し直すと、ここに検証結果の変化が" \
           "載ります。</p>" in ja  # fmt: skip
    en = (site / "review" / "en.html").read_text(encoding="utf-8")
    assert "<p>No verdicts on this page: the cache holds no verdicts of either version. Run <code>yakkan review " \
           "contracts/clara-msp/spec.yaml contracts/clara-msp/2025-04-01/spec.yaml</code>, then <code>yakkan docs" \
           "</code> again in the same folder, and this section shows the verdicts that changed.</p>" in en


def test_a_site_review_shows_the_verdicts_the_cache_holds(shared_cache):
    """`yakkan review --property P05 --property P13` cached both versions' verdicts of P05 and
    P13 (as the review tests do): the site's page shows their table without running the
    verifier, and names the command for the others."""
    from yakkan.terms.review_render import blocks, html_body
    from yakkan.terms.verdicts import compare

    compare(BASE / "spec.yaml", REVISION / "spec.yaml", ["P05", "P13"], None)
    old, new = load_spec(BASE / "spec.yaml"), load_spec(REVISION / "spec.yaml")
    review = site_review(BASE / "spec.yaml", REVISION)
    assert {c.id: (c.old.verdict, c.new.verdict, c.category) for c in review.verdicts} == {
        "P05": ("proved", "proved", "same"), "P13": ("violated", "proved", "flip-expected")}
    assert review.verdicts_missing == {"old": [p for p in old.properties if p not in ("P05", "P13")],
                                       "new": [p for p in new.properties if p not in ("P05", "P13")]}  # fmt: skip
    assert review.verdicts_source == "cache"
    ja = html_body(blocks(review, "ja", SITE_LINK, site=True))
    assert "<p>このページは検証を実行しません。表は実行済みの検証結果によるものです（両版ともキャッシュ " \
           "<code>.yakkan-cache</code>）。</p>" in ja  # fmt: skip
    assert "<tr><td>P13</td><td>一つの請求について当社の損害賠償責任が基本利用料1か月分を超えることはない</td>" \
           "<td>27-2</td><td>違反あり（期待 成り立たない）</td><td>証明済み（期待 成り立つ）</td>" \
           "<td>変化（作成者が expect も変更）</td></tr>" in ja  # fmt: skip
    others = "、".join(dict.fromkeys([*review.verdicts_missing["old"], *review.verdicts_missing["new"]]))
    assert f"<p>次の性質は、両版の検証結果がキャッシュにないため表にありません：{others}。<code>yakkan review " \
           "clara-msp/spec.yaml 2025-04-01/spec.yaml</code> を実行すると作成されます。</p>" in ja  # fmt: skip
    assert english_runs(ja) == []
    en = html_body(blocks(review, "en", SITE_LINK, site=True))
    assert "<tr><td>P13</td><td>The company&#x27;s liability for a claim never exceeds one month&#x27;s base fee</td>" \
           "<td>27-2</td><td>violated (expected violated)</td><td>proved (expected holds)</td>" \
           "<td>flip (the author changed expect)</td></tr>" in en  # fmt: skip


def test_a_site_review_takes_the_new_versions_verdicts_from_the_docs_results(shared_cache, tmp_path):
    """`yakkan docs NEW --verify-results FILE --review OLD`: NEW's verdicts are the results
    given, OLD's the cache's (P05 and P13, cached by the review tests)."""
    from yakkan.diagrams.results import parse_verify_results
    from yakkan.terms.verdicts import compare

    compare(BASE / "spec.yaml", REVISION / "spec.yaml", ["P05", "P13"], None)
    results = parse_verify_results({"ok": False, "properties": [
        {"id": "P13", "verdict": "holds-to-depth", "expected": "holds", "matches": False, "articles": ["27-2"]},
        {"id": "P05", "verdict": "proved", "expected": "holds", "matches": True, "articles": ["14"]}]},
        tmp_path / "results.json")  # fmt: skip
    review = site_review(BASE / "spec.yaml", REVISION, results)
    assert {c.id: (c.old.verdict, c.new.verdict, c.category) for c in review.verdicts} == {
        "P05": ("proved", "proved", "same"), "P13": ("violated", "holds-to-depth", "unproved")}
    assert review.verdicts_source == "results" and review.exit_status == 1


# -- a changed procedure ------------------------------------------------------------------------------


def procedure_version(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of 2024-04-01 with one text of its spec replaced."""
    folder = tmp_path / name
    copy_spec_folders(folder)
    text = (BASE / "spec.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / "spec.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return folder


ALLOCATE_BODY = ('      - "credit += pay_rest"\n', '      - "credit += pay_rest"\n      - "pay_rest = 0"\n')


def test_a_transition_calling_a_changed_procedure_is_changed(tmp_path, capsys, monkeypatch):
    """Only `allocate`'s body changes: `pay` and `apply_deposit` call it, `contract_ends` and
    `contract_ends_before_service` through `settle_deposit`; none of their texts changed."""
    for name in GITHUB_RUN:
        monkeypatch.delenv(name, raising=False)
    new = procedure_version(tmp_path, "new", *ALLOCATE_BODY)
    review = build_review(BASE / "spec.yaml", new, verify=False)
    assert [(c.section, c.element, c.kind) for c in review.model] == [("procedures", "allocate", "changed")]
    assert [(t.id, t.kind, t.procedures) for t in review.diagram.transitions] == [
        ("pay", "changed", ("allocate",)), ("apply_deposit", "changed", ("allocate",)),
        ("contract_ends_before_service", "changed", ("allocate",)), ("contract_ends", "changed", ("allocate",))]
    assert review.diagram.to_json()["transitions"][2] == {
        "id": "contract_ends_before_service", "kind": "changed", "event": "contract_ends",
        "sources": ["concluded"], "target": "ended", "articles": ["9-1", "11-4"], "procedures": ["allocate"]}
    md = tmp_path / "review.md"
    assert main(["review", str(BASE / "spec.yaml"), str(new), "--no-verify", "--markdown", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert "| 「変更」（手続 allocate の変更） | contract\\_ends | 契約終了日 | 契約期間中 → 終了 | 9-1, 11-4 |\n" \
        in text  # fmt: skip
    assert "| \\[changed\\] (procedure allocate changed) | pay | pay |" in text
    ja, _ = mermaid_blocks(text)
    assert [i for _, i, _ in marked(ja, "ja")] == [  # applied, documents_requested, concluded, in_force, ended
        "pay", "pay", "pay", "apply_deposit", "pay", "apply_deposit", "pay", "contract_ends_before_service",
        "contract_ends"]  # fmt: skip
    assert "    %% 「変更」 contract_ends\n    in_force --> ended : 「変更」 契約終了日 9-1, 11-4\n" in ja
    # a procedure whose doc alone changed changes no transition
    doc = procedure_version(tmp_path, "doc", "the rest is credit (I-04", "the remainder is credit (I-04")
    assert build_review(BASE / "spec.yaml", doc, verify=False).diagram.transitions == ()
