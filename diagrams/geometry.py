"""The drawn lifecycle's geometry: where each edge's line runs, and the labels it meets.

A reader follows a line to its label. Two faults break that: a line drawn through another
transition's (or a state's) label, so that the text is struck through and seems to belong
to the wrong line, and a label set so far from its line that it belongs to none. Both are
measured here on the layout the diagram is drawn from (`dot -Tjson` of the positioned
graph: every edge's Bézier curves and every text run with its width, the same numbers
the SVG is written from); the tests assert both are absent, in Japanese and in English.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .untangle import Box, Label, label_boxes

Point = tuple[float, float]
SAMPLES = 24  # points per cubic Bézier segment: under 2 points apart on this diagram's curves
SLACK = 1.0  # points by which a line may graze a label's box (its glyphs' side bearings)
NEAR = 16.0  # a label within this distance (points, about a line and a half) of its line reads as its own


@dataclass(frozen=True)
class Crossing:
    edge: str  # the id of the edge whose line crosses …
    label: str  # … the label of this owner (a state's name, or another edge's id)


def _bezier(points: list[Point]) -> list[Point]:
    """A Graphviz B-spline (1 + 3n control points) sampled into a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, SAMPLES + 1):
            t = k / SAMPLES
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _owner(edge_id: str) -> str:
    """The transition a line belongs to: the halves `x-in` and `x-out` of an edge drawn
    through its label node `x` (see `LifecycleDiagram._labelled_edge`) are both `x`'s."""
    for half in ("-in", "-out"):
        if edge_id.endswith(half):
            return edge_id[: -len(half)]
    return edge_id


def edge_lines(layout: dict[str, Any]) -> dict[str, list[list[Point]]]:
    """Every drawn edge's line (its owner → polylines), the arrowheads left out."""
    names = {o["_gvid"]: o.get("name", "") for o in layout.get("objects", ())}
    out: dict[str, list[list[Point]]] = {}
    for e in layout.get("edges", ()):
        owner = _owner(e.get("id") or f"{names.get(e['tail'])}->{names.get(e['head'])}")
        for op in e.get("_draw_", ()):
            if op.get("op") in ("b", "B"):
                pts = [(float(x), float(y)) for x, y in op["points"]]
                out.setdefault(owner, []).append(_bezier(pts))
    return out


def _hits(p: Point, q: Point, box: Box) -> bool:
    """Whether the segment p–q passes through `box` (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for num, den in ((p[0] - box[0], -dx), (box[2] - p[0], dx), (p[1] - box[1], -dy), (box[3] - p[1], dy)):
        if den == 0:
            if num < 0:
                return False
            continue
        r = num / den
        if den < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def _shrunk(box: Box, by: float = SLACK) -> Box:
    return (box[0] + by, box[1] + by, box[2] - by, box[3] - by)


def crossings(layout: dict[str, Any]) -> list[Crossing]:
    """Each (edge, label) where the edge's line runs through a label that is not its own."""
    lines = edge_lines(layout)
    labels = label_boxes(layout)
    out: dict[Crossing, None] = {}
    for edge, polylines in sorted(lines.items()):
        for lab in labels:
            if lab.owner == edge:
                continue
            box = _shrunk(lab.box)
            if any(_hits(a, b, box) for pl in polylines for a, b in zip(pl, pl[1:], strict=False)):
                out[Crossing(edge, lab.owner)] = None
    return list(out)


def _distance(p: Point, box: Box) -> float:
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return math.hypot(dx, dy)


def distance_to_line(label: Label, polylines: list[list[Point]]) -> float:
    """How far (points) `label`'s box is from the nearest sampled point of its line."""
    return min(_distance(p, label.box) for pl in polylines for p in pl)


def detached(layout: dict[str, Any], near: float = NEAR) -> dict[str, float]:
    """The edge labels farther than `near` points from their own line: edge id → distance
    (a label node counts as the label of the halves drawn through it)."""
    lines = edge_lines(layout)
    out: dict[str, float] = {}
    for lab in label_boxes(layout):
        if lab.owner not in lines:
            continue
        d = distance_to_line(lab, lines[lab.owner])
        if d > near:
            out[lab.owner] = round(max(d, out.get(lab.owner, 0.0)), 1)
    return out
