"""`yakkan simulate`: randomized portfolios with every property monitored.

Exit status 0, or 1 when a monitor fired on a property expected to hold (its shrunk,
replayable scenario is named in the output); bad input is an InputError (exit 2).
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from yakkan.lang import tr

from .runner import run_portfolio


def run(args: Namespace) -> int:
    progress = None
    bar = None
    if sys.stderr.isatty() and not getattr(args, "json", False):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        bar = Progress(tr("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
                       console=Console(stderr=True))  # fmt: skip
        bar.start()
        task = bar.add_task("customers", total=args.customers)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done)

    try:
        report = run_portfolio(
            spec_path=args.spec, profiles_path=args.profiles, customers=args.customers, months=args.months,
            seed=args.seed, workers=args.workers, engine=args.engine, out=args.out, progress=progress,
            loop=getattr(args, "loop", "compiled"), cluster=getattr(args, "cluster", None),
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    if args.json:
        sys.stdout.write(report.json_text())
    else:
        from rich.console import Console

        console = Console(highlight=False)
        report.render(console)
        if report.files:
            console.print(tr("report and plots: {folder}/ ({n} files)", folder=Path(args.out), n=len(report.files)))
    cm = report.customers * report.months
    print(tr("yakkan simulate: {cm:,} customer-months in {simulated:.1f} s ({rate:,.0f}/s, {workers} worker(s), "
             "engine {engine}); {elapsed:.1f} s in all", cm=cm, simulated=report.simulated,
             rate=cm / max(report.simulated, 1e-9), workers=report.workers, engine=report.engine,
             elapsed=report.elapsed), file=sys.stderr)  # fmt: skip
    for f in report.violations:
        print(tr("yakkan simulate: {property} ({articles}) VIOLATED on customer {customer}, step {step}; "
                 "reproduce: yakkan replay {scenario} --spec {spec}", property=f.property,
                 articles=", ".join(f.articles), customer=f.customer, step=f.step, scenario=f.scenario,
                 spec=args.spec), file=sys.stderr)  # fmt: skip
    return report.exit_status
