"""Layout-independent analysis of the lifecycle: the graph, its ranks and its groups.

Everything the diagram, the Mermaid text and the docs draw comes from here, computed with
networkx on the spec alone, before any layout:

* `graph`: a MultiDiGraph of the leaf states with one edge per state-changing transition
  and source leaf (keyed by the transition id);
* `ranks`: distance from the initial state (breadth first), which orders nodes and marks
  the edges that go back (drawn without constraining the layout);
* `edges`: the edges to draw, a transition whose sources cover a whole compound state
  being drawn once from that compound (the cluster) rather than once per mode;
* `internals`: the transitions that keep the state (bookkeeping such as pay or the
  monthly bill), grouped by the state or compound that holds them, so that they are
  listed inside the state rather than drawn as loops;
* `schedulers`: for each calendar event, the transitions that set the date it fires on
  (e.g. cancel, terminate and announce_abolition set `end_date`, the day `contract_ends`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from yakkan.model.spec import Spec, TransitionDef


@dataclass(frozen=True)
class DrawnEdge:
    """One state-changing edge as drawn: from a leaf, or from a whole compound state."""

    key: str
    transition: TransitionDef
    source: str
    target: str
    from_compound: bool
    back: bool


class Lifecycle:
    """The analysed lifecycle of one spec (see the module docstring)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    # -- structure ---------------------------------------------------------------------------

    @cached_property
    def leaves(self) -> tuple[str, ...]:
        return self.spec.leaf_states

    @cached_property
    def compounds(self) -> tuple[str, ...]:
        return tuple(s for s, d in self.spec.states.items() if d.compound)

    def leaves_of(self, state: str) -> tuple[str, ...]:
        d = self.spec.states[state]
        if not d.compound:
            return (state,)
        return tuple(leaf for c in d.children for leaf in self.leaves_of(c))

    def top(self, leaf: str) -> str:
        """The outermost state containing `leaf` (itself when it is top level)."""
        anc = self.spec.ancestors(leaf)
        return anc[-1] if anc else leaf

    @cached_property
    def finals(self) -> tuple[str, ...]:
        return tuple(s for s in self.leaves if self.spec.states[s].final)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for s in self.leaves:
            g.add_node(s, final=self.spec.states[s].final, parent=self.spec.states[s].parent)
        for t in self.spec.transitions:
            if t.target is None:
                continue
            for s in t.sources:
                if s != t.target:
                    g.add_edge(s, t.target, key=t.id, event=t.event)
        return g

    @cached_property
    def ranks(self) -> Mapping[str, int]:
        """Breadth-first distance from the initial state; unreachable states rank last."""
        dist = nx.single_source_shortest_path_length(self.graph, self.spec.initial_state)
        worst = max(dist.values(), default=0) + 1
        return {s: dist.get(s, worst) for s in self.leaves}

    @cached_property
    def layers(self) -> Mapping[str, int]:
        """Rows to draw: the longest path from the initial state over the forward edges.

        An edge is forward when it leads to a higher breadth-first rank, or into a final
        state; the others (back to an earlier state, or between modes of one rank) are
        drawn without ranking their ends. A final state thus sits below every state that
        leads to it."""
        dag = nx.DiGraph()
        dag.add_nodes_from(self.leaves)
        for u, v in self.graph.edges():
            if v in self.finals or self.ranks[v] > self.ranks[u]:
                dag.add_edge(u, v)
        if not nx.is_directed_acyclic_graph(dag):  # a cycle through a final state: fall back
            return dict(self.ranks)
        layer: dict[str, int] = {}
        for s in nx.lexicographical_topological_sort(dag, key=self.leaves.index):
            preds = [layer[p] + 1 for p in dag.predecessors(s)]
            layer[s] = max(preds, default=0)
        return layer

    @cached_property
    def order(self) -> tuple[str, ...]:
        """Leaf states by drawing row, then in the spec's order."""
        pos = {s: i for i, s in enumerate(self.leaves)}
        return tuple(sorted(self.leaves, key=lambda s: (self.layers[s], pos[s])))

    @cached_property
    def unreachable(self) -> tuple[str, ...]:
        seen = nx.descendants(self.graph, self.spec.initial_state) | {self.spec.initial_state}
        return tuple(s for s in self.leaves if s not in seen)

    # -- grouping -----------------------------------------------------------------------------

    def group_sources(self, sources: tuple[str, ...], avoid: str | None = None) -> list[str]:
        """`sources` with every compound whose leaves are all present folded into it.

        A compound that contains `avoid` (the target) is not folded: an edge cannot start
        from a cluster and end inside it."""
        left = list(sources)
        out: list[str] = []
        for c in self.compounds:
            members = self.leaves_of(c)
            if avoid in members or not all(m in left for m in members):
                continue
            if any(c in self.leaves_of(o) for o in out if o in self.compounds):
                continue
            out.append(c)
            left = [s for s in left if s not in members]
        return out + left

    @cached_property
    def edges(self) -> tuple[DrawnEdge, ...]:
        out = []
        for t in self.spec.transitions:
            if t.target is None:
                continue
            for src in self.group_sources(t.sources, avoid=t.target):
                if src == t.target:
                    continue
                rank_src = min(self.ranks[s] for s in self.leaves_of(src))
                out.append(DrawnEdge(
                    key=f"{t.id}:{src}", transition=t, source=src, target=t.target,
                    from_compound=src in self.compounds,
                    back=self.ranks[t.target] <= rank_src and t.target not in self.finals,
                ))  # fmt: skip
        return tuple(out)

    def edge_for(self, transition_id: str, leaf: str) -> DrawnEdge | None:
        """The drawn edge a step of `transition_id` from `leaf` travels on."""
        for e in self.edges:
            if e.transition.id == transition_id and leaf in self.leaves_of(e.source):
                return e
        return None

    @cached_property
    def internals(self) -> Mapping[str, tuple[TransitionDef, ...]]:
        """State or compound → the transitions that keep the state, in the spec's order."""
        out: dict[str, list[TransitionDef]] = {}
        for t in self.spec.transitions:
            sources = t.sources if t.target is None else tuple(s for s in t.sources if s == t.target)
            for holder in self.group_sources(sources):
                out.setdefault(holder, []).append(t)
        return {k: tuple(v) for k, v in out.items()}

    def internal_at(self, leaf: str) -> tuple[TransitionDef, ...]:
        """Every internal transition available in `leaf`, also those held by its compound."""
        return tuple(t for t in self.spec.transitions if t.target in (None, leaf) and leaf in t.sources)

    # -- the calendar ----------------------------------------------------------------------------

    @cached_property
    def schedulers(self) -> Mapping[str, tuple[TransitionDef, ...]]:
        """Calendar event → transitions (other than its own) that set the date it fires on."""
        out: dict[str, tuple[TransitionDef, ...]] = {}
        for ev in self.spec.calendar_events:
            if ev.at is None:
                continue
            names = ev.at.names() & set(self.spec.variables)
            out[ev.name] = tuple(
                t for t in self.spec.transitions
                if t.event != ev.name and any(a.target in names for a in t.effects)
                and t.event in self.spec.events and self.spec.events[t.event].by != "calendar"
            )  # fmt: skip
        return out
