"""The lifecycle as Mermaid `stateDiagram-v2` text, for Markdown and pull requests.

Same analysis as the Graphviz diagram: the compound state is a composite state, final
states lead to `[*]`, an edge is labelled with its event, a short guard and its articles,
and each state's internal events are its description lines. With a scenario path, the
visited states get the class `visited`, the edges travelled carry their step numbers
and refused events are noted beside their state.
"""

from __future__ import annotations

import re

from yakkan.model.spec import Spec

from .analysis import DrawnEdge, Lifecycle
from .highlight import ScenarioPath
from .i18n import cite_list, event_name, state_name, t
from .readable import Readable, pack, wrap

GUARD_LIMIT = 44
_UNSAFE = re.compile(r"[;#:\n\r\"`{}]")


def _clean(text: str) -> str:
    """Text safe inside a Mermaid label (no statement separators, quotes or comments)."""
    return _UNSAFE.sub(lambda m: {":": "：", ";": "；", "#": "＃", '"': "”", "`": "'",
                                  "{": "(", "}": ")"}.get(m.group(0), " "), text).strip()  # fmt: skip


def mermaid_text(spec: Spec, lang: str = "ja", path: ScenarioPath | None = None,
                 life: Lifecycle | None = None) -> str:  # fmt: skip
    """The Mermaid stateDiagram-v2 source of the lifecycle (deterministic)."""
    life = life or Lifecycle(spec)
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
        out.append(f'{indent}state "{_clean(title)}" as {state}')
        out.append(f"{indent}{state} : {_clean(sub + cites)}")
        internal = life.internals.get(state, ())
        names = list(dict.fromkeys(event_name(spec, tr.event, lang) for tr in internal))
        for line in pack(names, 40, sep):
            out.append(f"{indent}{state} : {_clean(line)}")

    def label(edge: DrawnEdge, first: bool) -> str:
        tr = edge.transition
        parts = []
        nums = numbers.get(edge.key)
        if nums:
            parts.append(", ".join(map(str, nums)) + ".")
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
            out.append(f"{indent}{edge.source} --> {edge.target} : {label(edge, first)}")

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
            out.append(f'    state "{_clean(title)}" as {top} {{')
            members = set(life.leaves_of(top))
            for leaf in life.order:
                if leaf in members:
                    declare(leaf, "        ")
            edges_within(members, "        ")
            out.append("    }")
            shared = life.internals.get(top, ())
            if shared:
                names = list(dict.fromkeys(event_name(spec, tr.event, lang) for tr in shared))
                out.append(f"    note right of {top}")
                out.append(f"        {_clean(t(lang, 'internal_all'))}")
                for line in pack(names, 40, sep):
                    out.append(f"        {_clean(line)}")
                out.append("    end note")
        else:
            declare(top, "    ")
    for edge in life.edges:
        if not _crosses(life, edge):
            continue
        first = edge.transition.id not in shown
        shown.add(edge.transition.id)
        out.append(f"    {edge.source} --> {edge.target} : {label(edge, first)}")
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
    return "\n".join(out) + "\n"


def _crosses(life: Lifecycle, edge: DrawnEdge) -> bool:
    """An edge not inside one compound state (drawn at the top level)."""
    src_top = life.top(edge.source) if edge.source in life.leaves else edge.source
    return not (src_top == life.top(edge.target) and src_top in life.compounds
                and edge.source != src_top)  # fmt: skip
