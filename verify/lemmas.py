"""Candidate lemmas for the inductive proofs, mined from the spec and from sample runs.

A property that holds is rarely inductive on its own: an unreachable state can satisfy it
and break it in one step (a suspended contract whose month was never billed, a pending
end date already in the past). The proof strengthens it with lemmas: facts about the
reachable states, each stated in the spec's own language and over its own names, e.g.
``state in (active, restricted, suspended, interrupted) → billed_through_month >=
month_of(today)`` or "contract_ends on end_date is still ahead".

Candidates are generated from templates over the spec — lifecycle regions (leaf states,
compound states, the source sets of transitions), the variables' types, the calendar
events' dates, the guards and the property itself — and kept only if every state reached
by random runs of the executable model satisfies them (``sampling``). Whatever survives
is only a candidate: the engine keeps a lemma only when Z3 proves it inductive together
with the others (Houdini), so a wrong candidate can never make a wrong proof.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yakkan.model.expr import BOOL, DATE, INT, Expr, ExprError, Type, parse_expr
from yakkan.model.spec import MOMENT_PREFIX, NEXT, LemmaDef, Spec

from .encoding import ARMED, DEADLINE, MONTH, Model, Monitor, prepare

SLOT, ARMED_NAME, DEADLINE_NAME = "slot", "mon_armed", "mon_deadline"
ALIASES = {ARMED_NAME: ARMED, DEADLINE_NAME: DEADLINE}


@dataclass(frozen=True)
class Atom:
    """A state formula usable in a lemma."""

    text: str  # in the spec's expression language (over the state, slot and monitor)
    label: str  # how a person reads it
    expr: Expr  # prepared
    names: frozenset[str]  # spec variables it reads
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """``premises → conclusion`` (premises may be empty)."""

    premises: tuple[Atom, ...]
    conclusion: Atom
    lemma: LemmaDef | None = None  # stated in the spec's ``lemmas:`` (else a mined candidate)

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(self.conclusion.names, *(p.names for p in self.premises))

    @property
    def text(self) -> str:
        if self.lemma is not None:
            return f"{self.lemma.id}: {self.lemma.doc}"
        if not self.premises:
            return self.conclusion.label
        return " and ".join(p.label for p in self.premises) + " → " + self.conclusion.label

    @property
    def formula(self) -> str:
        """The lemma in the spec's language (``premises → conclusion``)."""
        if not self.premises:
            return self.conclusion.text
        return " and ".join(f"({p.text})" for p in self.premises) + " → " + self.conclusion.text

    @property
    def articles(self) -> tuple[str, ...]:
        if self.lemma is not None:
            return self.lemma.articles
        seen: dict[str, None] = {}
        for a in (*self.premises, self.conclusion):
            for art in a.articles:
                seen[art] = None
        return tuple(seen)

    def z3(self, env: Mapping[str, Any], sorts: Mapping[str, Any]) -> Any:
        import z3

        concl = self.conclusion.expr.to_z3(env, sorts)
        if not self.premises:
            return concl
        return z3.Implies(z3.And(*[p.expr.to_z3(env, sorts) for p in self.premises]), concl)


def state_types(spec: Spec) -> dict[str, Type]:
    """Names a lemma may use: the state's, the day's slot and the monitor's."""
    env = {n: p.type for n, p in spec.parameters.items()}
    env.update({n: DATE for n in spec.constants})
    env.update({n: v.type for n, v in spec.variables.items()})
    from yakkan.model.expr import enum_type
    from yakkan.model.spec import STATE_ENUM

    env["today"] = DATE
    env["state"] = enum_type(STATE_ENUM)
    env[SLOT] = INT
    for name, e in spec.events.items():
        if e.by == "calendar":
            env[MOMENT_PREFIX + name] = BOOL
    env[ARMED_NAME] = BOOL
    env[DEADLINE_NAME] = DATE
    return env


