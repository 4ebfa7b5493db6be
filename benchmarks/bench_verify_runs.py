"""The verifier's 160 random runs on both engines: CPU and a hash of the samples (issue 14 §3).

    python benchmarks/bench_verify_runs.py [SPEC …]

For each spec, the runs of `Verifier.runs` (one process) on the fast engine and on the
reference engine: CPU seconds, and a SHA-256 of the runs' steps and of the lemma samples
built from them (`lemmas.sample_values`, without a monitor and with each response
property's), over their `repr` (values, key order and types). The hashes must be equal;
a measurement, not a test: the differential test is ``tests/test_verify_fast_runs.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "contracts" / "clara-msp" / "spec.yaml", ROOT / "contracts" / "clara-msp" / "2025-04-01" / "spec.yaml"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="*", type=Path, default=SPECS)
    args = ap.parse_args()

    from yakkan.model.spec import load_spec
    from yakkan.verify.lemmas import sample_values
    from yakkan.verify.properties import obligations
    from yakkan.verify.runner import Settings, Verifier
    from yakkan.verify.sampling import sample_runs

    for path in args.specs:
        spec = load_spec(path)
        monitors = [None, *(ob.monitor for ob in obligations(spec) if ob.monitor is not None)]
        for engine in ("fast", "reference"):
            verifier = Verifier(spec, Settings(), None, jobs=1)
            s = verifier.settings
            t = time.process_time()
            runs = sample_runs(verifier.compiled, s.samples, s.sample_length, seed=0, jobs=1, engine=engine)
            cpu = time.process_time() - t
            steps = hashlib.sha256(repr([(r.parameters, r.events, r.steps) for r in runs]).encode()).hexdigest()
            samples = hashlib.sha256()
            for m in monitors:
                samples.update(repr(sample_values(verifier.model, runs, m)).encode())
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} {engine:9s} "
                  f"{len(runs)} runs {sum(len(r.steps) for r in runs)} steps {cpu:4.1f} s CPU, "
                  f"steps {steps[:16]}, samples {samples.hexdigest()[:16]}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
