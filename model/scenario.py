"""Scenario files: one contract's parameters and its dated events.

    contract: {base_fee: 100000, option_fee: 0, initial_fee: 50000}
    until: 2024-09-30          # evaluate the ledger as of this date (default: last event)
    events:
      - {on: 2024-04-01, do: apply}
      - {on: 2024-04-10, do: pay, amount: 165000}

Everything is checked against the spec before anything runs: an unknown event or
argument, a missing or mistyped argument, a calendar event, or a date earlier than the one
before it is bad input (ScenarioError with the file's line), not a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ScenarioError, did_you_mean
from .expr import BOOL, DATE, INT, Type
from .limits import MAX_YEN, clip, span_problem, yen_problem
from .names import check_texts
from .spec import Spec
from .versions import Written, check_written_for, version_name
from .yamlio import line_of, read_yaml

EVENT_KEYS = ("on", "do", "note")
TOP_KEYS = ("name", "description", "terms", "contract", "until", "events", "expect")
EXPECT_KEYS = ("state", "ended_by", "ledger", "refused")


@dataclass(frozen=True)
class ScenarioEvent:
    day: int
    event: str
    args: Mapping[str, Any]
    line: int | None
    note: str | None = None

    @property
    def date(self) -> dt.date:
        return dt.date.fromordinal(self.day)


@dataclass(frozen=True)
class Scenario:
    path: Path | None
    name: str
    contract: Mapping[str, Any]
    parameters: Mapping[str, Any]
    until: int
    events: tuple[ScenarioEvent, ...]
    expect: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    terms: str | None = None  # the version of the terms it was written for (`terms:`; see versions.py)
    terms_line: int | None = None


def load_scenario(path: str | Path, spec: Spec) -> Scenario:
    """Read and check the scenario at `path` against `spec`."""
    path = Path(path)
    doc = read_yaml(path, ScenarioError)
    check_texts(doc, path, ScenarioError, "scenario")
    return scenario_from_data(doc, spec, path)


def scenario_from_data(doc: Any, spec: Spec, path: Path | None = None) -> Scenario:
    """Check a scenario given as data (from YAML, or built by a tool)."""

    def fail(message: str, node: Any = None, key: Any = None, where: str | None = None, hint=None):
        raise ScenarioError(message, path=path, line=line_of(node, key), where=where, hint=hint)

    if not isinstance(doc, Mapping):
        fail("a scenario is a mapping with `contract`, `events` and optionally `until`", doc)
    for key in doc:
        if key not in TOP_KEYS:
            fail(f"unknown key '{key}'{did_you_mean(str(key), TOP_KEYS)}", doc, key,
                 hint=f"allowed keys: {', '.join(TOP_KEYS)}")  # fmt: skip
    if "events" not in doc or not isinstance(doc["events"], list) or not doc["events"]:
        fail(
            "`events` must be a non-empty list of {on: DATE, do: EVENT, ...}",
            doc,
            "events" if "events" in doc else None,
        )

    contract = doc.get("contract") or {}
    if not isinstance(contract, Mapping):
        fail("`contract` is a mapping of contract parameters", doc, "contract")
    params = {n: p.default for n, p in spec.parameters.items()}
    for name, raw in contract.items():
        p = spec.parameters.get(str(name))
        if p is None:
            settable = ", ".join(n for n, q in spec.parameters.items() if q.scope == "contract")
            fail(f"unknown contract parameter '{name}'{did_you_mean(str(name), spec.parameters)}", contract, name,
                 hint=f"contract parameters: {settable}")  # fmt: skip
        if p.scope != "contract":
            fail(f"'{name}' is fixed by the terms ({', '.join(p.articles)}), not set per contract", contract, name,
                 hint="change it in the spec, as a change of the terms")  # fmt: skip
        params[p.name] = _value(raw, p.type, spec, lambda m, h=None, n=name: fail(f"{n}: {m}", contract, n, hint=h))
        if p.minimum is not None and params[p.name] < p.minimum:
            fail(f"{name} must be at least {p.minimum}", contract, name,
                 hint=f"give {name} a value of {p.minimum} or more")  # fmt: skip

    events: list[ScenarioEvent] = []
    last = None
    for i, node in enumerate(doc["events"]):
        where = f"events[{i}]"
        if not isinstance(node, Mapping):
            fail("an event is a mapping {on: DATE, do: EVENT, ...arguments}", doc["events"], i, where,
                 hint="e.g. - {on: 2024-04-10, do: pay, amount: 165000}")  # fmt: skip
        for key in ("on", "do"):
            if key not in node:
                fail(f"missing '{key}'", node, None, where, hint="each event has `on: DATE` and `do: EVENT`")
        day = _date(node["on"], lambda m, h=None, node=node, where=where: fail(m, node, "on", where, hint=h))
        name = str(node["do"])
        ev = spec.events.get(name)
        if ev is None:
            fail(f"unknown event '{name}'{did_you_mean(name, spec.events)}", node, "do", where,
                 hint="events: " + ", ".join(e for e, d in spec.events.items() if d.by != "calendar"))  # fmt: skip
        if ev.by == "calendar":
            fail(f"'{name}' is raised by the calendar, not by a scenario", node, "do", where,
                 hint="remove it: the calendar raises it on its own date")  # fmt: skip
        if last is not None and day < last:
            fail(f"date {dt.date.fromordinal(day)} is earlier than the event before it ({dt.date.fromordinal(last)})",
                 node, "on", where, hint="list the events in date order")  # fmt: skip
        last = day
        args: dict[str, Any] = {}
        for key, raw in node.items():
            if key in EVENT_KEYS:
                continue
            arg = ev.arg(str(key))
            if arg is None:
                allowed = [a.name for a in ev.args]
                fail(f"event '{name}' has no argument '{key}'{did_you_mean(str(key), allowed)}", node, key, where,
                     hint=f"'{name}' takes: {', '.join(allowed) or 'no arguments'}")  # fmt: skip
            args[arg.name] = _value(raw, arg.type, spec, lambda m, h=None, k=key, node=node, where=where:
                                    fail(f"{k}: {m}", node, k, where, hint=h))  # fmt: skip
            if arg.minimum is not None and args[arg.name] < arg.minimum:
                fail(f"{key} must be at least {arg.minimum}", node, key, where,
                     hint=f"give {key} a value of {arg.minimum} or more")  # fmt: skip
        for arg in ev.args:
            if arg.name not in args and arg.default is None:
                fail(f"event '{name}' needs the argument '{arg.name}' ({_type_name(arg.type)})", node, None, where,
                     hint=f"add `{arg.name}: …` to this event")  # fmt: skip
        events.append(ScenarioEvent(day, name, args, line_of(doc["events"], i), node.get("note")))

    until = last
    if "until" in doc:
        until = _date(doc["until"], lambda m, h=None: fail(m, doc, "until", hint=h))
        if until < last:
            fail(
                f"until {dt.date.fromordinal(until)} is before the last event ({dt.date.fromordinal(last)})",
                doc,
                "until",
                hint="give a date on or after the last event, or leave `until` out",
            )
    problem = span_problem(events[0].day, until)
    if problem:
        fail(problem, doc, "until" if "until" in doc else "events", hint="shorten the scenario or split it")
    expect = doc.get("expect") or {}
    if not isinstance(expect, Mapping) or any(k not in EXPECT_KEYS for k in expect):
        fail(f"`expect` is a mapping with keys among: {', '.join(EXPECT_KEYS)}", doc, "expect",
             hint="e.g. expect: {state: active, refused: [4]}")  # fmt: skip
    _check_expect(expect, fail)
    terms = None
    if "terms" in doc:
        terms = version_name(doc["terms"])
        if terms is None:
            fail("`terms` names the version of the terms the scenario was written for", doc, "terms",
                 hint="e.g. terms: 2024-04-01")  # fmt: skip
    return Scenario(
        path=path, name=str(doc.get("name", path.stem if path else "scenario")),
        contract=dict(contract), parameters=params, until=until, events=tuple(events),
        expect=dict(expect), description=str(doc.get("description", "")), terms=terms,
        terms_line=line_of(doc, "terms") if terms else None,
    )  # fmt: skip


def _check_expect(expect: Mapping[str, Any], fail) -> None:
    """`expect`'s values have the kinds replay compares: names, yen by ledger key, event indexes."""
    for key in ("state", "ended_by"):
        if key in expect and isinstance(expect[key], list | Mapping):
            fail(f"expect.{key} is one name", expect, key, hint=f"e.g. {key}: active" if key == "state" else None)
    ledger = expect.get("ledger")
    if ledger is not None and (not isinstance(ledger, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in ledger.values())):  # fmt: skip
        fail("expect.ledger is a mapping of ledger keys to whole yen", expect, "ledger",
             hint="e.g. ledger: {charged: 715000, paid: 165000}")  # fmt: skip
    refused = expect.get("refused")
    if refused is not None and (not isinstance(refused, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in refused)):  # fmt: skip
        fail("expect.refused is a list of event indexes", expect, "refused", hint="e.g. refused: [4]")


