"""Reports of the verdicts (issue 4 §6): terminal, JSON, JUnit XML, SARIF 2.1.0, Markdown.

``--json`` prints one object::

    {"ok": bool, "spec": {...}, "settings": {...},
     "properties": [{"id", "verdict", "expected", "matches", "depth", "seconds",
                     "articles", "counterexample", ...}]}

``verdict`` is one of proved, holds-to-depth, violated, reachable, unreachable, unknown,
vacuous, error (two backends disagreed: a bug, never passed); ``counterexample`` is the
path of the written scenario (``yakkan replay`` it) or null. Items also carry ``title``,
``kind``, ``reason``, ``why`` (the lemmas of a proof), ``fault`` (the transition at fault,
with its spec line), ``witnesses`` and ``induction_step`` (a proof that failed: the step
no lemma set closed, ``{"event", "before", "after"}`` over the model's names; null
otherwise, see ``failed_step.py``) and ``witness_moved`` (a reachable property's own
witness scenario reached its goal only with one figure moved to these terms:
``{"scenario", "event", "argument", "on", "from", "to"}``, the scenario to update; null
otherwise, see ``routes.py``).
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from yakkan.lang import current, tr, tr_in, translate

from .failed_step import describe
from .runner import Verdict

MARK = {"proved": "✔", "holds-to-depth": "…", "violated": "✘", "reachable": "✔", "unreachable": "✘",
        "unknown": "?", "vacuous": "∅", "error": "‼"}  # fmt: skip


def ok(verdicts: Iterable[Verdict]) -> bool:
    return all(v.matches for v in verdicts)


def status_word(v: Verdict) -> str:
    if current() == "ja":
        if v.matches:
            return "一致" if v.expected != "violated" else "既知の指摘"
        return "不一致"
    if v.matches:
        return "ok" if v.expected != "violated" else "known finding"
    return "MISMATCH"


def _verdict(word: str, prefix: str = "verdict") -> str:
    """A verdict (or an expectation) in the language of the messages; as written in English."""
    from yakkan.diagrams.i18n import verdict_word

    return verdict_word(word, current(), prefix)


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (CJK characters take two)."""
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _cols(text: str) -> int:
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def line(v: Verdict) -> str:
    """One plain line per property (CI logs)."""
    if current() == "ja":
        depth = f" 深さ {v.depth}" if v.depth is not None else ""
        cached = f"（再利用 {v.fingerprint[:8]}）" if v.cached else ""
        if v.route == "fast" and not v.cached:
            cached += f"（再検査: {'、'.join(v.steps_rechecked)} の遷移のみ）" if v.steps_rechecked \
                else "（再検査: 前回の補題と実行で）"  # fmt: skip
        if v.route == "hint" and not v.cached:
            cached += "（証明ヒントから全遷移を再検査）"
        extra = f" — {translate(v.reason)}" if v.reason and not v.matches else ""
        return (f"{v.id}  {_pad(_verdict(v.verdict), 15)} 期待 {_pad(_verdict(v.expected, 'expect'), 10)} "
                f"{_pad(status_word(v), 13)} {v.seconds:6.2f}秒{depth}{cached}{extra}")  # fmt: skip
    depth = f" depth {v.depth}" if v.depth is not None else ""
    cached = f" (reused {v.fingerprint[:8]})" if v.cached else ""
    if v.route == "fast" and not v.cached:
        cached += f" (re-checked: the steps of {', '.join(v.steps_rechecked)} only)" if v.steps_rechecked \
            else " (re-checked with its last lemmas and runs)"  # fmt: skip
    if v.route == "hint" and not v.cached:
        cached += " (checked again from its proof hint, every step)"
    extra = f" — {v.reason}" if v.reason and not v.matches else ""
    return (f"{v.id}  {v.verdict:<15} expected {v.expected:<10} {status_word(v):<13} "
            f"{v.seconds:6.2f}s{depth}{cached}{extra}")  # fmt: skip


