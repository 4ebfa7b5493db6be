"""Gregorian calendar functions on Z3 terms, fast: exact in a window, free outside.

``yakkan.model.calendar_math`` computes ``month_of`` from a day number through a chain of
divisions by 146097, 36524, 1461 and 365 that holds for every date. Z3's integer
arithmetic handles such chains slowly (seconds per query, heavy-tailed), and a step of the
contract uses a dozen of them (the month of today, the start of the next month, the end of
the minimum term, three months from today, …).

Between 1900-03-01 and 2100-02-28 every fourth year is a leap year: time is a sequence of
4-year cycles of 1461 days and 48 months. Here a month index is written

    m = MONTH0 + 48 * cycle + k        (0 <= k < 48, the month of the cycle)

with ``cycle`` and ``k`` fresh bounded integers, and the first day of month ``m + j`` for a
small constant ``j`` is ``DAY0 + 1461 * cycle + CUM[k + j]``, a lookup in a constant table
(a balanced tree of ``If`` on ``k``): no division at all. ``month_of(x)`` is the ``m`` whose
month contains ``x``; every calendar term derived from the same month (``month_of(today)
+ 1``, ``month_end(month_of(today) + 2)``, ``add_months(today, 3)``) shares its ``cycle`` and
``k``. The defining constraints (:attr:`Calendar.definitions`) have exactly one solution
inside the window and none is imposed outside it, so any solver may assert them.

Outside the window a call is an uninterpreted function of its argument (equal arguments,
equal results, nothing else known): the encoding then allows *more* behaviours than the
contract has, never fewer, so a proof stays a proof; a counterexample is always replayed
on the executable model before it is reported. The verification horizon (``Bounds``) keeps
``today`` well inside the window; only the sentinel FOREVER and far-future argument dates
fall outside. ``tests/test_verify_calendar.py`` compares these functions with
``calendar_math`` on every day and every month of the window.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import z3

from yakkan.model import calendar_math as cm
from yakkan.model.expr import context_cache

DAY0 = dt.date(1900, 3, 1).toordinal()  # a 4-year cycle starts here (the leap day ends it)
MONTH0 = 1900 * 12 + 2  # month index of 1900-03
# month_of is exact up to here, and a month index is decomposed up to its month (2100-01):
# 13 months past the domain's last day (2098-12-31), so that a date the spec derives from
# today (a term's end a plan year ahead) is exact too. The 4-year cycles end in February
# 2100: 2100 is not a leap year.
DAY_LAST = dt.date(2100, 1, 31).toordinal()
MONTH_LAST = 2100 * 12
MAX_OFFSET = 13  # month_start(m + j) shares m's decomposition for 0 <= j <= MAX_OFFSET
CYCLES = (MONTH_LAST - MONTH0) // 48 + 1
LAST_ORDINAL = dt.date.max.toordinal()  # 9999-12-31

# First day of each month of a 4-year cycle, counted from the cycle's first day, extended
# over the next cycle for the offsets.
CUM = tuple(cm.month_start(MONTH0 + i) - DAY0 for i in range(48 + MAX_OFFSET + 2))


def month_of_table(x: int) -> int:
    """``month_of`` as this module computes it, on Python ints inside the window."""
    z = x - DAY0
    cycle, r = divmod(z, 1461)
    k = max(i for i in range(48) if CUM[i] <= r)
    return MONTH0 + 48 * cycle + k


def month_start_table(m: int) -> int:
    """``month_start`` as this module computes it, on Python ints inside the window."""
    cycle, k = divmod(m - MONTH0, 48)
    return DAY0 + 1461 * cycle + CUM[k]


def _value(x: Any) -> int | None:
    """The value of ``x`` when it has one: an int, or a Z3 term with no constant in it
    (``24295 + 1``, a month the step computed from known values) — its function is then
    the calendar's value, not a table of If for the solver. Else None."""
    if isinstance(x, int):
        return x
    if not z3.is_int_value(x):
        x = z3.simplify(x)  # (a term with a constant in it stays one)
    return x.as_long() if z3.is_int_value(x) else None


def _lookup(k: Any, values: tuple[int, ...], lo: int = 0, hi: int | None = None) -> Any:
    """``values[k]`` for a Z3 integer ``k`` in [lo, hi): a balanced tree of If."""
    hi = len(values) if hi is None else hi
    if hi - lo == 1:
        return z3.IntVal(values[lo])
    mid = (lo + hi) // 2
    return z3.If(k >= mid, _lookup(k, values, mid, hi), _lookup(k, values, lo, mid))