class AtomFactory:
    """Builds atoms from expression texts (deduplicated by text)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.types = state_types(spec)
        self.atoms: dict[str, Atom] = {}
        self.variables = set(spec.variables)
        self.rejected: list[tuple[str, str]] = []  # templates that do not type-check

    def make(self, text: str, label: str | None = None, expr: Expr | None = None) -> Atom | None:
        if text in self.atoms:
            return self.atoms[text]
        if expr is None:
            try:
                expr = parse_expr(text, self.types, self.spec.enums, BOOL)
            except ExprError as exc:  # a template that does not type-check is skipped
                self.rejected.append((text, str(exc)))
                return None
        names = frozenset(n for n in expr.names() if n in self.variables)
        arts: dict[str, None] = {}
        for n in sorted(names):
            for a in self.spec.variables[n].articles:
                arts[a] = None
        atom = Atom(text, label or text, prepare(expr), names, tuple(arts))
        self.atoms[text] = atom
        return atom


def stated_lemmas(spec: Spec, factory: AtomFactory) -> list[Candidate]:
    """The spec's own ``lemmas:``, as candidates (proved like every other before use)."""
    out = []
    for lemma in spec.lemmas.values():
        holds = factory.make(lemma.holds_text, expr=lemma.holds)
        when = factory.make(lemma.when_text, expr=lemma.when) if lemma.when is not None else None
        if holds is None:
            continue
        out.append(Candidate((when,) if when is not None else (), holds, lemma))
    return out


def monitor_lemmas(model: Model, factory: AtomFactory, monitor: Monitor | None) -> list[Candidate]:
    """What a response monitor is by construction: armed only while the response does
    not hold (it arms where the trigger holds and the response does not, and disarms when
    the response holds). Given to every proof of a response, and proved like the others,
    so that no batch of mined candidates that runs over its cap can take it away. The
    deadline bounds are candidates: keep those the sample states satisfy
    (:func:`holds_on_samples`)."""
    if monitor is None:
        return []
    armed = factory.make(ARMED_NAME)
    waiting = factory.make(f"not ({monitor.response.text})")
    if armed is None or waiting is None:
        return []
    out = [Candidate((armed,), waiting)]
    dates = sorted({n for cal in model.calendar if cal.at.text for n in cal.at.names()
                    if model.var_types.get(n) == DATE})  # fmt: skip
    # the monitor armed on a day no earlier than a date the calendar times its events
    # from (a suspension's first day, a notice's): the deadline is the response window
    # after that date or later
    for d in dates:
        window = f"add_months({d}, {monitor.months})" if monitor.months else d
        window += f" + {monitor.days}" if monitor.days else ""
        later, dated = factory.make(f"{DEADLINE_NAME} >= {window}"), factory.make(f"{d} != FOREVER")
        if later is not None and dated is not None:
            out.append(Candidate((armed, dated), later))
    return out


def holds_on_samples(c: Candidate, masks: Masks, support: int = 1) -> bool:
    """``c`` holds in every sample state, and its premises in at least ``support`` of them."""
    prem = masks.full
    for p in c.premises:
        prem &= masks(p)
    return prem.bit_count() >= support and not prem & ~masks(c.conclusion) & masks.full


def premise_region(c: Candidate) -> tuple[frozenset[str] | None, tuple[Atom, ...]]:
    """The states a lemma's premises allow (None: any), and its other premises."""
    import ast
    import re

    states, rest = None, []
    for p in c.premises:
        one = re.fullmatch(r"state == '(\w+)'", p.text)
        among = re.fullmatch(r"state in (\([^()]*\))", p.text)
        if one:
            states = frozenset([one.group(1)])
        elif among:
            try:
                value = ast.literal_eval(among.group(1))
            except (ValueError, SyntaxError):
                rest.append(p)
                continue
            states = frozenset([value] if isinstance(value, str) else value)
        else:
            rest.append(p)
    return states, tuple(rest)


