"""Random contract histories on the executable model.

Used to pre-filter candidate lemmas (a candidate false in a reached state is no invariant;
what survives is then proved, or dropped, by Z3) and by the differential tests (random
histories must be feasible in the Z3 encoding with the same values at every step).
Events are drawn among those the current state allows, with arguments that often make
their guards true, so that histories reach suspension, termination, cancellation, …
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from yakkan.model.contract import Contract, Step
from yakkan.model.machine import CompiledSpec

AMOUNTS = (1, 500, 1000, 10000, 50000, 100000, 110000, 220000, 1100000)
DAY_STEPS = (0, 0, 0, 1, 1, 2, 5, 10, 15, 31, 45)


@dataclass(frozen=True)
class Run:
    """One random history: its contract parameters, its scenario events, its steps."""

    parameters: Mapping[str, Any]
    events: tuple[tuple[int, str, Mapping[str, Any]], ...]
    steps: tuple[Step, ...]
    contract: Contract


def random_parameters(compiled: CompiledSpec, rng: random.Random, day0: int) -> dict[str, Any]:
    spec = compiled.spec
    params = {n: p.default for n, p in spec.parameters.items()}
    for name, p in spec.parameters.items():
        if p.scope != "contract":
            continue
        if p.type.kind == "date":
            params[name] = rng.choice([p.default, day0 + rng.choice([-3, 0, 5, 20, 40])])
        elif p.type.kind == "int":
            lo = p.minimum or 0
            params[name] = max(lo, rng.choice([p.default, p.default, 0, 1, 2, 1000, 100000]))
    return params


def _args(compiled: CompiledSpec, event: str, day: int, contract: Contract, rng: random.Random) -> dict[str, Any]:
    spec = compiled.spec
    out: dict[str, Any] = {}
    for a in spec.events[event].args:
        if a.type.kind == "int":
            choices = list(AMOUNTS)
            if a.name == "amount":
                try:
                    due = int(contract.derived("balance_due"))
                    if due > 0:
                        choices += [due, due, due]
                except (KeyError, TypeError):
                    pass
            if a.expr_name.endswith("base_fee"):
                base = contract.values.get("base_fee", 0)
                choices += [base + 10000, max(0, base - 10000), 0]
            value = rng.choice(choices)
            out[a.name] = max(value, a.minimum if a.minimum is not None else value)
        elif a.type.kind == "date":
            out[a.name] = day + rng.choice([0, 1, 10, 31, 92, 95, 200, 400])
        elif a.type.kind == "bool":
            out[a.name] = rng.random() < 0.5
        else:
            out[a.name] = rng.choice(spec.enums[a.type.enum])
    return out


def _enabled_choices(
    compiled: CompiledSpec, contract: Contract, day: int, rng: random.Random, events: list[str],
    seen: Mapping[str, int],
) -> list[tuple[str, dict[str, Any], float]]:
    """Events (with arguments) whose transition would fire now, tried a few times, with a
    weight: ending the history (a final state) is rarer than going on, and transitions
    seldom taken so far are preferred (coverage)."""
    out = []
    spec = compiled.spec
    for event in events:
        cands = compiled.candidates(event, contract.state)
        if not cands:
            continue
        for _ in range(3):
            args = _args(compiled, event, day, contract, rng)
            values = dict(contract.values)
            values["today"] = day
            for a in compiled.spec.events[event].args:
                values[a.expr_name] = args[a.name]
            fired = next((ct for ct in cands if ct.enabled(values)), None)
            if fired is not None:
                target = fired.spec.target
                final = target is not None and spec.states[target].final
                count = seen.get(fired.spec.id, 0)
                rare = 10.0 if count == 0 else 1.0 / (1 + count) ** 0.5
                moves = 3.0 if target is not None and not final else 1.0
                out.append((event, args, (0.05 if final else moves) * rare))
                break
    return out


def random_run(compiled: CompiledSpec, rng: random.Random, length: int = 40,
               day0: int | None = None, refused_ratio: float = 0.1,
               seen: dict[str, int] | None = None) -> Run:  # fmt: skip
    """A random history of up to ``length`` scenario events after the application.

    ``seen`` counts the transitions taken by earlier runs (updated here)."""
    seen = {} if seen is None else seen
    spec = compiled.spec
    day = day0 if day0 is not None else dt.date(2024, 1, 1).toordinal() + rng.randrange(0, 800)
    params = random_parameters(compiled, rng, day)
    contract = Contract(compiled, params, record_values=True)
    creator = spec.creating_event.name
    contract.send(creator, day)
    events: list[tuple[int, str, Mapping[str, Any]]] = [(day, creator, {})]
    names = [e for e, d in spec.events.items() if d.by != "calendar" and not d.creates]
    for _ in range(length):
        day += rng.choice(DAY_STEPS)
        if contract.state is not None and spec.states[contract.state].final and rng.random() < 0.3:
            day += rng.choice([5, 20, 40])
        if contract.created:
            contract.advance_to(day)
        choices = _enabled_choices(compiled, contract, day, rng, names, seen)
        if choices and rng.random() > refused_ratio:
            event, args, _ = rng.choices(choices, weights=[w for _, _, w in choices])[0]
        else:
            event = rng.choice(names)
            args = _args(compiled, event, day, contract, rng)
        step = contract.send(event, day, args)
        events.append((day, event, args))
        if step.transition:
            seen[step.transition] = seen.get(step.transition, 0) + 1
    return Run(params, tuple(events), tuple(contract.steps), contract)


def sample_runs(compiled: CompiledSpec, n: int = 120, length: int = 40, seed: int = 0) -> Iterator[Run]:
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    for _ in range(n):
        yield random_run(compiled, rng, length, seen=seen)
