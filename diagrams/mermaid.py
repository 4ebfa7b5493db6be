"""The lifecycle as Mermaid `stateDiagram-v2` text, for Markdown and pull requests.

Same analysis as the Graphviz diagram: the compound state is a composite state, final
states lead to `[*]`, an edge is labelled with its event, a short guard and its articles,
and each state's internal events are its description lines. With a scenario path, the
visited states get the class `visited`, the edges travelled carry their step numbers
and refused events are noted beside their state.

With `marks` (a review of a change of the terms, terms/review_diagram.py), a transition or
state the change added or changed carries its tag (「追加」, 「変更」) in its label and a
`%% <tag> <transition id>` comment before the line or note that shows it; marked states
get the classes `added` / `changed`; `removed` adds the old version's dropped transitions
(「削除」) and states (class `removed`). A state diagram cannot style its transitions
(Mermaid has no `linkStyle` for `stateDiagram`, mermaid-js/mermaid#1352): the tag in the
label is the transition's mark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yakkan.model.spec import Spec

from .analysis import DrawnEdge, Lifecycle
from .highlight import ScenarioPath
from .i18n import cite_list, event_name, state_name, t
from .marks import TAGS, Marks
from .readable import Readable, pack, wrap

GUARD_LIMIT = 44
_UNSAFE = re.compile(r"[;#:\n\r\"`{}]")


def _clean(text: str) -> str:
    """Text safe inside a Mermaid label (no statement separators, quotes or comments)."""
    return _UNSAFE.sub(lambda m: {":": "：", ";": "；", "#": "＃", '"': "”", "`": "'",
                                  "{": "(", "}": ")"}.get(m.group(0), " "), text).strip()  # fmt: skip


MARK_CLASSES = {"added": "fill:#e8f5e9,stroke:#1b7f3b,stroke-width:3px",
                "changed": "fill:#fff4e5,stroke:#d9730d,stroke-width:3px",
                "removed": "fill:#f5f5f5,stroke:#8a949e,stroke-width:2px,stroke-dasharray:5 5"}  # fmt: skip


@dataclass(frozen=True)
class MermaidRemoved:
    """The old version's dropped transitions and states, to draw on the new lifecycle:
    `edges` (source, target, transition ids, label) between states as the new version
    draws them, `internal` state → (transition ids, event name) kept as a line of that
    state, `states` (node id, title) of states the new version lacks."""

    edges: tuple[tuple[str, str, tuple[str, ...], str], ...] = ()
    internal: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)
    states: tuple[tuple[str, str], ...] = ()


def mermaid_text(spec: Spec, lang: str = "ja", path: ScenarioPath | None = None,
                 life: Lifecycle | None = None, marks: Marks | None = None,
                 removed: MermaidRemoved | None = None) -> str:  # fmt: skip
    """The Mermaid stateDiagram-v2 source of the lifecycle (deterministic); `marks` and
    `removed`: a review's marks (module docstring)."""
    life = life or Lifecycle(spec)
    removed = removed or MermaidRemoved()
    text = Readable(spec)
    out = ["stateDiagram-v2", "    direction TB"]
    sep = "・" if lang == "ja" else ", "
    numbers: dict[str, list[int]] = {}
    if path:
        for s in path.steps:
            if s.edge:
                numbers.setdefault(s.edge, []).append(s.n)

    def declare(state: str, indent: str) -> None:
        d = spec.states[state]
        title = state_name(spec, state, lang)
        sub = state if lang == "ja" else d.ja
        cites = f" [{cite_list(d.articles)}]" if d.articles else ""
        kind = marks.states.get(state) if marks else None
        if kind:
            title += TAGS[lang][kind]
        out.append(f'{indent}state "{_clean(title)}" as {state}')
        out.append(f"{indent}{state} : {_clean(sub + cites)}")
        plain, marked = internal_names(life.internals.get(state, ()))
        for line in pack(plain, 40, sep):
            out.append(f"{indent}{state} : {_clean(line)}")
        for ids, tag, name in marked:
            out.extend([f"{indent}%% {tag} {i}" for i in ids])
            out.append(f"{indent}{state} : {_clean(f'{tag} {name}')}")
        for ids, name in removed.internal.get(state, ()):
            tag = TAGS[lang]["removed"]
            out.extend([f"{indent}%% {tag} {i}" for i in ids])
            out.append(f"{indent}{state} : {_clean(f'{tag} {name}')}")

    def internal_names(transitions: tuple[Any, ...]) -> tuple[list[str], list[tuple[list[str], str, str]]]:
        """The internal events' names: unmarked ones, and marked ones with their transitions'
        ids and their strongest tag."""
        by_name: dict[str, list[Any]] = {}
        for tr in transitions:
            by_name.setdefault(event_name(spec, tr.event, lang), []).append(tr)
        plain, marked = [], []
        for name, trs in by_name.items():
            kind = marks.strongest([tr.id for tr in trs]) if marks else None
            if kind is None:
                plain.append(name)
            else:
                ids = [tr.id for tr in trs if tr.id in marks.transitions]  # type: ignore[union-attr]
                marked.append((ids, TAGS[lang][kind], name))
        return plain, marked

    def mark_of(edge: DrawnEdge, indent: str) -> list[str]:
        """The comment line before a marked edge (none when it is not marked)."""
        kind = marks.transitions.get(edge.transition.id) if marks else None
        return [f"{indent}%% {TAGS[lang][kind]} {edge.transition.id}"] if kind else []

    def label(edge: DrawnEdge, first: bool) -> str:
        tr = edge.transition
        parts = []
        nums = numbers.get(edge.key)
        if nums:
            parts.append(", ".join(map(str, nums)) + ".")
        kind = marks.transitions.get(tr.id) if marks else None
        if kind:
            parts.append(TAGS[lang][kind])
        parts.append(event_name(spec, tr.event, lang))
        if first and tr.guard:
            parts.append(f"[{text.guard(tr, lang, GUARD_LIMIT)}]")
        if first and tr.articles:
            parts.append(cite_list(tr.articles))
        return _clean(" ".join(parts))

    shown: set[str] = set()

    def edges_within(members: set[str], indent: str) -> None:
        for edge in life.edges:
            inside = edge.source in members and edge.target in members
            if not inside:
                continue
            first = edge.transition.id not in shown
            shown.add(edge.transition.id)
            out.extend(mark_of(edge, indent))
            out.append(f"{indent}{edge.source} --> {edge.target} : {label(edge, first)}")
        for source, target, ids, words in removed.edges:
            if source in members and target in members:
                out.extend([f"{indent}%% {TAGS[lang]['removed']} {i}" for i in ids])
                out.append(f"{indent}{source} --> {target} : {_clean(words)}")

    tops: dict[str, None] = {}
    for leaf in life.order:
        tops[life.top(leaf)] = None
    ev = spec.creating_event
    start_label = " ".join(p for p in (
        "1." if path and any(s.source is None for s in path.steps) else "",
        event_name(spec, ev.name, lang), cite_list(ev.articles)) if p)  # fmt: skip
    out.append(f"    [*] --> {spec.initial_state} : {_clean(start_label)}")
    for top in tops:
        if spec.states[top].compound:
            d = spec.states[top]
            cites = f" [{cite_list(d.articles)}]" if d.articles else ""
            title = state_name(spec, top, lang) + cites
            kind = marks.states.get(top) if marks else None
            title += TAGS[lang][kind] if kind else ""
            out.append(f'    state "{_clean(title)}" as {top} {{')
            members = set(life.leaves_of(top))
            for leaf in life.order:
                if leaf in members:
                    declare(leaf, "        ")
            edges_within(members, "        ")
            out.append("    }")
            shared = life.internals.get(top, ())
            gone = removed.internal.get(top, ())
            if shared or gone:
                plain, marked = internal_names(shared)
                tag = TAGS[lang]["removed"]
                marked += [(list(ids), tag, name) for ids, name in gone]
                for ids, tag, _ in marked:  # a note's lines are its text: the comments go before it
                    out.extend([f"    %% {tag} {i}" for i in ids])
                out.append(f"    note right of {top}")
                out.append(f"        {_clean(t(lang, 'internal_all'))}")
                for line in pack(plain, 40, sep):
                    out.append(f"        {_clean(line)}")
                for _, tag, name in marked:
                    out.append(f"        {_clean(f'{tag} {name}')}")
                out.append("    end note")
        else:
            declare(top, "    ")
    for node, title in removed.states:
        out.append(f'    state "{_clean(title)}" as {node}')
        for ids, name in removed.internal.get(node, ()):
            out.extend([f"    %% {TAGS[lang]['removed']} {i}" for i in ids])
            out.append(f"    {node} : {_clean(TAGS[lang]['removed'] + ' ' + name)}")
    for edge in life.edges:
        if not _crosses(life, edge):
            continue
        first = edge.transition.id not in shown
        shown.add(edge.transition.id)
        out.extend(mark_of(edge, "    "))
        out.append(f"    {edge.source} --> {edge.target} : {label(edge, first)}")
    for source, target, ids, words in removed.edges:
        if not any(source in life.leaves_of(c) and target in life.leaves_of(c) for c in life.compounds):
            out.extend([f"    %% {TAGS[lang]['removed']} {i}" for i in ids])
            out.append(f"    {source} --> {target} : {_clean(words)}")
    for final in life.finals:
        out.append(f"    {final} --> [*]")
    if path:
        for state in dict.fromkeys(s.source for s in path.steps if not s.accepted and s.source):
            refused = [s for s in path.steps if not s.accepted and s.source == state]
            out.append(f"    note left of {state}")
            for s in refused:
                out.append(f"        ✗ {s.n}. {_clean(event_name(spec, s.event, lang))} "
                           f"[{_clean(cite_list(s.articles))}]")  # fmt: skip
                rule = s.rule_in(lang)
                for line in wrap(rule, 56) if rule else ():  # the reason in full, as in the Graphviz diagram
                    out.append(f"        {_clean(line)}")
            out.append("    end note")
        out.append("    classDef visited fill:#fff3cd,stroke:#c62828,stroke-width:2px")
        for state in path.visited:
            out.append(f"    class {state} visited")
    out.append("    classDef final fill:#eeeeee,stroke:#3b4a5a,stroke-width:3px")
    for final in life.finals:
        if not path or final not in path.visited:
            out.append(f"    class {final} final")
    if marks is not None:
        styled = [(s, k) for s, k in marks.states.items() if s in spec.states and not spec.states[s].compound]
        styled += [(node, "removed") for node, _ in removed.states]
        for kind in dict.fromkeys(k for _, k in styled):  # a composite state takes no class: its title is tagged
            out.append(f"    classDef {kind} {MARK_CLASSES[kind]}")
        out.extend([f"    class {s} {k}" for s, k in styled])
    return "\n".join(out) + "\n"


def _crosses(life: Lifecycle, edge: DrawnEdge) -> bool:
    """An edge not inside one compound state (drawn at the top level)."""
    src_top = life.top(edge.source) if edge.source in life.leaves else edge.source
    return not (src_top == life.top(edge.target) and src_top in life.compounds
                and edge.source != src_top)  # fmt: skip