def without_subsumed(cands: Iterable[Candidate]) -> list[Candidate]:
    """The lemmas, less those another one implies: the same conclusion under weaker
    premises (a wider region of the lifecycle, fewer conditions). Equivalent as a whole."""
    cands = list(cands)
    keys = []
    for c in cands:
        states, rest = premise_region(c)
        keys.append((c.conclusion.text, states, frozenset(p.text for p in rest)))

    def implies(b: int, a: int) -> bool:  # b's premises are weaker than a's
        (cb, sb, rb), (ca, sa, ra) = keys[b], keys[a]
        return cb == ca and rb <= ra and (sb is None or (sa is not None and sa <= sb))

    out = []
    for i, c in enumerate(cands):
        if c.lemma is not None:
            out.append(c)
            continue
        concl, states, _ = keys[i]
        other = concl[len("not (state == '") : -2] if concl.startswith("not (state == '") else None
        if states is not None and other is not None and other not in states:
            continue  # says only that the state is what the premise says
        stronger = [j for j in range(len(cands)) if j != i and implies(j, i)]
        # of two equivalent lemmas keep the first
        if any(not implies(i, j) or j < i for j in stronger):
            continue
        out.append(c)
    return out


def _is_state_formula(e: Expr, variables: set[str]) -> bool:
    return all(not (n.startswith(NEXT) or n == "event") for n in e.names())


def _subformulas(e: Expr) -> Iterable[Expr]:
    yield e
    for c in e.children():
        if c.type == BOOL:
            yield from _subformulas(c)