class _Month:
    """A month index decomposed as MONTH0 + 48 * cycle + k, valid when ``inside``.
    ``tables``: each offset's lookup built once on a placeholder for ``k`` and substituted
    (`Calendar.tables`), else None (built for each ``k``)."""

    def __init__(self, term: Any, cycle: Any, k: Any, inside: Any, tables: dict[int, Any] | None = None) -> None:
        self.term, self.cycle, self.k, self.inside = term, cycle, k, inside
        self._starts: dict[int, Any] = {}
        self._tables = tables

    def start(self, offset: int) -> Any:
        """First day of month ``m + offset`` (exact when ``inside``)."""
        if offset not in self._starts:
            table = CUM[offset : offset + 48]
            if self._tables is None:
                lookup = _lookup(self.k, table)
            else:
                if offset not in self._tables:
                    self._tables[offset] = _lookup(_table_key(), table)
                lookup = z3.substitute(self._tables[offset], (_table_key(), self.k))
            self._starts[offset] = DAY0 + 1461 * self.cycle + lookup
        return self._starts[offset]


def _table_key() -> Any:
    """The month of the cycle in a table built once (`Calendar.tables`), substituted by each
    decomposition's own."""
    return z3.Int("cal.k#table")


@dataclass
class Apart:
    """What `Calendar.apart` kept apart: the definitions made (complete on leaving) and the
    months decomposed."""

    definitions: list[Any]
    decompositions: list[tuple[Any, Any, str, Any]]


