"""Whole-process timings of the model's commands: `yakkan --help` and a 60-month replay.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7]

Prints the median and best wall time of each command, and the peak memory of the replay.
Nothing is asserted: the figures go in the README and the closing notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def sixty_month_scenario() -> dict:
    """A contract from 2024-04-01 paying every month on its due date for 60 months, with
    a support restriction, a suspension for non-payment and a fee raise along the way."""
    start = dt.date(2024, 4, 1)
    events = [
        {"on": start, "do": "apply"},
        {"on": start, "do": "accept"},
        {"on": start, "do": "pay", "amount": 165000},
        {"on": start, "do": "start_service"},
    ]
    month = start
    for i in range(60):
        month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if i == 20:
            events.append({"on": month + dt.timedelta(days=5), "do": "raise_fee", "base_fee": 120000,
                           "effective_on": month_end + dt.timedelta(days=1)})  # fmt: skip
        if i == 30:  # skip a payment: suspended, then pays and is restored
            events.append({"on": month + dt.timedelta(days=1), "do": "suspend", "ground": "17-1(1)"})
            events.append({"on": month + dt.timedelta(days=9), "do": "pay", "amount": 300000})
            events.append({"on": month + dt.timedelta(days=10), "do": "restore"})
        fee = 132000 if i > 20 else 110000
        if i != 29:
            events.append({"on": month_end, "do": "pay", "amount": fee})
        month = month_end + dt.timedelta(days=1)
    return {"name": "sixty-months", "contract": {"base_fee": 100000, "initial_fee": 50000},
            "until": month - dt.timedelta(days=1), "events": events}  # fmt: skip


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    yakkan = [sys.executable, "-m", "yakkan"]
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "sixty-months.yaml"
        with scenario.open("w", encoding="utf-8") as fh:
            YAML(typ="safe", pure=True).dump(sixty_month_scenario(), fh)
        rows = [
            ("yakkan --help", yakkan + ["--help"]),
            ("yakkan replay (60 months, human)", yakkan + ["replay", str(scenario)]),
            ("yakkan replay (60 months, --json)", yakkan + ["replay", str(scenario), "--json"]),
        ]
        print(f"{'command':<36} {'median':>8} {'best':>8}   ({args.runs} runs)")
        for name, cmd in rows:
            t = timed(cmd, args.runs)
            print(f"{name:<36} {statistics.median(t):>7.3f}s {min(t):>7.3f}s")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of a child process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
