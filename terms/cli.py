"""`yakkan review` and `yakkan lint`: the commands on terms texts."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from yakkan.lang import current, tr
from yakkan.model.spec import load_spec

from .lint import LintFinding, LintReport, lint, lint_file, load_terms_input


def run_review(args: Namespace) -> int:
    """`yakkan review OLD NEW`: the report of a change of the terms (exit 0, 1 when a property
    expected to hold breaks or an encoding is stale, 2 on bad input); with `--reread`, record
    that the new spec was re-read against articles of its text."""
    import os

    from yakkan.model.limits import check_output_file, check_output_folder, write_in, write_output

    from .review_data import build_review
    from .review_render import FullReport, blocks, relative_link, render_html, render_markdown, render_text

    if getattr(args, "reread", None):
        return _run_reread(args)
    from yakkan.model.limits import simulation_options

    # checked before anything runs: bad input writes nothing
    simulation_options(args)
    md_path = check_output_file(args.markdown, "--markdown") if getattr(args, "markdown", None) else None
    html_dir = check_output_folder(args.html, "--html") if getattr(args, "html", None) else None
    out = check_output_folder(args.out) if getattr(args, "out", None) else None
    review = build_review(
        args.old, args.new, verify=not args.no_verify, properties=list(args.property or []) or None,
        simulate=args.simulate, customers=args.customers, months=args.months, seed=args.seed, out=out,
        use_cache=not args.no_cache,
    )  # fmt: skip
    if args.json:
        print(json.dumps(review.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_text(blocks(review, args.lang, str)))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if md_path is not None or summary:
        # a pull-request comment or a step summary shows no file of the runner's: the diagram
        # as Mermaid, and where the full report (the HTML pages) is
        base = (md_path.parent if md_path is not None else Path.cwd())
        link = lambda p: relative_link(p, base)  # noqa: E731
        full = FullReport.from_env(os.environ, _shown_path(html_dir).as_posix() if html_dir is not None else "")
        md = render_markdown(blocks(review, "ja", link, comment=full)) + "\n---\n\n" + \
            render_markdown(blocks(review, "en", link, redline=False, comment=full))  # fmt: skip
        if md_path is not None:
            write_output(md_path, md)
        if summary:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(md)
    if html_dir is not None:
        link = lambda p: relative_link(p, html_dir)  # noqa: E731
        svg = {lang: _write_diagram(review, lang, html_dir, "", ("svg",)) for lang in ("ja", "en")}
        write_in(html_dir, "index.html", render_html(blocks(review, "ja", link, diagram=svg["ja"]), "ja", "en.html"))
        write_in(html_dir, "en.html", render_html(blocks(review, "en", link, diagram=svg["en"]), "en", "index.html"))
    if review.exit_status:
        why = [tr("{n} property(ies) expected to hold break", n=len(review.breaks))] if review.breaks else []
        if review.unproved:
            why.append(tr("{ids} not proved (a bound or budget was reached)",
                          ids=", ".join(c.id for c in review.unproved)))  # fmt: skip
        if review.stale_constants:
            why.append(tr("old values of changed parameters kept in {elements}", elements=", ".join(
                dict.fromkeys(c.element for c in review.stale_constants))))
        if review.stale_articles:
            arts = ", ".join(str(s.article) for s in review.stale_articles)
            why.append(tr("stale encoding of article(s) {arts} (fix: update the spec, then "
                          "`yakkan review {old} {new} --reread ARTICLE`)", arts=arts, old=args.old,
                          new=args.new))  # fmt: skip
        print(tr("yakkan review: {why}", why=("。" if current() == "ja" else "; ").join(why)), file=sys.stderr)
    return review.exit_status


def _write_diagram(review: Any, lang: str, folder: Path, prefix: str, formats: tuple[str, ...]) -> dict[str, Path]:
    """Draw the review's marked lifecycle in `lang` into `folder` as
    `<prefix>lifecycle.<lang>.<fmt>` (review_diagram.py); per format, the file written."""
    from yakkan.model.limits import write_in

    from .review_diagram import FILE, render_review_diagram

    if review.diagram is None or review.specs is None:
        return {}
    return {fmt: write_in(folder, prefix + FILE.format(lang=lang, ext=fmt),
                          render_review_diagram(*review.specs, review.diagram, lang, fmt)) for fmt in formats}


def _run_reread(args: Namespace) -> int:
    """Record the fingerprints of the named articles of the new version's text in its spec."""
    from .review_data import resolve_version
    from .staleness import record_reread
    from .structure import load_terms

    resolve_version(args.old)
    path = resolve_version(args.new)
    spec = load_spec(path)
    section = record_reread(path, load_terms(spec.terms_path), args.reread, spec.reread)
    arts = [str(a) for a in args.reread]
    if args.lang == "ja":
        print(f"{path}: 第{'条、第'.join(arts)}条の本文に対する再読を記録しました（reread: {len(section)} 条）")
    else:
        print(f"{path}: recorded that the encoding was re-read against article(s) {', '.join(arts)} "
              f"(reread: {len(section)} articles)")  # fmt: skip
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
    status = {"new": "", "open": tr(" [reviewed]"), "accepted": tr(" [accepted]")}[f.status]
    message = x.message_ja if lang == "ja" and x.message_ja else x.message_en
    lines = [f"{indent}{where}{x.citation} {x.kind}{status}: {message}", f"{indent}    「{x.excerpt}」"]
    if f.reason:
        lines.append(f"{indent}    {tr('reason:')} {f.reason}")
    return "\n".join(lines)


def format_report(report: LintReport, lang: str = "ja", all_findings: bool = False) -> str:
    shown = report.shown(all_findings)
    accepted = sum(1 for f in report.findings if f.status == "accepted")
    new = sum(1 for f in shown if f.status == "new")
    head = tr("{path}: {n} finding(s), {new} not reviewed", path=_shown_path(report.terms_path), n=len(shown),
              new=new)  # fmt: skip
    if accepted and not all_findings:
        head += tr("; {accepted} accepted not shown (--all shows them)", accepted=accepted)
    out = [head] + [format_finding(f, report.terms_path, lang) for f in shown]
    for e in report.stale:
        where = _shown_path(report.reviewed_path or report.terms_path)
        out.append(tr("{where}:{line}: {id}: no longer found in the text (fix: remove the entry, or update its id)",
                      where=where, line=e.line, id=e.id))  # fmt: skip
    return "\n".join(out)


def run_lint(args: Namespace) -> int:
    report = lint_file(args.terms, args.reviewed)
    if args.json:
        print(json.dumps(report.to_json(args.all), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, args.lang, args.all))
    if any(f.status == "new" for f in report.findings):
        print(tr("yakkan: {n} finding(s) of {terms} not reviewed", terms=args.terms,
                 n=sum(1 for f in report.findings if f.status == "new")), file=sys.stderr)  # fmt: skip
        return 1
    return 0