DATE_HINT = "is not a date; write YYYY-MM-DD, e.g. 2024-04-01"


def parse_date(raw: Any) -> int | None:
    """A date from YAML (a date, or an ISO string) as an ordinal; None when it is not one."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.toordinal()
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw).toordinal()
        except ValueError:
            return None
    return None


def _date(raw: Any, fail) -> int:
    day = parse_date(raw)
    if day is None:
        fail(f"'{clip(raw)}' is not a date", "write YYYY-MM-DD, e.g. 2024-04-01")
    return day


def _value(raw: Any, typ: Type, spec: Spec, fail) -> Any:
    if typ == DATE:
        return _date(raw, fail)
    if typ == INT:
        if isinstance(raw, int) and not isinstance(raw, bool):
            if yen_problem(raw):
                fail(yen_problem(raw), f"give an amount of at most ¥{MAX_YEN:,}")
            return raw
        fail(f"{clip(repr(raw))} is not a whole number of yen", "write 100000, not 100,000, '100000' or 1e5")
    if typ == BOOL:
        if isinstance(raw, bool):
            return raw
        fail(f"{clip(repr(raw))} is not true or false", "write true or false (unquoted)")
    values = spec.enums[typ.enum]
    if str(raw) in values:
        return str(raw)
    fail(f"{clip(repr(raw))} is not one of: {', '.join(values)}{did_you_mean(str(raw), values)}",
         "write one of the values listed")  # fmt: skip
    raise AssertionError


def _type_name(t: Type) -> str:
    return t.enum or t.kind


def scenario_to_data(scenario_contract: Mapping[str, Any], events: list[tuple[int, str, Mapping[str, Any]]],
                     until: int | None, spec: Spec, name: str | None = None,
                     expect: Mapping[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """A scenario as plain data ready for YAML: what the verifier and simulator write."""

    def plain(event: str, key: str, value: Any) -> Any:
        arg = spec.events[event].arg(key)
        if arg is not None and arg.type == DATE:
            return dt.date.fromordinal(value)
        return value

    data: dict[str, Any] = {}
    if name:
        data["name"] = name
    data["contract"] = dict(scenario_contract)
    for k, v in list(data["contract"].items()):
        if spec.parameters[k].type == DATE:
            data["contract"][k] = dt.date.fromordinal(v)
    if until is not None:
        data["until"] = dt.date.fromordinal(until)
    data["events"] = [
        {"on": dt.date.fromordinal(day), "do": ev, **{k: plain(ev, k, v) for k, v in args.items()}}
        for day, ev, args in events
    ]
    if expect:
        data["expect"] = dict(expect)
    return data


def load_spec_scenarios(spec: Spec) -> dict[str, Scenario]:
    """The scenarios the spec names — each reachable property's witness (``witness:``) and
    the worked ``examples:`` — read and checked against the spec, by their file names: a
    bad one is bad input of ``yakkan check`` already, not only of the ``yakkan verify`` run
    that replays it."""
    if spec.path is None:
        return {}
    names = [*(p.witness for p in spec.properties.values() if p.witness is not None), *spec.examples]
    out = {}
    for name in dict.fromkeys(names):
        out[name] = load_scenario(spec.path.parent / name, spec)
        if out[name].terms is not None:
            s = out[name]
            check_written_for(Written(spec.path.parent / name, s.terms, s.terms_line), str(spec.meta["version"]))
    return out
