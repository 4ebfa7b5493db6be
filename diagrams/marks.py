"""Marks on the lifecycle diagram for a review of a change of the terms (issue 11).

A review draws the new version's lifecycle with what the change did marked: a transition
or state the new version added in one style (green, bold, 「追加」), one it changed (its
guard, effects, target, articles or rule texts, or a procedure it calls) in another
(orange, 「変更」), and a
transition of the old version that the new one dropped drawn dashed and grey from the old
spec (「削除」). `Marks` is the small hook the diagram reads (`LifecycleDiagram(marks=…)`);
`add_removed` and `add_legend` add the old version's dropped transitions and the legend to
a built graph; `mermaid_removed` gives the same dropped transitions for the Mermaid text
(diagrams/mermaid.py). Which elements changed is the review's business (terms/review_diagram.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import graphviz

from yakkan.model.spec import Spec

from .analysis import Lifecycle
from .i18n import cite_list, event_name, state_name

KINDS = ("added", "changed", "removed")
COLOR = {"added": "#1b7f3b", "changed": "#d9730d", "removed": "#8a949e"}
EDGE_STYLE: dict[str, dict[str, str]] = {
    "added": {"color": COLOR["added"], "fontcolor": COLOR["added"], "penwidth": "2.6"},
    "changed": {"color": COLOR["changed"], "fontcolor": "#a85400", "penwidth": "2.6"},
    "removed": {"color": COLOR["removed"], "fontcolor": "#6b757f", "penwidth": "1.6", "style": "dashed"},
}  # fmt: skip
TAGS = {"ja": {"added": "「追加」", "changed": "「変更」", "removed": "「削除」"},
        "en": {"added": "[added]", "changed": "[changed]", "removed": "[removed]"}}  # fmt: skip
LEGEND = {
    "ja": {"title": "改定による変更",
           "added": "緑・太線「追加」 = 新しい版で追加された遷移・状態",
           "changed": "橙・太線「変更」 = 条件・効果・遷移先・条項、または呼び出す手続が変わった遷移・状態",
           "removed": "灰・破線「削除」 = 旧版にあり新しい版で削除された遷移・状態"},
    "en": {"title": "Changes of the revision",
           "added": "green, bold [added] = a transition or state the new version adds",
           "changed": "orange, bold [changed] = its guard, effects, target, articles or a procedure it calls changed",
           "removed": "grey, dashed [removed] = in the old version, removed by the new one"},
}  # fmt: skip
RANK = {"changed": 1, "added": 2}  # a group of transitions drawn as one edge takes its strongest mark


@dataclass(frozen=True)
class Marks:
    """What a review marks on the new lifecycle: transition id / state → added or changed."""

    transitions: Mapping[str, str] = field(default_factory=dict)
    states: Mapping[str, str] = field(default_factory=dict)

    def strongest(self, transition_ids: list[str]) -> str | None:
        kinds = [self.transitions[i] for i in transition_ids if i in self.transitions]
        return max(kinds, key=lambda k: RANK.get(k, 0)) if kinds else None


def tag(kind: str, lang: str) -> str:
    """The mark's tag as Graphviz HTML-like text: 「変更」 in its colour, bold."""
    return f'<FONT COLOR="{COLOR[kind]}"><B>{escape(TAGS[lang][kind])}</B></FONT>'


def node_style(kind: str) -> dict[str, str]:
    """A marked state's border (its fill stays the diagram's)."""
    return {"color": COLOR[kind], "penwidth": "2.6"}


def _node_in(life: Lifecycle, state: str) -> str:
    from .lifecycle import anchor_name

    return anchor_name(state) if state in life.compounds else state


