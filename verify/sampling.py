"""Random contract histories on the executable model.

Used to pre-filter candidate lemmas (a candidate false in a reached state is no invariant;
what survives is then proved, or dropped, by Z3) and by the differential tests (random
histories must be feasible in the Z3 encoding with the same values at every step).
Events are drawn among those the current state allows, with arguments that often make
their guards true, so that histories reach suspension, termination, cancellation, …

The runs go on the fast engine (`yakkan.simulate.recording`: the same `Step`s as the
reference `Contract`, values before and after included, 36–100× faster); ``engine=
"reference"`` runs them on the reference, for the differential test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from yakkan.model.contract import Contract, Step
from yakkan.model.expr import Arith, Compare, Expr, Name
from yakkan.model.machine import CompiledSpec
from yakkan.simulate.fast import FastSpec
from yakkan.simulate.monitors import MonitorSet
from yakkan.simulate.recording import RecordingContract, RecordingSpec, recording_spec

ENGINES = ("fast", "reference")

AMOUNTS = (1, 500, 1000, 10000, 50000, 100000, 110000, 220000, 1100000)
DAY_STEPS = (0, 0, 0, 1, 1, 2, 5, 10, 15, 31, 45)


@dataclass(frozen=True)
class Run:
    """One random history: its contract parameters, its scenario events, its steps."""

    parameters: Mapping[str, Any]
    events: tuple[tuple[int, str, Mapping[str, Any]], ...]
    steps: tuple[Step, ...]
    contract: Contract | RecordingContract | None  # None once sampled (not sent between processes)


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
        elif p.type.kind == "bool":
            params[name] = rng.choice([p.default, p.default, not p.default])
    return params


_BOUNDARIES: weakref.WeakKeyDictionary[CompiledSpec, dict[str, dict[str, list[Callable[[Mapping[str, Any]], Any]]]]] = (
    weakref.WeakKeyDictionary()
)  # per compiled spec (never outlives it), per event


def boundaries(compiled: CompiledSpec, event: str) -> dict[str, list[Callable[[Mapping[str, Any]], Any]]]:
    """For each argument of ``event``, the expressions its guards compare it with (``amount
    <= deposit_cap``): the values at which a guard flips are where terms are tested."""
    per_event = _BOUNDARIES.setdefault(compiled, {})
    if event not in per_event:
        args = {a.expr_name for a in compiled.spec.events[event].args}
        found: dict[str, list[Callable[[Mapping[str, Any]], Any]]] = {}
        for t in compiled.spec.transitions:
            if t.event != event:
                continue
            for clause in t.guard:
                for node in _walk(clause.expr):
                    if not isinstance(node, Compare) or len(node.ops) != 1:
                        continue
                    left, right = node.operands
                    for side, other in ((left, right), (right, left)):
                        isolated = _isolate(side, other, args)
                        if isolated is not None:
                            found.setdefault(isolated[0], []).append(isolated[1])
        per_event[event] = found
    return per_event[event]


def _isolate(side: Expr, other: Expr, args: set[str]) -> tuple[str, Callable[[Mapping[str, Any]], Any]] | None:
    """``side == other`` solved for the one argument in ``side`` (``x + amount`` → ``other - x``)."""
    if other.names() & args:
        return None
    bound = other.compile()
    while isinstance(side, Arith) and side.op in ("+", "-"):
        left_has, right_has = bool(side.left.names() & args), bool(side.right.names() & args)
        if left_has == right_has:
            return None
        if left_has:  # arg-part ± rest = other  →  arg-part = other ∓ rest
            rest = side.right.compile()
            bound = _difference(bound, rest) if side.op == "+" else _sum(bound, rest)
            side = side.left
        else:  # rest ± arg-part = other  →  arg-part = ±(other - rest)
            rest = side.left.compile()
            bound = _difference(bound, rest) if side.op == "+" else _difference(rest, bound)
            side = side.right
    if isinstance(side, Name) and side.name in args:
        return side.name, bound
    return None


def _difference(a: Callable[[Any], Any], b: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: a(v) - b(v)


def _sum(a: Callable[[Any], Any], b: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: a(v) + b(v)


def _walk(e: Expr) -> Iterator[Expr]:
    yield e
    for c in e.children():
        yield from _walk(c)


_GUARD_DEFAULTS: weakref.WeakKeyDictionary[CompiledSpec, dict[str, Any]] = weakref.WeakKeyDictionary()


def _guard_env(compiled: CompiledSpec, contract: Contract | RecordingContract, day: int) -> dict[str, Any]:
    """The names a guard may read on ``day``: the parameters (the terms' at their defaults),
    the constants and the contract's values."""
    base = _GUARD_DEFAULTS.get(compiled)
    if base is None:
        spec = compiled.spec
        base = _GUARD_DEFAULTS[compiled] = {**{n: p.default for n, p in spec.parameters.items()}, **spec.constants}
    return {**base, **contract.parameters, **contract.values, "today": day}


def _args(compiled: CompiledSpec, event: str, day: int, contract: Contract, rng: random.Random,
          env_now: Callable[[], Mapping[str, Any]] | None = None,
          amounts: dict[tuple[str, str], list[int]] | None = None) -> dict[str, Any]:  # fmt: skip
    """Random arguments for ``event`` on ``day`` (``env_now``: `_guard_env`, made once for
    all the events tried on one day; ``amounts``: each integer argument's candidates, made
    once for all the tries on one day: they read the contract's values, not the draws)."""
    spec = compiled.spec
    out: dict[str, Any] = {}
    for a in spec.events[event].args:
        if a.type.kind == "int":
            choices = amounts.get((event, a.name)) if amounts is not None else None
            if choices is None:
                choices = _amounts(compiled, event, a, contract, day, env_now)
                if amounts is not None:
                    amounts[(event, a.name)] = choices
            value = rng.choice(choices)
            out[a.name] = max(value, a.minimum if a.minimum is not None else value)
        elif a.type.kind == "date":
            out[a.name] = day + rng.choice([0, 1, 10, 31, 92, 95, 200, 400])
        elif a.type.kind == "bool":
            out[a.name] = rng.random() < 0.5
        else:
            out[a.name] = rng.choice(spec.enums[a.type.enum])
    return out


def _amounts(compiled: CompiledSpec, event: str, a: Any, contract: Contract, day: int,
             env_now: Callable[[], Mapping[str, Any]] | None) -> list[int]:
    """The candidates of ``event``'s integer argument ``a`` now: the usual amounts, each
    boundary a guard compares it with (one below, at, one above), the balance due of a
    payment, the base fee's neighbours."""
    choices = [*AMOUNTS, *edge_values(compiled, event, a, contract, day, env_now)]
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
    return choices


def edge_values(compiled: CompiledSpec, event: str, a: Any, contract: Contract | RecordingContract, day: int,
                env_now: Callable[[], Mapping[str, Any]] | None = None) -> list[int]:  # fmt: skip
    """Where the guards of ``event`` flip for its integer argument ``a`` on ``day``: each
    boundary a guard compares it with, one below, at and one above (``amount <=
    deposit_cap``: the cap - 1, the cap, the cap + 1), in the order of the guards."""
    edges = boundaries(compiled, event).get(a.expr_name)
    if not edges:
        return []
    env = env_now() if env_now is not None else _guard_env(compiled, contract, day)
    out: list[int] = []
    for fn in edges:
        try:
            edge = int(fn(env))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue
        out += [edge - 1, edge, edge + 1]
    return out


def _enabled_choices(
    compiled: CompiledSpec, contract: Contract | RecordingContract, day: int, rng: random.Random, events: list[str],
    seen: Mapping[str, int],
) -> list[tuple[str, dict[str, Any], float]]:
    """Events (with arguments) whose transition would fire now, tried a few times, with a
    weight: ending the history (a final state) is rarer than going on, and transitions
    seldom taken so far are preferred (coverage)."""
    out = []
    spec = compiled.spec
    made: list[Mapping[str, Any]] = []  # the guards' names on this day, once
    amounts: dict[tuple[str, str], list[int]] = {}  # each integer argument's candidates on this day

    def env_now() -> Mapping[str, Any]:
        if not made:
            made.append(_guard_env(compiled, contract, day))
        return made[0]

    fast = isinstance(contract, RecordingContract)
    values = contract.values
    for event, tries, args_of in _leaving(compiled, contract.state, events):
        for _ in range(tries):
            args = _args(compiled, event, day, contract, rng, env_now, amounts)
            given = {a.expr_name: args[a.name] for a in args_of}
            if fast:  # the fast engine's code, same semantics
                fired = contract.would_fire(event, values, day, given)  # type: ignore[union-attr]
            else:
                ct = compiled.select(event, contract.state, compiled.advanced({**values, **given}, day))[0]
                fired = None if ct is None else ct.spec
            if fired is not None:
                target = fired.target
                final = target is not None and spec.states[target].final
                count = seen.get(fired.id, 0)
                rare = 10.0 if count == 0 else 1.0 / (1 + count) ** 0.5
                moves = 3.0 if target is not None and not final else 1.0
                out.append((event, args, (0.05 if final else moves) * rare))
                break
    return out


_LEAVING: weakref.WeakKeyDictionary[CompiledSpec, dict[tuple[str | None, tuple[str, ...]], list[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _leaving(compiled: CompiledSpec, state: str | None, events: list[str]) -> list[tuple[str, int, Any]]:
    """The ``events`` (in that order) some transition takes out of ``state``, each with how
    many times `_enabled_choices` tries it and its arguments: an event without arguments is
    the same try each time (no random draw; whether it fires is a function of the values
    and the day), so it is tried once. Made once per spec and state."""
    per_spec = _LEAVING.setdefault(compiled, {})
    key = (state, tuple(events))
    hit = per_spec.get(key)
    if hit is None:
        hit = per_spec[key] = [(e, 3 if compiled.spec.events[e].args else 1, compiled.spec.events[e].args)
                               for e in events if state is not None and compiled.candidates(e, state)]  # fmt: skip
    return hit


_RECORDING: weakref.WeakKeyDictionary[CompiledSpec, RecordingSpec] = weakref.WeakKeyDictionary()


def fast_spec(compiled: CompiledSpec) -> RecordingSpec:
    """The fast engine's code for ``compiled``, recording steps; generated once per spec,
    with no property's monitor: the runs' steps are what the verifier reads (the monitors
    were two thirds of the generation, 0.45 s a spec)."""
    if compiled not in _RECORDING:
        _RECORDING[compiled] = recording_spec(FastSpec(compiled, MonitorSet.empty(compiled.spec)))
    return _RECORDING[compiled]


def recording_contract(compiled: CompiledSpec, params: Mapping[str, Any],
                       engine: str = "fast") -> Contract | RecordingContract:  # fmt: skip
    """A new contract on ``engine`` ("fast" or "reference") that keeps every step with its
    values before and after (the same steps on both)."""
    if engine == "fast":
        return RecordingContract(fast_spec(compiled), params)
    if engine == "reference":
        return Contract(compiled, params, record_values=True)
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


def random_run(compiled: CompiledSpec, rng: random.Random, length: int = 40,
               day0: int | None = None, refused_ratio: float = 0.1,
               seen: dict[str, int] | None = None, engine: str = "fast") -> Run:  # fmt: skip
    """A random history of up to ``length`` scenario events after the application, on
    ``engine`` ("fast" or "reference"; the same history and steps on both).

    ``seen`` counts the transitions taken by earlier runs (updated here)."""
    seen = {} if seen is None else seen
    spec = compiled.spec
    day = day0 if day0 is not None else dt.date(2024, 1, 1).toordinal() + rng.randrange(0, 800)
    params = random_parameters(compiled, rng, day)
    contract = recording_contract(compiled, params, engine)
    creator = spec.creating_event.name
    contract.send(creator, day)
    events: list[tuple[int, str, Mapping[str, Any]]] = [(day, creator, {})]
    names = [e for e, d in spec.events.items() if d.by != "calendar" and not d.creates]
    for _ in range(length):
        day += rng.choice(DAY_STEPS)
        if contract.state is not None and spec.states[contract.state].final and rng.random() < 0.3:
            day += rng.choice([5, 20, 40])
        elif rng.random() < QUIET:  # a quiet period: months in which only the calendar acts
            day += rng.choice(QUIET_DAYS)
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


QUIET = 0.08  # share of steps followed by a quiet period, so that runs reach years ahead
QUIET_DAYS = (60, 120, 200, 400)

STREAMS = 2  # independent coverage-guided streams (one per core on a 2-core machine)


def sample_runs(compiled: CompiledSpec, n: int = 120, length: int = 40, seed: int = 0,
                jobs: int | None = None, engine: str = "fast") -> list[Run]:  # fmt: skip
    """``n`` random histories in ``STREAMS`` streams, each guided by its own coverage; the
    streams run in parallel, and the runs are the same whatever the number of cores.
    The runs keep their steps, not their ``Contract``."""
    from .parallel import forked_map

    if engine == "fast":
        fast_spec(compiled)  # generated before the fork, shared by the streams
    sizes = [n // STREAMS + (1 if k < n % STREAMS else 0) for k in range(STREAMS)]

    def stream(k: int) -> list[Run]:
        rng = random.Random(seed * STREAMS + k)
        seen: dict[str, int] = {}
        runs = [random_run(compiled, rng, length, seen=seen, engine=engine) for _ in range(sizes[k])]
        return [dataclasses.replace(r, contract=None) for r in runs]

    return [run for runs in forked_map(stream, list(range(STREAMS)), jobs) for run in runs]
