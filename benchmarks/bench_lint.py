"""What `yakkan lint` finds: recall per kind of planted fault, and its false positives.

    .venv/bin/python benchmarks/bench_lint.py [--per-kind 12] [--seed 0] [--terms FILE]

Copies of the terms text, each with one planted fault (``yakkan.terms.planted``: kanji typos
from common confusions, defined-term variants, skipped or repeated numbers, width mixes,
broken citations), are linted without the reviewed-findings file; a fault counts as found
when a finding of its kind is at its place.  Then the real text is linted, and every finding
is listed with what review said of it (``open``: a fault of the text; ``accepted``: a false
positive or an accepted wording, with its reason).  Nothing is asserted here; the test
`tests/test_lint.py` asserts recall ≥ 80 % per kind.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from yakkan.terms.lint import lint
from yakkan.terms.planted import KINDS, measure
from yakkan.terms.structure import load_terms

ROOT = Path(__file__).resolve().parent.parent
TERMS = ROOT / "contracts/clara-msp/terms/clara-msp-terms-2024-04-01.ja.txt"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-kind", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--terms", type=Path, default=TERMS)
    args = ap.parse_args()

    t0 = time.perf_counter()
    m = measure(args.terms, per_kind=args.per_kind, seed=args.seed)
    elapsed = time.perf_counter() - t0
    copies = sum(m.planted.values())
    print(f"planted faults in copies of {args.terms.name} (seed {args.seed}); {copies} copies linted in "
          f"{elapsed:.1f} s ({elapsed / copies:.2f} s a copy)")
    print(f"  {'kind':<14} {'found':>7}  recall  other new findings on the copies")
    for kind in KINDS:
        fps = m.other_findings.get(kind, [])
        print(f"  {kind:<14} {m.found[kind]:>3}/{m.planted[kind]:<3}  {m.recall(kind):>5.0%}   {len(fps)}")
        for p in m.missed.get(kind, []):
            print(f"      missed {p.description}")
        if fps and kind != "numbering":
            print(f"      other: {', '.join(fps)}")
    total = sum(m.found.values())
    print(f"  {'all':<14} {total:>3}/{copies:<3}  {total / copies:>5.0%}")
    print("  (other new findings: new findings away from the planted line; for numbering they are its")
    print("   consequences — a renumbered article makes the citations of the articles after it point elsewhere)")

    t0 = time.perf_counter()
    report = lint(load_terms(args.terms))
    elapsed = time.perf_counter() - t0
    status = Counter(f.status for f in report.findings)
    print(f"\nthe real text: {len(report.findings)} findings in {elapsed:.1f} s — {status['open']} open (faults of "
          f"the text), {status['accepted']} accepted (false positives, with reasons), {status['new']} not reviewed")
    mechanical = [f for f in report.findings if f.finding.subject not in _reviewer_texts(report)]
    fp = [f for f in mechanical if f.status == "accepted"]
    print(f"  found by the checks: {len(mechanical)}; false positives among them: {len(fp)}")
    for f in report.findings:
        x = f.finding
        reason = f" — {f.reason}" if f.reason else ""
        print(f"    {f.status:<9} {x.id}{reason}")


def _reviewer_texts(report) -> set[str]:
    from yakkan.terms.reviewed import load_reviewed

    return {e.text for e in load_reviewed(report.terms_path).entries if e.own}


if __name__ == "__main__":
    main()
