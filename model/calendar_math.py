"""Exact Gregorian calendar arithmetic, written once for Python ints and Z3 terms.

Dates are day numbers in the :meth:`datetime.date.toordinal` epoch
(0001-01-01 is day 1).  A *month index* is ``year * 12 + month - 1``.

Every function here uses only ``+``, ``-``, multiplication by constants and
floor division / modulo by positive constants.  Division and modulo are not
written with operators but taken from an :class:`Ops` bundle, so the very same
function body runs on Python ints (``PY``) and on Z3 ``Int`` terms
(:func:`z3_ops`).  For a positive divisor Python's ``//`` / ``%`` (floor) and
Z3's ``div`` / ``mod`` on Ints (Euclidean) give identical results for every
dividend, negative ones included.

The algorithms are Howard Hinnant's ``days_from_civil`` / ``civil_from_days``
(https://howardhinnant.github.io/date_algorithms.html), which count years from
March so that the leap day is the last day of the (shifted) year.  Their
1970-01-01 epoch is shifted to the ordinal epoch (1970-01-01 is ordinal
719163), and the branches of the original are replaced by floor divisions.
``add_months`` needs one minimum, also taken from ``Ops``.

This module never imports z3 at import time.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = [
    "PY",
    "Ops",
    "add_months",
    "civil_from_days",
    "day_of",
    "days_from_civil",
    "days_in_month",
    "month_end",
    "month_of",
    "month_start",
    "z3_ops",
]

# Days in a 400-year era, and the offset between Hinnant's "days since
# 0000-03-01" and date.toordinal() (0000-03-01 is ordinal -305).
_ERA_DAYS = 146097
_ORDINAL_SHIFT = 305


class Ops(NamedTuple):
    """The non-linear operations a calendar function may use.

    ``div(a, k)`` and ``mod(a, k)`` are floor division and remainder by a
    positive constant ``k``; ``min(a, b)`` is the smaller of two values.
    """

    div: Callable[[Any, int], Any]
    mod: Callable[[Any, int], Any]
    min: Callable[[Any, Any], Any]


PY = Ops(div=operator.floordiv, mod=operator.mod, min=min)
"""Operations on plain Python ints."""


@functools.cache
def z3_ops() -> Ops:
    """Operations on Z3 Int terms (imports z3 on first use)."""
    import z3

    def div(a: Any, k: int) -> Any:
        return a // k if isinstance(a, int) else a / k  # z3 '/' on Ints is integer div

    def mod(a: Any, k: int) -> Any:
        return a % k

    def minimum(a: Any, b: Any) -> Any:
        return z3.If(a <= b, a, b)

    return Ops(div=div, mod=mod, min=minimum)


def _ordinal_from_march(year: Any, mp: Any, day: Any, ops: Ops) -> Any:
    """Ordinal of ``day`` in month ``mp`` (0 = March … 11 = February) of a March-based year."""
    era = ops.div(year, 400)
    yoe = year - era * 400  # year of era, 0..399
    doy = ops.div(153 * mp + 2, 5) + day - 1  # day of (March-based) year, 0..365
    doe = yoe * 365 + ops.div(yoe, 4) - ops.div(yoe, 100) + doy  # day of era
    return era * _ERA_DAYS + doe - _ORDINAL_SHIFT


def _march_from_ordinal(n: Any, ops: Ops) -> tuple[Any, Any, Any]:
    """Split an ordinal into (March-based year, month 0 = March … 11 = Feb, day 1..31)."""
    z = n + _ORDINAL_SHIFT
    era = ops.div(z, _ERA_DAYS)
    doe = z - era * _ERA_DAYS  # 0..146096
    yoe = ops.div(doe - ops.div(doe, 1460) + ops.div(doe, 36524) - ops.div(doe, 146096), 365)
    doy = doe - (365 * yoe + ops.div(yoe, 4) - ops.div(yoe, 100))  # 0..365
    mp = ops.div(5 * doy + 2, 153)  # 0..11
    day = doy - ops.div(153 * mp + 2, 5) + 1
    return era * 400 + yoe, mp, day


def days_from_civil(year: Any, month: Any, day: Any, ops: Ops = PY) -> Any:
    """Ordinal of the civil date ``year-month-day`` (month 1..12)."""
    march_year = year + ops.div(month - 3, 12)  # January and February belong to the year before
    return _ordinal_from_march(march_year, ops.mod(month + 9, 12), day, ops)


def civil_from_days(n: Any, ops: Ops = PY) -> tuple[Any, Any, Any]:
    """``(year, month 1..12, day)`` of ordinal ``n``."""
    march_year, mp, day = _march_from_ordinal(n, ops)
    return march_year + ops.div(mp, 10), ops.mod(mp + 2, 12) + 1, day


def month_of(n: Any, ops: Ops = PY) -> Any:
    """Month index (``year * 12 + month - 1``) of ordinal ``n``."""
    march_year, mp, _ = _march_from_ordinal(n, ops)
    return march_year * 12 + mp + 2


def day_of(n: Any, ops: Ops = PY) -> Any:
    """Day of month (1..31) of ordinal ``n``."""
    return _march_from_ordinal(n, ops)[2]


def month_start(m: Any, ops: Ops = PY) -> Any:
    """Ordinal of the first day of month index ``m``."""
    shifted = m - 2  # month index counted from March
    return _ordinal_from_march(ops.div(shifted, 12), ops.mod(shifted, 12), 1, ops)


def month_end(m: Any, ops: Ops = PY) -> Any:
    """Ordinal of the last day of month index ``m``."""
    return month_start(m + 1, ops) - 1


def days_in_month(m: Any, ops: Ops = PY) -> Any:
    """Number of days (28..31) in month index ``m``."""
    return month_start(m + 1, ops) - month_start(m, ops)


def add_months(n: Any, k: Any, ops: Ops = PY) -> Any:
    """Ordinal ``n`` moved ``k`` calendar months, clamped to the target month's last day.

    2024-01-31 + 1 month is 2024-02-29; 2023-01-31 + 1 month is 2023-02-28.
    """
    march_year, mp, day = _march_from_ordinal(n, ops)
    target = march_year * 12 + mp + 2 + k
    first = month_start(target, ops)
    length = month_start(target + 1, ops) - first
    return first - 1 + ops.min(day, length)
