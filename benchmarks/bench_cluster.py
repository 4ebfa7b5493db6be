"""`--cluster` against local processes: the same portfolio, wall-clock, on this machine.

    python benchmarks/bench_cluster.py                          # a local Dask cluster, 2 workers
    python benchmarks/bench_cluster.py --cluster tcp://HOST:8786  # an existing cluster
    python benchmarks/bench_cluster.py --customers 2000 --months 24   # smaller

Measured (printed, never asserted), with every monitor on and no report files:
  local      run_portfolio(workers=K): K forked processes (the parent builds the job once)
  cluster    run_portfolio(cluster=ADDRESS) on a local Dask cluster of K single-threaded
             worker processes (or on --cluster): the first run, whose workers load the spec
             and profiles from the texts they are sent, then a second run (workers warm)
and whether the reports are the same, byte for byte (they must be: the tests assert it);
then a mutation sweep over --mutant ids (default: three decided by the cheap stages), one
local process against the cluster (workers warm from a first sweep), no cache.
Wall-clock seconds; the load average before and after says how busy the machine was.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _sweep(ids: list[str], address: str) -> bool:
    """A mutation sweep over `ids`, locally and on the cluster: whether the outcomes agree."""
    from yakkan.verify.mutate import Context, MutateSettings, run_mutants

    ctx = Context.load(SPEC, MutateSettings())
    print(f"\nmutation sweep: {len(ids)} mutants, no cache")
    results = []
    for label, kw in (("local, 1 process", {}), ("cluster, first sweep (workers load the texts)",
                                                  {"cluster": address}),
                      ("cluster, second sweep (workers warm)", {"cluster": address})):  # fmt: skip
        t = time.perf_counter()
        results.append(run_mutants(ctx, ids, use_cache=False, **kw))
        print(f"  {label:<46} wall {time.perf_counter() - t:7.2f} s")
    same = all(r == results[0] for r in results)
    print(f"  same outcomes as the local sweep: {'yes' if same else 'NO'}")
    return same


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2, help="local processes, and the local cluster's workers")
    ap.add_argument("--cluster", default=None, help="an existing scheduler's address (default: start a local one)")
    ap.add_argument("--mutant", action="append", default=None, help="a mutant id of the sweep (repeatable)")
    args = ap.parse_args(argv)
    mutant_ids = args.mutant or ["transition.cancel.guard2.drop", "transition.cancel.guard1.drop",
                                 "transition.accept.target.same"]  # fmt: skip

    from yakkan.simulate.runner import run_portfolio

    cm = args.customers * args.months
    print(f"yakkan --cluster benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
          f"{args.customers:,} customers x {args.months} months = {cm:,} customer-months, monitors on")
    print(f"load average before: {_load()}")

    def timed(label: str, **kw) -> str:
        t = time.perf_counter()
        report = run_portfolio(SPEC, PROFILES, customers=args.customers, months=args.months, seed=0, **kw)
        wall = time.perf_counter() - t
        print(f"  {label:<44} wall {wall:7.2f} s  ({cm / wall:>9,.0f} cm/s, {report.workers} worker(s))")
        return report.json_text()

    local = timed(f"local, {args.workers} processes", workers=args.workers)
    started = None
    address = args.cluster
    if address is None:
        from distributed import LocalCluster

        t = time.perf_counter()
        started = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)  # fmt: skip
        address = started.scheduler_address
        print(f"  {'local Dask cluster started':<44} wall {time.perf_counter() - t:7.2f} s  ({address})")
    try:
        first = timed("cluster, first run (workers load the texts)", cluster=address)
        second = timed("cluster, second run (workers warm)", cluster=address)
        same = first == local and second == local
        print(f"  same report as the local run, byte for byte: {'yes' if same else 'NO'}")
        same = _sweep(mutant_ids, address) and same
    finally:
        if started is not None:
            started.close()
    print(f"load average after: {_load()} (other work on the machine)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
