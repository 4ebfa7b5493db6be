"""Tolerant loaders of the verifier's and the simulator's results, for the docs.

The verifier (`yakkan verify --json`) and the simulator (`yakkan simulate --json --out`)
are separate subsystems; the docs show their latest results when there are any and say
"not yet verified" otherwise. A path given explicitly must be readable (else bad input);
results found by looking around the docs folder (`<DIR>/../verify/…`,
`<DIR>/../simulate/…`) are used when readable and otherwise skipped with a warning.

The verifier's JSON is `{"ok": bool, "properties": [{"id", "verdict", "expected",
"matches", "depth", "seconds", "articles", "counterexample"}]}`, `counterexample` the path
of a scenario file (relative paths are read from the JSON's folder). A list of such
entries, or a mapping id → entry, is accepted too, and so are `status` for `verdict`,
`witness`/`scenario` for `counterexample`, and an inline scenario (a mapping).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.lang import render_error, tr, translate

from .errors import DiagramError

VERIFY_NAMES = ("results.json", "verify.json", "verify-results.json", "report.json", "summary.json")
SIMULATE_NAMES = ("report.json", "results.json", "simulate.json", "summary.json")
SIMULATE_LISTS = ("violations", "known_findings", "witnesses")
PASSING = ("proved", "holds", "reachable")  # holds-to-depth is not a proof


@dataclass(frozen=True)
class Verdict:
    """The verifier's verdict on one property."""

    id: str
    verdict: str
    expected: str | None = None
    matches: bool | None = None
    depth: int | None = None
    seconds: float | None = None
    articles: tuple[str, ...] = ()
    scenario: Path | None = None  # the counterexample or witness file, when there is one
    scenario_data: Mapping[str, Any] | None = None  # an inline scenario
    detail: str = ""  # the engine's explanation (invariant found, reason of unknown …)
    why: tuple[Mapping[str, Any], ...] = ()  # a proof's lemmas: lemma, formula, articles


@dataclass(frozen=True)
class VerifyResults:
    source: Path
    ok: bool | None
    verdicts: Mapping[str, Verdict]


@dataclass(frozen=True)
class SimulateReport:
    source: Path
    data: Mapping[str, Any]
    plots: tuple[Path, ...] = ()
    scenarios: Mapping[str, Path] = field(default_factory=dict)  # as named in violations


# -- reading ------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    from yakkan.model.limits import read_input_text

    text = read_input_text(path, DiagramError)
    try:
        return json.loads(text)
    except RecursionError:
        raise DiagramError("nested too deeply", path=path, hint="give the results file yakkan wrote") from None
    except json.JSONDecodeError as exc:
        raise DiagramError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno,
                           hint="give the results file yakkan wrote (results.json, report.json)") from None


def _in_folder(folder: Path, names: tuple[str, ...], key: str) -> Path | None:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    from yakkan.model.errors import InputError
    from yakkan.model.limits import read_input_text

    for candidate in sorted(folder.glob("*.json")):
        try:
            data = json.loads(read_input_text(candidate))  # never a FIFO or a device named *.json
        except (InputError, ValueError, RecursionError):
            continue
        if isinstance(data, Mapping) and key in data:
            return candidate
    return None


def _warn(message: str) -> None:
    print(tr("yakkan docs: warning: {message}", message=translate(message)), file=sys.stderr)


def _locate(path: str | Path | None, near: Path | None, sub: str, names: tuple[str, ...],
            key: str) -> tuple[Path | None, bool]:  # fmt: skip
    """(file, explicit): the results file given or found near the docs folder."""
    if path is not None:
        p = Path(path)
        if p.is_dir():
            found = _in_folder(p, names, key)
            if found is None:
                raise DiagramError(f"no results file in {p}", path=p, hint=f"expected one of {', '.join(names)}")
            return found, True
        return p, True
    if near is None:
        return None, False
    base = Path(near).resolve().parent
    for folder in (base / sub, base):
        if folder.is_dir():
            if folder == base:
                for name in (f"{sub}.json", f"{sub}-results.json"):
                    if (folder / name).is_file():
                        return folder / name, False
                continue
            found = _in_folder(folder, names, key)
            if found is not None:
                return found, False
    return None, False


# -- the verifier -------------------------------------------------------------------------


def load_verify_results(path: str | Path | None = None, near: str | Path | None = None) -> VerifyResults | None:
    """The verifier's results from `path` (file or folder), or found next to `near`; None if absent."""
    found, explicit = _locate(path, Path(near) if near else None, "verify", VERIFY_NAMES, "properties")
    if found is None:
        return None
    try:
        results = parse_verify_results(_read_json(found), found)
    except DiagramError as exc:
        if explicit:
            raise
        _warn(tr("ignoring {path}: {error}", path=found, error=render_error(exc)))
        return None
    missing = missing_scenarios(results)
    if missing and explicit:  # results given: their counterexamples are never dropped silently
        raise DiagramError(
            f"{len(missing)} scenario file(s) the results name are not found: {'; '.join(missing[:5])}"
            + (" …" if len(missing) > 5 else ""), path=found,
            hint="run `yakkan docs` in the folder where `yakkan verify --out DIR` ran, or keep the scenario "
                 "files beside results.json",
        )  # fmt: skip
    return results


