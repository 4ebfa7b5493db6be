"""Structural properties of the lifecycle (P20 no deadlock, P21 every state reachable).

Both are checked on the statechart's graph (networkx, guards ignored) and then with Z3
witnesses on the real semantics (guards, calendar, money): a run that reaches the state,
and for every non-final state a run that leaves it. Every witness is replayed by the
executable model before it counts.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from yakkan.model.expr import BOOL, DATE, Type, enum_type, parse_expr
from yakkan.model.spec import NEXT, STATE_ENUM, Spec

from .properties import Goal


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
    """What the graph alone shows wrong (empty when nothing)."""
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
    """(state, goal) pairs: reach each state, or leave each non-final state."""
    from .encoding import prepare

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
