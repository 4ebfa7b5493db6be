"""A counterexample told as a dated story, in the reader's language.

The verifier tells its counterexample in English (verify/counterexample.py `story`, the
trace of `yakkan replay`). For a Japanese reader — the review of a change of the terms
(issue 11: "a new violation comes with its counterexample story"), the docs — the same
scenario is told from the same pieces the docs' property page draws its table from
(highlight.path_of_scenario, figures.figures_of / breaking_step, DocModel's names and
values): one line per step with its date, who acts, the event and its arguments, the
state it moves to, its articles and the figures it changes; the step after which the
promise no longer holds is marked, and the figures that break it are named with their
values. Identifiers are kept beside their Japanese names as code (`pay`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from yakkan.model.spec import NEXT, Spec

from .docmodel import DocModel
from .figures import breaking_step, figures_of
from .highlight import PathStep, ScenarioPath, path_of_scenario
from .i18n import state_name

WORDS = {
    "ja": {"customer": "契約者", "company": "当社", "calendar": "暦", "refused": "拒否", "step": "手順{n}",
           "breaks_here": "← ここで約束が破られます", "breaking": "手順{n}で約束が破られます：{figures}",
           "until": "{day} 時点の状態：{state}", "none": "なし", "sep": "、", "colon": "：", "open": "（",
           "close": "）", "arrow": " → "},
    "en": {"customer": "customer", "company": "company", "calendar": "calendar", "refused": "REFUSED",
           "step": "step {n}", "breaks_here": "← the promise breaks here",
           "breaking": "The promise breaks at step {n}: {figures}", "until": "as of {day}: state {state}",
           "none": "none", "sep": ", ", "colon": ": ", "open": " (", "close": ")", "arrow": " → "},
}  # fmt: skip


def story_lines(spec: Spec, pid: str, scenario: Path, lang: str, doc: DocModel | None = None) -> list[str]:
    """The counterexample (or witness) of `pid` in the scenario file `scenario`, replayed on
    `spec`, as lines in `lang`: one per drawn step, then the figures that break the promise
    (or the state at the scenario's end when no single step breaks it). A bad scenario file
    raises `ScenarioError`."""
    doc = doc or DocModel(spec, lang)
    path = path_of_scenario(spec, scenario, doc.life)
    figures = figures_of(spec, pid)
    breaking = breaking_step(spec, pid, path)
    lines = [_step_line(doc, s, figures, lang, s.n == breaking) for s in path.steps]
    lines.append(_ending(doc, spec, pid, path, figures, breaking, lang))
    return lines


def _step_line(doc: DocModel, s: PathStep, figures: list[str], lang: str, breaks: bool) -> str:
    w = WORDS[lang]
    event = f"{doc.event_name(s.event)} `{s.event}`" if lang == "ja" else f"`{s.event}`"
    args = w["sep"].join(f"{label} {shown}" for label, shown in doc.step_args(s.event, s.args))
    head = f"{w['step'].format(n=s.n)}　{s.date}　{w[s.by]}{w['colon']}{event}"
    if args:
        head += f"{w['open']}{args}{w['close']}"
    cites = f"［{', '.join(s.articles)}］" if s.articles else ""
    if not s.accepted:
        return f"{head} ✗ {w['refused']}{w['colon']}{s.rule_in(lang) or ''}{cites}"
    if s.source != s.target and s.target is not None:
        head += w["arrow"] + state_name(doc.spec, s.target, lang)
    changed = [f"{doc.name_label(f)} {doc.figure_value(f, s.before.get(f))}{w['arrow']}"
               f"{doc.figure_value(f, s.after.get(f))}" for f in figures
               if s.before and s.after and s.before.get(f) != s.after.get(f)]  # fmt: skip
    text = head + cites + ("　" + w["sep"].join(changed) if changed else "")
    return text + ("　" + w["breaks_here"] if breaks else "")


def _ending(doc: DocModel, spec: Spec, pid: str, path: ScenarioPath, figures: list[str], breaking: int | None,
            lang: str) -> str:  # fmt: skip
    w = WORDS[lang]
    if breaking is not None:
        step = path.steps[breaking - 1]
        p = spec.properties[pid]
        read = p.formula.names() if p.formula is not None else set()
        named = [f for f in figures if f in read or NEXT + f in read] or figures
        shown = w["sep"].join(f"{doc.name_label(f)} {doc.figure_value(f, step.after.get(f))}" for f in named)
        return w["breaking"].format(n=breaking, figures=shown)
    state = state_name(spec, path.final_state, lang) if path.final_state in spec.states else w["none"]
    return w["until"].format(day=dt.date.fromordinal(path.until).isoformat(), state=state)


def story_text(lines: list[str]) -> str:
    """The story as one text (a terminal, a code block)."""
    return "\n".join(lines)

