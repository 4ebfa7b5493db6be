"""The induction step a proof could not close, told over the model's names (issue 11 §3).

When no set of lemmas makes a property inductive, Houdini's last counterexample to
induction is a step of the transition system: a state where the property and every lemma
kept hold, an event, and the state after it, where the property fails. It may be
unreachable (the lemmas were too weak to exclude it) or a real violation further away than
the bounded search looked; either way it is where a reviewer, or a new lemma, must look.
The step is reported with the values a reader needs: the lifecycle state, the day, what the
property reads, and what the event changed — dates as dates, the monitor of a response as
its deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from yakkan.model.expr import DATE

from .encoding import ARMED, DEADLINE, MAX_ORDINAL, Model
from .properties import Obligation

SHOWN_AT_MOST = 16
MONITOR = {ARMED: "response_awaited", DEADLINE: "response_deadline"}


def failed_step(model: Model, ob: Obligation, cti: Mapping[str, Any], after: Mapping[str, Any] | None,
                event: str | None) -> dict[str, Any]:  # fmt: skip
    """``{"event", "before", "after"}``: the step, with the names worth reading in order."""
    variables = model.spec.variables
    after = after or {}
    read = [n for n in sorted(ob.reads) if n in variables]
    changed = [n for n in sorted(after) if n in variables and n in cti and cti[n] != after[n] and n not in read]
    names = ["state", "today", *read, *changed][:SHOWN_AT_MOST]
    if ob.monitor is not None:
        names += [ARMED, DEADLINE]

    def shown(values: Mapping[str, Any]) -> dict[str, Any]:
        return {MONITOR.get(n, n): _value(model, n, values[n]) for n in names if n in values}

    return {"event": event or "?", "before": shown(cti), "after": shown(after)}


def _value(model: Model, name: str, value: Any) -> Any:
    is_date = name in ("today", DEADLINE) or model.var_types.get(name) == DATE
    if not is_date or not isinstance(value, int) or isinstance(value, bool):
        return str(value).removeprefix("State.") if name == "state" else value
    if value == model.spec.constants.get("FOREVER"):
        return "FOREVER"
    if 1 <= value <= MAX_ORDINAL:
        return dt.date.fromordinal(value).isoformat()
    return value


def describe(step: Mapping[str, Any], lang: str = "en", event_name: str | None = None) -> list[str]:
    """The step as indented lines (``event_name``: the event's name in ``lang``)."""

    def values(vals: Mapping[str, Any]) -> str:
        return ", ".join(f"{k}={_text(v)}" for k, v in vals.items())

    event = step["event"] + (f"（{event_name}）" if event_name and lang == "ja" else "")
    if lang == "ja":
        return [f"    帰納法で閉じられなかった一歩（イベント {event}）:",
                f"      前: {values(step['before'])}",
                f"      後: {values(step['after'])}"]  # fmt: skip
    return [f"    the induction step not closed (event {event}):",
            f"      before: {values(step['before'])}",
            f"      after:  {values(step['after'])}"]  # fmt: skip


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