def parse_verify_results(data: Any, source: Path) -> VerifyResults:
    """Verdicts from the verifier's JSON (see the module docstring for the shapes accepted)."""
    ok = data.get("ok") if isinstance(data, Mapping) else None
    entries = data.get("properties", data.get("results")) if isinstance(data, Mapping) else data
    if isinstance(entries, Mapping):
        entries = [{"id": k, **(v if isinstance(v, Mapping) else {"verdict": v})} for k, v in entries.items()]
    if not isinstance(entries, list):
        raise DiagramError("expected `properties`: a list of verdicts", path=source)
    verdicts: dict[str, Verdict] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not (entry.get("id") or entry.get("property")):
            raise DiagramError(f"properties[{i}] has no `id`", path=source)
        pid = str(entry.get("id") or entry.get("property"))
        verdicts[pid] = _verdict(pid, entry, source.parent)
    return VerifyResults(source=source, ok=bool(ok) if ok is not None else None, verdicts=verdicts)


def _verdict(pid: str, e: Mapping[str, Any], base: Path) -> Verdict:
    scenario = e.get("counterexample") or e.get("witness") or e.get("scenario")
    scenario_path = scenario_data = None
    if isinstance(scenario, Mapping):
        scenario_data = scenario
    elif isinstance(scenario, str) and scenario:
        p = Path(scenario)
        found = next((c for c in _scenario_candidates(p, base) if c.is_file()), None)
        scenario_path = found or (p if p.is_absolute() else base / p)
    detail = e.get("why") or e.get("invariant") or e.get("reason") or e.get("message") or ""
    why: tuple[Mapping[str, Any], ...] = ()
    if isinstance(detail, list | tuple):
        if all(isinstance(w, Mapping) for w in detail):
            why = tuple(detail)
        detail = "\n".join(_why_line(w) for w in detail)
    return Verdict(
        id=pid, verdict=str(e.get("verdict") or e.get("status") or "unknown"),
        expected=_opt_str(e.get("expected", e.get("expect"))),
        matches=e.get("matches") if isinstance(e.get("matches"), bool) else None,
        depth=e.get("depth") if isinstance(e.get("depth"), int) else None,
        seconds=float(e["seconds"]) if isinstance(e.get("seconds"), int | float) else None,
        articles=tuple(map(str, e.get("articles") or ())), scenario=scenario_path,
        scenario_data=scenario_data, detail=str(detail), why=why,
    )  # fmt: skip


def _scenario_candidates(p: Path, base: Path) -> list[Path]:
    """Where a scenario the results name may be. `yakkan verify --out DIR` names its files
    relative to the folder it ran in (`DIR/P13-counterexample.yaml`) and writes its
    results.json into DIR: so the name is tried against the results' folder, its parents
    (the folder verify ran in), the current folder, and the file beside the results."""
    if p.is_absolute():
        return [p, base / p.name]
    return [base / p, *(a / p for a in list(base.parents)[:3]), p, base / p.name]


def missing_scenarios(results: VerifyResults) -> list[str]:
    """`P13: ver/P13-counterexample.yaml` for each verdict whose scenario file is not found."""
    return [f"{pid}: {v.scenario}" for pid, v in sorted(results.verdicts.items())
            if v.scenario is not None and not Path(v.scenario).is_file()]  # fmt: skip


def _why_line(w: Any) -> str:
    """One lemma of a proof (``yakkan verify --json``: lemma, formula, articles) as a line."""
    if not isinstance(w, Mapping):
        return str(w)
    arts = f"  [{', '.join(map(str, w['articles']))}]" if w.get("articles") else ""
    formula = f"\n    {w['formula']}" if w.get("formula") else ""
    return f"· {w.get('lemma', '')}{arts}{formula}"


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


# -- the simulator ------------------------------------------------------------------------


def load_simulate_report(path: str | Path | None = None, near: str | Path | None = None) -> SimulateReport | None:
    """The simulator's report from `path` (file or folder), or found next to `near`; None if absent."""
    found, explicit = _locate(path, Path(near) if near else None, "simulate", SIMULATE_NAMES, "customer_months")
    if found is None:
        return None
    try:
        data = _read_json(found)
        if not isinstance(data, Mapping):
            raise DiagramError("expected one JSON object (yakkan simulate --json)", path=found)
    except DiagramError as exc:
        if explicit:
            raise
        _warn(tr("ignoring {path}: {error}", path=found, error=render_error(exc)))
        return None
    folder = found.parent
    plots: dict[str, Path] = {}
    for sub in (folder, folder / "plots"):
        for p in sorted(sub.glob("*.svg")) + sorted(sub.glob("*.png")):
            plots.setdefault(p.stem, p)  # an SVG wins over the PNG of the same plot
    scenarios: dict[str, Path] = {}
    for v in (*(data.get("violations") or ()), *(data.get("known_findings") or ()), *(data.get("witnesses") or ())):
        if isinstance(v, Mapping):
            ref = v.get("scenario") or v.get("path")
            if isinstance(ref, str):
                p = Path(ref)
                p = p if p.is_absolute() or p.is_file() else folder / p
                if p.is_file():
                    scenarios[ref] = p
    return SimulateReport(source=found, data=data, plots=tuple(plots.values()), scenarios=scenarios)
