"""`yakkan verify`: the CI gate (issue 4 §6).

    yakkan verify [SPEC] [--property ID ...] [--depth N] [--rlimit UNITS] [--timeout S]
                  [--junit FILE] [--sarif FILE] [--markdown FILE] [--out DIR] [--no-cache]
                  [--no-hints] [--write-hints] [--json]

Exit status 0 when every verdict matches the catalogue's expectation, 1 when one does not
(a new violation, a known finding that no longer fails, an unknown, a vacuous proof, a
bound reached without a proof), 2 for bad input (raised as ``InputError``/``SpecError``
and printed by the CLI).

The public functions for other tools (the docs generator): :func:`verify` returns the
verdicts as data; :func:`run` is the command.
"""

from __future__ import annotations

import json
import os
import sys
from argparse import Namespace
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yakkan.lang import current, tr, translate
from yakkan.model.errors import InputError, clip
from yakkan.model.spec import FIGURES_AS_WRITTEN

from .cache import CACHE_DIR, Cache, spec_fingerprint
from .runner import Settings, Verdict

DEFAULT_OUT = Path("out") / "verify"
MAX_DEPTH = 1000  # steps of a bounded search (the gate proves instead; see README)
MAX_TIMEOUT = 24 * 3600.0  # seconds per property


def settings_from(depth: int | None, timeout: float | None, rlimit: int | None = None) -> Settings:
    """The engine settings of the command line: the depth and the resource budget decide
    verdicts; the timeout is only a far-off guard against a run that hangs."""
    from dataclasses import replace

    s = Settings()
    if depth is not None:
        if not 1 <= depth <= MAX_DEPTH:
            raise InputError(f"--depth must be between 1 and {MAX_DEPTH} steps, got {clip(depth, 40)}",
                             hint="e.g. --depth 40")  # fmt: skip
        s = replace(s, depth=depth)
    if rlimit is not None:
        if rlimit < 1:
            raise InputError(f"--rlimit must be a positive number of Z3 resource units, got {clip(rlimit, 40)}",
                             hint=f"e.g. --rlimit {Settings().rlimit} (the default)")  # fmt: skip
        s = replace(s, rlimit=rlimit)
    if timeout is not None:
        if not 0 < timeout <= MAX_TIMEOUT:
            raise InputError(f"--timeout must be a positive number of seconds (at most {MAX_TIMEOUT:,.0f}), "
                             f"got {timeout}",
                             hint="e.g. --timeout 600 (a far-off guard; --rlimit decides verdicts)")  # fmt: skip
        s = replace(s, timeout=float(timeout))
    return s


