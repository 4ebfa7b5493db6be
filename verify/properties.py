"""The property catalogue as proof obligations (issue 4 §2).

Each property of the spec (``properties:``, analysis §5) becomes an :class:`Obligation`:

* ``invariant`` — a formula over every state reached (after the application and after
  every accepted event);
* ``step`` — a formula over every accepted event: the names before it, ``next_<name>``
  after it, ``event`` and the event's arguments (``today`` is the event's day);
* ``reachable`` — some accepted event satisfies the formula (a witness must exist);
* ``response`` — whenever ``trigger`` holds, ``response`` holds within N months or days
  (checked with the monitor of :class:`~yakkan.verify.encoding.Monitor`);
* ``structural`` — ``no_deadlock`` and ``all_states_reachable`` (``structural`` module).

An obligation also names its *premises*: for a formula ``not A or B`` (or ``A != x or
B``) the premise is ``A``; if no premise can ever be reached the property is **vacuous**,
not proved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from yakkan.model.expr import BoolOp, Compare, Expr, Member, Not
from yakkan.model.spec import NEXT, PropertyDef, Spec

from .encoding import Monitor, prepare

KINDS = {"invariant": "state", "step": "step", "reachable": "reach", "response": "response",
         "structural": "structural"}  # fmt: skip


@dataclass(frozen=True)
class Goal:
    """A condition a path should reach: ``expr == want`` on a state or on a step.

    ``expr`` is prepared for Z3, ``source`` is the spec's expression (for the replay).
    A property violation, a witness, a premise witness and a structural witness are goals.
    """

    text: str
    kind: str  # "state" | "step"
    expr: Expr
    source: Expr
    want: bool = True


Premise = Goal


@dataclass(frozen=True)
class Obligation:
    """What must be shown for one property, and over which variables."""

    prop: PropertyDef
    kind: str  # state | step | reach | response | structural
    formula: Expr | None = None  # prepared
    monitor: Monitor | None = None
    names: frozenset[str] = frozenset()  # spec variables read
    premises: tuple[Premise, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return self.prop.id

    @property
    def reads(self) -> set[str]:
        """Every name the property reads: its own, and its monitor's trigger and response."""
        out = set(self.names)
        if self.monitor is not None:
            out |= self.monitor.trigger.names() | self.monitor.response.names()
        return out

    @property
    def violation(self) -> Goal | None:
        """What a counterexample (a witness, for ``reach``) must reach; None for responses."""
        if self.kind in ("state", "step", "reach") and self.formula is not None:
            assert self.prop.formula is not None
            return Goal(self.prop.id, "state" if self.kind == "state" else "step", self.formula,
                        self.prop.formula, want=self.kind == "reach")  # fmt: skip
        return None


def obligation(spec: Spec, prop: PropertyDef) -> Obligation:
    """The obligation of ``prop``."""
    kind = KINDS[prop.kind]
    variables = set(spec.variables)
    if kind in ("state", "step", "reach"):
        assert prop.formula is not None
        names = _variables(prop.formula, variables)
        premises = tuple(
            Goal(_text(p), "state" if kind == "state" else "step", prepare(p), p)
            for p in _premises(prop.formula)
        ) if kind != "reach" else ()  # fmt: skip
        return Obligation(prop, kind, prepare(prop.formula), None, frozenset(names), premises)
    if kind == "response":
        assert prop.trigger is not None and prop.response is not None
        mon = Monitor(prepare(prop.trigger), prepare(prop.response), prop.within_months, prop.within_days)
        names = _variables(prop.trigger, variables) | _variables(prop.response, variables)
        premise = BoolOp(prop.trigger.type, f"({prop.trigger.text}) and not ({prop.response.text})", 0,
                         "and", (prop.trigger, Not(prop.trigger.type, "", 0, prop.response)))  # fmt: skip
        text = f"{prop.trigger.text} and not ({prop.response.text})"
        goal = Goal(text, "state", prepare(premise), premise)
        return Obligation(prop, kind, None, mon, frozenset(names), (goal,))
    return Obligation(prop, kind)


def obligations(spec: Spec, ids: list[str] | None = None) -> list[Obligation]:
    """Obligations of the catalogue (or of ``ids``), in the spec's order."""
    return [obligation(spec, p) for pid, p in spec.properties.items() if ids is None or pid in ids]


def _variables(e: Expr, variables: set[str]) -> set[str]:
    out = set()
    for n in e.names():
        base = n[len(NEXT):] if n.startswith(NEXT) else n
        if base in variables:
            out.add(base)
    return out


def _premises(e: Expr) -> Iterator[Expr]:
    """Premises of ``not A or B`` forms, also inside a top-level ``and``."""
    if isinstance(e, BoolOp) and e.op == "and":
        for v in e.values:
            yield from _premises(v)
        return
    if isinstance(e, BoolOp) and e.op == "or" and len(e.values) >= 2:
        first = e.values[0]
        yield _negate(first)


def _negate(e: Expr) -> Expr:
    if isinstance(e, Not):
        return e.operand
    if isinstance(e, Compare) and len(e.ops) == 1:
        flip = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}[e.ops[0]]
        return Compare(e.type, e.text, e.col, (flip,), e.operands)
    if isinstance(e, Member):
        return Member(e.type, e.text, e.col, e.operand, e.options, not e.negated)
    return Not(e.type, e.text, e.col, e)


def _text(e: Expr) -> str:
    try:
        return e.render("en")
    except Exception:  # noqa: BLE001 - rendering is for people only
        return e.text
