"""The review's diagram: the new lifecycle with the transitions and states the change
added, changed or removed marked (issue 11, item 2, *the diagram*).

Derived from the two specs, never drawn by hand: which transitions and states changed is
the model diff's (review.py: a transition's sources, event, guard clauses and their rule
texts, effects, target or articles; a state's names or finality); the drawing is the
lifecycle diagram's (diagrams/lifecycle.py) with the marks of diagrams/marks.py, and the
old version's removed transitions drawn dashed and grey from the old spec. The same two
specs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yakkan.model.spec import Spec

from .review import Change

FILE = "lifecycle.{lang}.{ext}"  # beside the HTML pages; beside the Markdown as <stem>.lifecycle.<lang>.<ext>


@dataclass(frozen=True)
class MarkedTransition:
    """A transition the diagram marks: `kind` is added, changed or removed (drawn from the
    old spec when removed)."""

    id: str
    kind: str
    event: str
    sources: tuple[str, ...]  # as the spec writes them (a compound state stands for its modes)
    target: str | None  # None: the transition keeps its state
    articles: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "event": self.event, "sources": list(self.sources),
                "target": self.target, "articles": list(self.articles)}  # fmt: skip


@dataclass(frozen=True)
class DiagramChanges:
    """The marks of one review: transitions (the new spec's order, then the removed ones in
    the old spec's order) and states (id, kind)."""

    transitions: tuple[MarkedTransition, ...]
    states: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {"transitions": [t.to_json() for t in self.transitions],
                "states": [{"id": s, "kind": k} for s, k in self.states]}  # fmt: skip

    def marks(self) -> Any:
        from yakkan.diagrams.marks import Marks

        return Marks(transitions={t.id: t.kind for t in self.transitions if t.kind != "removed"},
                     states={s: k for s, k in self.states if k != "removed"})  # fmt: skip

    @property
    def removed(self) -> list[str]:
        return [t.id for t in self.transitions if t.kind == "removed"]


def diagram_changes(old: Spec, new: Spec, model: list[Change]) -> DiagramChanges:
    """The transitions and states the model diff found added, changed or removed."""
    kind = {(c.section, c.element): c.kind for c in model if c.section in ("transitions", "states")}
    marked = []
    for spec, wanted in ((new, ("added", "changed")), (old, ("removed",))):
        for t in spec.transitions:
            k = kind.get(("transitions", t.id))
            if k in wanted:
                marked.append(MarkedTransition(t.id, k, t.event, tuple(t.source_spec), t.target, tuple(t.articles)))
    states = [(s, kind[("states", s)]) for s in new.states if kind.get(("states", s)) in ("added", "changed")]
    states += [(s, "removed") for s in old.states if kind.get(("states", s)) == "removed"]
    return DiagramChanges(tuple(marked), tuple(states))


def render_review_diagram(old: Spec, new: Spec, changes: DiagramChanges, lang: str, fmt: str = "svg") -> bytes:
    """The new lifecycle in `fmt` (svg or png) with `changes` marked and their legend."""
    from yakkan.diagrams.analysis import Lifecycle
    from yakkan.diagrams.lifecycle import LifecycleDiagram
    from yakkan.diagrams.marks import add_legend, add_removed
    from yakkan.diagrams.render import pipe

    life = Lifecycle(new)
    graph = LifecycleDiagram(new, lang, life=life, marks=changes.marks()).build()
    add_removed(graph, old, new, life, changes.removed, lang)
    add_legend(graph, lang)
    return pipe(graph, fmt)


def transition_rows(old: Spec, new: Spec, changes: DiagramChanges, lang: str) -> list[list[str]]:
    """The marked transitions as table rows: mark, id, event, from → to, articles, each name
    in `lang` (a removed transition's names from the old spec)."""
    from yakkan.diagrams.i18n import cite_list, event_name, state_name
    from yakkan.diagrams.marks import TAGS

    def state(spec: Spec, s: str) -> str:
        s = s.rsplit(".", 1)[-1]
        return state_name(spec, s, lang) if s in spec.states else s

    rows = []
    for t in changes.transitions:
        spec = old if t.kind == "removed" else new
        sep = "・" if lang == "ja" else ", "
        target = state(spec, t.target) if t.target else ("（状態は変わらない）" if lang == "ja" else "(same state)")
        rows.append([TAGS[lang][t.kind], t.id, event_name(spec, t.event, lang),
                     f"{sep.join(state(spec, x) for x in t.sources)} → {target}", cite_list(t.articles)])  # fmt: skip
    return rows