class Calendar:
    """The calendar functions of the expression language for one transition system."""

    def __init__(self, tag: str = "") -> None:
        self.tag = tag
        self.definitions: list[Any] = []
        # inside `apart` only: each month decomposed by a fresh (cycle, k), as (cycle, k,
        # "day" or "month", the day or month index it decomposes), in the order made
        # (`known` reads them). None otherwise: holding the terms would keep Z3 from reusing
        # their ids, and every later query would change.
        self.decompositions: list[tuple[Any, Any, str, Any]] | None = None
        self._months: dict[int, _Month] = {}  # month term id -> decomposition
        self._month_of: dict[int, Any] = {}  # day term id -> month term
        self._month_start: dict[int, Any] = {}
        self._n = 0
        # each offset's table of month starts, built once and substituted for each month
        # decomposed; None: built for each (the solvers' contexts, whose terms and so
        # searches must be the same as before: only `engines.StepChecker` sets it)
        self.tables: dict[int, Any] | None = None

    # -- decompositions -----------------------------------------------------------------

    def _fresh(self, inside: Any) -> tuple[Any, Any]:
        self._n += 1
        cycle = z3.Int(f"cal.cycle#{self.tag}{self._n}")
        k = z3.Int(f"cal.k#{self.tag}{self._n}")
        self.definitions.append(z3.Implies(inside, z3.And(cycle >= 0, cycle < CYCLES, k >= 0, k < 48)))
        return cycle, k

    def _split(self, m: Any) -> tuple[_Month, int] | None:
        """(decomposition, offset) when ``m`` is a decomposed month term plus a constant."""
        parts = _summands(m)
        if parts is None:
            return None
        bases, offset = parts
        if len(bases) != 1:
            return None
        dec = self._months.get(bases[0].get_id())
        if dec is None or not 0 <= offset <= MAX_OFFSET:
            return None
        return dec, offset

    # -- the functions --------------------------------------------------------------------

    def month_of(self, x: Any) -> Any:
        known = _value(x)
        if known is not None:
            return z3.IntVal(cm.month_of(known))
        hit = self._month_of.get(x.get_id())
        if hit is not None:
            return hit
        inside = z3.And(x >= DAY0, x <= DAY_LAST)
        cycle, k = self._fresh(inside)
        if self.decompositions is not None:
            self.decompositions.append((cycle, k, "day", x))
        dec = _Month(None, cycle, k, inside, self.tables)
        first, following = dec.start(0), dec.start(1)
        self.definitions.append(z3.Implies(inside, z3.And(first <= x, x < following)))
        term = z3.If(inside, MONTH0 + 48 * cycle + k, _MONTH_OF_OUTSIDE(x))
        # the calendar's last day (9999-12-31, a spec's FOREVER: a date not set) is in its
        # last month, so that `min(period, month_of(end_date) - …)` is exact for an end not set
        self.definitions.append(z3.Implies(x == LAST_ORDINAL, term == cm.month_of(LAST_ORDINAL)))
        dec.term = term
        self._months[term.get_id()] = dec
        self._month_of[x.get_id()] = term
        return term

    def month_start(self, m: Any) -> Any:
        known = _value(m)
        if known is not None:
            return z3.IntVal(cm.month_start(known))
        hit = self._month_start.get(m.get_id())
        if hit is not None:
            return hit
        split = self._split(m)
        if split is not None:
            dec, offset = split
            term = z3.If(dec.inside, dec.start(offset), _MONTH_START_OUTSIDE(m))
        else:
            inside = z3.And(m >= MONTH0, m <= MONTH_LAST)
            cycle, k = self._fresh(inside)
            if self.decompositions is not None:
                self.decompositions.append((cycle, k, "month", m))
            self.definitions.append(z3.Implies(inside, m == MONTH0 + 48 * cycle + k))
            dec = _Month(m, cycle, k, inside, self.tables)
            term = z3.If(inside, dec.start(0), _MONTH_START_OUTSIDE(m))
        self._month_start[m.get_id()] = term
        return term

    def month_end(self, m: Any) -> Any:
        return self.month_start(m + 1) - 1

    def days_in_month(self, m: Any) -> Any:
        return self.month_start(m + 1) - self.month_start(m)

    def day_of(self, x: Any) -> Any:
        return x - self.month_start(self.month_of(x)) + 1

    def add_months(self, x: Any, k: Any) -> Any:
        """As ``calendar_math.add_months``: moved k months, clamped to the month's end."""
        m = self.month_of(x)
        day = x - self.month_start(m) + 1
        first = self.month_start(m + k)
        length = self.month_start(m + k + 1) - first
        return first - 1 + z3.If(day <= length, day, length)

    def call(self, func: str, args: list[Any]) -> Any:
        return getattr(self, func)(*args)

    @contextlib.contextmanager
    def apart(self) -> Iterator[Apart]:
        """The definitions and decompositions made inside, kept apart: taken out of
        ``definitions`` (which a solver adds at its base) on leaving, for a formula that
        holds its own definitions (`engines.StepTemplates`: substituted with it). A month
        decomposed inside is not reused outside, nor one decomposed outside inside."""
        held = Apart([], [])
        before = len(self.definitions)
        self.decompositions = held.decompositions
        # the block decomposes its own months, whatever was decomposed before it or in an
        # earlier block on the same terms: the definitions of those are not in its formula
        outside = self._months, self._month_of, self._month_start
        self._months, self._month_of, self._month_start = {}, {}, {}
        try:
            yield held
        finally:
            self.decompositions = None
            self._months, self._month_of, self._month_start = outside
            held.definitions += self.definitions[before:]
            del self.definitions[before:]

    @staticmethod
    def known(decompositions: list[tuple[Any, Any, str, Any]], given: Substitution) -> list[Any]:
        """The values of the decompositions' (cycle, k) whose day or month is a number once
        the ``given`` values are substituted (in order: a decomposition's argument may hold
        an earlier one's terms), as more (constant, value) pairs; those outside the window
        are left free, as the definitions leave them. A wrong value could only make the
        definitions false (a step refused), never admit a step the definitions do not."""
        out: list[tuple[Any, Any]] = []
        for cycle, k, kind, arg in decompositions:
            # the values are numbers, free of every constant replaced: the given values and
            # then the months found so far are the substitution of them all at once
            value = z3.simplify(substitute(given(arg), out) if out else given(arg))
            if not z3.is_int_value(value):
                continue
            n = value.as_long()
            if kind == "day":
                if not DAY0 <= n <= DAY_LAST:
                    continue
                n = month_of_table(n)
            elif not MONTH0 <= n <= MONTH_LAST:
                continue
            c, r = divmod(n - MONTH0, 48)
            out += [(cycle, z3.IntVal(c)), (k, z3.IntVal(r))]
        return out

    def mul(self, a: Any, b: Any) -> Any:
        """A product of two non-constant ints (exact here)."""
        return a * b


def substitute(t: Any, pairs: list[tuple[Any, Any]]) -> Any:
    """``z3.substitute(t, *pairs)`` without z3py's Python-side sort checks (Z3 checks the
    sorts itself and raises on a mismatch): a run's steps substitute hundreds of values."""
    return Substitution(pairs)(t)


