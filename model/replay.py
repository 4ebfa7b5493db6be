"""Replaying a scenario: the dated trace, the calendar's own steps, and the final ledger."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yakkan.lang import tr_in

from .contract import Contract, Step
from .machine import CompiledSpec
from .scenario import Scenario

# The ledger as the JSON interface publishes it (integer yen, as of the evaluation date).
LEDGER_FIELDS = (
    "charged", "late_charges", "penalties", "paid", "refunded", "deposit_held",
    "deposit_returned", "balance_due",
)  # fmt: skip
LEDGER_DETAIL = (
    "charged_pre_tax", "tax_billed", "overdue", "not_due", "credit", "late_paid",
    "penalties_unpaid", "deposit_requested", "deposit_paid", "deposit_applied",
)  # fmt: skip


@dataclass(frozen=True)
class Replay:
    """The outcome of a scenario: every step, and the contract as of `until`."""

    scenario: Scenario
    contract: Contract
    event_steps: tuple[Step, ...]
    calendar_steps: tuple[Step, ...]

    @property
    def state(self) -> str | None:
        return self.contract.state

    @property
    def ended_by(self) -> str | None:
        if not self.contract.created or self.contract.state != "ended":
            return None
        return self.contract.values.get("ended_by")

    def ledger(self) -> dict[str, int]:
        return ledger_of(self.contract)

    def expectation_mismatches(self) -> list[str]:
        """What differs from the scenario's own `expect:` block (empty when all match)."""
        exp, out = self.scenario.expect, []
        if "state" in exp and exp["state"] != self.state:
            out.append(f"state: expected {exp['state']}, got {self.state}")
        if "ended_by" in exp and exp["ended_by"] != self.ended_by:
            out.append(f"ended_by: expected {exp['ended_by']}, got {self.ended_by}")
        ledger = {**self.ledger(), **ledger_detail(self.contract)}
        for k, v in (exp.get("ledger") or {}).items():
            if ledger.get(k) != v:
                out.append(f"ledger.{k}: expected {v}, got {ledger.get(k)}")
        if "refused" in exp:
            refused = [i for i, s in enumerate(self.event_steps) if not s.accepted]
            if list(exp["refused"]) != refused:
                out.append(f"refused events: expected {list(exp['refused'])}, got {refused}")
        return out

    def to_json(self) -> dict[str, Any]:
        """The stable JSON interface of `yakkan replay --json`."""
        spec = self.contract.spec
        return {
            "spec": {"id": spec.meta["id"], "version": str(spec.meta["version"])},
            "scenario": self.scenario.name,
            "until": iso(self.scenario.until),
            "state": self.state,
            "ended_by": self.ended_by,
            "events": [_event_json(s) for s in self.event_steps],
            "calendar": [
                {"on": iso(s.day), "event": s.event, "transition": s.transition, "state": s.state_after}  # fmt: skip
                for s in self.calendar_steps
            ],
            "ledger": self.ledger(),
            "ledger_detail": ledger_detail(self.contract),
        }


def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _event_json(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"on": iso(step.day), "do": step.event}
    if step.args:
        out["args"] = {k: (iso(v) if _is_date_arg(step, k) else v) for k, v in step.args.items()}
    out["accepted"] = step.accepted
    if step.accepted:
        out["transition"] = step.transition
        out["state"] = step.state_after
    else:
        out["reason"] = step.rule
        if step.rule_ja:
            out["reason_ja"] = step.rule_ja
        out["articles"] = list(step.articles)
        out["state"] = step.state_before
    return out


def _is_date_arg(step: Step, name: str) -> bool:
    return name in ("effective_on", "deadline")


def ledger_of(contract: Contract) -> dict[str, int]:
    """The published ledger (zeros before the contract exists)."""
    if not contract.created:
        return dict.fromkeys(LEDGER_FIELDS, 0)
    v = contract.values
    return {
        "charged": v["charged"],
        "late_charges": contract.derived("late_charges"),
        "penalties": v["penalties"],
        "paid": v["paid"],
        "refunded": v["refunded"],
        "deposit_held": v["deposit_held"],
        "deposit_returned": v["deposit_returned"],
        "balance_due": contract.derived("balance_due"),
    }


def ledger_detail(contract: Contract) -> dict[str, int]:
    if not contract.created:
        return dict.fromkeys(LEDGER_DETAIL, 0)
    return {k: contract.values[k] for k in LEDGER_DETAIL}


def replay(compiled: CompiledSpec, scenario: Scenario, record_values: bool = True) -> Replay:
    """Run `scenario` through a fresh contract and evaluate it as of `scenario.until`."""
    contract = Contract(compiled, scenario.parameters, record_values=record_values)
    event_steps = []
    for ev in scenario.events:
        event_steps.append(contract.send(ev.event, ev.day, ev.args))
    contract.settle_to(scenario.until)
    calendar = tuple(s for s in contract.steps if s.by == "calendar")
    return Replay(scenario, contract, tuple(event_steps), calendar)


def format_yen(n: int) -> str:
    return f"¥{n:,}" if n >= 0 else f"-¥{-n:,}"


