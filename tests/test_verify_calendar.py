"""The verifier's calendar encodings agree with the model's calendar (calendar_math)."""

from __future__ import annotations

import datetime as dt
import random

import z3

from yakkan.model import calendar_math as cm
from yakkan.verify import calendar as vc


def test_window_month_of_matches_every_day() -> None:
    for x in range(vc.DAY0, vc.DAY_LAST + 1):
        assert vc.month_of_table(x) == cm.month_of(x)


def test_window_month_start_matches_every_month() -> None:
    for m in range(vc.MONTH0, vc.MONTH_LAST + vc.MAX_OFFSET + 2):
        if m <= vc.MONTH_LAST + 1:
            assert vc.month_start_table(m) == cm.month_start(m)


def test_envelope_holds_for_every_month_of_the_calendar() -> None:
    lo, hi = vc.ENVELOPE
    for m in range(12, 9999 * 12 + 12):
        d = 4800 * cm.month_start(m) - 146097 * m
        assert lo <= d <= hi


def _solve(term, defs):
    s = z3.Solver()
    s.add(*defs)
    assert s.check() == z3.sat
    return s.model().eval(term, model_completion=True).as_long()


def test_exact_calendar_terms_on_random_dates() -> None:
    rng = random.Random(1)
    for _ in range(40):
        day = rng.randrange(dt.date(2020, 1, 1).toordinal(), dt.date(2098, 12, 31).toordinal())
        cal = vc.Calendar()
        x = z3.Int("x")
        m = cal.month_of(x)
        terms = {
            "month_of": (m, cm.month_of(day)),
            "month_end": (cal.month_end(m + 2), cm.month_end(cm.month_of(day) + 2)),
            "next_start": (cal.month_start(m + 1), cm.month_start(cm.month_of(day) + 1)),
            "add_months": (cal.add_months(x, 3), cm.add_months(day, 3)),
        }
        for name, (term, want) in terms.items():
            assert _solve(term, [x == day, *cal.definitions]) == want, (name, day)


def test_abstract_calendar_facts_hold_of_the_real_calendar() -> None:
    """Every fact the abstract calendar asserts is true of the real one: with the real
    month_start/month_of substituted, the definitions are satisfied."""
    rng = random.Random(2)
    for _ in range(30):
        day = rng.randrange(dt.date(2020, 1, 1).toordinal(), dt.date(2098, 12, 31).toordinal())
        cal = vc.AbstractCalendar(anchors=(dt.date.max.toordinal(),))
        x = z3.Int("x")
        m = cal.month_of(x)
        cal.month_start(m + 3)
        cal.add_months(x, 6)
        s = z3.Solver()
        s.add(*cal.definitions, x == day, m == cm.month_of(day))
        for k in range(0, 8):
            s.add(vc._MS(m + k) == cm.month_start(cm.month_of(day) + k))
        assert s.check() == z3.sat
        assert s.model().eval(cal.add_months(x, 6), model_completion=True).as_long() == cm.add_months(day, 6)


def test_a_month_computed_from_known_values_is_a_value() -> None:
    """`24295 + 1` (a month the step computed from a known state) is 2024-09 (24295 is
    2024-08): its first day is that value, and no decomposition or definition is made for
    the solver; a month with a constant in it still gets one."""
    cal = vc.Calendar()
    start = cal.month_start(z3.IntVal(24295) + 1)
    assert z3.is_int_value(start) and start.as_long() == dt.date(2024, 9, 1).toordinal()
    assert z3.is_int_value(cal.month_of(z3.IntVal(dt.date(2024, 9, 30).toordinal()) + 0))
    assert cal.month_of(z3.IntVal(dt.date(2024, 9, 30).toordinal()) + 0).as_long() == 24296
    assert cal.definitions == []
    cal.month_start(z3.Int("m") + 1)
    assert cal.definitions != []


def test_sorts_and_functions_are_declared_once_in_each_context() -> None:
    """A process may go back to a context it used before (the verifier's parent builds the
    one its solver processes start from, then goes on in its own): the enum sorts and the
    calendar's functions it declared there are found again, not declared twice (Z3 refuses
    an enum sort's name twice in a context), even after the process has taken a fresh
    context in between."""
    from yakkan.model.expr import make_enum_sorts
    from yakkan.verify.engines import fresh_context

    enums = {"Colour": ["red", "green"]}
    fresh_context()
    first, own = make_enum_sorts(enums)["Colour"], z3.main_ctx()
    outside = vc._MONTH_OF_OUTSIDE(z3.Int("x"))
    z3.z3._main_ctx = z3.Context()  # (as `Verifier.before_the_forks` builds the processes' one)
    assert make_enum_sorts(enums)["Colour"].sort.ctx is z3.main_ctx()
    z3.z3._main_ctx = own
    assert make_enum_sorts(enums)["Colour"] is first
    assert vc._MONTH_OF_OUTSIDE(z3.Int("x")).decl().eq(outside.decl())
    fresh_context()
    z3.z3._main_ctx = own
    assert make_enum_sorts(enums)["Colour"] is first
