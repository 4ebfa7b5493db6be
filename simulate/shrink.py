"""From a monitor's finding to a short scenario file that `yakkan replay` reproduces.

A customer's run is exactly its sent events replayed on a fresh contract (see
`simulate.driver`), so the finding is first cut to the events up to the day the property
fired, then shrunk by delta debugging (Zeller's ddmin): remove chunks of events while
the same property still fires. "Still fires" is decided by the reference engine (the
python-statemachine `Contract`, as `yakkan replay` runs it); the fast engine is asked
first and the reference only when the fast one says yes, which spares most of the slow
runs and changes nothing while the engines agree (the differential test's claim).

The scenario carries an `expect:` block (state, ended_by, refused events, ledger) so that
`yakkan replay` checks it reproduces the run, and its description names the property,
the step and the date.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from yakkan.model.replay import replay
from yakkan.model.scenario import scenario_from_data, scenario_to_data

from .driver import CustomerRun
from .engines import Model

Event = tuple[int, str, dict[str, Any]]


def fires(model: Model, engine: str, contract: dict[str, Any], events: Sequence[Event], until: int,
          pid: str) -> tuple[int, int] | None:  # fmt: skip
    """(step, day) at which `pid` fires when `events` run on `engine` up to `until`, or None."""
    c = model.contract(engine, {**model.default_parameters(), **contract})
    for day, event, args in events:
        c.send(event, day, args)
    c.settle_to(until)
    return c.finish(until).get(pid)


def ddmin(items: list[Any], test: Callable[[list[Any]], bool]) -> list[Any]:
    """A 1-minimal sublist of `items` (in order) on which `test` still holds (Zeller 2002)."""
    n = 2
    while len(items) >= 2:
        size = max(1, len(items) // n)
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        reduced = False
        for i in range(len(chunks)):
            rest = [x for j, c in enumerate(chunks) if j != i for x in c]
            if test(rest):
                items, n, reduced = rest, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(n * 2, len(items))
    if len(items) == 1 and test([]):
        return []
    return items


def shrink(model: Model, run: CustomerRun, pid: str, day: int) -> tuple[list[Event], int]:
    """The run's events cut to `day` and shrunk; (events, until). Checked on the reference."""
    until = day
    events = [e for e in run.events if e[0] <= until]
    cache: dict[tuple[int, ...], bool] = {}
    index = {id(e): i for i, e in enumerate(events)}

    def test(subset: list[Event]) -> bool:
        if not subset:
            return False
        key = tuple(index[id(e)] for e in subset)
        if key not in cache:
            cache[key] = (fires(model, "fast", run.contract, subset, until, pid) is not None
                          and fires(model, "reference", run.contract, subset, until, pid) is not None)  # fmt: skip
        return cache[key]

    if not test(events):
        raise RuntimeError(f"{pid} does not fire again when customer {run.index}'s events are replayed")
    return ddmin(events, test), until


def scenario_document(model: Model, run: CustomerRun, pid: str, events: list[Event], until: int,
                      spec_path: Path, seed: int, path: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """The scenario as data, with the `expect:` block of its replay on the reference."""
    spec = model.spec
    prop = spec.properties[pid]
    step, day = fires(model, "reference", run.contract, events, until, pid)  # type: ignore[misc]
    contract = {k: v for k, v in run.contract.items() if v != spec.parameters[k].default}
    name = f"{pid}-customer-{run.index}"
    data = scenario_to_data(contract, [(d, e, a) for d, e, a in events], until, spec, name=name)
    scenario = scenario_from_data(data, spec)
    result = replay(model.compiled, scenario)
    expect: dict[str, Any] = {"state": result.state}
    if result.ended_by:
        expect["ended_by"] = result.ended_by
    expect["refused"] = [i for i, s in enumerate(result.event_steps) if not s.accepted]
    expect["ledger"] = result.ledger()
    verdict = "a known finding" if prop.expect != "holds" else "expected to hold: this is a bug"
    description = (
        f"{pid} ({', '.join(prop.articles)}) {prop.title} — {verdict}. The runtime monitor fires at "
        f"step {step} of the replay ({dt.date.fromordinal(day).isoformat()}). Shrunk from customer "
        f"{run.index} ({run.profile}) of `yakkan simulate --seed {seed}`: {len(run.events)} events "
        f"down to {len(events)}. Replay: yakkan replay {path or '<this file>'} --spec {spec_path}"
    )
    out = {"name": name, "description": description, **{k: v for k, v in data.items() if k != "name"}}
    out["expect"] = expect
    return out


def dump_scenario(data: dict[str, Any]) -> str:
    """YAML text of a scenario, one flow mapping per event (like the hand-written ones)."""
    doc = CommentedMap()
    for key, value in data.items():
        if key == "events":
            seq = CommentedSeq()
            for e in value:
                m = CommentedMap(e)
                m.fa.set_flow_style()
                seq.append(m)
            doc[key] = seq
        elif key in ("contract", "ledger") or isinstance(value, dict):
            m = CommentedMap(value)
            if key == "contract":
                m.fa.set_flow_style()
            doc[key] = m
        else:
            doc[key] = value
    if "expect" in doc:
        exp = CommentedMap(doc["expect"])
        if "refused" in exp:
            r = CommentedSeq(exp["refused"])
            r.fa.set_flow_style()
            exp["refused"] = r
        doc["expect"] = exp
    yaml = YAML(typ="rt")
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def write_scenario(path: Path, data: dict[str, Any]) -> Path:
    """Write a scenario atomically as `path.name` inside `path.parent` (nowhere else)."""
    from yakkan.model.limits import write_in

    return write_in(path.parent, path.name, dump_scenario(data))