def table(verdicts: list[Verdict], titles: dict[str, str] | None = None) -> str:
    """The verdict table a person reads at the end (`titles`: a property's title in the
    language of the messages, when it differs from the spec's English)."""
    ja = current() == "ja"
    titles = titles or {}
    head = ("ID", "判定", "期待", "", "時間", "深さ", "条項", "プロパティ") if ja else \
        ("id", "verdict", "expected", "", "time", "depth", "articles", "property")  # fmt: skip
    rows = [head]
    for v in verdicts:
        mark = status_word(v) if ja else ("ok" if v.matches else "MISMATCH")
        rows.append((v.id, _verdict(v.verdict), _verdict(v.expected, "expect"), mark,
                     f"{v.seconds:.2f}" + ("秒" if ja else "s"), "" if v.depth is None else str(v.depth),
                     ", ".join(v.articles), titles.get(v.id, v.title)))  # fmt: skip
    widths = [max(_cols(r[i]) for r in rows) for i in range(7)]
    out = []
    for r in rows:
        out.append("  ".join(_pad(c, widths[i]) for i, c in enumerate(r[:7])) + "  " + r[7])
    return "\n".join(out)


def details(verdicts: list[Verdict], titles: dict[str, str] | None = None, why: Any = None,
            events: dict[str, str] | None = None) -> str:  # fmt: skip
    """Why each proof holds, the story of each counterexample and witness, and the
    induction step a failed proof could not close (`why`: a lemma label → a sentence in the
    language of the messages; `events`: an event's name in it; in Japanese a
    counterexample's story is told by `yakkan replay --lang ja`, which reads the spec's own
    Japanese)."""
    ja = current() == "ja"
    titles = titles or {}
    events_ja = events or {}
    out = []
    for v in verdicts:
        title = titles.get(v.id, v.title)
        if v.verdict in ("proved", "unreachable") and v.why:
            out.append(f"{v.id} {_verdict(v.verdict)} — {title}")
            for w in v.why:
                arts = f"  [{', '.join(w['articles'])}]" if w.get("articles") else ""
                out.append(f"    · {why(w['lemma']) if why else w['lemma']}{arts}")
                if w.get("formula"):
                    out.append(f"        `{w['formula']}`" if ja else f"        {w['formula']}")
        elif v.verdict in ("violated", "reachable"):
            out.append(f"{v.id} {_verdict(v.verdict)} — {title}")
            if not v.counterexample and not v.witnesses and v.reason:  # a structural finding: what is wrong
                out.append(f"    {translate(v.reason)}")
            if ja:
                kind = "実例" if v.verdict == "reachable" else "反例"
                if v.counterexample:
                    out.append(f"    {kind}: {v.counterexample}（経過: yakkan replay --lang ja {v.counterexample}）")
            else:
                kind = "witness" if v.verdict == "reachable" else "counterexample"
                if v.counterexample:
                    out.append(f"    {kind}: {v.counterexample}  (yakkan replay {v.counterexample})")
                if v.story:
                    out += ["    " + s for s in v.story.splitlines()]
        elif not v.matches:
            out.append(f"{v.id} {_verdict(v.verdict)} — {title}: {translate(v.reason)}")
            if v.induction_step:
                event = events_ja.get(v.induction_step["event"]) if ja else None
                out += describe(v.induction_step, "ja" if ja else "en", event)
        if out and out[-1] != "":
            out.append("")
    return "\n".join(out)


class Live:
    """Per-property status while the catalogue runs: a live table on a terminal (rich),
    plain lines otherwise (CI)."""

    def __init__(self, ids: list[str], titles: dict[str, str], stream: TextIO | None = None,
                 enabled: bool = True) -> None:  # fmt: skip
        self.ids, self.titles = ids, titles
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done: dict[str, Verdict] = {}
        self.tty = enabled and self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self._live: Any = None

    def __enter__(self) -> Live:
        if self.tty:
            from rich.console import Console
            from rich.live import Live as RichLive

            self._live = RichLive(self._render(), console=Console(file=self.stream), refresh_per_second=8,
                                  transient=True)  # fmt: skip
            self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)

    def _render(self) -> Any:
        from rich.table import Table

        t = Table(title="yakkan verify", show_edge=False)
        ja = current() == "ja"
        for col in (("ID", "状況", "時間", "プロパティ") if ja else ("id", "status", "time", "property")):
            t.add_column(col)
        for pid in self.ids or list(self.done):
            v = self.done.get(pid)
            if v is None:
                t.add_row(pid, "[dim]検証中…[/dim]" if ja else "[dim]checking…[/dim]", "", self.titles.get(pid, ""))
            else:
                style = "green" if v.matches else "bold red"
                t.add_row(pid, f"[{style}]{MARK.get(v.verdict, '')} {_verdict(v.verdict)}[/{style}]",
                          f"{v.seconds:.2f}" + ("秒" if ja else "s"), self.titles.get(pid, ""))  # fmt: skip
        return t

    def update(self, v: Verdict) -> None:
        self.done[v.id] = v
        if not self.enabled:
            return
        if self._live is not None:
            self._live.update(self._render())
        else:
            print(line(v), file=self.stream, flush=True)


