"""`yakkan check` and `yakkan replay`: the model's commands."""

from __future__ import annotations

import json
import sys
import unicodedata
from argparse import Namespace

from .coverage import coverage_table
from .machine import CompiledSpec
from .replay import format_human, replay
from .scenario import load_scenario, load_spec_scenarios
from .spec import load_spec


def run_check(args: Namespace) -> int:
    from yakkan.terms.lint import lint, load_terms_input

    spec = load_spec(args.spec)
    load_spec_scenarios(spec)
    rows = coverage_table(spec)
    report = lint(load_terms_input(spec.terms_path))
    if args.json:
        out = {
            "spec": {"id": spec.meta["id"], "version": str(spec.meta["version"]), "path": str(args.spec)},
            "states": len(spec.leaf_states), "events": len(spec.events),
            "transitions": len(spec.transitions), "parameters": len(spec.parameters),
            "interpretations": len(spec.interpretations), "properties": len(spec.properties),
            "coverage": [r.to_json() for r in rows],
            "lint": report.to_json(),
        }  # fmt: skip
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"{spec.meta['name_ja']} ({spec.meta['version']}): spec OK — {args.spec}")
    print(f"  {len(spec.leaf_states)} states, {len(spec.events)} events, {len(spec.transitions)} transitions, "
          f"{len(spec.parameters)} parameters, {len(spec.interpretations)} interpretations, "
          f"{len(spec.properties)} properties")  # fmt: skip
    encoded = sum(1 for r in rows if r.elements)
    print(f"  article coverage: {encoded} of {len(rows)} articles encoded by model elements, "
          f"{sum(1 for r in rows if r.out_of_scope and not r.elements)} out of scope with reasons")  # fmt: skip
    for r in rows:
        if r.elements and r.out_of_scope:
            status = f"partly: {len(r.elements)} elements; rest out of scope — {r.out_of_scope}"
        elif r.elements:
            status = f"encoded by {len(r.elements)} elements"
        else:
            status = f"out of scope — {r.out_of_scope}"
        print(f"    {pad(f'第{r.article}条 {r.title}', 38)} {status}")
    shown = report.shown()
    new = [f for f in shown if f.status == "new"]
    accepted = len(report.findings) - len(shown)
    print(f"  terms lint: {len(shown)} findings in the terms text ({len(new)} not reviewed, {accepted} accepted "
          f"not shown) — yakkan lint {spec.terms_path.name} for the messages")  # fmt: skip
    for f in shown:
        x = f.finding
        mark = "  " if f.status == "open" else "! "
        print(f"    {mark}{pad(x.citation, 9)} {pad(x.kind, 18)} 「{x.subject or x.excerpt}」")
    return 0


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def run_replay(args: Namespace) -> int:
    spec = load_spec(args.spec)
    scenario = load_scenario(args.scenario, spec)
    result = replay(CompiledSpec(spec), scenario)
    mismatches = result.expectation_mismatches()
    if args.json:
        out = result.to_json()
        if scenario.expect:
            out["expectations_met"] = not mismatches
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_human(result, show_calendar_all=args.all_calendar))
        if scenario.expect:
            print("expectations: " + ("all met" if not mismatches else "NOT MET"))
            for m in mismatches:
                print(f"  {m}")
    if mismatches:
        print(f"yakkan: {len(mismatches)} expectation(s) of {args.scenario} not met", file=sys.stderr)
        return 1
    return 0