class Substitution:
    """``pairs`` (term, replacement) made once into Z3's arrays, for substituting in
    several terms."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.n = n = len(pairs)
        self.src, self.dst = (z3.Ast * n)(), (z3.Ast * n)()
        for i, (a, b) in enumerate(pairs):
            self.src[i], self.dst[i] = a.as_ast(), b.as_ast()

    def __call__(self, t: Any) -> Any:
        return z3.z3._to_expr_ref(z3.Z3_substitute(t.ctx_ref(), t.as_ast(), self.n, self.src, self.dst), t.ctx)


def _summands(t: Any, sign: int = 1) -> tuple[list[Any], int] | None:
    """A sum of terms (each with coefficient +1) and a constant, or None."""
    if z3.is_int_value(t):
        return [], sign * t.as_long()
    if z3.is_add(t):
        terms: list[Any] = []
        const = 0
        for a in t.children():
            part = _summands(a, sign)
            if part is None:
                return None
            terms += part[0]
            const += part[1]
        return terms, const
    if z3.is_sub(t) and t.num_args() == 2:
        left, right = _summands(t.arg(0), sign), _summands(t.arg(1), -sign)
        if left is None or right is None:
            return None
        return left[0] + right[0], left[1] + right[1]
    if sign != 1:
        return None
    return [t], 0


def _factors(t: Any) -> tuple[int, list[Any]]:
    """A product term as (constant, non-constant factors), each factor simplified (so that
    ``today - last_day`` and ``-last_day + today`` are one term); products of the abstract
    calendar (`_MUL`) and of Z3 are flattened."""
    if z3.is_int_value(t):
        return t.as_long(), []
    if z3.is_mul(t) or _is_times(t):
        const, out = 1, []
        for child in t.children():
            c, fs = _factors(child)
            const *= c
            out += fs
        return const, out
    s = z3.simplify(t)
    if z3.is_int_value(s):
        return s.as_long(), []
    if not s.eq(t) and (z3.is_mul(s) or _is_times(s)):
        return _factors(s)
    return 1, [s]


def _declared(name: str, arity: int) -> Any:
    """The calendar's uninterpreted function ``name`` (over integers) in the current Z3
    context: every check runs in a fresh context (`engines.fresh_context`), so a function
    declared once at import would belong to a context no longer in use."""
    declared = context_cache("calendar functions")
    if name not in declared:
        declared[name] = z3.Function(name, *[z3.IntSort()] * (arity + 1))
    return declared[name]


def _MONTH_OF_OUTSIDE(x: Any) -> Any:
    return _declared("month_of_outside_window", 1)(x)


def _MONTH_START_OUTSIDE(m: Any) -> Any:
    return _declared("month_start_outside_window", 1)(m)


FUNCTIONS = ("month_of", "month_start", "month_end", "add_months", "day_of", "days_in_month")


class AbstractCalendar(Calendar):
    """The calendar as uninterpreted functions with true facts only (for proofs).

    ``month_start`` is an uninterpreted, strictly increasing function whose months last 28
    to 31 days, and ``month_of(x)`` is the month whose days contain ``x``. Every fact
    asserted holds of the real calendar, so the abstract system has more behaviours than
    the contract: what is proved with it holds. It is fast because it needs no case split
    on the calendar; it cannot tell February from March, so a counterexample found with it
    is checked (and made exact) before it is reported.
    """

    def __init__(self, tag: str = "", anchors: tuple[int, ...] = ()) -> None:
        """``anchors``: dates whose month is known exactly (the spec's constants, FOREVER)."""
        super().__init__(tag)
        self.anchors = anchors
        self.group = 0
        self._by_base: dict[int, list[tuple[Any, int]]] = {}  # month arguments by base term
        self._products: dict[tuple[int, int], Any] = {}

    def mul(self, a: Any, b: Any) -> Any:
        """An uninterpreted product with the sign rules (and 0 and 1) of multiplication.

        Proofs about money that only add what a product is (the accrual of late charges
        on both sides of 12-2's equation, the months of a cancellation) go through; the
        solver never has to reason about non-linear arithmetic. The product is normalised
        first (constants multiplied out, nested products flattened, factors simplified and
        put in one order), so that an equivalent rewrite — ``b * a`` for ``a * b``,
        ``(a * b) * c`` for ``a * (b * c)`` — is the same term and keeps its proofs.
        """
        const, factors = 1, []
        for t in (a, b):
            c, fs = _factors(t)
            const *= c
            factors += fs
        if const == 0 or not factors:
            return z3.IntVal(const if not factors else 0)
        factors.sort(key=lambda f: f.sexpr())
        m = factors[0]
        for f in factors[1:]:
            m = self._product(m, f)
        return m if const == 1 else z3.IntVal(const) * m

    def _product(self, a: Any, b: Any) -> Any:
        key = (a.get_id(), b.get_id())
        hit = self._products.get(key)
        if hit is not None:
            return hit
        m = _MUL(a, b)
        self._products[key] = m
        self.definitions += [
            z3.Implies(z3.Or(a == 0, b == 0), m == 0),
            z3.Implies(a == 1, m == b),
            z3.Implies(b == 1, m == a),
            z3.Implies(z3.And(a >= 0, b >= 0), z3.And(m >= 0, z3.Implies(b >= 1, m >= a),
                                                     z3.Implies(a >= 1, m >= b))),
            z3.Implies(z3.And(a <= 0, b <= 0), m >= 0),
            z3.Implies(z3.And(a >= 0, b <= 0), m <= 0),
            z3.Implies(z3.And(a <= 0, b >= 0), m <= 0),
        ]  # fmt: skip
        # a factor the spec bounds by a small constant (a count of the months of a plan
        # year in force, I-41) multiplies exactly: one linear case for each of its values
        for f, g in ((a, b), (b, a)):
            top = _upper_bound(f)
            if top is not None and top <= SMALL_FACTOR:
                self.definitions += [z3.Implies(f == k, m == k * g) for k in range(2, top + 1)]
        return m

    def month_of(self, x: Any) -> Any:
        if isinstance(x, int) or z3.is_int_value(x):
            return super().month_of(x)
        hit = self._month_of.get(x.get_id())
        if hit is not None:
            return hit
        m = _MO(x)
        self._month_of[x.get_id()] = m
        first, following = self.month_start(m), self.month_start(m + 1)
        self.definitions += [first <= x, x < following]
        for c in self.anchors:
            mc = cm.month_of(c)
            self.definitions.append(z3.Implies(x == c, z3.And(
                m == mc, first == cm.month_start(mc), following == cm.month_start(mc + 1))))
        return m

    def month_start(self, m: Any) -> Any:
        if isinstance(m, int) or z3.is_int_value(m):
            return super().month_start(m)
        hit = self._month_start.get(m.get_id())
        if hit is not None:
            return hit
        term = _MS(m)
        self._month_start[m.get_id()] = term
        # every month starts within ENVELOPE of 146097/4800 days per month (the Gregorian
        # 400-year average): months are in order, whatever terms they come from
        self.definitions.append(z3.And(4800 * term - 146097 * m >= ENVELOPE[0],
                                       4800 * term - 146097 * m <= ENVELOPE[1]))  # fmt: skip
        # months a constant apart (m, m + 1, m + 3): 28 to 31 days per month between them
        parts = _summands(m)
        if parts is not None and len(parts[0]) == 1:
            base, offset = parts[0][0].get_id(), parts[1]
            for other, other_offset in self._by_base.get(base, []):
                self.definitions.append(_ordered(m, other))
                del other_offset
            self._by_base.setdefault(base, []).append((m, offset))
        return term


def _ordered(u: Any, v: Any) -> Any:
    """Months in order have starts in order, 28 to 31 days per month between them."""
    du, dv = _MS(u), _MS(v)
    return z3.And(
        z3.Implies(u < v, z3.And(dv - du >= 28 * (v - u), dv - du <= 31 * (v - u))),
        z3.Implies(v < u, z3.And(du - dv >= 28 * (u - v), du - dv <= 31 * (u - v))),
    )


# 4800 * month_start(m) - 146097 * m lies in this range for every month of 0001..9999:
# the calendar repeats every 400 years (4800 months, 146097 days), and within a period
# a month starts at most 4.4 days off the average (tests check it).
ENVELOPE = (-1763286, -1742205)

def _MO(x: Any) -> Any:
    return _declared("month_of", 1)(x)


SMALL_FACTOR = 12
"""The largest bound of a factor that `SymbolicCalendar.mul` multiplies out case by case."""


def _upper_bound(t: Any) -> int | None:
    """A constant no value of ``t`` exceeds, read from its form: a number, a choice between
    bounded values, or the smaller of two values one of which is bounded (``min``)."""
    if z3.is_int_value(t):
        return t.as_long()
    if z3.is_app_of(t, z3.Z3_OP_ITE):
        cond, then, other = t.children()
        is_min = z3.is_app_of(cond, z3.Z3_OP_LE) or z3.is_app_of(cond, z3.Z3_OP_LT)
        if is_min and z3.eq(cond.arg(0), then) and z3.eq(cond.arg(1), other):
            tops = [b for b in (_upper_bound(then), _upper_bound(other)) if b is not None]
            return min(tops) if tops else None
        a, b = _upper_bound(then), _upper_bound(other)
        return max(a, b) if a is not None and b is not None else None
    return None


def _MUL(a: Any, b: Any) -> Any:
    return _declared("times", 2)(a, b)


def _MS(m: Any) -> Any:
    return _declared("month_start", 1)(m)


def _is_times(t: Any) -> bool:
    return z3.is_app(t) and t.decl().eq(_declared("times", 2))
