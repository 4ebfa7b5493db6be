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
from typing import Any, NoReturn

from . import __version__
from .lang import LANGS, argparse_in, from_argv, from_env, render_error, tr, using

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO / "contracts" / "clara-msp" / "spec.yaml"
DEFAULT_SCENARIOS = REPO / "scenarios"
DEFAULT_TERMS = REPO / "contracts" / "clara-msp" / "terms" / "clara-msp-terms-2024-04-01.ja.txt"


def _spec_arg(p: argparse.ArgumentParser, positional: bool = True) -> None:
    if positional:
        p.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC,
                       help=tr("contract spec (default: the bundled Clara MSP spec)"))  # fmt: skip
    else:
        p.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                       help=tr("contract spec (default: the bundled Clara MSP spec)"))  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse, with a `fix:` line under a usage error like every other bad input (exit 2),
    in the language of the command (argparse's own words come through `lang.argparse_in`)."""

    def error(self, message: str) -> NoReturn:  # noqa: D102
        from yakkan.model.errors import clip_message

        self.print_usage(sys.stderr)
        self.exit(2, tr("{prog}: error: {message}\n  fix: see `{prog} --help`\n", prog=self.prog,
                        message=clip_message(message)))  # fmt: skip


LANG_HELP = "language of the messages and reports: ja or en (default: YAKKAN_LANG, then LC_ALL/LC_MESSAGES/LANG)"
LANG_HELP_REPORT = ("language of the report: ja (the default) or en; also of the messages (default: YAKKAN_LANG, "
                    "then LC_ALL/LC_MESSAGES/LANG)")
# These commands wrote Japanese before `--lang` was global: without --lang, their report stays Japanese
# (the messages around it follow the environment).
REPORTS_IN_JA = ("diagram", "review", "lint", "mutate")


def _with_lang(add_parser: Any) -> Any:
    """`add_parser` that gives every subcommand its own `--lang` (the same as `yakkan --lang`)."""

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        p = add_parser(name, **kwargs)
        p.add_argument("--lang", choices=LANGS, default=None,
                       help=tr(LANG_HELP_REPORT if name in REPORTS_IN_JA else LANG_HELP))  # fmt: skip
        return p

    return add


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="yakkan",
        description=tr("約款 yakkan — execute, verify, simulate and document service contracts from one declarative "
                       "spec."),
    )
    parser.add_argument("--version", action="version", version=f"yakkan {__version__}",
                        help=tr("show program's version number and exit"))  # fmt: skip
    parser.add_argument("--lang", dest="global_lang", choices=LANGS, default=None, help=tr(LANG_HELP))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser = _with_lang(sub.add_parser)  # type: ignore[method-assign]

    p = sub.add_parser("check", help=tr("load and check a spec; print its summary and article coverage"))
    _spec_arg(p)
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(module="yakkan.model.cli", func="run_check")

    p = sub.add_parser("replay", help=tr("replay a dated scenario: trace, refusals, ledger"))
    p.add_argument("scenario", type=Path, help=tr("scenario file (YAML)"))
    p.add_argument("--spec", type=Path, default=None,
                   help=tr("contract spec, or a contract folder holding its versions (default: the version the "
                           "scenario names in `terms:`, from the bundled Clara MSP folder)"))  # fmt: skip
    p.set_defaults(contract_folder=DEFAULT_SPEC.parent)
    p.add_argument("--json", action="store_true", help=tr("print one JSON object (stable interface)"))
    p.add_argument("--all-calendar", action="store_true",
                   help=tr("show every calendar step, also those that change nothing"))  # fmt: skip
    p.set_defaults(module="yakkan.model.cli", func="run_replay")

    p = sub.add_parser("verify", help=tr("prove the property catalogue with Z3 (the CI gate)"))
    _spec_arg(p)
    p.add_argument("--property", action="append", metavar="ID", help=tr("check only this property (repeatable)"))
    p.add_argument("--depth", type=int, default=None, help=tr("bounded model checking depth (events)"))
    p.add_argument("--rlimit", type=int, default=None, metavar="UNITS",
                   help=tr("Z3 resource units per property: the budget that decides verdicts (load-independent)"))
    p.add_argument("--timeout", type=float, default=None,
                   help=tr("far-off wall-clock guard per property, seconds (reaching it: unknown)"))
    p.add_argument("--junit", type=Path, metavar="FILE", help=tr("write JUnit XML"))
    p.add_argument("--sarif", type=Path, metavar="FILE", help=tr("write SARIF 2.1.0"))
    p.add_argument("--markdown", type=Path, metavar="FILE", help=tr("write a Markdown summary"))
    p.add_argument("--out", type=Path, default=None, help=tr("folder for counterexample scenarios"))
    p.add_argument("--no-cache", action="store_true", help=tr("ignore cached verdicts"))
    p.add_argument("--no-hints", action="store_true",
                   help=tr("do not start from the proof hints beside the spec (proof-hints.json)"))
    p.add_argument("--write-hints", action="store_true",
                   help=tr("write the proof hints beside the spec from this run's verdicts"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(module="yakkan.verify.cli", func="run")

    p = sub.add_parser("mutate", help=tr("measure the property catalogue by mutation testing of the spec"))
    _spec_arg(p)
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--out", type=Path, default=None,
                   help=tr("folder for report.json and the surviving mutants' specs"))  # fmt: skip
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help=tr("run N mutants drawn with --seed (default: all)"))  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help=tr("seed of the --limit sample"))
    p.add_argument("--mutant", action="append", metavar="ID", help=tr("run only this mutant (repeatable)"))
    p.add_argument("--list", action="store_true",
                   help=tr("list the mutants (id and description) without running them"))  # fmt: skip
    p.add_argument("--workers", type=int, default=1, help=tr("processes (one mutant each at a time)"))
    p.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help=tr("run the mutants on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT) "
                           "instead of local processes"))  # fmt: skip
    p.add_argument("--min-score", type=float, default=0.95, metavar="F",
                   help=tr("exit 1 when killed / non-equivalent mutants is below F (default 0.95)"))  # fmt: skip
    p.add_argument("--no-cache", action="store_true", help=tr("ignore cached outcomes"))
    p.set_defaults(module="yakkan.verify.mutate_cli", func="run")

    p = sub.add_parser("what-if", help=tr("verify the catalogue again for other values of the terms' parameters"))
    p.add_argument("assignments", nargs="+", metavar="NAME=VALUES",
                   help=tr("a terms parameter and the values to try, e.g. minimum_term_months=1,3,6 or "
                           "minimum_term_months=1..12 (several: every combination)"))  # fmt: skip
    _spec_arg(p, positional=False)
    p.add_argument("--property", action="append", metavar="ID", help=tr("check only this property (repeatable)"))
    p.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help=tr("verify the variants on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT) "
                           "instead of this machine; the same report"))  # fmt: skip
    p.add_argument("--out", type=Path, default=None,
                   help=tr("folder for each variant's counterexample scenarios"))  # fmt: skip
    p.add_argument("--simulate", action="store_true",
                   help=tr("also simulate the same portfolio and seed on each variant: what it does to the money"))
    p.add_argument("--customers", type=int, default=None, help=tr("customers simulated (with --simulate)"))
    p.add_argument("--months", type=int, default=None, help=tr("months simulated (with --simulate)"))
    p.add_argument("--seed", type=int, default=None, help=tr("seed of the simulation (with --simulate)"))
    p.add_argument("--seeds", type=int, default=None, metavar="N",
                   help=tr("simulate N seeds from --seed and show the mean and the spread (with --simulate)"))
    p.add_argument("--no-cache", action="store_true", help=tr("ignore cached verdicts"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(module="yakkan.verify.whatif", func="run")

    p = sub.add_parser("simulate", help=tr("run randomized customer portfolios with every property monitored"))
    _spec_arg(p)
    p.add_argument("--profiles", type=Path, default=None, help=tr("behaviour profiles (YAML)"))
    p.add_argument("--customers", type=int, default=1000, help=tr("number of customers"))
    p.add_argument("--months", type=int, default=60, help=tr("months simulated"))
    p.add_argument("--seed", type=int, default=0, help=tr("seed of the random draws"))
    p.add_argument("--workers", type=int, default=None, help=tr("worker processes (default: the CPUs)"))
    p.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help=tr("run the customers on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT) "
                           "instead of local processes; the same report"))  # fmt: skip
    p.add_argument("--engine", choices=("fast", "reference"), default="fast", help=tr("simulation engine"))
    p.add_argument("--loop", choices=("compiled", "python", "off"), default="compiled",
                   help=tr("the fast engine's fused customer loop: compiled (Cython, cached), plain Python, or off "
                           "(the table-driven engine); the same report in all three"))  # fmt: skip
    p.add_argument("--out", type=Path, default=None, help=tr("folder for the report, plots and scenarios"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(module="yakkan.simulate.cli", func="run")

    p = sub.add_parser("diagram", help=tr("draw the lifecycle as a state diagram"))
    _spec_arg(p)
    p.add_argument("--format", choices=("svg", "png", "pdf", "dot", "mermaid"), default="svg", help=tr("output format"))
    p.add_argument("--highlight", type=Path, metavar="SCENARIO", help=tr("draw a scenario's path"))
    p.add_argument("-o", "--output", type=Path, default=None, help=tr("output file (default: stdout for text)"))
    p.set_defaults(module="yakkan.diagrams.cli", func="run_diagram")

    p = sub.add_parser("docs", help=tr("generate the documentation site (ja/en) and a Markdown file"))
    _spec_arg(p)
    p.add_argument("-o", "--output", type=Path, default=Path("out/docs"), help=tr("output folder"))
    p.add_argument("--verify-results", type=Path, metavar="FILE",
                   help=tr("verdicts to show (default: DIR/../verify/results.json when present)"))  # fmt: skip
    p.add_argument("--simulate-report", type=Path, metavar="FILE",
                   help=tr("simulation report to show (default: DIR/../simulate/report.json when present)"),
                   )  # fmt: skip
    p.add_argument("--review", type=Path, metavar="OLD",
                   help=tr("add the review of the change from OLD (a spec file or version folder) to this spec: "
                           "review/index.html, review/en.html"))  # fmt: skip
    p.set_defaults(module="yakkan.diagrams.cli", func="run_docs")

    p = sub.add_parser("review", help=tr("review a change of the terms: verdicts, model, redline, staleness, money"))
    p.add_argument("old", type=Path, help=tr("the spec before the change (a spec file or a version folder)"))
    p.add_argument("new", type=Path, help=tr("the spec after the change (a spec file or a version folder)"))
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help=tr("write the report as Markdown for a pull request (also appended to $GITHUB_STEP_SUMMARY)"))
    p.add_argument("--html", type=Path, metavar="DIR", help=tr("write the report as HTML pages (index.html, en.html)"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--simulate", action="store_true", help=tr("simulate the same portfolio and seed on both versions"))
    p.add_argument("--customers", type=int, default=None, help=tr("customers simulated (with --simulate)"))
    p.add_argument("--months", type=int, default=None, help=tr("months simulated (with --simulate)"))
    p.add_argument("--seed", type=int, default=None, help=tr("seed of the simulation (with --simulate)"))
    p.add_argument("--property", action="append", metavar="ID", help=tr("verify only this property (repeatable)"))
    p.add_argument("--no-verify", action="store_true", help=tr("do not run the verifier"))
    p.add_argument("--no-cache", action="store_true", help=tr("ignore cached verdicts"))
    p.add_argument("--out", type=Path, default=Path("out") / "review",
                   help=tr("folder for counterexample scenarios and simulation reports (default out/review)"))
    p.add_argument("--reread", action="append", metavar="ARTICLE",
                   help=tr("record that NEW's encoding was re-read against this article's text (repeatable)"))
    p.set_defaults(module="yakkan.terms.cli", func="run_review")

    p = sub.add_parser("lint",
                       help=tr("drafting findings of a terms text: typos, references, numbering, defined terms"))
    p.add_argument("terms", type=Path, nargs="?", default=DEFAULT_TERMS,
                   help=tr("the terms text (default: the bundled Clara MSP terms)"))  # fmt: skip
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--all", action="store_true", help=tr("also show the findings reviewed and accepted"))
    p.add_argument("--reviewed", type=Path, metavar="FILE",
                   help=tr("reviewed findings (default: NAME.findings.yaml beside the terms text)"))  # fmt: skip
    p.set_defaults(module="yakkan.terms.cli", func="run_lint")

    p = sub.add_parser("demo", help=tr("the main job on the bundled model: check, replay, and more"))
    p.add_argument("--out", type=Path, default=Path("out"), help=tr("output folder"))
    p.set_defaults(module="yakkan.demo", func="run")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv`; Ctrl-C (SIGINT) anywhere ends it with status 130, no traceback.

    The language of every message is `--lang` (before or after the subcommand), else the
    environment's (`yakkan.lang.from_env`); argparse's own messages follow it too."""
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = from_argv(argv) or from_env()
    with using(lang):
        try:
            return _main(argv, lang)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting stays quiet too
            print(tr("yakkan: interrupted"), file=sys.stderr)
            return 130


def _main(argv: list[str], lang: str) -> int:
    with argparse_in(lang):
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 0
    explicit = getattr(args, "lang", None) or getattr(args, "global_lang", None)
    lang = explicit or lang
    args.lang = explicit or ("ja" if args.command in REPORTS_IN_JA else lang)
    with using(lang):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from yakkan.model.errors import InputError

    try:
        try:
            module = importlib.import_module(args.module)
        except ModuleNotFoundError as exc:
            if exc.name and args.module.startswith(exc.name):
                print(tr("yakkan: error: `{command}` is not available in this build ({module} is missing)",
                         command=args.command, module=args.module), file=sys.stderr)  # fmt: skip
                return 2
            raise
        return int(getattr(module, args.func)(args) or 0)
    except InputError as exc:
        print(tr("yakkan: error: {error}", error=render_error(exc)), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
