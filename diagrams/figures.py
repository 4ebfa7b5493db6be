"""The figures of a counterexample a reader follows step by step.

For a property's counterexample or witness, the contract's figures after each drawn step:
the figures the property reads (`liability_awarded`, `base_fee` for P13 [27-2]) and the
ledger's main sums (charged, paid, overdue), and the first step at which the property
fails, whose figures are the ones that break the promise (highlighted on the page).
"""

from __future__ import annotations

from typing import Any

from yakkan.model.spec import NEXT, Spec

from .highlight import ScenarioPath

LEDGER = ("charged", "paid", "overdue")
MAX_FIGURES = 6
NOT_YEN = {"months_billed", "billed_through_month", "support_requests", "requests_at_lift", "yen_days",
           "tax_rate_percent", "late_rate_bp", "support_cap", "minimum_term_months", "renewal_period_months",
           "deposit_cap_months", "abolition_notice_months", "evasion_multiplier", "records_retention_days"}  # fmt: skip


def figures_of(spec: Spec, pid: str) -> list[str]:
    """The figures shown for `pid`'s scenario: what the property reads, then the ledger."""
    p = spec.properties.get(pid)
    read: set[str] = set()
    if p is not None:
        for e in (p.formula, p.trigger, p.response):
            if e is not None:
                read |= {n[len(NEXT):] if n.startswith(NEXT) else n for n in e.names()}
    names = [n for n in spec.variables if n in read and not spec.variables[n].scratch]
    names += [n for n in spec.parameters if n in read and n not in names]
    return (names + [n for n in LEDGER if n not in names])[:MAX_FIGURES]


def is_yen(spec: Spec, name: str) -> bool:
    """An amount of money (shown in yen): an int figure that counts no months, days or requests."""
    typ = spec.variables[name].type if name in spec.variables else \
        spec.parameters[name].type if name in spec.parameters else None  # fmt: skip
    return typ is not None and typ.kind == "int" and name not in NOT_YEN


def breaking_step(spec: Spec, pid: str, path: ScenarioPath) -> int | None:
    """The number of the first drawn step after which `pid` no longer holds (None: none
    found, or the property is not one a single step decides)."""
    p = spec.properties.get(pid)
    if p is None or p.formula is None or p.kind not in ("invariant", "step"):
        return None
    check = p.formula.compile()
    for s in path.steps:
        if not s.accepted or not s.after:
            continue
        if p.kind == "invariant":
            values: dict[str, Any] = dict(s.after)
        else:
            values = dict(s.before) | {NEXT + k: v for k, v in s.after.items()}
            values["event"] = s.event
            ev = spec.events.get(s.event)
            given = dict(s.args)
            for a in ev.args if ev else ():
                if a.name in given:
                    values[a.expr_name] = given[a.name]
        try:
            if not check(values):
                return s.n
        except (KeyError, TypeError):
            continue
    return None