def add_removed(g: graphviz.Digraph, old: Spec, new: Spec, new_life: Lifecycle, removed: list[str],
                lang: str) -> None:  # fmt: skip
    """Draw the old version's transitions `removed` (ids) dashed and grey on the new diagram:
    a state-changing one as an edge between the states as they are drawn (a state the new
    version lacks drawn dashed too), one that kept its state as a loop on that state."""
    if not removed:
        return
    from .lifecycle import cluster_name

    old_life = Lifecycle(old)
    gone = set(removed)
    ghosts: dict[str, None] = {}

    def node(state: str) -> str:
        if state in new.states:
            return _node_in(new_life, state)
        ghosts[state] = None
        return f"removed__{state}"

    groups: dict[tuple[str, str], list[str]] = {}
    first_edge: dict[tuple[str, str], bool] = {}
    for edge in old_life.edges:
        if edge.transition.id in gone:
            key = (edge.source, edge.target)
            groups.setdefault(key, []).append(edge.transition.id)
            first_edge[key] = edge.from_compound
    loops: dict[str, list[str]] = {}
    for state, transitions in old_life.internals.items():
        for t in transitions:
            if t.id in gone:
                loops.setdefault(state, []).append(t.id)
    by_id = {t.id: t for t in old.transitions}
    head = TAGS[lang]["removed"]
    for (source, target), ids in groups.items():
        lines = [f"{escape(head)} {escape(event_name(old, by_id[i].event, lang))}" for i in dict.fromkeys(ids)]
        arts = [a for i in dict.fromkeys(ids) for a in by_id[i].articles]
        if arts:
            lines.append(f'<FONT POINT-SIZE="9">{escape(cite_list(tuple(dict.fromkeys(arts))))}</FONT>')
        attrs = {**EDGE_STYLE["removed"], "constraint": "false", "id": f"removed_{ids[0]}"}
        if first_edge[(source, target)] and source in new.states and source in new_life.compounds:
            attrs["ltail"] = cluster_name(source)
        g.edge(node(source), node(target), xlabel="<" + "<BR/>".join(lines) + ">", **attrs)
    for state, ids in sorted(loops.items(), key=lambda kv: list(old.states).index(kv[0])):
        lines = [f"{escape(head)} {escape(event_name(old, by_id[i].event, lang))}" for i in dict.fromkeys(ids)]
        g.edge(node(state), node(state), label="<" + "<BR/>".join(lines) + ">",
               id=f"removed_loop_{state}", **EDGE_STYLE["removed"])  # fmt: skip
    for state in ghosts:
        g.node(f"removed__{state}", label=f"{state_name(old, state, lang)}\n{TAGS[lang]['removed']}", shape="box",
               style="rounded,dashed", color=COLOR["removed"], fontcolor="#6b757f",
               id=f"removed_state_{state}")  # fmt: skip


def add_legend(g: graphviz.Digraph, lang: str) -> None:
    """The legend of the marks, in the report's language."""
    texts = LEGEND[lang]
    rows = [f'<TR><TD ALIGN="LEFT"><B>{escape(texts["title"])}</B></TD></TR>']
    for kind in KINDS:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{COLOR[kind]}">'
                    f"{escape(texts[kind])}</FONT></TD></TR>")  # fmt: skip
    g.node("__marks_legend__", label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
           + "".join(rows) + "</TABLE>>", shape="box", style="rounded", color="#b8c0c8",
           margin="0.12,0.06", id="marks_legend")  # fmt: skip


def mermaid_removed(old: Spec, new: Spec, removed: list[str], removed_states: list[str], lang: str) -> Any:
    """The old version's transitions `removed` (ids) and states `removed_states` for the
    Mermaid lifecycle of `new` (mermaid.MermaidRemoved): a state-changing transition as an
    edge between the states as the new version has them (a state it lacks as a node
    `removed__<state>`), one that kept its state as a line of that state."""
    from .mermaid import MermaidRemoved

    gone = set(removed)
    old_life = Lifecycle(old)
    ghosts: dict[str, str] = {s: f"removed__{s}" for s in removed_states}

    def node(state: str) -> str:
        if state in new.states:
            return state
        ghosts.setdefault(state, f"removed__{state}")
        return ghosts[state]

    by_id = {t.id: t for t in old.transitions}
    head = TAGS[lang]["removed"]
    groups: dict[tuple[str, str], list[str]] = {}
    for edge in old_life.edges:
        if edge.transition.id in gone:
            groups.setdefault((node(edge.source), node(edge.target)), []).append(edge.transition.id)
    edges = []
    for (source, target), ids in groups.items():
        ids = list(dict.fromkeys(ids))
        names = "・".join(dict.fromkeys(event_name(old, by_id[i].event, lang) for i in ids))
        arts = cite_list(tuple(dict.fromkeys(a for i in ids for a in by_id[i].articles)))
        edges.append((source, target, tuple(ids), f"{head} {names}" + (f" {arts}" if arts else "")))
    internal: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for state, transitions in old_life.internals.items():
        by_name: dict[str, list[str]] = {}
        for t in transitions:
            if t.id in gone:
                by_name.setdefault(event_name(old, t.event, lang), []).append(t.id)
        for name, ids in by_name.items():
            internal.setdefault(node(state), []).append((tuple(ids), name))
    states = tuple((ghost, f"{state_name(old, s, lang)}{head}") for s, ghost in ghosts.items())
    return MermaidRemoved(tuple(edges), {k: tuple(v) for k, v in internal.items()}, states)
