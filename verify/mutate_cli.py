"""`yakkan mutate`: the command (the work is in ``mutate``).

    yakkan mutate [SPEC] [--json] [--out DIR] [--limit N] [--seed S] [--workers K | --cluster ADDRESS]
                  [--min-score F] [--lang ja|en] [--no-cache]

Exit status 0 when the score (killed / non-equivalent mutants) is at least ``--min-score``
(default 0.95), 1 below it, 2 for bad input.
"""

from __future__ import annotations

import json
import re
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError

from .mutate import DEFAULT_MIN_SCORE, Context, MutateSettings, merge, run_mutants, select, text


def run(args: Namespace) -> int:
    """The `yakkan mutate` command (see the module docstring)."""
    from yakkan.model.limits import MAX_WORKERS, check_count, check_output_folder

    spec_path = Path(args.spec)
    if not spec_path.is_file():
        raise InputError(f"no spec at {spec_path}", hint="give the path of a spec.yaml")
    if args.limit is not None:
        check_count(args.limit, "--limit", 1, 1_000_000, "40")
    check_count(args.workers, "--workers", 1, MAX_WORKERS, "2")
    check_count(args.seed, "--seed", 0, 2**63 - 1, "0")
    if not 0.0 <= args.min_score <= 1.0:
        raise InputError(f"--min-score must be between 0 and 1, got {args.min_score}", hint="e.g. --min-score 0.95")
    out_dir = check_output_folder(args.out) if args.out is not None else None
    cluster = getattr(args, "cluster", None)
    if cluster is not None:
        from yakkan.simulate.cluster import check_address

        cluster = check_address(cluster, reach=True)
    settings = MutateSettings()
    ctx = Context.load(spec_path, settings)
    ids = list(ctx.by_id)
    if getattr(args, "mutant", None):
        from yakkan.model.errors import did_you_mean

        for mid in args.mutant:
            if mid not in ctx.by_id:
                raise InputError(f"unknown mutant '{mid}'{did_you_mean(mid, ctx.by_id)}", where="--mutant",
                                 hint="`yakkan mutate --list` lists every mutant's id")  # fmt: skip
        ids = [i for i in ids if i in set(args.mutant)]
    ids = select(ids, args.limit, args.seed)
    if getattr(args, "list", False):
        chosen = [ctx.by_id[i] for i in ids]
        if args.json:
            print(json.dumps([{"id": m.id, "operator": m.operator, "line": m.line, "description": m.describe("en"),
                               "description_ja": m.describe("ja")} for m in chosen], ensure_ascii=False, indent=2))
        else:
            for m in chosen:
                print(f"{m.id}\t{m.describe(args.lang)}")
        return 0
    live = sys.stderr.isatty() and not args.json
    done = [0]

    def progress(o: dict[str, Any]) -> None:
        done[0] += 1
        if live:
            print(f"\r{done[0]}/{len(ids)} {o['id'][:60]:<60} {o['outcome']}", end="", file=sys.stderr, flush=True)

    outcomes = run_mutants(ctx, ids, workers=args.workers, use_cache=not args.no_cache, on_done=progress,
                           cluster=cluster)  # fmt: skip
    if live:
        print(file=sys.stderr)
    report = {
        "spec": {"id": ctx.spec.meta["id"], "version": str(ctx.spec.meta["version"]), "path": str(spec_path)},
        "seed": args.seed, "limit": args.limit, "selected": list(args.mutant or []),
        "settings": {"customers": settings.customers, "months": settings.months, "samples": settings.samples,
                     "search_depth": settings.search_depth, "search_units": settings.search_units,
                     "equivalence_units": settings.equivalence_units, "verify": settings.verify.key()},
        **merge(outcomes, len(ctx.by_id), args.min_score),
    }  # fmt: skip
    if out_dir is not None:
        from yakkan.model.limits import path_in, write_output

        write_output(path_in(out_dir, "report.json"), json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        for s in report["survivors"]:
            name = re.sub(r"[^A-Za-z0-9_-]", "_", s["id"])
            write_output(path_in(out_dir, f"survivor-{name}.yaml"), ctx.render(ctx.by_id[s["id"]]))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(text(report, args.lang))
    sys.stdout.flush()
    return 0 if report["passed"] else 1


__all__ = ["run", "DEFAULT_MIN_SCORE"]
