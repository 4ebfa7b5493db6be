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
from yakkan.diagrams.langcheck import english_runs
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
         "articles": ["11-1", "11-2"]},
        {"id": "pay_deposit", "kind": "changed", "event": "pay_deposit",
         "sources": ["applied", "documents_requested", "concluded", "in_force"], "target": None, "articles": ["11-1"]},
        {"id": "suspension_lapses_restricted", "kind": "added", "event": "suspension_lapses",
         "sources": ["in_force.suspended"], "target": "restricted", "articles": ["17-4", "16-2"]},
        {"id": "suspension_lapses", "kind": "added", "event": "suspension_lapses", "sources": ["in_force.suspended"],
         "target": "active", "articles": ["17-4"]},
        {"id": "terminate", "kind": "changed", "event": "terminate", "sources": ["concluded", "in_force"],
         "target": None, "articles": ["28-1", "28-2", "28-3", "37-2", "17-4"]},
        {"id": "claim_damages", "kind": "changed", "event": "claim_damages",
         "sources": ["concluded", "in_force", "ended"], "target": None, "articles": ["27-1", "27-2", "30"]},
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
        "橙・太線「変更」 = 条件・効果・遷移先・条項が変わった遷移・状態",
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


def test_the_reports_show_and_link_the_marked_diagram(tmp_path, capsys):
    new = edited_version(tmp_path)
    md, html = tmp_path / "out" / "review.md", tmp_path / "out" / "html"
    assert main(["review", str(BASE / "spec.yaml"), str(new), "--no-verify", "--json", "--markdown", str(md),
                 "--html", str(html)]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["diagram"]["transitions"][2] == {
        "id": "restore_restricted", "kind": "removed", "event": "restore", "sources": ["in_force.suspended"],
        "target": "restricted", "articles": ["17-3", "16-2"]}  # fmt: skip
    assert sorted(p.name for p in md.parent.iterdir()) == [
        "html", "review.lifecycle.en.png", "review.lifecycle.en.svg", "review.lifecycle.ja.png",
        "review.lifecycle.ja.svg", "review.md"]  # fmt: skip
    assert sorted(p.name for p in html.iterdir()) == ["en.html", "index.html", "lifecycle.en.svg", "lifecycle.ja.svg"]
    text = md.read_text(encoding="utf-8")
    assert "### 状態遷移図の変更\n\n" in text
    assert "\n![状態遷移図（変更箇所に印）](review.lifecycle.ja.png)\n\nSVG 版：[review.lifecycle.ja.svg]" \
           "(review.lifecycle.ja.svg)\n" in text  # fmt: skip
    assert "| 「追加」 | interrupt\\_suspended | 中止・一時中断 | 一時停止中 → 中止・一時中断中 | 18 |\n" in text
    assert "| 「削除」 | restore\\_restricted | 提供の回復 | 一時停止中 → 利用制限中 | 17-3, 16-2 |\n" in text
    assert "\n![the lifecycle with the changes marked](review.lifecycle.en.png)\n" in text
    assert "| \\[removed\\] | restore\\_restricted | restore | Suspended → Restricted | 17-3, 16-2 |\n" in text
    page = (html / "index.html").read_text(encoding="utf-8")
    assert '<figure class="diagram"><a href="lifecycle.ja.svg"><img src="lifecycle.ja.svg" ' \
           'alt="状態遷移図（変更箇所に印）"></a></figure>' in page  # fmt: skip
    assert english_runs(page) == []
    assert '<img src="lifecycle.en.svg"' in (html / "en.html").read_text(encoding="utf-8")
    # the same review, the same bytes
    again = tmp_path / "again" / "review.md"
    assert main(["review", str(BASE / "spec.yaml"), str(new), "--no-verify", "--markdown", str(again)]) == 0
    for name in ("review.md", "review.lifecycle.ja.svg", "review.lifecycle.ja.png", "review.lifecycle.en.svg"):
        assert (again.parent / name).read_bytes() == (md.parent / name).read_bytes(), name


# -- the docs site ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`yakkan docs 2025-04-01/spec.yaml --review spec.yaml`, run from the repository's root."""
    out = tmp_path_factory.mktemp("review-site") / "site"
    here = Path.cwd()
    os.chdir(ROOT)
    try:
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