class CandidateSpace:
    """Every template instance for a spec (and a monitor), before filtering."""

    def __init__(self, model: Model, monitor: Monitor | None = None, formula: Expr | None = None) -> None:
        self.model = model
        spec = model.spec
        self.f = AtomFactory(spec)
        f = self.f
        # a record's fields (one variable per ground) get no templates of their own: facts
        # about them that a proof needs are stated in the spec's lemmas
        vt = {v: t for v, t in model.var_types.items() if spec.variables[v].record is None}
        dates = [v for v, t in vt.items() if t == DATE]
        ints = [v for v, t in vt.items() if t == INT and not spec.variables[v].scratch]
        bools = [v for v, t in vt.items() if t == BOOL]
        enums = [v for v, t in vt.items() if t.kind == "enum"]
        # regions of the lifecycle
        regions: dict[frozenset[str], None] = {}
        for sid in spec.states:
            leaves = frozenset(_leaves(spec, sid))
            regions[leaves] = None
        for t in spec.transitions:
            regions[frozenset(t.sources)] = None
        self.regions = [f.make(_in_states(r), _in_states_label(r)) for r in regions if len(r) < len(spec.leaf_states)]
        # literals (premises)
        lits: list[str] = []
        for b in bools:
            lits += [b, f"not {b}"]
        for v in enums:
            lits += [f"{v} == '{x}'" for x in spec.enums[vt[v].enum]]
        for d in dates:
            lits += [f"{d} == FOREVER", f"{d} != FOREVER"]
        for i in ints:
            lits += [f"{i} == 0", f"{i} > 0"]
        if monitor is not None:
            lits += [ARMED_NAME]
        self.literals = [a for a in (f.make(t) for t in lits) if a is not None]
        # conclusions
        concl: list[tuple[str, str | None]] = [(t, None) for t in lits]
        for d in dates:
            concl += [(f"{d} <= today", None), (f"{d} >= today", None), (f"{d} > today", None)]
        for u, v in itertools.permutations(dates, 2):
            concl += [(f"{u} <= {v}", None), (f"{u} < {v}", None)]
        for d in dates:  # dates the calendar aligns: the end (or the start) of their month
            concl += [(f"{d} == month_end(month_of({d}))", f"{d} is the last day of its month"),
                      (f"{d} == month_start(month_of({d}))", f"{d} is the first day of its month")]  # fmt: skip
        for i in ints:
            concl.append((f"{i} >= 0", None))
        for u, v in self._int_pairs(ints):
            concl += [(f"{u} <= {v}", None), (f"{u} == {v}", None)]
        for b in self._month_ints(ints):
            for d in [*dates, "today"]:
                m = f"month_of({d})"
                concl += [(f"{b} >= {m}", None), (f"{b} <= {m}", None), (f"{b} == {m}", None),
                          (f"{b} == {m} + 1", None), (f"{b} <= {m} + 1", None)]  # fmt: skip
        for cal in model.calendar:
            if cal.periodic:
                continue
            at = cal.at.text if cal.at.text else None
            if not at:
                continue
            concl += [
                (f"today < ({at}) or (today == ({at}) and {SLOT} < {cal.slot})",
                 f"{cal.name} on {at} is still ahead"),
                (f"today < ({at}) or (today == ({at}) and {SLOT} <= {cal.slot})",
                 f"{cal.name} on {at} is not past"),
            ]  # fmt: skip
            if monitor is not None:
                concl.append((f"{DEADLINE_NAME} >= {at}", None))
        # a calendar event whose moment of the day has passed is no longer enabled
        self.extra: list[Candidate] = []
        for cal in model.calendar:
            at = cal.at.text
            moments = [
                f.make(f"today > ({at}) or (today == ({at}) and {SLOT} > {cal.slot})",
                       f"{cal.name} of {at} is past"),
                f.make(f"today > ({at}) or (today == ({at}) and {SLOT} >= {cal.slot})",
                       f"{cal.name} of {at} has had its turn"),
            ]  # fmt: skip
            for t in cal.transitions:
                if not t.spec.guard:
                    continue
                region = f.make(_in_states(t.spec.sources), _in_states_label(t.spec.sources))
                guard = " and ".join(f"({c.expr.text})" for c in t.spec.guard)
                done = f.make(f"not ({guard})", f"{t.id} is not enabled")
                for past in moments:
                    if region is not None and done is not None and past is not None:
                        self.extra.append(Candidate((region, past), done))
        if monitor is not None:
            concl += [(f"{DEADLINE_NAME} >= today", None)]
            for d in dates:
                concl.append((f"{DEADLINE_NAME} >= {d}", None))
            for e in (monitor.trigger, monitor.response):
                for sub in _subformulas(e):
                    concl.append((sub.text, None))
                    concl.append((f"not ({sub.text})", None))
        if formula is not None:
            for sub in _subformulas(formula):
                if sub.text and _is_state_formula(sub, f.variables):
                    concl.append((sub.text, None))
        for t in spec.transitions:
            for c in t.guard:
                if _is_state_formula(c.expr, f.variables) and not (c.expr.names() - set(f.types)):
                    concl.append((c.expr.text, None))
            # a calendar transition that cannot fire (e.g. no month billed after an end)
            if t.event in model.slot_of and t.guard:
                guard = " and ".join(f"({c.expr.text})" for c in t.guard)
                concl.append((f"not ({guard})", f"{t.id} is not enabled"))
        self.conclusions = []
        seen = set()
        for text, label in concl:
            if text in seen:
                continue
            seen.add(text)
            a = f.make(text, label)
            if a is not None:
                self.conclusions.append(a)

    def _int_pairs(self, ints: list[str]) -> list[tuple[str, str]]:
        """Pairs of int variables that occur together in some expression of the spec."""
        groups: list[set[str]] = []
        spec = self.model.spec
        ints_set = set(ints)
        for t in spec.transitions:
            for c in t.guard:
                groups.append(set(c.expr.names()) & ints_set)
            for a in t.effects:
                groups.append((set(a.value.names()) | {a.target}) & ints_set)
        for p in spec.properties.values():
            for e in (p.formula, p.trigger, p.response):
                if e is not None:
                    groups.append({n[len(NEXT):] if n.startswith(NEXT) else n for n in e.names()} & ints_set)
        pairs: dict[tuple[str, str], None] = {}
        for g in groups:
            for u, v in itertools.permutations(sorted(g), 2):
                pairs[(u, v)] = None
        return list(pairs)

    def _month_ints(self, ints: list[str]) -> list[str]:
        """Int variables holding month indexes (assigned from month arithmetic)."""
        out = []
        for v in ints:
            for t in self.model.transitions:
                for a in t.effects:
                    if a.target == v and (MONTH in a.value.names() or "month_of" in a.value.text
                                          or "next_month" in a.value.text):  # fmt: skip
                        out.append(v)
        return list(dict.fromkeys(out))


