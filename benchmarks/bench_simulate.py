"""Throughput of the simulator: the fast engine against the reference, and the 10k x 60 goal.

    python benchmarks/bench_simulate.py                 # all measurements
    python benchmarks/bench_simulate.py --quick         # smaller, for a smoke test

    python benchmarks/bench_simulate.py --big 1000000 --no-out   # the 1M x 60 run on 2 workers

Measured, all with every monitor on:
  fused     the fused customer loop (simulate.fused) on the default portfolio, one
            process, CPU seconds: compiled (Cython, from the cache) and plain Python
  simulate  the same portfolio on the table-driven fast engine and on the reference
            (python-statemachine), driver.run_customer, one process, CPU seconds
  engine    the same customers' recorded events replayed on a bare contract (no driver)
  portfolio `run_portfolio` end to end (spec load, code generation, workers, merge,
            shrinking), wall-clock seconds, without and with the report files (--out),
            with the peak memory of the parent and of the largest worker
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


def _fused(model, portfolio, customers: int, months: int, compiled: bool, seed: int = 0):
    from yakkan.simulate.fused import fused_loop

    loop = fused_loop(model, portfolio, seed, months, compiled=compiled)
    if compiled and loop.compiled is None:
        return None, None
    if not compiled:
        loop.python  # noqa: B018 - exec the generated source before the clock starts
    t = time.process_time()
    tally = loop.run_chunk(0, customers)
    return time.process_time() - t, tally


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
    ap.add_argument("--fused-customers", type=int, default=20000, help="customers for the compiled fused loop")
    ap.add_argument("--no-out", action="store_true", help="end to end without the report files only")
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args(argv)
    if args.quick:
        args.customers, args.ref_customers, args.big, args.fused_customers = 200, 5, 500, 1000

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

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before: {load} (2 cores shared with other work: CPU seconds are used per core)")
    rows = []
    fused_rows = []
    c_s, c_tally = _fused(model, portfolio, args.fused_customers, months, compiled=True)
    if c_s is None:
        print("compiled fused loop: not in the cache (scripts/setup.sh builds it); skipped")
    else:
        fused_rows.append(("fused loop, compiled (Cython)", args.fused_customers * months, c_s))
    p_s, p_tally = _fused(model, portfolio, args.customers, months, compiled=False)
    fused_rows.append(("fused loop, plain Python", args.customers * months, p_s))
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
    for name, cm, sec in fused_rows + rows:
        print(f"{name:<34}{cm:>16,}{sec:>9.2f}{cm / sec:>16,.0f}")
    print(f"\nfast / reference: simulate x{(fast_cm / fast_s) / (ref_cm / ref_s):.0f}, "
          f"engine only x{(fast_cm / efast) / (ref_cm / eref):.0f}; "
          f"{steps / fast_cm:.1f} steps per customer-month, "
          f"{steps / efast:,.0f} steps/s on the fast engine")  # fmt: skip
    ref_rate = ref_cm / ref_s
    for name, cm, sec in fused_rows:
        rate = cm / sec
        print(f"{name} / reference: x{rate / ref_rate:.0f}; / fast engine: x{rate / (fast_cm / fast_s):.1f}")

    if args.big:
        print(f"\nend to end: run_portfolio({args.big:,} customers x {months} months, workers={args.workers})")
        labels = (("no files", None),) if args.no_out else (("no files", None),
                                                           ("with --out (report.json, plots)", "out"))
        for label, out in labels:
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
            me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            kid = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"  {'':<34} peak memory: this process {me:,.0f} MiB, largest worker {kid:,.0f} MiB")
        print(f"  load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
