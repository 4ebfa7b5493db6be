"""Runtime monitors compiled from the property catalogue — the verifier's own formulas.

Every property of the spec (analysis §5) is a `PropertyDef` whose formulas the loader has
parsed and type-checked; this module compiles them with `Expr.compile()` and checks them
on the steps of a running contract. Semantics, shared by both engines:

- `invariant`: the formula holds on the state after every accepted step (the contract's
  creation included).
- `step`: the formula holds on every accepted step but the creation. Its environment is
  the state before the step (before the late-charge accrual of `time_advance`), the state
  after it as `next_<name>` / `next_state`, `event`, and the event's arguments by their
  expression names; a shared argument the event does not take has a typed default
  (0, FOREVER, False, the enum's first value).
- `response` (P15 17, P17 25-3): whenever `trigger` holds after a step while `response`
  does not, a timer starts (the earliest pending one counts); `response` holding after a
  step clears it; a step, or the end of the run, dated after the deadline
  (start + `within`) with the timer still running is a violation.
- `reachable` (P18 8-4): a step satisfying the formula is a witness, counted.
- `structural` (P20, P21) are graph properties of the lifecycle, not of a run: not
  monitored here (the verifier proves them).

Refused steps change nothing and are not checked (a response deadline is still noticed
on them). Only the first firing of each property per contract is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from yakkan.model import calendar_math as cm
from yakkan.model.contract import Step, StepFormulaEnv
from yakkan.model.spec import PropertyDef, Spec

MONITORED_KINDS = ("invariant", "step", "response", "reachable")


@dataclass(frozen=True)
class Hit:
    """A property that fired (or, for `reachable`, was witnessed) on one contract."""

    property: str
    step: int  # index in the contract's steps; len(steps) when noticed at the end
    day: int


def deadline(start: int, prop: PropertyDef) -> int:
    """Last day on which a response to a trigger seen on `start` is still in time."""
    return cm.add_months(start, prop.within_months) + prop.within_days


def expected_to_hold(prop: PropertyDef) -> bool:
    """A firing of this property is a bug (not a known finding)."""
    return prop.kind in ("invariant", "step", "response") and prop.expect == "holds"


class MonitorSet:
    """The catalogue compiled once per spec; `start()` gives a per-contract monitor."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        props = spec.properties.values()
        self.invariants = tuple((p.id, p.formula.compile()) for p in props if p.kind == "invariant")
        self.steps = tuple((p.id, p.formula.compile()) for p in props if p.kind == "step")
        self.reachables = tuple((p.id, p.formula.compile()) for p in props if p.kind == "reachable")
        self.responses = tuple((p.id, p.trigger.compile(), p.response.compile(), p)
                               for p in props if p.kind == "response")  # fmt: skip
        self.not_monitored = tuple(p.id for p in props if p.kind not in MONITORED_KINDS)
        self.step_env = StepFormulaEnv(spec)  # the environment of a step formula (module docstring)

    @classmethod
    def empty(cls, spec: Spec) -> MonitorSet:
        """No property monitored: for runs whose steps are wanted, not their hits (the
        verifier's random runs, `verify.sampling`)."""
        ms = cls.__new__(cls)
        ms.spec = spec
        ms.invariants = ms.steps = ms.reachables = ms.responses = ms.not_monitored = ()
        ms.step_env = StepFormulaEnv(spec)
        return ms

    def start(self) -> Monitor:
        return Monitor(self)


class Monitor:
    """Checks one contract's steps, in order: pass it as (or call it from) `on_step`."""

    def __init__(self, ms: MonitorSet) -> None:
        self.ms = ms
        self.index = 0
        self.hits: dict[str, Hit] = {}
        self.pending: dict[str, int] = {}  # response property -> deadline day

    def _hit(self, pid: str, day: int, index: int | None = None) -> None:
        if pid not in self.hits:
            self.hits[pid] = Hit(pid, self.index if index is None else index, day)

    def _deadlines(self, day: int, index: int) -> None:
        for pid, last in list(self.pending.items()):
            if day > last:
                self._hit(pid, day, index)
                del self.pending[pid]

    def __call__(self, step: Step) -> None:
        ms = self.ms
        self._deadlines(step.day, self.index)
        if step.accepted:
            post = step.after
            for pid, formula in ms.invariants:
                if not formula(post):
                    self._hit(pid, step.day)
            if step.before:
                env = ms.step_env(step)
                for pid, formula in ms.steps:
                    if not formula(env):
                        self._hit(pid, step.day)
                for pid, formula in ms.reachables:
                    if formula(env):
                        self._hit(pid, step.day)
            for pid, trigger, response, prop in ms.responses:
                if response(post):
                    self.pending.pop(pid, None)
                elif trigger(post) and pid not in self.pending:
                    self.pending[pid] = deadline(step.day, prop)
        self.index += 1

    def finish(self, day: int) -> dict[str, Hit]:
        """Notice the response deadlines passed by the end of the run (`day`); the hits."""
        self._deadlines(day, self.index)
        return self.hits


def property_kinds(spec: Spec) -> Mapping[str, str]:
    return {p.id: p.kind for p in spec.properties.values()}


StepHook = Callable[[Step], None]