def format_human(result: Replay, show_calendar_all: bool = False, lang: str = "en") -> str:
    """The dated trace a reviewer reads: state changes, charges, refusals with articles, in
    `lang`. In Japanese every name is the spec's own Japanese (`Words`): a state's and an
    event's `ja`, a variable's, parameter's or enum value's `names_ja`."""
    spec = result.contract.spec
    words = Words(spec, lang)
    lines = [
        tr_in(lang, "{name} ({version}) — scenario {scenario}", name=spec.meta["name_ja"], version=spec.meta["version"],
           scenario=result.scenario.name),
        tr_in(lang, "contract: ") + ("、" if words.ja else ", ").join(
            f"{words.name(k)}={words.value(spec.parameters[k].type, v)}" for k, v in result.scenario.contract.items()),
        "",
    ]
    hidden = frozenset(n for n, v in spec.variables.items() if v.scratch) | BOOKKEEPING
    for step in result.contract.steps:
        quiet = step.state_before == step.state_after and not step.changes(hidden)
        if step.by == "calendar" and quiet and not show_calendar_all:
            continue
        lines.append(_format_step(step, words, hidden, lang))
    ended_by = result.ended_by
    how = words.value(spec.variables["ended_by"].type, ended_by) if ended_by else None
    lines += ["", tr_in(lang, "as of {day}: state {state}", day=iso(result.scenario.until),
                        state=words.state(result.state))
              + (tr_in(lang, " (ended by {how})", how=how) if how else "")]  # fmt: skip
    ledger = result.ledger()
    names = {k: words.name(k) for k in ledger}
    width = max(_width(n) for n in names.values())
    for k, v in ledger.items():
        row = f"  {names[k]}{' ' * (width - _width(names[k]))}  {format_yen(v):>14}"
        lines.append(row + (f"  {k}" if names[k] != k else ""))  # (the key a scenario's `expect:` writes)
    return "\n".join(lines)


class Words:
    """The names a trace shows for the spec's identifiers. In English, the identifiers. In
    Japanese, the spec's own Japanese: a state's `ja`, an event's `ja` with its identifier
    beside it (what a scenario file writes), a parameter's, variable's or argument's
    `names_ja` name, an enum value's `names_ja` entry (`Enum.value`), はい/いいえ for a
    truth value; an identifier the spec gives no Japanese stays as it is."""

    def __init__(self, spec: Any, lang: str) -> None:
        self.spec, self.ja = spec, lang == "ja"

    def state(self, state: str | None) -> str:
        if state is None:
            return "—"
        return (self.spec.states[state].ja or state) if self.ja and state in self.spec.states else state

    def event(self, event: str) -> str:
        ja = self.spec.events[event].ja if self.ja and event in self.spec.events else ""
        return f"{ja}（{event}）" if ja else event

    def name(self, name: str) -> str:
        entry = self.spec.names_ja.get(name) if self.ja else None
        return entry.name if entry else name

    def value(self, type_: Any, value: Any) -> str:
        if not self.ja:
            return str(value)
        if isinstance(value, bool):
            return "はい" if value else "いいえ"
        if type_ is not None and type_.kind == "enum":
            entry = self.spec.names_ja.get(f"{type_.enum}.{value}")
            if entry:
                return entry.name
        return str(value)


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


BOOKKEEPING = frozenset({"yen_days", "last_day"})  # accrual counters, not news to a reader
SHOWN_DATES = {"minimum_term_end", "term_end", "end_date", "payment_cure_deadline", "agreed_from", "raise_from",
               "service_start", "cancel_period_end"}
SHOWN_OTHER = {"ended_by", "base_fee", "suspension_ground", "termination_declared", "records_deleted",
               "objection", "support_requests"}  # fmt: skip


def _day(value: int) -> str:
    return "—" if value >= dt.date.max.toordinal() else iso(value)


MONEY = {"charged", "paid", "penalties", "deposit_held", "deposit_returned", "deposit_paid",
         "deposit_applied", "credit", "overdue", "refunded", "liability_awarded"}  # fmt: skip


def _format_step(step: Step, words: Words, hidden: frozenset[str], lang: str = "en") -> str:
    spec = words.spec
    who = tr_in(lang, {"customer": "customer", "company": "company ", "calendar": "calendar"}[step.by])
    event = spec.events.get(step.event)
    args = []
    for k, v in step.args.items():
        arg = event.arg(k) if event is not None else None
        name = words.name(arg.expr_name if arg is not None and words.ja else k)
        shown = iso(v) if arg is not None and arg.type.kind == "date" and isinstance(v, int) else \
            words.value(arg.type if arg is not None else None, v)  # fmt: skip
        args.append(f"{name}={shown}")
    head = f"{iso(step.day)}  {who}  {words.event(step.event)}"
    if args:  # (in Japanese: 支払い（pay）：金額=…、送金手数料=…)
        head += f"：{'、'.join(args)}" if words.ja else f"({', '.join(args)})"
    if not step.accepted:
        rule = (step.rule_ja or step.rule) if lang == "ja" else step.rule
        return f"{head}\n            {tr_in(lang, 'REFUSED')}: {rule} [{', '.join(step.articles)}]"
    move = ""
    if step.state_before != step.state_after:
        move = f"  {words.state(step.state_before)} → {words.state(step.state_after)}"
    notes = []
    for k, (a, b) in step.changes(hidden).items():
        if k in MONEY and isinstance(a, int) and isinstance(b, int):
            notes.append(f"{words.name(k)} {'+' if b >= a else '-'}{format_yen(abs(b - a))}")
        elif spec.variables[k].type.kind == "date" and k in SHOWN_DATES:
            notes.append(f"{words.name(k)} {_day(b)}")
        elif k in SHOWN_OTHER:
            notes.append(f"{words.name(k)} {words.value(spec.variables[k].type, b)}")
    arts = f" [{', '.join(step.articles)}]" if step.articles else ""
    text = head + move + arts
    if notes:
        text += "\n            " + ("、" if words.ja else "; ").join(notes)
    return text


def summarize(results: Mapping[str, Replay]) -> dict[str, Any]:
    return {name: r.to_json() for name, r in results.items()}
