"""The review's diagram: the new lifecycle with the transitions and states the change
added, changed or removed marked (issue 11, item 2, *the diagram*).

Derived from the two specs, never drawn by hand: which transitions and states changed is
the model diff's (review.py: a transition's sources, event, guard clauses and their rule
texts, effects, target or articles; a state's names or finality) — and a transition
whose text is the same is changed when a procedure it calls, directly or through another
procedure, changed its body (its effects are then not what they were); the drawing is the
lifecycle diagram's (diagrams/lifecycle.py) with the marks of diagrams/marks.py, and the
old version's removed transitions drawn dashed and grey from the old spec. The same two
specs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yakkan.model.spec import Spec

from .review import Change

FILE = "lifecycle.{lang}.{ext}"  # beside the HTML pages (the Markdown carries the Mermaid text)


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
    procedures: tuple[str, ...] = ()  # the changed procedures it calls (directly or not): "procedure X changed"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "event": self.event, "sources": list(self.sources),
                "target": self.target, "articles": list(self.articles),
                "procedures": list(self.procedures)}  # fmt: skip

    def reason(self, lang: str) -> str:
        """Why a transition whose text is the same is marked: 「手続 bill_now の変更」."""
        if not self.procedures:
            return ""
        names = ("、" if lang == "ja" else ", ").join(self.procedures)
        return f"手続 {names} の変更" if lang == "ja" else f"procedure {names} changed"


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
    """The transitions and states the model diff found added, changed or removed, and the
    transitions of both versions that call a procedure whose body changed (changed)."""
    kind = {(c.section, c.element): c.kind for c in model if c.section in ("transitions", "states")}
    changed_procs = changed_procedures(old, new)
    marked = []
    for spec, wanted in ((new, ("added", "changed")), (old, ("removed",))):
        for t in spec.transitions:
            k = kind.get(("transitions", t.id))
            procs = tuple(p for p in calls(spec, t.effect_texts) if p in changed_procs) if k != "added" else ()
            if k is None and procs and spec is new:
                k = "changed"
            if k in wanted:
                marked.append(MarkedTransition(t.id, k, t.event, tuple(t.source_spec), t.target, tuple(t.articles),
                                               procs if k == "changed" else ()))  # fmt: skip
    states = [(s, kind[("states", s)]) for s in new.states if kind.get(("states", s)) in ("added", "changed")]
    states += [(s, "removed") for s in old.states if kind.get(("states", s)) == "removed"]
    return DiagramChanges(tuple(marked), tuple(states))


def changed_procedures(old: Spec, new: Spec) -> set[str]:
    """Procedures of both versions whose body or parameter differs (a text or doc alone is no
    change of what a transition does)."""
    return {n for n, p in new.procedures.items() if n in old.procedures
            and (p.body, p.parameter) != (old.procedures[n].body, old.procedures[n].parameter)}  # fmt: skip


def calls(spec: Spec, statements: tuple[str, ...] | list[str]) -> list[str]:
    """The procedures `statements` (a transition's effects) call, directly or through another
    procedure, in the order they are first called (the spec loader's reading of a call)."""
    from yakkan.model.spec import _Loader  # the one reading of `name(argument)` the loader expands

    out: dict[str, None] = {}
    todo = list(statements)
    while todo:
        call = _Loader._call(todo.pop(0))
        if call is None or call[0] not in spec.procedures or call[0] in out:
            continue
        out[call[0]] = None
        todo = [*spec.procedures[call[0]].body, *todo]
    return list(out)


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


def render_review_mermaid(old: Spec, new: Spec, changes: DiagramChanges, lang: str) -> str:
    """The new lifecycle as Mermaid text (diagrams/mermaid.py, what `yakkan diagram --format
    mermaid` writes) with `changes` marked: the tags in the labels, a `%% <tag> <id>` comment
    before each marked transition's line, the marked states' classes — for a pull-request
    comment, where GitHub draws Mermaid and no file of the runner's can be shown."""
    from yakkan.diagrams.analysis import Lifecycle
    from yakkan.diagrams.marks import mermaid_removed
    from yakkan.diagrams.mermaid import mermaid_text

    gone_states = [s for s, k in changes.states if k == "removed"]
    removed = mermaid_removed(old, new, changes.removed, gone_states, lang)
    return mermaid_text(new, lang, life=Lifecycle(new), marks=changes.marks(), removed=removed)


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
        why = t.reason(lang)
        mark = TAGS[lang][t.kind] + (f"（{why}）" if lang == "ja" else f" ({why})") if why else TAGS[lang][t.kind]
        rows.append([mark, t.id, event_name(spec, t.event, lang),
                     f"{sep.join(state(spec, x) for x in t.sources)} → {target}", cite_list(t.articles)])  # fmt: skip
    return rows