def verify(spec_path: Path, properties: list[str] | None = None, settings: Settings | None = None,
           out_dir: Path | None = DEFAULT_OUT, use_cache: bool = True, jobs: int | None = None,
           on_done: Any = None, cache_dir: Path | None = None,
           cached_only: bool = False, last: Mapping[str, Any] | None = None,
           in_process: bool = False, hints: bool = True,
           write_hints: bool = False) -> tuple[list[Verdict], dict[str, Any]]:  # fmt: skip
    """Verdicts for the catalogue of ``spec_path`` (or ``properties``), in catalogue order,
    and the spec's identity {"id", "version", "path"} (with "stale_hints" when some
    property's proof hint no longer proved it). Counterexamples and witnesses are
    written to ``out_dir``. With ``cached_only`` nothing is checked: the verdicts the cache
    holds, the others left out (what `yakkan docs --review` shows). Bad input raises
    ``InputError`` (``SpecError``).

    ``last``: the last verdicts the fast path starts from ({id: {"own", "verdict"}}, as
    `Cache.put_latest` keeps them), instead of the cache's for this spec path; the verdicts
    are then not kept as this path's last (a what-if variant: verify/whatif.py).
    ``in_process``: every check in this process, none forked (a cluster's worker).

    ``hints``: a property the cache holds no last verdict of starts from its proof hint
    (`hints.py`: ``proof-hints.json`` beside the spec, proved again like the cache's);
    ``write_hints``: that file is written from this run's verdicts."""
    settings = settings or Settings()
    young_collections_less_often()
    spec_path = Path(spec_path)
    if not spec_path.is_file():
        raise InputError(f"no spec at {spec_path}", hint="give the path of a spec.yaml")
    cache = Cache(cache_dir or CACHE_DIR, enabled=use_cache)
    spec_fp = spec_fingerprint(spec_path)
    request = json.dumps([sorted(properties) if properties else None, settings.key()])
    index = cache.index(spec_fp, request) if use_cache else None
    if index is not None and isinstance(index.get("fingerprints"), dict) and not write_hints:
        ids = index["ids"]
        cached = {pid: cache.verdict(index["fingerprints"].get(pid, ""), settings.key(), pid) for pid in ids}
        if all(cached.values()):
            verdicts = [cached[p] for p in ids]
            own_of = index.get("own") if last is None else None  # (a what-if variant keeps no last verdict)
            for v in verdicts:
                v.restore(out_dir)
                if isinstance(own_of, dict) and isinstance(own_of.get(v.id), str):
                    # the last verdicts of this path are these again (an edit undone: the next
                    # edit's fast path starts from them, not from the undone edit's)
                    cache.put_latest(spec_path, settings.key(), v, own_of[v.id])
                if on_done:
                    on_done(v)
            return verdicts, index["spec"]
    from yakkan.model.errors import SpecError
    from yakkan.model.spec import load_spec_document
    from yakkan.model.yamlio import read_yaml

    from .dependencies import Fingerprints

    doc = read_yaml(spec_path, SpecError)
    spec = load_spec_document(spec_path, doc)
    _LOADED[:] = [(spec_path.resolve(), spec_fp, spec)]
    ids = _select(spec, properties)
    info = {"id": spec.meta["id"], "version": str(spec.meta["version"]), "path": str(spec_path)}
    from .hints import read_hints

    hinted = read_hints(spec_path) if hints and last is None else {}  # (bad input whatever the cache holds)
    fingerprints = Fingerprints(spec, doc)
    fps = {pid: fingerprints.of(pid) for pid in ids}
    fps_all = {pid: fingerprints.of(pid, every_parameter=True) for pid in ids}
    own = {pid: fingerprints.own(pid) for pid in ids}
    verdicts_by: dict[str, Verdict] = {}
    todo = []
    for pid in ids:
        v = cache.verdict(fps[pid], settings.key(), pid, fps_all[pid]) if use_cache else None
        if v is not None:
            v.refresh(spec)
            v.restore(out_dir)
            verdicts_by[pid] = v
            if last is None:
                cache.put_latest(spec_path, settings.key(), v, own[pid])
            if on_done:
                on_done(v)
        else:
            todo.append(pid)
    if cached_only:
        return [verdicts_by[p] for p in ids if p in verdicts_by], info
    from_hints: list[str] = []
    text = {p for p in ids if spec.properties[p].check == FIGURES_AS_WRITTEN}  # (a structural check's)
    if todo:
        from .runner import check_all

        def done(v: Verdict) -> None:
            v.fingerprint, v.fingerprint_all = fps[v.id], fps_all[v.id]
            if v.route == "fast" and recipes.get(v.id, {}).get("hint"):  # every step checked again
                v.route, v.steps_rechecked = "hint", None
            cache.put_verdict(settings.key(), v)
            if last is None:
                cache.put_latest(spec_path, settings.key(), v, own[v.id])
            if on_done:
                on_done(v)

        # P67 reads the terms text, no step: checked whole every time (0.2 s), never from a recipe
        recipes = {p: r for p, r in _recipes(cache, spec_path, settings, todo, own, last).items() if p not in text}
        from_hints = [p for p in todo if p in hinted and p not in recipes and p not in text]
        recipes.update({p: hinted[p] for p in from_hints})
        for v in check_all(spec, todo, settings, out_dir, jobs=jobs, on_done=done, hints=cache.timings(),
                           recipes=recipes, in_process=in_process):  # fmt: skip
            verdicts_by[v.id] = v  # its fingerprints set by `done`, which check_all calls with each verdict
        # (a full check's time: what the scheduler orders the next full checks by)
        cache.put_timings({p: verdicts_by[p].seconds for p in todo if verdicts_by[p].route == "full"})
    if write_hints:  # this run's verdicts as expected, and the hints of the properties it did not check
        from .hints import write_hints as write

        try:
            earlier = hinted or read_hints(spec_path)
        except InputError:  # a file not read (--no-hints) and not a hints file: written anew
            earlier = {}
        from .thinning import thinned_hints

        kept = {p: r for p, r in earlier.items() if p in spec.properties and p not in verdicts_by}
        found = {p: v.recipe for p, v in verdicts_by.items() if v.matches and p not in text}
        write(spec_path, {**kept, **thinned_hints(spec, found, settings, jobs)})
        spec_fp = spec_fingerprint(spec_path)  # (the hints are part of the spec's folder)
    cache.put_index(spec_fp, request, {"ids": ids, "spec": info, "fingerprints": fps, "own": own})
    # the properties that started from their hint and took the full check: hints to write again
    stale = [p for p in from_hints if verdicts_by[p].route == "full"]
    return [verdicts_by[p] for p in ids], {**info, "stale_hints": stale} if stale else info


