"""`yakkan demo`: the main job on the bundled Clara model.

Checks the spec and its article coverage, then replays every shipped scenario and checks
each against the figures worked out by hand. Later stages (verification, simulation,
diagrams and docs) run when their subsystems are present.
"""

from __future__ import annotations

import json
from argparse import Namespace
from pathlib import Path

from yakkan.model.coverage import coverage_table
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import format_yen, replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec

from .cli import DEFAULT_SCENARIOS, DEFAULT_SPEC


def run(args: Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    spec = load_spec(DEFAULT_SPEC)
    rows = coverage_table(spec)
    print(f"== 1. spec: {spec.meta['name_ja']} ({spec.meta['version']}) — OK")
    print(f"   {len(spec.leaf_states)} states, {len(spec.events)} events, {len(spec.transitions)} transitions, "
          f"{len(spec.properties)} properties; {sum(1 for r in rows if r.elements)}/{len(rows)} articles encoded, "
          f"{sum(1 for r in rows if r.out_of_scope and not r.elements)} out of scope with reasons")  # fmt: skip
    failures = replay_examples(spec, out)
    print(f"\nwritten under {out.resolve()}")
    return 1 if failures else 0


def replay_examples(spec, out: Path) -> int:
    compiled = CompiledSpec(spec)
    paths = sorted(DEFAULT_SCENARIOS.glob("*.yaml"))
    print(f"\n== 2. replay: {len(paths)} example scenarios")
    folder = out / "replay"
    folder.mkdir(parents=True, exist_ok=True)
    failures = 0
    for path in paths:
        result = replay(compiled, load_scenario(path, spec))
        misses = result.expectation_mismatches()
        failures += bool(misses)
        ledger = result.ledger()
        refused = sum(1 for s in result.event_steps if not s.accepted)
        mark = "ok " if not misses else "FAIL"
        print(f"   {mark} {path.stem:<32} {result.state:<10} charged {format_yen(ledger['charged']):>10}  "
              f"balance {format_yen(ledger['balance_due']):>10}  refused {refused}")  # fmt: skip
        for m in misses:
            print(f"        {m}")
        (folder / f"{path.stem}.json").write_text(
            json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return failures
