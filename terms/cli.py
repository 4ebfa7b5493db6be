"""`yakkan review` and `yakkan lint`: the commands on terms texts."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from yakkan.model.spec import load_spec

from .lint import LintFinding, LintReport, lint, lint_file, load_terms_input


def run_review(args: Namespace) -> int:
    from .review import diff_specs, format_changes

    old, new = load_spec(args.old), load_spec(args.new)
    changes = diff_specs(old, new)
    added = _new_lint_findings(old.terms_path, new.terms_path)
    if args.json:
        print(json.dumps({"old": str(args.old), "new": str(args.new), "changes": [c.to_json() for c in changes],
                          "lint": [f.to_json() for f in added]}, ensure_ascii=False, indent=2))  # fmt: skip
    else:
        print(f"{old.meta['name']} {old.meta['version']} → {new.meta['version']}: {len(changes)} change(s)")
        print(format_changes(changes))
        if added:
            print(f"\nterms lint of the new text: {len(added)} finding(s) the old text does not have")
            for f in added:
                print(format_finding(f, None, "ja", indent="  "))
    return 0


def _new_lint_findings(old: Path, new: Path) -> list[LintFinding]:
    """Findings (not accepted) of the new terms text whose id the old text's lint does not have."""
    after = lint(load_terms_input(new)).shown()
    if old.resolve() == new.resolve():
        return []
    before = {f.finding.id for f in lint(load_terms_input(old)).findings}
    return [f for f in after if f.finding.id not in before]


def _shown_path(path: Path) -> Path:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def format_finding(f: LintFinding, path: Path | None, lang: str, indent: str = "") -> str:
    x = f.finding
    path = _shown_path(path) if path is not None else None
    where = f"{path}:{x.line}: " if path is not None and x.line else ""
    status = {"new": "", "open": " [reviewed]", "accepted": " [accepted]"}[f.status]
    message = x.message_ja if lang == "ja" and x.message_ja else x.message_en
    lines = [f"{indent}{where}{x.citation} {x.kind}{status}: {message}", f"{indent}    「{x.excerpt}」"]
    if f.reason:
        lines.append(f"{indent}    reason: {f.reason}")
    return "\n".join(lines)


def format_report(report: LintReport, lang: str = "ja", all_findings: bool = False) -> str:
    shown = report.shown(all_findings)
    accepted = sum(1 for f in report.findings if f.status == "accepted")
    new = sum(1 for f in shown if f.status == "new")
    head = f"{_shown_path(report.terms_path)}: {len(shown)} finding(s), {new} not reviewed"
    if accepted and not all_findings:
        head += f"; {accepted} accepted not shown (--all shows them)"
    out = [head] + [format_finding(f, report.terms_path, lang) for f in shown]
    for e in report.stale:
        where = _shown_path(report.reviewed_path or report.terms_path)
        out.append(f"{where}:{e.line}: {e.id}: no longer found in the text (fix: remove the entry, or update its id)")
    return "\n".join(out)


def run_lint(args: Namespace) -> int:
    report = lint_file(args.terms, args.reviewed)
    if args.json:
        print(json.dumps(report.to_json(args.all), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, args.lang, args.all))
    if any(f.status == "new" for f in report.findings):
        print(f"yakkan: {sum(1 for f in report.findings if f.status == 'new')} finding(s) of {args.terms} "
              "not reviewed", file=sys.stderr)  # fmt: skip
        return 1
    return 0