def young_collections_less_often() -> None:
    """The cyclic garbage collector's youngest generation collected every 20,000
    allocations instead of 700: a check makes many objects that live as long as it does
    (runs, steps, Z3 terms' wrappers), and each collection walked them again (0.1-0.15 s
    of the 2.2 s of a run after the deposit cap changed; nothing cyclic is left for long)."""
    import gc

    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(20_000, young), older, oldest)


def _recipes(cache: Cache, spec_path: Path, settings: Settings, ids: list[str],
             own: dict[str, str], given: Mapping[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """What the fast path (issue 14 §5) checks each of ``ids`` with, from its last verdict
    (this spec path, these settings, the same property): the lemmas of its last proof, or
    the runs of its last witnesses (a reachable or structural property, a known finding,
    as the catalogue expects). Any other last verdict — a counterexample of a property
    expected to hold, a bound reached, unknown, vacuous — and a property never checked
    take the full path. ``given``: the last verdicts ({id: {"own", "verdict"}}) instead of the
    cache's."""
    out = {}
    for pid in ids:
        if given is not None:
            entry = given.get(pid)
            last = Verdict.from_data(entry["verdict"]) if entry and entry.get("own") == own[pid] else None
        else:
            last = cache.latest(spec_path, settings.key(), pid, own[pid]) if cache.enabled else None
        if last is None or not last.recipe or last.recipe.get("verdict") != last.verdict:
            continue
        if last.verdict == "proved" or (last.matches and last.verdict in ("reachable", "violated")):
            out[pid] = last.recipe
            if "runs" in last.recipe:  # a finding: its last verdict stands if its runs are untouched
                out[pid] = {**last.recipe, "last": {k: v for k, v in last.to_data().items() if k != "recipe"}}
    return out


def _select(spec: Any, properties: list[str] | None) -> list[str]:
    if not properties:
        return list(spec.properties)
    from yakkan.model.errors import did_you_mean

    for pid in properties:
        if pid not in spec.properties:
            raise InputError(f"unknown property '{pid}'{did_you_mean(pid, spec.properties)}",
                             path=spec.path, hint=f"properties: {', '.join(spec.properties)}")  # fmt: skip
    wanted = set(properties)
    return [p for p in spec.properties if p in wanted]


def run(args: Namespace) -> int:
    """The `yakkan verify` command (see the module docstring)."""
    from yakkan.model.limits import check_output_file, check_output_folder

    from . import report

    settings = settings_from(getattr(args, "depth", None), getattr(args, "timeout", None),
                             getattr(args, "rlimit", None))
    out_dir = check_output_folder(args.out if getattr(args, "out", None) else DEFAULT_OUT)
    for option in ("junit", "sarif", "markdown"):
        if getattr(args, option, None) is not None:
            check_output_file(getattr(args, option), f"--{option}")
    as_json = bool(getattr(args, "json", False))
    props = list(args.property) if getattr(args, "property", None) else None
    titles: dict[str, str] = {}
    events: dict[str, str] = {}
    why: Any = None
    live = report.Live(props or [], titles, enabled=not as_json)
    with live:
        verdicts, info = verify(args.spec, props, settings, out_dir, use_cache=not args.no_cache,
                                on_done=live.update, hints=not getattr(args, "no_hints", False),
                                write_hints=bool(getattr(args, "write_hints", False)))  # fmt: skip
    stale = info.pop("stale_hints", [])  # (not part of the spec's identity in the report)
    good = report.ok(verdicts)
    data = report.to_json(verdicts, info, {"depth": settings.depth, "rlimit": settings.rlimit,
                                           "timeout": settings.timeout,
                                           "bounds": settings.bounds.describe()})  # fmt: skip
    # beside the scenarios, for `yakkan docs --verify-results DIR` (and whoever reads them)
    _write(Path(out_dir) / "results.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        titles, why, events = _in_language(args.spec)
        print(report.details(verdicts, titles, why, events))
        print(report.table(verdicts, titles))
        print()
        total = sum(v.seconds for v in verdicts)
        n_bad = sum(1 for v in verdicts if not v.matches)
        verdict_line = tr("all verdicts as expected") if good else \
            tr("{n} verdict(s) differ from the catalogue", n=n_bad)  # fmt: skip
        told = {"id": info["id"], "version": info["version"], "n": len(verdicts), "verdicts": verdict_line,
                "seconds": total, "domain": translate(settings.bounds.describe())}  # fmt: skip
        if len(verdicts) == 1:
            print(tr("{id} {version}: {n} property, {verdicts} (solver time {seconds:.1f} s; domain: {domain})",
                     **told))  # fmt: skip
        else:
            print(tr("{id} {version}: {n} properties, {verdicts} (solver time {seconds:.1f} s; domain: {domain})",
                     **told))  # fmt: skip
        if stale and not getattr(args, "write_hints", False):
            print(tr("{n} proof hint(s) no longer prove their property ({ids}): they took the full check; "
                     "`{command}` writes them again", n=len(stale), ids=", ".join(stale),
                     command=f"yakkan verify {args.spec} --no-cache --no-hints --write-hints"))  # fmt: skip
        for line in report.moved_witnesses(verdicts, events):
            print(line)
    suite = f"{info['id']}-{info['version']}"
    reports = getattr(args, "junit", None) or getattr(args, "sarif", None) or getattr(args, "markdown", None) \
        or os.environ.get("GITHUB_STEP_SUMMARY")  # fmt: skip
    if reports and as_json:  # (the table's, when it was printed)
        titles, why, events = _in_language(args.spec)
    if getattr(args, "junit", None):
        _write(args.junit, report.junit(verdicts, suite, titles, why))
    if getattr(args, "sarif", None):
        from yakkan import __version__

        sarif = report.sarif(verdicts, Path(args.spec), __version__, titles)
        _write(args.sarif, json.dumps(sarif, ensure_ascii=False, indent=2) + "\n")
    if getattr(args, "markdown", None) or os.environ.get("GITHUB_STEP_SUMMARY"):
        report.write_markdown(report.markdown(verdicts, suite, titles, events), getattr(args, "markdown", None))
    sys.stdout.flush()
    return 0 if good else 1


_LOADED: list[tuple[Path, str, Any]] = []  # the spec `verify` loaded last: (its path, its folder's fingerprint, it)


def _loaded(spec_path: Path) -> Any:
    """The spec at ``spec_path``: the one `verify` loaded, if its folder is still the same
    (a run in Japanese read it again for its titles: a quarter of a second after an edit)."""
    from yakkan.model.spec import load_spec

    path = Path(spec_path).resolve()
    if _LOADED and _LOADED[0][0] == path and _LOADED[0][1] == spec_fingerprint(path):
        return _LOADED[0][2]
    return load_spec(spec_path)


def _in_language(spec_path: Path) -> tuple[dict[str, str], Any, dict[str, str]]:
    """The properties' titles, a reader of the proofs' lemmas and the events' names in the
    language of the messages: in Japanese, the spec's own titles and names and the docs'
    sentences (diagrams/why.py)."""
    if current() != "ja":
        return {}, None, {}
    import html
    import re

    from yakkan.diagrams.readable import Readable
    from yakkan.diagrams.why import Why

    spec = _loaded(spec_path)
    titles = {pid: p.title_ja for pid, p in spec.properties.items() if p.title_ja}
    reader = Why(Readable(spec))

    def why(label: str) -> str:
        lemma = re.match(r"^(L\d+): ", label)
        if lemma and lemma.group(1) in spec.lemmas and spec.lemmas[lemma.group(1)].doc_ja:
            return f"{lemma.group(1)}: {spec.lemmas[lemma.group(1)].doc_ja}"
        return html.unescape(re.sub(r"<[^>]+>", "", str(reader.sentence(label, "ja"))))

    events = {e: ev.ja for e, ev in spec.events.items() if ev.ja}
    return titles, why, events


def _write(path: Path, text: str) -> None:
    """Write a report file atomically; a device, FIFO or folder there is bad input."""
    from yakkan.model.limits import write_output

    write_output(path, text)