# --------------------------------------------------------------------------------------
# files


def to_json(verdicts: list[Verdict], spec_info: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": ok(verdicts),
        "spec": spec_info,
        "settings": settings,
        "properties": [v.to_json() for v in verdicts],
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    from yakkan.model.limits import write_output

    write_output(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def junit(verdicts: list[Verdict], suite: str, titles: dict[str, str] | None = None,
          why: Any = None) -> str:  # fmt: skip
    """JUnit XML: one test case per property; a mismatch is a failure, an unknown an error.
    Its sentences in the language of the reports (``titles``: a property's title in it, as
    `markdown` takes them; ``why``: a lemma told in it, as `details` takes it); the verdict
    words in ``type`` and the ids stay as they are (what a CI reads)."""
    titles = titles or {}
    failures = sum(1 for v in verdicts if not v.matches and v.verdict not in ("unknown", "error"))
    errors = sum(1 for v in verdicts if not v.matches and v.verdict in ("unknown", "error"))
    ts = ET.Element("testsuite", name=f"yakkan verify {suite}", tests=str(len(verdicts)),
                    failures=str(failures), errors=str(errors),
                    time=f"{sum(v.seconds for v in verdicts):.3f}")  # fmt: skip
    for v in verdicts:
        tc = ET.SubElement(ts, "testcase", classname=f"yakkan.verify.{suite}",
                           name=f"{v.id} {titles.get(v.id, v.title)}", time=f"{v.seconds:.3f}")  # fmt: skip
        reason = translate(v.reason) if v.reason else ""
        msg = tr("{verdict} (expected {expected})", verdict=_verdict(v.verdict),
                 expected=_verdict(v.expected, "expect")) + (tr(": {reason}", reason=reason) if reason else "")
        if not v.matches:
            tag = "error" if v.verdict in ("unknown", "error") else "failure"
            el = ET.SubElement(tc, tag, message=msg, type=v.verdict)
            # the story is told in English; in another language, where to read it told
            el.text = (v.story if current() == "en" else _story_in(v)) or reason
        out = [tr("verdict: {verdict}; expected: {expected}; articles: {articles}", verdict=_verdict(v.verdict),
                  expected=_verdict(v.expected, "expect"), articles=", ".join(v.articles))]  # fmt: skip
        if v.counterexample:
            out.append(tr("scenario: {path}", path=v.counterexample))
        for w in v.why:
            out.append(tr("why: {lemma}", lemma=why(w["lemma"]) if why is not None else w["lemma"]))
        ET.SubElement(tc, "system-out").text = "\n".join(out)
    ET.indent(ts)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(ts, encoding="unicode") + "\n"


def _story_in(v: Verdict) -> str:
    """Where a counterexample's story is told in the language of the reports."""
    if not v.counterexample:
        return ""
    return tr("the story: yakkan replay --lang {lang} {path}", lang=current(), path=v.counterexample)


def sarif(verdicts: list[Verdict], spec_path: Path, tool_version: str,
          titles: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """SARIF 2.1.0: a result per property that fails or is a known finding, located at the
    property's line in the spec and (related) at the transition at fault. Its sentences
    (what a reviewer reads beside the line) in the language of the reports (``titles``: a
    property's title in it); the ids and the ``properties`` bag as they are."""
    titles = titles or {}
    uri = _uri(spec_path)
    rules, results = [], []
    for v in verdicts:
        title = titles.get(v.id, v.title)
        rules.append({
            "id": v.id, "name": v.id, "shortDescription": {"text": title},
            "fullDescription": {"text": tr("{title} [{articles}] — expected: {expected}", title=title,
                                           articles=", ".join(v.articles), expected=_verdict(v.expected, "expect"))},
            "properties": {"articles": v.articles, "kind": v.kind},
        })  # fmt: skip
        if v.matches and v.verdict not in ("violated",):
            continue
        level = "note" if v.matches else ("error" if v.verdict in ("violated", "vacuous", "reachable") else "warning")
        text = (tr("{id} {verdict} (expected {expected}): {title}", id=v.id, verdict=_verdict(v.verdict),
                   expected=_verdict(v.expected, "expect"), title=title)
                + (f" — {translate(v.reason)}" if v.reason else "")
                + (" " + tr("Counterexample: {path}", path=v.counterexample) if v.counterexample else ""))  # fmt: skip
        result: dict[str, Any] = {
            "ruleId": v.id, "level": level, "message": {"text": text},
            "locations": [_location(uri, v.line, tr("property {id}", id=v.id))],
            "properties": {"verdict": v.verdict, "expected": v.expected, "matches": v.matches,
                           "articles": v.articles},
        }  # fmt: skip
        if v.fault and v.fault.get("line"):
            what = tr("transition {id}", id=v.fault["transition"])
            result["relatedLocations"] = [{**_location(uri, v.fault["line"], what), "id": 1}]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "yakkan verify", "version": tool_version,
                                "informationUri": "https://github.com/yakkan", "rules": rules}},
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
        }],
    }  # fmt: skip