def _leaves(spec: Spec, sid: str) -> list[str]:
    d = spec.states[sid]
    if not d.children:
        return [sid]
    return [x for c in d.children for x in _leaves(spec, c)]


def _in_states(states: Iterable[str]) -> str:
    ss = sorted(states)
    if len(ss) == 1:
        return f"state == '{ss[0]}'"
    return f"state in ({', '.join(repr(s) for s in ss)})"


def _in_states_label(states: Iterable[str]) -> str:
    ss = sorted(states)
    return f"state is {ss[0]}" if len(ss) == 1 else f"state in {{{', '.join(ss)}}}"


# --------------------------------------------------------------------------------------
# filtering by sample states


def sample_values(model: Model, runs: Iterable[Any], monitor: Monitor | None = None) -> list[dict[str, Any]]:
    """Reached states of random runs as value maps (with slot, month and monitor)."""
    from yakkan.model import calendar_math as cm

    out: list[dict[str, Any]] = []
    mid = model.mid
    trig = monitor.trigger.compile() if monitor else None
    resp = monitor.response.compile() if monitor else None
    for run in runs:
        states = []
        for st in run.steps:
            if not st.accepted or not st.after:
                continue
            v = dict(st.after)
            v["today"] = st.day
            v[SLOT] = model.slot_of.get(st.event, mid) if st.by == "calendar" else mid
            for name, slot in model.slot_of.items():
                v.setdefault(MOMENT_PREFIX + name, v[SLOT] >= slot)
            v[MONTH] = cm.month_of(st.day)
            states.append(v)
        if monitor is None:
            out += states
            continue
        for v in states:
            v = dict(v, **{ARMED_NAME: False, DEADLINE_NAME: 0})
            out.append(v)
        # arm at each trigger point, follow until the response holds
        for i, v in enumerate(states):
            if not (trig(v) and not resp(v)):
                continue
            deadline = _deadline(monitor, v["today"])
            for w in states[i:]:
                if resp(w):
                    break
                out.append(dict(w, **{ARMED_NAME: True, DEADLINE_NAME: deadline}))
    return out


def _deadline(monitor: Monitor, day: int) -> int:
    from yakkan.model import calendar_math as cm

    if monitor.months:
        return cm.add_months(day, monitor.months) + monitor.days
    return day + monitor.days


