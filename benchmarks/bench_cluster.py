"""`--cluster` against local processes: the same portfolio, wall-clock, on this machine.

    python benchmarks/bench_cluster.py                          # a local Dask cluster, 2 workers
    python benchmarks/bench_cluster.py --cluster tcp://HOST:8786  # an existing cluster
    python benchmarks/bench_cluster.py --customers 2000 --months 24   # smaller

Measured (printed, never asserted), with every monitor on and no report files:
  local      run_portfolio(workers=K): K forked processes (the parent builds the job once)
  cluster    run_portfolio(cluster=ADDRESS) on a local Dask cluster of K single-threaded
             worker processes (or on --cluster): the first run, whose workers load the spec
             and profiles from the texts they are sent, then a second run (workers warm)
and whether the reports are the same, byte for byte (they must be: the tests assert it).
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2, help="local processes, and the local cluster's workers")
    ap.add_argument("--cluster", default=None, help="an existing scheduler's address (default: start a local one)")
    args = ap.parse_args(argv)

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
    finally:
        if started is not None:
            started.close()
    same = first == local and second == local
    print(f"  same report as the local run, byte for byte: {'yes' if same else 'NO'}")
    print(f"load average after: {_load()} (other work on the machine)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
