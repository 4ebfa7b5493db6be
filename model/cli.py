"""`yakkan check` and `yakkan replay`: the model's commands."""

from __future__ import annotations

import json
import sys
import unicodedata
from argparse import Namespace

from yakkan.lang import current, spec_text, tr, translate

from .coverage import coverage_table
from .machine import CompiledSpec
from .replay import format_human, replay
from .scenario import load_scenario, load_spec_scenarios
from .spec import load_spec
from .versions import choose_spec


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
    print(tr("{name} ({version}): spec OK — {path}", name=spec.meta["name_ja"], version=spec.meta["version"],
             path=args.spec))  # fmt: skip
    print(tr("  {states} states, {events} events, {transitions} transitions, {parameters} parameters, "
             "{interpretations} interpretations, {properties} properties", states=len(spec.leaf_states),
             events=len(spec.events), transitions=len(spec.transitions), parameters=len(spec.parameters),
             interpretations=len(spec.interpretations), properties=len(spec.properties)))  # fmt: skip
    encoded = sum(1 for r in rows if r.elements)
    print(tr("  article coverage: {encoded} of {total} articles encoded by model elements, {out} out of scope "
             "with reasons", encoded=encoded, total=len(rows),
             out=sum(1 for r in rows if r.out_of_scope and not r.elements)))  # fmt: skip
    for r in rows:
        reason = spec_text(spec, r.out_of_scope) if r.out_of_scope else r.out_of_scope
        if r.elements and r.out_of_scope:
            status = tr("partly: {n} elements; rest out of scope — {reason}", n=len(r.elements), reason=reason)
        elif r.elements:
            status = tr("encoded by {n} elements", n=len(r.elements))
        else:
            status = tr("out of scope — {reason}", reason=reason)
        print(f"    {pad(f'第{r.article}条 {r.title}', 38)} {status}")
    shown = report.shown()
    new = [f for f in shown if f.status == "new"]
    accepted = len(report.findings) - len(shown)
    print(tr("  terms lint: {shown} findings in the terms text ({new} not reviewed, {accepted} accepted not shown) "
             "— yakkan lint {name} for the messages", shown=len(shown), new=len(new), accepted=accepted,
             name=spec.terms_path.name))  # fmt: skip
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
    """Replay a scenario against the version of the terms it names (`terms:`, versions.py),
    or against the spec given; a spec of another version is replayed as asked, with a note."""
    choice = choose_spec(args.scenario, args.spec, args.contract_folder)
    spec = load_spec(choice.spec)
    scenario = load_scenario(args.scenario, spec)
    version = str(spec.meta["version"])
    if scenario.terms is not None and scenario.terms != version:
        print(tr("note: {scenario} was written for the terms of {written} (line {line}); replayed against {version} "
                 "as asked, its expectations are those of {written}", scenario=args.scenario, written=scenario.terms,
                 line=scenario.terms_line, version=version), file=sys.stderr)  # fmt: skip
        print(tr("  to replay it against its own version: yakkan replay {scenario}", scenario=args.scenario),
              file=sys.stderr)  # fmt: skip
    result = replay(CompiledSpec(spec), scenario)
    mismatches = result.expectation_mismatches()
    if args.json:
        out = result.to_json()
        if scenario.terms is not None:
            out["written_for"] = scenario.terms
        if scenario.expect:
            out["expectations_met"] = not mismatches
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_human(result, show_calendar_all=args.all_calendar, lang=current()))
        if scenario.expect:
            print(tr("expectations: ") + (tr("all met") if not mismatches else tr("NOT MET")))
            for m in mismatches:
                print(f"  {translate(m)}")
    if mismatches:
        print(tr("yakkan: {n} expectation(s) of {scenario} not met", n=len(mismatches), scenario=args.scenario),
              file=sys.stderr)  # fmt: skip
        return 1
    return 0

