"""yakkan.diagrams — the lifecycle diagram and the documentation site, made from the spec.

Public API:

* `render_diagram(spec, fmt="svg", lang="ja", path=None) -> bytes` — the lifecycle in svg,
  png, pdf, dot or mermaid; `path` (from `path_of_scenario`) highlights a scenario;
* `path_of_scenario(spec, scenario_file) -> ScenarioPath` — a scenario's replayed path;
* `write_diagrams(spec, out_dir) -> list[Path]` — every format in both languages;
* `build_site(spec, out_dir, verify_results=None, simulate_report=None) -> Path` — the
  static docs site (ja/ and en/) and yakkan.md; returns the index page;
* `load_verify_results(path_or_None, near=None)`, `load_simulate_report(path_or_None,
  near=None)` — tolerant loaders of the verifier's and the simulator's JSON;
* `Lifecycle(spec)` — the layout-independent analysis (networkx) the drawings use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yakkan.model.spec import Spec

__all__ = [
    "Lifecycle", "build_site", "load_simulate_report", "load_verify_results", "path_of_scenario",
    "render_diagram", "write_diagrams",
]  # fmt: skip


def write_diagrams(spec: Spec, out_dir: str | Path, langs: tuple[str, ...] = ("ja", "en")) -> list[Path]:
    """Write lifecycle.<lang>.<ext> for every format and language into `out_dir`."""
    from .fsio import write_atomic
    from .render import EXTENSIONS, FORMATS, render_diagram

    out = Path(out_dir)
    written = []
    for lang in langs:
        for fmt in FORMATS:
            target = out / f"lifecycle.{lang}.{EXTENSIONS[fmt]}"
            write_atomic(target, render_diagram(spec, fmt, lang))
            written.append(target)
    return written


def __getattr__(name: str) -> Any:
    if name == "Lifecycle":
        from .analysis import Lifecycle

        return Lifecycle
    if name == "build_site":
        from .site import build_site

        return build_site
    if name in ("load_verify_results", "load_simulate_report"):
        from . import results

        return getattr(results, name)
    if name == "path_of_scenario":
        from .highlight import path_of_scenario

        return path_of_scenario
    if name == "render_diagram":
        from .render import render_diagram

        return render_diagram
    raise AttributeError(name)
