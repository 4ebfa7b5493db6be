"""`yakkan mutate`: the score and the wall time of a sample of mutants, and where the time goes.

    python benchmarks/bench_mutate.py [SPEC] [--limit 40] [--seed 0] [--workers 2]

Runs the sample without the cache (a fresh cache folder), prints the score, the outcomes
per operator and per kill stage, the survivors and the wall time. Pass `--cached DIR` to
merge what an interrupted run left in a cache folder instead (no mutant is run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cached", type=Path, default=None, help="merge the outcomes cached in this folder")
    args = ap.parse_args()

    from yakkan.verify.cache import Cache, spec_fingerprint
    from yakkan.verify.mutate import Context, MutateSettings, merge, run_mutants, select, text

    t = time.monotonic()
    ctx = Context.load(args.spec, MutateSettings())
    ids = select(list(ctx.by_id), args.limit, args.seed)
    if args.cached is not None:
        cache, fp = Cache(args.cached), spec_fingerprint(args.spec)
        found = [cache.entry("mutant", fp, ctx.settings.key(), i) for i in ids]
        outcomes = [o for o in found if o is not None]
        print(f"{len(outcomes)} of {len(ids)} mutants finished", file=sys.stderr)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            outcomes = run_mutants(ctx, ids, workers=args.workers, cache_dir=Path(tmp))
    wall = time.monotonic() - t
    report = {"spec": {"id": ctx.spec.meta["id"], "version": str(ctx.spec.meta["version"]), "path": str(args.spec)},
              "seed": args.seed, **merge(outcomes, len(ctx.by_id))}  # fmt: skip
    print(text(report, "en"))
    print()
    print(f"killed by stage: {report['killed_by_stage']}")
    for o in report["mutants"]:
        print(f"  {o['id']}: {o['outcome']} ({o['stage']}{', ' + o['by'] if o['by'] else ''}"
              f"{', ' + o['how'] if o['how'] else ''})")  # fmt: skip
    if args.cached is None:
        print(f"wall {wall:.0f} s, {args.workers} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
