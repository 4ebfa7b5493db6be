"""Where a property's Z3 units and CPU go, phase by phase (issue 14 §3).

    python benchmarks/bench_verify_phases.py [SPEC] P17 P12 … [--queries]

After the shared preparation (random runs, truth tables: CPU printed), each property is
checked as `yakkan verify` checks it, with each engine call reported as it ends:

* ``prove`` — one induction attempt: the slice's size, whether mined lemmas were used, the
  outcome, units, CPU, queries, the candidates dropped per Houdini round (0: a
  counterexample to induction, after which new candidates are mined) and the five
  costliest queries (units, CPU seconds, assumptions);
* ``bmc`` — one bounded search (a counterexample, a witness, a premise's witness): depth
  bound, slice size, units, CPU.

``--queries`` prints every query too (units, CPU, assumptions, cap, answer). Units are the
budget that decides verdicts (deterministic); CPU seconds depend on the machine and its
load. A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    ap.add_argument("properties", nargs="+")
    ap.add_argument("--queries", action="store_true", help="print every query")
    args = ap.parse_args()
    if args.spec.suffix not in (".yaml", ".yml"):  # no spec given: the first is a property
        args.properties.insert(0, str(args.spec))
        args.spec = DEFAULT_SPEC

    from yakkan.model.spec import load_spec
    from yakkan.verify import engines
    from yakkan.verify.runner import Settings, Verifier

    queries: list[tuple[int, float, int]] = []
    drops: list[int] = []
    checked = engines._checked

    def counted(z: Any, assumptions: list[Any], budget: Any, cap: int | None = None) -> Any:
        t, u = time.process_time(), budget.used
        r = checked(z, assumptions, budget, cap)
        queries.append((budget.used - u, time.process_time() - t, len(assumptions)))
        if args.queries:
            print(f"    query {budget.used - u:>12,} units {time.process_time() - t:5.1f} s "
                  f"{len(assumptions):3d} assumptions cap={cap} {r[0]}", flush=True)  # fmt: skip
        return r

    def dropped(sysm: Any, model: Any, s: Any, n: Any, st: Any, gone: list[str]) -> None:
        drops.append(len(gone))

    prove, bmc = engines.prove, engines.bmc

    def timed_prove(ob: Any, sysm: Any, mined: Any, budget: Any, **kw: Any) -> Any:
        queries.clear()
        drops.clear()
        u, t = budget.used, time.process_time()
        result: Any = None
        try:
            result = prove(ob, sysm, mined, budget, **kw)
            return result
        finally:
            top = sorted(queries, key=lambda q: -q[0])[:5]
            print(f"  prove {ob.kind:8s} slice {len(sysm.kept):3d} {'mined' if mined is not None else 'stated'}"
                  f"{' seed_limit=' + str(kw['seed_limit']) if 'seed_limit' in kw else ''}: "
                  f"{type(result).__name__ if result is not None else 'stopped'} {budget.used - u:>12,} units "
                  f"{time.process_time() - t:5.1f} s, {len(queries)} queries, dropped per round {drops}, "
                  f"costliest {[(q[0], round(q[1], 1), q[2]) for q in top]}", flush=True)  # fmt: skip

    def timed_bmc(sysm: Any, budget: Any, depth: int, target: Any, **kw: Any) -> Any:
        u, t = budget.used, time.process_time()
        found: Any = None
        try:
            found = bmc(sysm, budget, depth, target, **kw)
            return found
        finally:
            kept = "all" if sysm.kept is None else len(sysm.kept)
            print(f"  bmc   to depth {depth} slice {kept}: {'found at ' + str(found.depth) if found else 'none'} "
                  f"{budget.used - u:>12,} units {time.process_time() - t:5.1f} s", flush=True)  # fmt: skip

    engines._checked, engines._DEBUG = counted, dropped
    engines.prove, engines.bmc = timed_prove, timed_bmc

    spec = load_spec(args.spec)
    verifier = Verifier(spec, Settings(), None, jobs=1)
    t = time.process_time()
    verifier.runs()
    runs = time.process_time() - t
    verifier.prepare()
    tables = time.process_time() - t - runs
    print(f"preparation (one process): random runs {runs:.1f} s, truth tables {tables:.1f} s CPU")
    for pid in args.properties:
        t = time.process_time()
        v = verifier.check(pid)
        print(f"{pid} {v.verdict}: {v.units:,} units, {time.process_time() - t:.1f} s CPU", flush=True)


if __name__ == "__main__":
    main()
