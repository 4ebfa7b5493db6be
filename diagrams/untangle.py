"""Labels that never overlap: the lifecycle's layout checked, and moved where needed.

Graphviz places the label of an edge that does not rank its ends (a flat edge, drawn as an
`xlabel`) after the layout, clear of the nodes but not always of the other edges' labels.
Here the layout is read back (`dot -Tjson`: every label's text runs with their widths), each
label is a box, and an `xlabel` that overlaps another box is moved to the nearest free place
(down or up, then aside, in steps of its height); the diagram is then drawn from the
positions (`neato -n2`), so nothing else moves. `label_boxes` is also what the tests use
to assert that no two labels overlap.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (Graphviz points, y upwards)
GAP = 2.0  # points kept between two labels


@dataclass(frozen=True)
class Label:
    owner: str  # a node's name, or an edge's id
    kind: str  # "node", "edge" or "xlabel"
    box: Box
    xlp: tuple[float, float] | None = None  # an xlabel's position (its centre)


def _text_box(ops: list[dict[str, Any]]) -> Box | None:
    size, boxes = 14.0, []
    for op in ops:
        if op.get("op") == "F":
            size = float(op.get("size", size))
        elif op.get("op") == "T":
            x, y = op["pt"]
            w = float(op.get("width", 0))
            x0 = {"l": x, "r": x - w}.get(op.get("align", "c"), x - w / 2)
            boxes.append((x0, y - 0.25 * size, x0 + w, y + 0.85 * size))
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def label_boxes(layout: dict[str, Any]) -> list[Label]:
    """Every node's and edge's label box in a `dot -Tjson` layout."""
    out: list[Label] = []
    names = {o["_gvid"]: o.get("name", "") for o in layout.get("objects", ())}
    for o in layout.get("objects", ()):
        if "nodes" in o or "_ldraw_" not in o:  # a cluster's title is its own: not a label here
            continue
        box = _text_box(o["_ldraw_"])
        if box:
            out.append(Label(o.get("name", ""), "node", box))
    for e in layout.get("edges", ()):
        owner = e.get("id") or f"{names.get(e['tail'])}->{names.get(e['head'])}"
        for key in ("_ldraw_", "_xldraw_", "_hldraw_", "_tldraw_"):
            if key not in e:
                continue
            box = _text_box(e[key])
            if box is None:
                continue
            if "xlp" in e and key in ("_ldraw_", "_xldraw_") and "lp" not in e:
                x, y = (float(v) for v in e["xlp"].split(","))
                out.append(Label(owner, "xlabel", box, (x, y)))
            else:
                out.append(Label(owner, "edge", box))
    return out


def _overlap(a: Box, b: Box, gap: float = GAP) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def overlaps(labels: list[Label], gap: float = 0.0) -> list[tuple[Label, Label]]:
    """The pairs of labels of different owners whose boxes overlap (by more than `gap`)."""
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a.owner != b.owner and _overlap(a.box, b.box, -gap):
                out.append((a, b))
    return out


def moves(labels: list[Label]) -> dict[str, tuple[float, float]]:
    """New positions for the xlabels that overlap another label: edge id → (x, y)."""
    placed = list(labels)
    out: dict[str, tuple[float, float]] = {}
    for lab in labels:
        if lab.kind != "xlabel" or lab.xlp is None:
            continue
        others = [o.box for o in placed if o.owner != lab.owner]
        if not any(_overlap(lab.box, o) for o in others):
            continue
        w, h = lab.box[2] - lab.box[0], lab.box[3] - lab.box[1]
        steps = [(0, k * h / 4) for k in range(1, 17)] + [(0, -k * h / 4) for k in range(1, 17)]
        steps += [(k * w / 4, 0) for k in range(1, 9)] + [(-k * w / 4, 0) for k in range(1, 9)]
        steps.sort(key=lambda d: (abs(d[0]) + abs(d[1]), d))
        for dx, dy in steps:
            box = (lab.box[0] + dx, lab.box[1] + dy, lab.box[2] + dx, lab.box[3] + dy)
            if not any(_overlap(box, o) for o in others):
                out[lab.owner] = (lab.xlp[0] + dx, lab.xlp[1] + dy)
                placed = [Label(p.owner, p.kind, box if p is lab else p.box, p.xlp) for p in placed]
                break
    return out


def moved_layout(laid_dot: str, new_xlp: dict[str, tuple[float, float]]) -> str:
    """The laid-out DOT text (`dot -Tdot`) with the xlabels of `new_xlp` at their new places."""
    for owner, (x, y) in sorted(new_xlp.items()):
        # -Tdot writes one attribute a line, in order: id, pos, xlabel (may hold brackets), xlp
        pattern = re.compile(r'(\bid=' + re.escape(owner) + r',(?:(?!\bid=).)*?\bxlp=")[^"]*(")', re.S)
        at = f"{x:.2f},{y:.2f}"
        laid_dot = pattern.sub(lambda m, at=at: f"{m.group(1)}{at}{m.group(2)}", laid_dot, count=1)
    return laid_dot


def layout_json(text: bytes) -> dict[str, Any]:
    return json.loads(text.decode("utf-8"))
