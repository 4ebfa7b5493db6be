"""The lifecycle diagram: analysis, Graphviz and Mermaid output, highlight, fonts, the CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.diagrams.analysis import Lifecycle
from yakkan.diagrams.highlight import path_of_scenario
from yakkan.diagrams.lifecycle import FONT
from yakkan.diagrams.render import font_available, render_diagram
from yakkan.model.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


@pytest.fixture(scope="module")
def life(spec):
    return Lifecycle(spec)


# -- analysis -------------------------------------------------------------------------------


def test_layers_put_final_states_below_their_sources(life):
    layers = life.layers
    assert layers["applied"] == 0
    assert layers["active"] > layers["concluded"]
    assert layers["ended"] > max(layers[s] for s in ("restricted", "suspended", "interrupted"))
    assert life.order[0] == "applied"


def test_a_transition_from_every_mode_is_drawn_once_from_the_compound(life):
    ends = [e for e in life.edges if e.transition.event == "contract_ends"]
    assert {e.source for e in ends} == {"in_force", "concluded"}
    assert next(e for e in ends if e.source == "in_force").from_compound
    # suspend names three modes, not all four: one edge per mode
    assert sorted(e.source for e in life.edges if e.transition.id == "suspend") == [
        "active", "interrupted", "restricted"]


def test_internal_events_are_grouped_not_drawn(life):
    shared = {t.id for t in life.internals["in_force"]}
    assert {"pay", "bill_next_month", "cancel", "terminate"} <= shared
    assert {t.id for t in life.internals["active"]} == {"request_support"}
    assert "month_starts" in shared
    assert all(e.source != e.target for e in life.edges)


def test_schedulers_of_the_contract_end(life):
    assert {t.event for t in life.schedulers["contract_ends"]} == {
        "cancel", "object_to_renewal", "terminate", "announce_abolition", "terminate_by_customer"}


def test_every_state_changing_transition_is_drawn(spec, life):
    drawn = {e.transition.id for e in life.edges}
    changing = {t.id for t in spec.transitions if t.target and any(s != t.target for s in t.sources)}
    assert drawn == changing


# -- graphviz -------------------------------------------------------------------------------


def test_dot_source_is_built_with_clusters_finals_and_labels(spec):
    dot = render_diagram(spec, "dot", "ja").decode()
    assert "subgraph cluster_in_force" in dot
    for final in ("rejected", "ended"):
        line = next(ln for ln in dot.splitlines() if ln.strip().startswith(f"{final} ["))
        assert "peripheries=2" in line
    assert f'fontname="{FONT}"' in dot
    assert "提供開始" in dot and "6-2, 9-1, 7-1" in dot
    assert "[支払期日未到来の請求額 + 延滞額 = 0]" in dot  # the guard by the names
    assert "ltail=cluster_in_force" in dot


def test_english_labels(spec):
    dot = render_diagram(spec, "dot", "en").decode()
    assert "start_service" in dot and "Concluded (awaiting initial payment)" in dot


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "dot", "mermaid", "png", "pdf"])
def test_formats_are_deterministic(spec, fmt):
    assert render_diagram(spec, fmt, "ja") == render_diagram(load_spec(SPEC), fmt, "ja")


def test_cjk_font_is_installed():
    """PNG and PDF labels need the Noto CJK font (fonts-noto-cjk, scripts/setup.sh)."""
    assert shutil.which("fc-list"), "fontconfig's fc-list is missing"
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    assert FONT in out, f"{FONT} not found by fc-list: install fonts-noto-cjk"
    assert font_available()


@needs_dot
def test_png_and_pdf_render_with_the_cjk_font(spec, tmp_path):
    png = render_diagram(spec, "png", "ja")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    pdf = render_diagram(spec, "pdf", "ja")
    assert pdf[:5] == b"%PDF-" and b"NotoSansCJK" in pdf


@needs_dot
def test_svg_has_japanese_text_and_ids(spec):
    svg = render_diagram(spec, "svg", "ja").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "契約期間中" in svg and "一時停止中" in svg
    assert 'id="state_active"' in svg and 'id="edge_start_service__concluded"' in svg


# -- highlight --------------------------------------------------------------------------------


def test_path_of_the_issue_example(spec):
    path = path_of_scenario(spec, EXAMPLE)
    assert [s.event for s in path.steps] == ["apply", "accept", "pay", "start_service", "cancel"]
    refused = path.steps[-1]
    assert not refused.accepted and refused.articles == ("7-2",) and refused.n == 5
    assert path.steps[1].edge == "accept:applied"
    assert path.final_state == "active"
    assert path.visited == ("applied", "concluded", "active")


def test_highlighted_dot_numbers_steps_and_marks_refusals(spec):
    path = path_of_scenario(spec, EXAMPLE)
    dot = render_diagram(spec, "dot", "ja", path).decode()
    assert "<B>2.</B> 承諾通知" in dot and "<B>4.</B> 提供開始" in dot
    assert "✗ 5.</B> 解約 [7-2]" in dot
    assert "style=dashed" in dot
    mm = render_diagram(spec, "mermaid", "ja", path).decode()
    assert "✗ 5. 解約 [7-2]" in mm and "class active visited" in mm
    assert "        ✗ 5. 解約 [7-2]\n        最低利用期間内は解約できません（I-06）\n    end note" in mm  # its reason


# -- mermaid ----------------------------------------------------------------------------------


def test_mermaid_state_diagram(spec):
    mm = render_diagram(spec, "mermaid", "ja").decode()
    assert mm.startswith("stateDiagram-v2\n")
    assert 'state "契約期間中 [9-1]" as in_force {' in mm
    assert "ended --> [*]" in mm and "rejected --> [*]" in mm
    assert "[*] --> applied : 申込み 4-1" in mm
    assert "in_force --> ended" in mm
    for line in mm.splitlines():
        if " --> " in line and " : " in line:
            assert ";" not in line.split(" : ", 1)[1]


# -- the command --------------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot", "mermaid"])
def test_cli_writes_every_format(tmp_path, fmt):
    out = tmp_path / f"life.{fmt}"
    assert main(["diagram", str(SPEC), "--format", fmt, "--lang", "en", "-o", str(out)]) == 0
    assert out.stat().st_size > 500
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_cli_highlight_and_bad_input(tmp_path, capsys):
    out = tmp_path / "hl.dot"
    assert main(["diagram", "--format", "dot", "--highlight", str(EXAMPLE), "-o", str(out)]) == 0
    assert "✗ 5." in out.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  - {on: 2024-04-01, do: fly}\n")
    assert main(["diagram", "--format", "dot", "--highlight", str(bad), "-o", str(tmp_path / "x.dot")]) == 2
    assert "unknown event 'fly'" in capsys.readouterr().err
    assert not (tmp_path / "x.dot").exists()
    assert main(["diagram", "--format", "dot", "-o", str(tmp_path)]) == 2


def _final_layout(spec, lang, path=None, links=None):
    """The label boxes of the diagram as drawn (the layout after `untangle`, by Graphviz)."""
    from yakkan.diagrams.lifecycle import LifecycleDiagram
    from yakkan.diagrams.render import _untangled
    from yakkan.diagrams.untangle import label_boxes, layout_json

    graph = LifecycleDiagram(spec, lang, path, True, Lifecycle(spec), links).build()
    return label_boxes(layout_json(_untangled(graph).pipe(format="json", neato_no_op=2)))


def _final_json(spec, lang, path=None):
    """The positioned layout the SVG is written from (`dot -Tjson` of the drawn graph)."""
    from yakkan.diagrams.lifecycle import LifecycleDiagram
    from yakkan.diagrams.render import _untangled
    from yakkan.diagrams.untangle import layout_json

    graph = LifecycleDiagram(spec, lang, path, True, Lifecycle(spec)).build()
    return layout_json(_untangled(graph).pipe(format="json", neato_no_op=2))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("highlighted", [False, True])
def test_labels_neither_overlap_nor_are_crossed_nor_detached(spec, lang, highlighted):
    """Issue 13: no two labels overlap, no line runs through a label not its own, and every
    transition's label is on its own line (the layout before the label nodes had 8 crossings
    in each language, and labels up to 34.7 points from their lines)."""
    from yakkan.diagrams.geometry import crossings, detached, edge_lines
    from yakkan.diagrams.lifecycle import LifecycleDiagram
    from yakkan.diagrams.untangle import label_boxes, overlaps

    path = path_of_scenario(spec, EXAMPLE) if highlighted else None
    layout = _final_json(spec, lang, path)
    labels = label_boxes(layout)
    assert len(labels) == (33 if highlighted else 31)  # the states' and the transitions' labels, all there
    assert [(a.owner, b.owner) for a, b in overlaps(labels)] == []
    assert crossings(layout) == []
    assert detached(layout) == {}
    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    assert [lab.owner for lab in labels if not (x0 <= lab.box[0] and lab.box[2] <= x1 and y0 <= lab.box[1]
                                                and lab.box[3] <= y1)] == []  # nothing cut off at the edges
    lines = edge_lines(layout)
    own = [lab for lab in labels if lab.owner in lines]
    groups = LifecycleDiagram(spec, lang, path, True, Lifecycle(spec))._edge_groups()  # edges with the same ends
    drawn = {"edge_start"} | {"edge_" + group[0].key.replace(":", "__") for group in groups}
    loops = {"loop_concluded", "refused_loop_active"} if highlighted else set()  # 3. 支払い; ✗ 5. 解約 and its reason
    assert len(drawn) == 20 and sorted(lab.owner for lab in own) == sorted(drawn | loops)  # one label each


def test_a_line_through_a_foreign_label_is_found_and_a_far_label_is_detached():
    from yakkan.diagrams.geometry import Crossing, crossings, detached

    def edge(eid, points, label_at=None):
        e = {"_gvid": 0, "tail": 0, "head": 0, "id": eid, "_draw_": [{"op": "b", "points": points}]}
        if label_at:
            e["_ldraw_"] = [{"op": "F", "size": 10.0}, {"op": "T", "pt": label_at, "align": "c", "width": 40.0}]
            e["lp"] = f"{label_at[0]},{label_at[1]}"
        return e

    layout = {"objects": [{"_gvid": 0, "name": "a"}], "edges": [
        edge("edge_a", [[0, 0], [0, 30], [0, 70], [0, 100]], label_at=[10, 50]),  # its own label on it
        edge("edge_b", [[-50, 52], [-20, 52], [20, 52], [50, 52]]),  # straight through edge_a's label
        edge("edge_c", [[200, 0], [200, 30], [200, 70], [200, 100]], label_at=[100, 50]),  # 80 points off
    ]}  # fmt: skip
    assert crossings(layout) == [Crossing("edge_b", "edge_a")]  # a line never crosses its own label
    assert detached(layout) == {"edge_c": 80.0}
    layout["edges"][1]["_draw_"][0]["points"] = [[-50, 70], [-20, 70], [20, 70], [50, 70]]  # above the box
    assert crossings(layout) == []


def test_an_overlapping_xlabel_is_moved_clear():
    from yakkan.diagrams.untangle import Label, moved_layout, moves, overlaps

    node = Label("active", "node", (0, 0, 100, 20))
    xl = Label("edge_resume", "xlabel", (50, 10, 150, 30), (100, 20))
    far = Label("edge_other", "edge", (0, 40, 300, 60))
    new = moves([node, xl, far])
    assert new == {"edge_resume": (100.0, -15.0)}  # the nearest place clear of both: 35 points down
    x, y = new["edge_resume"]
    moved = Label("edge_resume", "xlabel", (x - 50, y - 10, x + 50, y + 10), (x, y))
    assert overlaps([node, moved, far], gap=-2.0) == []  # clear of both, with the gap kept
    laid = 'a -> b [id=edge_resume,\n\tpos="e,1,2 3,4",\n\txlabel=<再開<BR/>[x]>,\n\txlp="100,20"];'
    assert moved_layout(laid, new).endswith(f'xlp="{x:.2f},{y:.2f}"];')


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_the_sites_diagram_links_states_and_transitions_to_their_articles(spec):
    svg = render_diagram(spec, "svg", "ja", links=lambda arts: f"../ja/terms.html#c{arts[0]}").decode()
    assert '<a xlink:href="../ja/terms.html#c9-1" xlink:title="提供中 / Active (active)" target="_top">' in svg
    edge = svg[svg.index('<g id="edge_accept__applied"'):]
    assert edge[:edge.index("</g>")].count('xlink:href="../ja/terms.html#c6-1"') == 1  # the acceptance's arrow
    assert "xlink:href" not in render_diagram(spec, "svg", "ja").decode()  # `yakkan diagram`: no links
    # three transitions share one line (restricted → active): each of their names links to its own article
    group = svg[svg.index('<g id="edge_restriction_lapses_at_month_start__restricted" class="node"'):]
    group = group[:group.index('class="edge"')]
    for article, text in (("16-1", "月初"), ("16-2", "追加料金の支払い"), ("23-2", "利用制限の解除")):
        assert f'xlink:href="../ja/terms.html#c{article}" xlink:title="{text}" target="_top">' in group


def test_a_refusals_reason_is_drawn_in_full(spec):
    from yakkan.diagrams.highlight import PathStep, ScenarioPath
    from yakkan.diagrams.readable import wrap

    rule = "最低利用期間の経過前は、料金の減少を伴う契約内容の変更はできません（翌月について合意済みの料金と比べます）"
    step = PathStep(n=1, day=739000, event="change_plan", by="customer", accepted=False, source="active",
                    target="active", transition=None, edge=None, rule="no fee-lowering change", articles=("6-3",),
                    rule_ja=rule)  # fmt: skip
    path = ScenarioPath(name="t", description="", steps=(step,), final_state="active", until=739000,
                        quiet_calendar_steps=0)  # fmt: skip
    dot = render_diagram(spec, "dot", "ja", path).decode()
    assert wrap(rule, 56) == ["最低利用期間の経過前は、料金の減少を伴う契約内容の変更は",
                              "できません（翌月について合意済みの料金と比べます）"]  # fmt: skip
    assert all(f'<FONT POINT-SIZE="8">{line}</FONT>' in dot for line in wrap(rule, 56))
