"""A longer fuzzing run over the inputs that come from pull requests.

    .venv/bin/python benchmarks/fuzz_inputs.py [--examples N] [--only spec|scenario|profiles] [--seed S]

The strategies of tests/fuzzing.py (mutated YAML structure of the bundled spec, scenarios
and profiles, with hostile strings and numbers) drive `yakkan check`, `yakkan replay` and
`yakkan simulate` in-process. Prints, per kind of input, the number of inputs tried, the
outcome counts (exit 0, 1, 2, and problems: a traceback, an exception out of main, another
exit status, an exit 2 without `fix:`, anything written outside the output folder), the
slowest input's time and the peak memory of the process; the first problems are shown in
full. Exit status 1 when any problem was found.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzzing import PROFILES, SCENARIOS, SPEC, files_under, mutants, problems, run_cli, spec_folder  # noqa: E402


class Tally:
    """Outcome counts for one kind of input."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.counts: collections.Counter[str] = collections.Counter()
        self.slowest = 0.0
        self.examples: list[str] = []

    def add(self, outcome, escaped: bool) -> None:
        found = problems(outcome)
        if escaped:
            found.append("a file was written outside the output folder")
        self.counts["tried"] += 1
        self.counts[f"exit {outcome.status}"] += 1
        self.slowest = max(self.slowest, outcome.seconds)
        for p in found:
            self.counts["PROBLEM " + p.split(":")[0]] += 1
            if len(self.examples) < 3:
                self.examples.append(p)

    def report(self) -> str:
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()) if k != "tried")
        return f"{self.kind:<9} {self.counts['tried']:>5} inputs tried — {parts}; slowest {self.slowest:.2f} s"


def fuzz_spec(tally: Tally, n: int, seed: int) -> None:
    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=mutants(SPEC))
    def one(text: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = spec_folder(Path(tmp) / "spec", text)
            before = files_under(Path(tmp))
            outcome = run_cli(["check", str(path)])
            tally.add(outcome, files_under(Path(tmp)) != before)

    _seeded(one, seed)()


def fuzz_scenario(tally: Tally, n: int, seed: int) -> None:
    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(which=st.sampled_from(SCENARIOS), data=st.data())
    def one(which: Path, data: st.DataObject) -> None:
        text = data.draw(mutants(which))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / which.name
            path.write_text(text, encoding="utf-8")
            outcome = run_cli(["replay", str(path), "--json"])
            tally.add(outcome, files_under(Path(tmp)) != {path})

    _seeded(one, seed)()


def fuzz_profiles(tally: Tally, n: int, seed: int) -> None:
    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=mutants(PROFILES))
    def one(text: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "profiles.yaml"
            path.write_text(text, encoding="utf-8")
            out = Path(tmp) / "out"
            outcome = run_cli(["simulate", "--profiles", str(path), "--customers", "4", "--months", "3",
                               "--workers", "1", "--json", "--out", str(out)])  # fmt: skip
            outside = {p for p in files_under(Path(tmp)) if out not in p.parents and p != out} != {path}
            tally.add(outcome, outside)

    _seeded(one, seed)()


def _seeded(test, seed: int):
    from hypothesis import seed as hypothesis_seed

    return hypothesis_seed(seed)(test)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="inputs per kind (default 300)")
    parser.add_argument("--only", choices=("spec", "scenario", "profiles"), default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = {"spec": fuzz_spec, "scenario": fuzz_scenario, "profiles": fuzz_profiles}
    tallies = []
    started = time.perf_counter()
    import os

    os.chdir(tempfile.mkdtemp(prefix="yakkan-fuzz-"))  # a default output path (out/…) would show up here
    for kind, fn in runs.items():
        if args.only and kind != args.only:
            continue
        tally = Tally(kind)
        t = time.perf_counter()
        fn(tally, args.examples, args.seed)
        tallies.append(tally)
        print(f"{tally.report()}; {time.perf_counter() - t:.0f} s", flush=True)
    leftovers = sorted(str(p) for p in Path.cwd().rglob("*"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(t.counts["tried"] for t in tallies)
    print(f"{total} inputs in {time.perf_counter() - started:.0f} s; peak memory {peak:.0f} MiB; "
          f"files left in the working folder: {len(leftovers)}")  # fmt: skip
    bad = [e for t in tallies for e in t.examples]
    for e in bad:
        print("\n--- problem ---\n" + e)
    return 1 if bad or leftovers else 0


if __name__ == "__main__":
    sys.exit(main())
