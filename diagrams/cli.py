"""`yakkan diagram` and `yakkan docs`: the subcommands' entry points (see cli/cli.py)."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from yakkan.lang import tr
from yakkan.model.spec import load_spec

from .errors import DiagramError
from .render import TEXT_FORMATS, render_diagram


def run_diagram(args: Namespace) -> int:
    """Draw the lifecycle of `args.spec` in `args.format`/`args.lang`, optionally highlighted."""
    from yakkan.model.limits import check_output_file

    from .fsio import write_atomic
    from .highlight import path_of_scenario

    output: Path | None = getattr(args, "output", None)
    if output is not None:
        check_output_file(output, "-o")  # a folder, device or FIFO: exit 2
    spec = load_spec(args.spec)
    fmt = getattr(args, "format", "svg") or "svg"
    lang = getattr(args, "lang", "ja") or "ja"
    highlight = getattr(args, "highlight", None)
    path = path_of_scenario(spec, highlight) if highlight else None
    if output is None and fmt not in TEXT_FORMATS and sys.stdout.isatty():
        raise DiagramError(f"{fmt} is a binary format: give an output file",
                           hint=f"yakkan diagram --format {fmt} -o lifecycle.{fmt}")  # fmt: skip
    data = render_diagram(spec, fmt, lang, path)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    write_atomic(output, data)
    print(tr("wrote {path}", path=output), file=sys.stderr)
    return 0


def site_review(old: Path, new: Path, verify_results: Any = None) -> Any:
    """The review from `old` (a spec file or version folder) to the site's spec, for the
    site's review pages, its two paths as a reader's command line would give them (relative
    to the working folder when inside it, else the version folder and file name), so the
    pages hold no absolute path. The verifier is not run: the verdicts shown are those known
    already — the new version's from `verify_results` (the docs build's) or the verify cache,
    the old one's from the cache (terms/verdicts.py `available`); the page names the command
    that produces those missing."""
    import dataclasses

    from yakkan.terms.review_data import build_review, resolve_version, stories_ja
    from yakkan.terms.verdicts import available

    review = build_review(old, new, verify=False)
    known = available(resolve_version(old), resolve_version(new), verify_results)
    if known.comparisons:
        review.verdicts = known.comparisons
        review.stories_ja = stories_ja(review.specs[1], known.comparisons) if review.specs else {}
        review.verdicts_source = known.new_source
    review.verdicts_missing = {side: ids for side, ids in known.missing.items() if ids}
    return dataclasses.replace(review, old_path=_shown(review.old_path), new_path=_shown(review.new_path))


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(path.resolve().parent.name) / path.name


def run_docs(args: Namespace) -> int:
    """Build the documentation site of `args.spec` into `args.output`."""
    from .fsio import check_replaceable
    from .results import load_simulate_report, load_verify_results
    from .site import build_site

    out = Path(getattr(args, "output", None) or "out/docs")
    check_replaceable(out)
    spec = load_spec(args.spec)
    verify = load_verify_results(getattr(args, "verify_results", None), near=out)
    simulate = load_simulate_report(getattr(args, "simulate_report", None), near=out)
    old = getattr(args, "review", None)
    review = site_review(old, spec.path, verify) if old is not None else None
    index = build_site(spec, out, verify_results=verify, simulate_report=simulate, review=review)
    print(tr("docs: open {index}", index=index))
    return 0
