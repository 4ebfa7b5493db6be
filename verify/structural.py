"""Structural properties: of the lifecycle (P20 no deadlock, P21 every state reachable),
and of the spec against the terms text (P67 every figure as the terms write it).

The lifecycle's are checked on the statechart's graph (networkx, guards ignored) and then
with Z3 witnesses on the real semantics (guards, calendar, money): a run that reaches the
state, and for every non-final state a run that leaves it. Every witness is replayed by
the executable model before it counts. ``figures_as_written`` reads the terms text: the
number the words a parameter quotes write is its value (`yakkan.terms.figures`); it has
no witness to look for.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from yakkan.model.expr import BOOL, DATE, Type, enum_type, parse_expr
from yakkan.model.spec import FIGURES_AS_WRITTEN, NEXT, STATE_ENUM, Spec

from .properties import Goal

FIGURES_WHY = "every figure the terms write is the value of the parameter that quotes it"


def lifecycle_graph(spec: Spec) -> nx.DiGraph:
    """Leaf states, and an edge for every transition that changes the state."""
    g = nx.DiGraph()
    g.add_nodes_from(spec.leaf_states)
    for t in spec.transitions:
        for s in t.sources:
            if t.target is not None and t.target != s:
                g.add_edge(s, t.target, transition=t.id)
    return g


def graph_findings(spec: Spec, check: str) -> list[str]:
    """What the graph alone shows wrong (empty when nothing); for ``figures_as_written``,
    each figure of the terms that the parameter quoting it does not hold."""
    if check == FIGURES_AS_WRITTEN:
        from yakkan.terms.figures import load

        return [f.problem() for f in load(spec) if not f.as_written]
    g = lifecycle_graph(spec)
    out = []
    if check == "all_states_reachable":
        seen = nx.descendants(g, spec.initial_state) | {spec.initial_state}
        out += [f"state {s} has no path from {spec.initial_state}" for s in spec.leaf_states if s not in seen]
    else:
        finals = {s for s in spec.leaf_states if spec.states[s].final}
        for s in spec.leaf_states:
            if s in finals:
                continue
            if g.out_degree(s) == 0:
                out.append(f"state {s} has no transition to another state")
            elif not (nx.descendants(g, s) & finals):
                out.append(f"state {s} cannot reach a final state")
    return out


def goals(spec: Spec, check: str) -> Iterator[tuple[str, Goal]]:
    """(state, goal) pairs: reach each state, or leave each non-final state (none for
    ``figures_as_written``: the text is all it reads)."""
    from .encoding import prepare

    if check == FIGURES_AS_WRITTEN:
        return

    env = _step_env(spec)
    for s in spec.leaf_states:
        if check == "all_states_reachable":
            if s == spec.initial_state:
                continue
            text, kind = f"state == '{s}'", "state"
        else:
            if spec.states[s].final:
                continue
            text, kind = f"state == '{s}' and {NEXT}state != '{s}'", "step"
        expr = parse_expr(text, env, spec.enums, BOOL)
        yield s, Goal(text, kind, prepare(expr), expr, want=True)


def _step_env(spec: Spec) -> dict[str, Type]:
    env: dict[str, Type] = {n: v.type for n, v in spec.variables.items()}
    env["state"] = enum_type(STATE_ENUM)
    env[NEXT + "state"] = enum_type(STATE_ENUM)
    env["today"] = DATE
    return env
