"""The `yakkan` command: a thin front that wires the subsystems together.

Each subcommand parses its arguments here and hands them to its subsystem's `run(args)`,
imported only when that subcommand runs, so `yakkan --help` starts fast. Bad input of
any kind ends with a message naming the file, the line and a fix, and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO / "contracts" / "clara-msp" / "spec.yaml"
DEFAULT_SCENARIOS = REPO / "scenarios"
DEFAULT_TERMS = REPO / "contracts" / "clara-msp" / "terms" / "clara-msp-terms-2024-04-01.ja.txt"


def _spec_arg(p: argparse.ArgumentParser, positional: bool = True) -> None:
    if positional:
        p.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC,
                       help="contract spec (default: the bundled Clara MSP spec)")  # fmt: skip
    else:
        p.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                       help="contract spec (default: the bundled Clara MSP spec)")  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse, with a `fix:` line under a usage error like every other bad input (exit 2)."""

    def error(self, message: str) -> NoReturn:  # noqa: D102
        from yakkan.model.errors import clip_message

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {clip_message(message)}\n  fix: see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="yakkan",
        description="約款 yakkan — execute, verify, simulate and document service contracts from one declarative spec.",
    )
    parser.add_argument("--version", action="version", version=f"yakkan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="load and check a spec; print its summary and article coverage")
    _spec_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(module="yakkan.model.cli", func="run_check")

    p = sub.add_parser("replay", help="replay a dated scenario: trace, refusals, ledger")
    p.add_argument("scenario", type=Path, help="scenario file (YAML)")
    _spec_arg(p, positional=False)
    p.add_argument("--json", action="store_true", help="print one JSON object (stable interface)")
    p.add_argument("--all-calendar", action="store_true",
                   help="show every calendar step, also those that change nothing")  # fmt: skip
    p.set_defaults(module="yakkan.model.cli", func="run_replay")

    p = sub.add_parser("verify", help="prove the property catalogue with Z3 (the CI gate)")
    _spec_arg(p)
    p.add_argument("--property", action="append", metavar="ID", help="check only this property (repeatable)")
    p.add_argument("--depth", type=int, default=None, help="bounded model checking depth (events)")
    p.add_argument("--rlimit", type=int, default=None, metavar="UNITS",
                   help="Z3 resource units per property: the budget that decides verdicts (load-independent)")
    p.add_argument("--timeout", type=float, default=None,
                   help="far-off wall-clock guard per property, seconds (reaching it: unknown)")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML")
    p.add_argument("--sarif", type=Path, metavar="FILE", help="write SARIF 2.1.0")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown summary")
    p.add_argument("--out", type=Path, default=None, help="folder for counterexample scenarios")
    p.add_argument("--no-cache", action="store_true", help="ignore cached verdicts")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(module="yakkan.verify.cli", func="run")

    p = sub.add_parser("mutate", help="measure the property catalogue by mutation testing of the spec")
    _spec_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", type=Path, default=None, help="folder for report.json and the surviving mutants' specs")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="run N mutants drawn with --seed (default: all)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="seed of the --limit sample")
    p.add_argument("--mutant", action="append", metavar="ID", help="run only this mutant (repeatable)")
    p.add_argument("--list", action="store_true", help="list the mutants (id and description) without running them")
    p.add_argument("--workers", type=int, default=1, help="processes (one mutant each at a time)")
    p.add_argument("--min-score", type=float, default=0.95, metavar="F",
                   help="exit 1 when killed / non-equivalent mutants is below F (default 0.95)")  # fmt: skip
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the terminal report")
    p.add_argument("--no-cache", action="store_true", help="ignore cached outcomes")
    p.set_defaults(module="yakkan.verify.mutate_cli", func="run")

    p = sub.add_parser("simulate", help="run randomized customer portfolios with every property monitored")
    _spec_arg(p)
    p.add_argument("--profiles", type=Path, default=None, help="behaviour profiles (YAML)")
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--months", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--engine", choices=("fast", "reference"), default="fast")
    p.add_argument("--loop", choices=("compiled", "python", "off"), default="compiled",
                   help="the fast engine's fused customer loop: compiled (Cython, cached), plain Python, or off "
                        "(the table-driven engine); the same report in all three")  # fmt: skip
    p.add_argument("--out", type=Path, default=None, help="folder for the report, plots and scenarios")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(module="yakkan.simulate.cli", func="run")

    p = sub.add_parser("diagram", help="draw the lifecycle as a state diagram")
    _spec_arg(p)
    p.add_argument("--format", choices=("svg", "png", "pdf", "dot", "mermaid"), default="svg")
    p.add_argument("--lang", choices=("ja", "en"), default="ja")
    p.add_argument("--highlight", type=Path, metavar="SCENARIO", help="draw a scenario's path")
    p.add_argument("-o", "--output", type=Path, default=None, help="output file (default: stdout for text)")
    p.set_defaults(module="yakkan.diagrams.cli", func="run_diagram")

    p = sub.add_parser("docs", help="generate the documentation site (ja/en) and a Markdown file")
    _spec_arg(p)
    p.add_argument("-o", "--output", type=Path, default=Path("out/docs"), help="output folder")
    p.add_argument("--verify-results", type=Path, metavar="FILE",
                   help="verdicts to show (default: DIR/../verify/results.json when present)")  # fmt: skip
    p.add_argument("--simulate-report", type=Path, metavar="FILE",
                   help="simulation report to show (default: DIR/../simulate/report.json when present)")  # fmt: skip
    p.set_defaults(module="yakkan.diagrams.cli", func="run_docs")

    p = sub.add_parser("review", help="review a change of the terms: verdicts, model, redline, staleness, money")
    p.add_argument("old", type=Path, help="the spec before the change (a spec file or a version folder)")
    p.add_argument("new", type=Path, help="the spec after the change (a spec file or a version folder)")
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help="write the report as Markdown for a pull request (also appended to $GITHUB_STEP_SUMMARY)")
    p.add_argument("--html", type=Path, metavar="DIR", help="write the report as HTML pages (index.html, en.html)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--simulate", action="store_true", help="simulate the same portfolio and seed on both versions")
    p.add_argument("--customers", type=int, default=200, help="customers simulated (with --simulate)")
    p.add_argument("--months", type=int, default=36, help="months simulated (with --simulate)")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulation (with --simulate)")
    p.add_argument("--property", action="append", metavar="ID", help="verify only this property (repeatable)")
    p.add_argument("--no-verify", action="store_true", help="do not run the verifier")
    p.add_argument("--no-cache", action="store_true", help="ignore cached verdicts")
    p.add_argument("--out", type=Path, default=Path("out") / "review",
                   help="folder for counterexample scenarios and simulation reports (default out/review)")
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the terminal report")
    p.add_argument("--reread", action="append", metavar="ARTICLE",
                   help="record that NEW's encoding was re-read against this article's text (repeatable)")
    p.set_defaults(module="yakkan.terms.cli", func="run_review")

    p = sub.add_parser("lint", help="drafting findings of a terms text: typos, references, numbering, defined terms")
    p.add_argument("terms", type=Path, nargs="?", default=DEFAULT_TERMS,
                   help="the terms text (default: the bundled Clara MSP terms)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--all", action="store_true", help="also show the findings reviewed and accepted")
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the messages")
    p.add_argument("--reviewed", type=Path, metavar="FILE",
                   help="reviewed findings (default: NAME.findings.yaml beside the terms text)")  # fmt: skip
    p.set_defaults(module="yakkan.terms.cli", func="run_lint")

    p = sub.add_parser("demo", help="the main job on the bundled model: check, replay, and more")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder")
    p.set_defaults(module="yakkan.demo", func="run")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv`; Ctrl-C (SIGINT) anywhere ends it with status 130, no traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting stays quiet too
        print("yakkan: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    from yakkan.model.errors import InputError

    try:
        try:
            module = importlib.import_module(args.module)
        except ModuleNotFoundError as exc:
            if exc.name and args.module.startswith(exc.name):
                print(f"yakkan: error: `{args.command}` is not available in this build ({args.module} is missing)",
                      file=sys.stderr)  # fmt: skip
                return 2
            raise
        return int(getattr(module, args.func)(args) or 0)
    except InputError as exc:
        print(f"yakkan: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