def linear_equalities(space: CandidateSpace, masks: Masks, names: frozenset[str] | None,
                      premises: list[tuple[Atom, ...]], support: int,
                      focus: frozenset[str] = frozenset()) -> list[Candidate]:  # fmt: skip
    """``premise → a·x + b·y (+ c·z) == k`` holding in every sample where the premise holds.

    The columns are the int variables and the months of the date variables (Daikon-style
    relations over 2 or 3 of them, one about the property's own variables). E.g. once the
    service started: months_billed - billed_through_month + month_of(service_start) == 1.
    """
    import itertools as it

    import numpy as np

    from yakkan.model import calendar_math as cm

    from .calendar import DAY0, DAY_LAST

    model = space.model
    spec = model.spec
    ints = [v for v, t in model.var_types.items() if t == INT and not spec.variables[v].scratch
            and (names is None or v in names)]  # fmt: skip
    dates = [v for v, t in model.var_types.items() if t == DATE and (names is None or v in names)]
    columns: list[tuple[str, frozenset[str], Callable[[Mapping[str, Any]], Any]]] = [
        (v, frozenset((v,)), lambda s, v=v: s[v]) for v in ints
    ]
    for d in [*dates, "today"]:
        columns.append((f"month_of({d})", frozenset((d,)),
                        lambda s, d=d: cm.month_of(s[d]) if DAY0 <= s[d] <= DAY_LAST else None))  # fmt: skip
    out: list[Candidate] = []
    seen: set[str] = set()
    for prem in premises:
        pm = masks.full
        for p in prem:
            pm &= masks(p)
        if pm.bit_count() < support:
            continue
        rows: dict[tuple[Any, ...], None] = {}
        for i in range(masks.n):
            if pm >> i & 1:
                rows[tuple(f(masks.samples[i]) for _, _, f in columns)] = None
                if len(rows) >= 40:
                    break
        if len(rows) < 4:
            continue
        table = list(rows)
        usable = [j for j in range(len(columns))
                  if all(r[j] is not None for r in table) and len({r[j] for r in table}) > 1]  # fmt: skip
        data = {j: np.array([float(r[j]) for r in table]) for j in usable}
        ones = np.ones(len(table))
        for k in (2, 3):
            for subset in it.combinations(usable, k):
                if focus and not any(columns[j][1] & focus for j in subset):
                    continue
                # (the rows depend on the slice's columns: a relation is remembered per slice)
                memo_key = (names, tuple(p.text for p in prem), tuple(columns[j][0] for j in subset))
                if memo_key in masks.equations:
                    cand = masks.equations[memo_key]
                else:
                    cand = masks.equations[memo_key] = _relation(space, prem, columns, subset, table, data, ones)
                if cand is None or cand.text in seen:
                    continue
                if pm & ~masks(cand.conclusion) & masks.full:
                    continue  # fails on a sample beyond the first rows
                seen.add(cand.text)
                out.append(cand)
    return out


def _relation(space: CandidateSpace, prem: tuple[Atom, ...], columns: list[Any], subset: tuple[int, ...],
              table: list[tuple[Any, ...]], data: Mapping[int, Any], ones: Any) -> Candidate | None:  # fmt: skip
    """The one linear relation among the ``subset`` columns of ``table``, if there is one."""
    import numpy as np

    k = len(subset)
    mat = np.column_stack([data[j] for j in subset] + [ones])
    scale = np.abs(mat).max(axis=0)
    if np.linalg.matrix_rank(mat / scale, tol=1e-9) > k:
        return None
    vec = _null_space_of_rows([[int(r[j]) for j in subset] + [1] for r in table])
    if len(vec) != 1 or any(c == 0 for c in vec[0][:k]):
        return None
    return _equation(space, prem, [columns[j][0] for j in subset], vec[0])


def _equation(space: CandidateSpace, prem: tuple[Atom, ...], cols: list[str], vec: list[Any]) -> Candidate | None:
    from math import lcm

    den = lcm(*[c.denominator for c in vec])
    coeffs = [int(c * den) for c in vec]
    if coeffs[0] < 0:
        coeffs = [-c for c in coeffs]
    *terms, const = coeffs
    if any(abs(c) > 100 for c in terms):
        return None
    parts = []
    for name, c in zip(cols, terms, strict=True):
        mag = "" if abs(c) == 1 else f"{abs(c)} * "
        parts.append(("- " if c < 0 else "+ ") + mag + name)
    lhs = " ".join(parts).lstrip("+ ")
    if lhs.startswith("- "):
        lhs = "-" + lhs[2:]
    atom = space.f.make(f"{lhs} == {-const}")
    return None if atom is None else Candidate(prem, atom)


def _null_space_of_rows(rows: list[list[int]]) -> list[list[Any]]:
    """The null space of the integer matrix ``rows`` (exact): computed from a few rows that
    span the row space, then checked on every row."""
    from fractions import Fraction

    basis: list[list[int]] = []
    for row in rows:  # greedily, rows that raise the rank (small, exact)
        if len(basis) == len(row) - 1:
            break
        trial = basis + [row]
        if _rank(trial) == len(trial):
            basis = trial
    vecs = _null_space([[Fraction(x) for x in r] for r in basis])
    if len(vecs) != 1:
        return vecs
    (vec,) = vecs
    from math import lcm

    den = lcm(*[c.denominator for c in vec])
    ints = [int(c * den) for c in vec]
    if all(sum(x * c for x, c in zip(r, ints, strict=True)) == 0 for r in rows):
        return vecs
    return _null_space([[Fraction(x) for x in r] for r in rows])  # the few rows did not span