def _uri(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())).replace(os.sep, "/")
    except ValueError:
        return path.resolve().as_uri()


def _location(uri: str, line_no: int | None, what: str) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}, "message": {"text": what}}
    if line_no:
        loc["physicalLocation"]["region"] = {"startLine": int(line_no)}
    return loc


def markdown(verdicts: list[Verdict], spec_name: str, titles: dict[str, str] | None = None,
             events: dict[str, str] | None = None) -> str:  # fmt: skip
    """A summary for pull requests (also appended to $GITHUB_STEP_SUMMARY), in the language
    of the reports (``titles``: a property's title in it, when it differs from the spec's
    English; ``events``: an event's name). A title's ``|`` and ``<`` are escaped: the spec
    comes from a pull request."""
    ja = current() == "ja"
    titles = titles or {}

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")

    head = f"✅ {tr('all verdicts as expected')}" if ok(verdicts) else \
        f"❌ {tr('some verdicts differ from the catalogue')}"  # fmt: skip
    columns = "| ID | 判定 | 期待 | | 時間 | プロパティ |" if ja else "| id | verdict | expected | | time | property |"
    out = [f"### yakkan verify — {spec_name}", "", head, "", columns, "|---|---|---|---|---|---|"]
    for v in verdicts:
        flag = "✅" if v.matches else "❌"
        cx = f" — [{tr('scenario')}]({v.counterexample})" if v.counterexample else ""
        seconds = f"{v.seconds:.2f}秒" if ja else f"{v.seconds:.2f}s"
        out.append(f"| {v.id} | {_verdict(v.verdict)} | {_verdict(v.expected, 'expect')} | {flag} | {seconds} | "
                   f"{cell(titles.get(v.id, v.title))}{cx} |")  # fmt: skip
    bad = [v for v in verdicts if not v.matches]
    if bad:
        out += ["", f"#### {tr('What differs')}", ""]
        for v in bad:
            expected = f"（期待 {_verdict(v.expected, 'expect')}）" if ja else f" (expected {v.expected})"
            why = cell(translate(v.reason)) if v.reason else cell(titles.get(v.id, v.title))
            out.append(f"- **{v.id}** {_verdict(v.verdict)}{expected}: {why}")
    moved = moved_witnesses(verdicts, events)
    if moved:
        out += ["", f"#### {tr('Witness scenarios to update')}", ""]
        out += [f"- {cell(line)}" for line in moved]
    return "\n".join(out) + "\n"


def moved_witnesses(verdicts: Iterable[Verdict], events: dict[str, str] | None = None,
                    lang: str | None = None) -> list[str]:  # fmt: skip
    """A line for each property whose own witness scenario reached its goal only with a
    figure moved to the terms checked (`routes.carried_over`): the scenario a reviewer
    updates, in ``lang`` (default: the language of the reports; ``events``: an event's
    name in it, beside its id). Also `yakkan review`'s (terms/review_render.py)."""
    out = []
    for v in verdicts:
        m = v.witness_moved
        if m:
            event = f"{events[m['event']]}（{m['event']}）" if events and m["event"] in events else m["event"]
            out.append(tr_in(lang or current(),
                             "{scenario} no longer reaches {id} as written: with {event}'s {argument} on {on} moved "
                             "from {was} to {now} (where a guard of the event turns under these terms) it does, and "
                             "that is the witness written; update the scenario to these terms",
                             scenario=m["scenario"], id=v.id, event=event, argument=m["argument"], on=m["on"],
                             was=f"{m['from']:,}", now=f"{m['to']:,}"))  # fmt: skip
    return out


def write_markdown(text: str, path: Path | None) -> None:
    if path is not None:
        from yakkan.model.limits import write_output

        write_output(path, text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
