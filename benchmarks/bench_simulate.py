"""Throughput of the simulator: the fast engine against the reference, and the 10k x 60 goal.

    python benchmarks/bench_simulate.py                 # all measurements
    python benchmarks/bench_simulate.py --quick         # smaller, for a smoke test

Measured, all with every monitor on:
  simulate  the default portfolio (driver + profiles + engine), one process, CPU seconds
  engine    the same customers' recorded events replayed on a bare contract (no driver)
  portfolio `run_portfolio` end to end (spec load, code generation, workers, merge,
            shrinking), wall-clock seconds, without and with the report files (--out)
Customer-months per second = customers x months / seconds. CPU time (process_time) is
used for the per-core figures so that other load on the machine counts less.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"


def _simulate(model, portfolio, engine: str, customers: int, months: int, seed: int = 0) -> tuple[float, list]:
    from yakkan.simulate.driver import plan_service, run_customer

    service = plan_service(portfolio, seed, months)
    runs = []
    t = time.process_time()
    for i in range(customers):
        runs.append(run_customer(model, portfolio, service, engine, seed, i, months, record=True))
    return time.process_time() - t, runs


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _replay(model, engine: str, runs: list) -> float:
    defaults = model.default_parameters()
    t = time.process_time()
    for run in runs:
        c = model.contract(engine, {**defaults, **run.contract})
        for day, event, args in run.events:
            c.send(event, day, args)
        c.settle_to(run.until)
        c.finish(run.until)
    return time.process_time() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=2000, help="customers for the fast engine")
    ap.add_argument("--ref-customers", type=int, default=40, help="customers for the reference engine")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--big", type=int, default=10000, help="customers of the end-to-end run (0: skip)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args(argv)
    if args.quick:
        args.customers, args.ref_customers, args.big = 200, 5, 500

    from yakkan.simulate.engines import Model
    from yakkan.simulate.profiles import load_profiles
    from yakkan.simulate.runner import run_portfolio

    model = Model.load(SPEC)
    portfolio = load_profiles(PROFILES, model.spec)
    t = time.process_time()
    model.fast  # noqa: B018
    gen = time.process_time() - t
    months = args.months
    print(f"yakkan simulate benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"monitors on; engine generation {gen:.2f} s CPU")  # fmt: skip

    rows = []
    fast_s, fast_runs = _simulate(model, portfolio, "fast", args.customers, months)
    ref_s, ref_runs = _simulate(model, portfolio, "reference", args.ref_customers, months)
    fast_cm, ref_cm = args.customers * months, args.ref_customers * months
    rows.append(("simulate, fast", fast_cm, fast_s))
    rows.append(("simulate, reference", ref_cm, ref_s))
    efast = _replay(model, "fast", fast_runs)
    eref = _replay(model, "reference", ref_runs)
    rows.append(("engine only (replay), fast", fast_cm, efast))
    rows.append(("engine only (replay), reference", ref_cm, eref))
    steps = sum(len(r.trace) for r in fast_runs)
    print(f"\n{'measurement':<34}{'customer-months':>16}{'CPU s':>9}{'cm/s per core':>16}")
    for name, cm, sec in rows:
        print(f"{name:<34}{cm:>16,}{sec:>9.2f}{cm / sec:>16,.0f}")
    print(f"\nfast / reference: simulate x{(fast_cm / fast_s) / (ref_cm / ref_s):.0f}, "
          f"engine only x{(fast_cm / efast) / (ref_cm / eref):.0f}; "
          f"{steps / fast_cm:.1f} steps per customer-month, "
          f"{steps / efast:,.0f} steps/s on the fast engine")  # fmt: skip

    if args.big:
        print(f"\nend to end: run_portfolio({args.big:,} customers x {months} months, workers={args.workers})")
        for label, out in (("no files", None), ("with --out (report.json, plots)", "out")):
            with tempfile.TemporaryDirectory() as tmp:
                before = _cpu()
                t = time.perf_counter()
                report = run_portfolio(SPEC, PROFILES, customers=args.big, months=months, seed=0,
                                       workers=args.workers, out=Path(tmp) / out if out else None)  # fmt: skip
                wall = time.perf_counter() - t
                own, children = (a - b for a, b in zip(_cpu(), before, strict=True))
            cm = args.big * months
            print(f"  {label:<34} wall {wall:6.2f} s  ({cm / wall:,.0f} cm/s; violations {len(report.violations)})")
            print(f"  {'':<34} CPU  {own:6.2f} s in this process + {children:.2f} s in {args.workers} workers"
                  f" -> {own + children / args.workers:.2f} s on {args.workers} idle cores")  # fmt: skip
        print(f"  load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