def _rank(rows: list[list[int]]) -> int:
    """The rank of a few small integer rows (floating point: a wrong answer only loses a
    candidate, the null vector is checked exactly)."""
    import numpy as np

    mat = np.array(rows, dtype=float)
    scale = np.abs(mat).max(axis=0)
    scale[scale == 0] = 1
    return int(np.linalg.matrix_rank(mat / scale, tol=1e-9))


def _null_space(matrix: list[list[Any]]) -> list[list[Any]]:
    """A basis of {x : M x = 0} (exact, Fractions), from the reduced row echelon form."""
    from fractions import Fraction

    m = [row[:] for row in matrix]
    cols = len(m[0])
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        pv = m[r][c]
        m[r] = [x / pv for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    free = [c for c in range(cols) if c not in pivots]
    basis = []
    for fc in free:
        vec = [Fraction(0)] * cols
        vec[fc] = Fraction(1)
        for i, pc in enumerate(pivots):
            vec[pc] = -m[i][fc]
        basis.append(vec)
    return basis


def _bits(indices: list[int], n: int) -> int:
    """The integer whose bits ``indices`` (of ``n``) are set."""
    if len(indices) < 64:
        return sum(1 << i for i in indices)
    digits = bytearray(b"0" * n)
    for i in indices:
        digits[n - 1 - i] = 49  # "1"
    return int(digits.decode(), 2)


class Masks:
    """Which sample states satisfy which atoms (bit masks), computed once per atom."""

    def __init__(self, samples: list[dict[str, Any]]) -> None:
        self.samples = samples
        self.n = len(samples)
        self.full = (1 << self.n) - 1
        self.masks: dict[str, int] = {}
        self._parts: dict[tuple[str, ...], list[tuple[Mapping[str, Any], int]]] = {}
        self.equations: dict[tuple[Any, ...], Any] = {}  # linear relations found (see linear_equalities)

    def __call__(self, a: Atom) -> int:
        if a.text not in self.masks:
            self.masks[a.text] = self.mask_of(a)
        return self.masks[a.text]

    def mask_of(self, a: Atom) -> int:
        """The atom evaluated once per distinct combination of the values it reads (an
        atom reads a few of the state's names, and the samples repeat their values: the
        preparation's truth tables took 6-8 s of CPU evaluating every sample)."""
        fn = a.expr.compile()
        mask = 0
        for sample, bits in self._partition(tuple(sorted(a.expr.names()))):
            try:
                if fn(sample):
                    mask |= bits
            except Exception:  # noqa: BLE001 - a name a sample lacks counts as false
                pass
        return mask

    def _partition(self, names: tuple[str, ...]) -> list[tuple[Mapping[str, Any], int]]:
        """The samples grouped by their values of ``names``: (one sample, the group's bits);
        a sample lacking a name, or with a value that is not hashable, is its own group."""
        got = self._parts.get(names)
        if got is None:
            get = operator.itemgetter(*names) if names else (lambda v: ())
            groups: dict[Any, list[int]] = {}
            alone: list[int] = []
            for i, v in enumerate(self.samples):
                try:
                    groups.setdefault(get(v), []).append(i)
                except (KeyError, TypeError):
                    alone.append(i)
            got = [(self.samples[ix[0]], _bits(ix, self.n)) for ix in groups.values()]
            got += [(self.samples[i], 1 << i) for i in alone]
            self._parts[names] = got
        return got

    def precompute(self, atoms: Iterable[Atom], jobs: int | None = None) -> None:
        """The masks of ``atoms``, computed on every core (the same whatever the cores)."""
        from .parallel import forked_map

        todo = list({a.text: a for a in atoms if a.text not in self.masks}.values())
        halves = [todo[k::2] for k in range(2)]

        def masks_of(part: list[Atom]) -> dict[str, int]:
            return {a.text: self.mask_of(a) for a in part}

        for part in forked_map(masks_of, halves, jobs):
            self.masks.update(part)


class Mined:
    """The candidates over some variables that every sample state satisfies."""

    def __init__(self, space: CandidateSpace, masks: Masks, names: frozenset[str] | None = None,
                 support: int = 12, focus: frozenset[str] = frozenset()) -> None:  # fmt: skip
        """``support``: a premise must hold in that many samples (fewer is no evidence);
        ``focus``: the property's own variables (disjunctions of facts about them)."""
        self.space = space
        full = masks.full

        def ok(a: Atom | None) -> bool:
            return a is not None and (names is None or a.names <= names)

        regions = [r for r in space.regions if ok(r)]
        literals = [p for p in space.literals if ok(p)]
        conclusions = [c for c in space.conclusions if ok(c)]
        self.candidates: list[Candidate] = []
        for c in space.extra:
            if (names is None or c.names <= names) and holds_on_samples(c, masks, support):
                self.candidates.append(c)
        premises: list[tuple[Atom, ...]] = [(r,) for r in regions]
        premises += [(p,) for p in literals]
        premises += [(r, p) for r in regions for p in literals]
        pmasks = []
        for prem in premises:
            pm = full
            for p in prem:
                pm &= masks(p)
            pmasks.append(pm)
        # the premises with support (the same for every conclusion: sifted once)
        supported = [(prem, pm) for prem, pm in zip(premises, pmasks, strict=True)
                     if pm != 0 and pm.bit_count() >= support]  # fmt: skip
        for c in conclusions:
            cm_ = masks(c)
            if cm_ == full:
                self.candidates.append(Candidate((), c))
                continue
            refuted = ~cm_ & full  # the samples where the conclusion is false
            done_single: set[str] = set()
            for prem, pm in supported:
                if pm & refuted:
                    continue
                if len(prem) == 2 and (prem[0].text in done_single or prem[1].text in done_single):
                    continue
                if any(p.text == c.text for p in prem):
                    continue
                if len(prem) == 1:
                    done_single.add(prem[0].text)
                self.candidates.append(Candidate(prem, c))
        # two facts about the property's variables, one of which holds ("not A → B")
        focused = [c for c in conclusions if c.names & focus and 0 < masks(c) < full]
        for i, a in enumerate(focused):
            ma = masks(a)
            for b in focused[i + 1 :]:
                mb = masks(b)
                if ~ma & ~mb & full or (ma | mb) == ma or (ma | mb) == mb:
                    continue
                if (~ma & full).bit_count() < min(support, 3):
                    continue
                neg = space.f.make(f"not ({a.text})", f"not ({a.label})")
                if neg is not None:
                    masks.masks.setdefault(neg.text, ~ma & full)
                    self.candidates.append(Candidate((neg,), b))
        # linear equalities over the numbers (Daikon-style), under each premise
        self.candidates += linear_equalities(space, masks, names, premises=[(), *[(r,) for r in regions],
                                             *[(p,) for p in literals]], support=support,
                                             focus=focus)  # fmt: skip

    def false_at(self, truth: Callable[[Atom], bool], names: frozenset[str] | None = None,
                 limit: int = 400, focus: frozenset[str] = frozenset()) -> list[Candidate]:  # fmt: skip
        """Candidates (over ``names``) that a state falsifies, simplest first.

        ``truth`` tells whether an atom holds in the state (the engine asks the solver's
        model, so that the state is judged exactly as the proof sees it).
        """
        memo: dict[str, bool] = {}

        def val(a: Atom) -> bool:
            if a.text not in memo:
                memo[a.text] = truth(a)
            return memo[a.text]

        out = []
        for c in self.candidates:
            if names is not None and not c.names <= names:
                continue
            if all(val(p) for p in c.premises) and not val(c.conclusion):
                out.append(c)
        out.sort(key=lambda c: (len(c.premises), len(c.names), not (c.names & focus)))
        return out[:limit]
