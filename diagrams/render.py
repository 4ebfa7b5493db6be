"""The lifecycle diagram in every output format: svg, png, pdf, dot and mermaid.

Every format is deterministic (same spec, same bytes; the PDF's creation date is fixed).
png and pdf are drawn by Graphviz's cairo renderer with the Noto Sans CJK JP font, so
Japanese labels render as Japanese glyphs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

import graphviz

from yakkan.model.spec import Spec

from .analysis import Lifecycle
from .errors import DiagramError
from .highlight import ScenarioPath
from .lifecycle import FONT, LifecycleDiagram
from .mermaid import mermaid_text
from .untangle import label_boxes, layout_json, moved_layout, moves

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
TEXT_FORMATS = ("svg", "dot", "mermaid")
PNG_DPI = 110
EXTENSIONS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "mermaid": "mmd"}


def render_diagram(spec: Spec, fmt: str = "svg", lang: str = "ja", path: ScenarioPath | None = None,
                   legend: bool = True, life: Lifecycle | None = None,
                   links: Callable[[tuple[str, ...]], str | None] | None = None) -> bytes:  # fmt: skip
    """The lifecycle diagram of `spec` as bytes in `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise DiagramError(f"unknown format '{fmt}'", hint=f"formats: {', '.join(FORMATS)}")
    if lang not in ("ja", "en"):
        raise DiagramError(f"unknown language '{lang}'", hint="languages: ja, en")
    life = life or Lifecycle(spec)
    if fmt == "mermaid":
        return mermaid_text(spec, lang, path, life).encode("utf-8")
    graph = LifecycleDiagram(spec, lang, path, legend, life, links if fmt == "svg" else None).build()
    if fmt == "dot":
        return graph.source.encode("utf-8")
    return pipe(graph, fmt)


def pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Lay out and render `graph` with Graphviz's dot (cairo for png and pdf)."""
    renderer = "cairo" if fmt in ("png", "pdf") else None
    if fmt == "png":  # a sharper bitmap; for SVG, Graphviz 2.43 would clip a scaled drawing
        graph = graph.copy()
        graph.attr(dpi=str(PNG_DPI))
    try:
        data = _untangled(graph).pipe(format=fmt, renderer=renderer, neato_no_op=2)
        return _fixed_creation_date(data) if fmt == "pdf" else data
    except graphviz.ExecutableNotFound:
        raise DiagramError(
            "Graphviz's `dot` program is not installed", hint="run scripts/setup.sh (Debian: apt-get install graphviz)"
        ) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise DiagramError("Graphviz could not draw the diagram: " + (detail[-1] if detail else str(exc))) from None


def _untangled(graph: graphviz.Digraph) -> graphviz.Source:
    """The graph laid out by dot, its overlapping xlabels moved (`untangle`), as positioned
    DOT that `neato -n2` draws as laid out."""
    laid = graph.pipe(format="dot").decode("utf-8")
    layout = layout_json(graphviz.Source(laid, engine="neato").pipe(format="json", neato_no_op=2))
    new = moves(label_boxes(layout))
    return graphviz.Source(moved_layout(laid, new) if new else laid, engine="neato")


_PDF_DATE = re.compile(rb"/CreationDate \(D:\d{14}Z\)")


def _fixed_creation_date(pdf: bytes) -> bytes:
    """The PDF with cairo's creation time replaced by a fixed one of the same length, so that
    the same spec gives the same bytes (no offset in the file moves)."""
    return _PDF_DATE.sub(b"/CreationDate (D:20000101000000Z)", pdf, count=1)


def font_available(family: str = FONT) -> bool:
    """Whether fontconfig knows `family` (the CJK font PNG and PDF need)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
    return any(family in line.split(",") for line in out.splitlines())
