"""Tests for the contract expression language (yakkan.model.expr) and calendar math."""

from __future__ import annotations

import ast
import calendar
import contextlib
import datetime as dt
import inspect
import random
import subprocess
import sys
from collections.abc import Iterator

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.model import calendar_math as cm
from yakkan.model import expr as ex
from yakkan.model.expr import (
    BOOL,
    DATE,
    INT,
    NULL_DATE,
    ExprError,
    Type,
    enum_type,
    from_z3_value,
    make_enum_sorts,
    parse_effect,
    parse_expr,
    to_z3_value,
    z3_domain,
    z3_vars,
)

ENUMS = {
    "EndedBy": ["cancelled", "not_renewed", "terminated", "abolished"],
    "Status": ["active", "ended", "17-1(1)"],
}
ENV = {
    "base_fee": INT,
    "n": INT,
    "m": INT,
    "today": DATE,
    "start": DATE,
    "end_date": Type("date", nullable=True),
    "ended_by": enum_type("EndedBy", nullable=True),
    "status": enum_type("Status"),
    "flag": BOOL,
}
SORTS = make_enum_sorts(ENUMS, ENV)
CONTEXT = z3.main_ctx()  # the Z3 context the sorts above were made in, on import


@pytest.fixture(autouse=True)
def _in_the_sorts_context() -> Iterator[None]:
    """The sorts' context is the process's while a test here runs: a test run that verified
    a spec before this module has given the process a fresh context since its import."""
    saved = z3.z3._main_ctx
    z3.z3._main_ctx = CONTEXT
    yield
    z3.z3._main_ctx = saved


def d(year: int, month: int, day: int) -> int:
    """Ordinal of a date."""
    return dt.date(year, month, day).toordinal()


BASE = {
    "base_fee": 5000,
    "n": 7,
    "m": -3,
    "today": d(2024, 3, 15),
    "start": d(2024, 1, 31),
    "end_date": None,
    "ended_by": None,
    "status": "active",
    "flag": True,
}


def run(text: str, **values: object) -> object:
    """Parse ``text`` and evaluate it over BASE updated with ``values``."""
    return parse_expr(text, ENV, ENUMS).compile()({**BASE, **values})


def rejected(text: str) -> ExprError:
    """The error raised for ``text``."""
    with pytest.raises(ExprError) as info:
        parse_expr(text, ENV, ENUMS)
    return info.value


def z3_eval(e: ex.Expr | ex.Assign, values: dict[str, object]) -> object:
    """Evaluate through Z3: substitute numerals, simplify, decode."""
    consts = {k: to_z3_value(ENV[k], v, SORTS) for k, v in values.items()}
    term = z3.simplify(e.to_z3(consts, SORTS))
    t = e.type if isinstance(e, ex.Expr) else ENV[e.target]
    return from_z3_value(t, term, SORTS)


# --------------------------------------------------------------------------- evaluation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-n + 1", -6),
        ("-(n + 1) * 2", -16),
        ("n // 2", 3),
        ("m // 2", -2),  # floor, like Python
        ("m % 5", 2),
        ("base_fee * 12 // 365", 164),
        ("min(n, m, 3)", -3),
        ("max(n, m, 3)", 7),
        ("abs(m)", 3),
        ("n if flag else m", 7),
        ("n if not flag else m", -3),
        ("True and not False", True),
        ("flag or 1 // 1 == 0", True),
        ("n > 5 and m < 0", True),
        ("today - start", 44),
        ("today + 1 - 1 == today", True),
        ("1 + today == today + 1", True),
        ("today - 15", d(2024, 2, 29)),
        ("month_of(today)", 2024 * 12 + 2),
        ("month_start(month_of(today))", d(2024, 3, 1)),
        ("month_end(month_of(start) + 1)", d(2024, 2, 29)),
        ("add_months(start, 1)", d(2024, 2, 29)),
        ("add_months(start, 13)", d(2025, 2, 28)),
        ("add_months(start, -2)", d(2023, 11, 30)),
        ("day_of(today)", 15),
        ("days_in_month(month_of(start) + 1)", 29),
        ("date(2024, 4, 1) - today", 17),
        ("today >= date(2024, 3, 15)", True),
        ('status == "active"', True),
        ('"active" != status', False),
        ('status in ("ended", "17-1(1)")', False),
        ('status not in ["ended"]', True),
        ("n in {1, 7}", True),
        ("n not in (-3, 7)", False),
        ("ended_by is None", True),
        ('ended_by != "cancelled"', True),
        ('ended_by in ("cancelled",)', False),
        ("end_date is None or end_date > today", True),
        ("flag == True", True),
        ("  n +\n  1 ", 8),
    ],
)
def test_evaluates(text: str, expected: object) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("n", "m", "expected"),
    [(0, 5, True), (5, 5, False), (-1, 5, False), (4, 5, True), (4, 100, True), (4, 101, False)],
)
def test_chained_comparison(n: int, m: int, expected: bool) -> None:
    assert run("0 <= n < m <= 100", n=n, m=m) is expected
    assert run("0 <= n < m <= 100", n=n, m=m) == (0 <= n < m <= 100)


def test_chain_matches_python_for_all_small_values() -> None:
    f = parse_expr("n < m > 0 != n", ENV, ENUMS).compile()
    for n in range(-3, 4):
        for m in range(-3, 4):
            assert f({"n": n, "m": m}) == (n < m > 0 != n)


def test_nullable_values() -> None:
    text = "end_date is not None and today > end_date"
    assert run(text, end_date=None) is False
    assert run(text, end_date=d(2024, 3, 1)) is True
    assert run("end_date if end_date is not None else today", end_date=None) == BASE["today"]
    assert run("today if end_date is None else end_date - 1", end_date=10) == 9
    assert run("not (end_date is None) and end_date < today", end_date=1) is True
    assert run('ended_by == "terminated"', ended_by="terminated") is True


def test_names() -> None:
    e = parse_expr("month_end(month_of(today)) - start + n if flag else 0", ENV, ENUMS)
    assert e.names() == {"today", "start", "n", "flag"}
    assert parse_expr("1 + 2", ENV, ENUMS).names() == frozenset()


def test_text_and_type() -> None:
    e = parse_expr("(n + 1)", ENV, ENUMS, expect=INT)
    assert e.text == "(n + 1)" and e.type == INT
    assert parse_expr("today + 1", ENV, ENUMS).type == DATE
    assert parse_expr("None if flag else today", ENV, ENUMS).type == Type("date", nullable=True)
    assert parse_expr('"ended" if flag else status', ENV, ENUMS).type == enum_type("Status")


# --------------------------------------------------------------------------- rejections

FORBIDDEN = [
    ("x.__class__", "attribute access ('.__class__') is not allowed"),
    ("n.__class__.__bases__", "attribute access"),
    ("__import__('os')", "function '__import__' is not allowed; allowed: min, max"),
    ("__import__('os').system('true')", "attribute access ('.system')"),
    ("open('/etc/passwd')", "function 'open' is not allowed; allowed: min, max, abs"),
    ("eval('1')", "function 'eval' is not allowed"),
    ("n[0]", "subscripts"),
    ("lambda: 1", "'lambda' is not allowed"),
    ("(lambda: 1)()", "only these functions can be called"),
    ("n ** 2", "'**' is not allowed in contract expressions"),
    ("n / 2", "'/' is not allowed"),
    ("n & 1", "'&' is not allowed"),
    ("n | 1", "'|' is not allowed"),
    ("n ^ 1", "'^' is not allowed"),
    ("n << 1", "'<<' is not allowed"),
    ("~n", "unary '~' is not allowed"),
    ("+n", "unary '+' is not allowed"),
    ("min(n, m, key=abs)", "keyword arguments are not allowed"),
    ("max(*[n, m])", "star-arguments are not allowed"),
    ("max(**{'a': 1})", "star-arguments are not allowed"),
    ("[x for x in (1, 2)]", "comprehensions are not allowed"),
    ("{x: 1 for x in (1,)}", "comprehensions are not allowed"),
    ("f'{n}'", "f-strings are not allowed"),
    ("(y := 1)", "':=' (assignment expression) is not allowed"),
    ("(n, m)", "tuple, list and set literals are only allowed after 'in'"),
    ("{'a': 1}", "dict literals are not allowed"),
    ("frobnicate(n)", "function 'frobnicate' is not allowed"),
    ("mnth_of(today)", "did you mean 'month_of'?"),
    ("min", "'min' is a function"),
    ("1.5 + n", "decimal numbers are not allowed"),
    ("b'x' == b'y'", "bytes literals are not allowed"),
    ("n == b'x'", "bytes literals are not allowed"),
    ("n if flag", "syntax error"),
    ("n +", "syntax error"),
    ("n = 1", "use '==' to compare"),
    ("", "empty expression"),
    ("n\x00", "syntax error"),
    ("(" * 300 + "n" + ")" * 300, "syntax error"),
    ("+".join(["n"] * 200), "nested too deeply"),
    ("n + " * 1000 + "n", "too long"),
]


@pytest.mark.parametrize(("text", "message"), FORBIDDEN)
def test_rejects_forbidden_syntax(text: str, message: str) -> None:
    assert message in rejected(text).message


def test_rejections_never_execute_anything(tmp_path) -> None:
    marker = tmp_path / "pwned"
    attacks = [
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        f"[__import__('os').system('touch {marker}') for _ in (1,)]",
        f"(lambda: __import__('os').system('touch {marker}'))()",
        f"n.__class__.__init__.__globals__['os'].system('touch {marker}')",
    ]
    for text in attacks:
        with pytest.raises(ExprError):
            parse_expr(text, ENV, ENUMS)
        with pytest.raises(ExprError):
            parse_effect(f"n = {text}", ENV, ENUMS, ["n"])
    with pytest.raises(ExprError):
        parse_effect(f"import os; os.system('touch {marker}')", ENV, ENUMS, ["n"])
    assert not marker.exists()


def test_module_never_calls_eval_exec_or_compile() -> None:
    tree = ast.parse(inspect.getsource(ex))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__"}


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_text_raises_only_expr_error(text: str) -> None:
    with contextlib.suppress(ExprError):
        parse_expr(text, ENV, ENUMS)


@given(
    st.lists(
        st.sampled_from(
            [
                "n",
                "today",
                "(",
                ")",
                "+",
                "-",
                "//",
                "2",
                "and",
                "not",
                '"active"',
                "==",
                "<",
                "status",
                "if",
                "else",
                "flag",
                ",",
                "min",
                "None",
                "is",
                "in",
                ".",
            ]
        ),
        max_size=12,
    )
)
@settings(max_examples=300, deadline=None)
def test_token_soup_raises_only_expr_error(tokens: list[str]) -> None:
    try:
        e = parse_expr(" ".join(tokens), ENV, ENUMS)
    except ExprError:
        return
    e.compile()  # whatever parses also compiles and renders
    e.render("ja")


# --------------------------------------------------------------------------- messages


def test_unknown_name_suggests() -> None:
    err = rejected("base_fe + 1")
    assert err.message == "unknown name 'base_fe' — did you mean 'base_fee'?"
    assert err.col == 0


def test_unknown_name_lists_known_names_when_nothing_close() -> None:
    assert "known names: base_fee, end_date" in rejected("zzz").message


def test_enum_literal_suggests() -> None:
    err = rejected('ended_by == "canceled"')
    assert err.message == (
        "'ended_by' is an enum EndedBy; \"canceled\" is not one of: cancelled, not_renewed, "
        'terminated, abolished — did you mean "cancelled"?'
    )
    assert err.col == 12


@pytest.mark.parametrize(
    ("text", "col"),
    [
        ("n + today.year", 4),
        ("n ** 2", 2),
        ("today + today", 6),
        ("n // m", 5),
        ("1 + zzz", 4),
        ("n + ö", 4),  # columns count characters, not UTF-8 bytes
        ("  n + zzz", 6),
        ("n +\n zzz", 5),
    ],
)
def test_error_columns(text: str, col: int) -> None:
    err = rejected(text)
    assert err.col == col
    assert err.text == text
    assert f"(column {col})" in str(err)


def test_error_pointer() -> None:
    assert rejected("n ** 2").pointer() == "n ** 2\n  ^"


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("today + today", "cannot add date and date"),
        ("n - today", "cannot subtract date from int"),
        ("today * 2", "cannot multiply date by int"),
        ("n + flag", "cannot add int and bool"),
        ("today // 7", "'//' needs an int on the left"),
        ("n // 0", "positive integer literal"),
        ("n % -3", "positive integer literal"),
        ("n // m", "positive integer literal"),
        ("n < today", "cannot compare int 'n' with date 'today'"),
        ("status == ended_by", "cannot compare enum Status"),
        ("status < status", "'<' is not defined for enum Status"),
        ("flag < flag", "'<' is not defined for bool"),
        ("n and flag", "each operand of 'and' must be a bool, but 'n' is an int"),
        ("not n", "the operand of 'not' must be a bool"),
        ("-flag", "the operand of unary '-' must be an int"),
        ("n if n else m", "the condition of 'if … else' must be a bool"),
        ("n if flag else today", "both branches of 'if … else' must have the same type"),
        ("abs(today)", "argument 1 of abs() must be an int, but 'today' is a date"),
        ("month_of(n)", "argument 1 of month_of() must be a date"),
        ("add_months(today)", "add_months() takes 2 argument(s), got 1"),
        ("min(n)", "min() needs at least two arguments"),
        ("min(n, today)", "every argument of min()"),
        ("min(flag, flag)", "min() works on ints or dates"),
        ("date(2024, 2, 30)", "invalid date: day is out of range for month"),
        ("date(2024, n, 1)", "date() takes three integer literals"),
        ("today in (1, 2)", "'in' works on enums and ints"),
        ("n in m", "the right side of 'in' must be a literal list"),
        ("n in ()", "the list after 'in' is empty"),
        ("n in (m, 1)", "only literals may be listed after 'in'"),
        ("n in (1, True)", "must be an int, but 'True' is a bool"),
        ("0 < n in (1, 2)", "'in' cannot be chained"),
        ("n is 1", "'is' is only allowed as 'x is None'"),
        ("today is None", "'today' is never None"),
        ("(today + 1) is None", "can never be None"),
        ("end_date == None", "use 'end_date is None'"),
        ("today < end_date", "'end_date' may be None here; check 'end_date is not None and"),
        ("end_date + 1", "'end_date' may be None here"),
        ("end_date is None and end_date < today", "may be None here"),
        ("end_date is not None or end_date < today", "may be None here"),
        ("(end_date if end_date is None else today) + 1", "may be None here"),
        ("None", "None is only allowed in 'x is None'"),
        ("n == None", "use 'n is None'"),
        ("None if flag else n", "which cannot be None"),
        ('"active"', 'the string "active" has no enum type here'),
        ('n == "active"', "'n' is an int, not an enum"),
        ('status in ("active", "endd")', 'did you mean "ended"'),
        ('"a" if flag else "b"', "has no enum type"),
        ('"x" == "x"', "comparing two literals"),
    ],
)
def test_type_errors(text: str, message: str) -> None:
    assert message in rejected(text).message


def test_expect() -> None:
    assert parse_expr("n > 1", ENV, ENUMS, expect=BOOL).type == BOOL
    assert parse_expr('"ended"', ENV, ENUMS, expect=enum_type("Status")).compile()({}) == "ended"
    nullable_date = Type("date", nullable=True)
    assert parse_expr("None", ENV, ENUMS, expect=nullable_date).compile()({}) is None
    with pytest.raises(ExprError, match="the expression must be a bool, but 'n' is an int"):
        parse_expr("n", ENV, ENUMS, expect=BOOL)
    with pytest.raises(ExprError, match="may be None"):
        parse_expr("end_date", ENV, ENUMS, expect=DATE)
    with pytest.raises(ExprError, match='"x" is not one of: active, ended, 17-1'):
        parse_expr('"x"', ENV, ENUMS, expect=enum_type("Status"))


def test_env_validation() -> None:
    with pytest.raises(ExprError, match="enum type Sttus, which is not declared"):
        parse_expr("x", {"x": enum_type("Sttus")}, ENUMS)
    with pytest.raises(ValueError, match="only dates and enums can be nullable"):
        Type("int", nullable=True)
    with pytest.raises(ValueError, match="unknown type kind"):
        Type("float")
    assert enum_type("Status", nullable=True).label == "enum Status (nullable)"


# --------------------------------------------------------------------------- effects


def test_effects_update_in_place() -> None:
    values = dict(BASE)
    for text in [
        "n += 3",
        "m -= n",
        "today += 1",
        "end_date = today + 30",
        'status = "ended"',
        "ended_by = None",
        "flag = n > 100",
    ]:
        parse_effect(text, ENV, ENUMS, ENV.keys()).compile()(values)
    assert values["n"] == 10 and values["m"] == -13
    assert values["today"] == d(2024, 3, 16)
    assert values["end_date"] == d(2024, 4, 15)
    assert values["status"] == "ended" and values["ended_by"] is None and values["flag"] is False


def test_effect_fields_and_render() -> None:
    a = parse_effect("n += m * 2", ENV, ENUMS, ["n"])
    assert (a.target, a.op, a.text, a.value.text) == ("n", "+=", "n += m * 2", "m * 2")
    assert a.names() == {"n", "m"}
    assert a.render() == "n ← n + m × 2"
    assert a.compile_value()({"n": 1, "m": 2}) == 5
    b = parse_effect('ended_by = "cancelled" if flag else None', ENV, ENUMS, ["ended_by"])
    assert b.render("ja") == 'ended_by ← flag ならば "cancelled"、そうでなければ 未設定'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n = 1; m = 2", "exactly one statement, got 2"),
        ("n = 1\nm = 2", "exactly one statement, got 2"),
        ("n == 1", "use '=' to assign"),
        ("n", "an effect must be one of"),
        ("n *= 2", "only '+=' and '-=' are allowed"),
        ("n = m = 1", "assign one variable per effect"),
        ("n, m = 1, 2", "must be a plain variable name"),
        ("x.y = 1", "must be a plain variable name"),
        ("nn = 1", "unknown name 'nn' — did you mean 'n'?"),
        ("base_fee = 1", "'base_fee' cannot be assigned here; assignable: end_date, flag, n, status, today"),
        ("n = today", "'n' must be an int, but 'today' is a date"),
        ("n: int = 1", "an effect must be one of"),
        ("import os", "an effect must be one of"),
        ("del n", "an effect must be one of"),
        ("flag += 1", "'+=' needs an int or date target"),
        ("today += today", "must be an int, but 'today' is a date"),
        ("end_date += 1", "cannot update nullable 'end_date'"),
        ("n = None", "cannot be None"),
        ("end_date = end_date + 1", "may be None"),
        ('status = "nope"', "'status' is an enum Status; \"nope\" is not one of"),
        ("n = __import__('os')", "function '__import__' is not allowed"),
        ("n = (", "syntax error"),
    ],
)
def test_effect_errors(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        parse_effect(text, ENV, ENUMS, ["n", "end_date", "flag", "today", "status"])
    assert message in info.value.message


def test_effect_nullable_assignments() -> None:
    for text in [
        "end_date = None",
        "end_date = today",
        "end_date = end_date",
        "end_date = end_date + 1 if end_date is not None else None",
    ]:
        a = parse_effect(text, ENV, ENUMS, ["end_date"])
        assert a.value.type.kind == "date"


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    ("text", "en", "ja"),
    [
        ("n <= m and m >= 0", "n ≤ m and m ≥ 0", "n ≤ m かつ m ≥ 0"),
        ("n != 1 or not flag", "n ≠ 1 or not flag", "n ≠ 1 または flag でない"),
        ("not (flag and n == 1)", "not (flag and n = 1)", "(flag かつ n = 1) でない"),
        ("(n + 1) * 2 - -m", "(n + 1) × 2 - -m", "(n + 1) × 2 - -m"),
        ("n - (m - 1)", "n - (m - 1)", "n - (m - 1)"),
        ("(today - start) // 30", "⌊(today - start) ÷ 30⌋", "⌊(today - start) ÷ 30⌋"),
        (
            "today >= month_end(month_of(start))",
            "today ≥ month_end(month_of(start))",
            "today ≥ month_end(month_of(start))",
        ),
        ("today < date(2024, 4, 1)", "today < 2024-04-01", "today < 2024-04-01"),
        ('status in ("active", "ended")', 'status ∈ {"active", "ended"}', 'status ∈ {"active", "ended"}'),
        ("end_date is None", "end_date is not set", "end_date が未設定"),
        ("end_date is not None", "end_date is set", "end_date が設定済み"),
        ("n if flag else abs(m) % 7", "n if flag else |m| mod 7", "flag ならば n、そうでなければ |m| mod 7"),
    ],
)
def test_render(text: str, en: str, ja: str) -> None:
    e = parse_expr(text, ENV, ENUMS)
    assert e.render() == en
    assert e.render("ja") == ja
    with pytest.raises(ValueError):
        e.render("fr")


# --------------------------------------------------------------------------- calendar math


def test_calendar_python_matches_datetime_1990_2060() -> None:
    day, last = dt.date(1990, 1, 1), dt.date(2060, 12, 31)
    while day <= last:
        n, month = day.toordinal(), day.year * 12 + day.month - 1
        length = calendar.monthrange(day.year, day.month)[1]
        assert cm.month_of(n) == month
        assert cm.day_of(n) == day.day
        assert cm.month_start(month) == day.replace(day=1).toordinal()
        assert cm.month_end(month) == day.replace(day=length).toordinal()
        assert cm.days_in_month(month) == length
        assert cm.civil_from_days(n) == (day.year, day.month, day.day)
        assert cm.days_from_civil(day.year, day.month, day.day) == n
        for k in (1, -1, 13):
            assert cm.add_months(n, k) == _add_months_reference(day, k).toordinal()
        day += dt.timedelta(days=1)


def _add_months_reference(day: dt.date, k: int) -> dt.date:
    """add_months via datetime and calendar."""
    index = day.year * 12 + day.month - 1 + k
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def test_calendar_extremes() -> None:
    for day in (
        dt.date.min,
        dt.date(1600, 2, 29),
        dt.date(1900, 2, 28),
        dt.date(2000, 2, 29),
        dt.date(2100, 3, 1),
        dt.date.max,
    ):
        assert cm.civil_from_days(day.toordinal()) == (day.year, day.month, day.day)
    assert cm.add_months(d(2024, 1, 31), 1) == d(2024, 2, 29)
    assert cm.add_months(d(2023, 1, 31), 1) == d(2023, 2, 28)
    assert cm.add_months(d(2024, 2, 29), 12) == d(2025, 2, 28)
    assert cm.add_months(d(2024, 3, 31), -1) == d(2024, 2, 29)


def test_calendar_z3_matches_python_on_numerals() -> None:
    ops = cm.z3_ops()
    rng = random.Random(20240401)
    lo, hi = d(1990, 1, 1), d(2060, 12, 31)
    samples = [d(2024, 1, 31), d(2024, 2, 29), d(2100, 2, 28), *(rng.randint(lo, hi) for _ in range(200))]
    for n in samples:
        k = rng.randint(-30, 30)
        month = cm.month_of(n)
        pairs = [
            (cm.month_of(z3.IntVal(n), ops), month),
            (cm.day_of(z3.IntVal(n), ops), cm.day_of(n)),
            (cm.month_start(z3.IntVal(month), ops), cm.month_start(month)),
            (cm.month_end(z3.IntVal(month), ops), cm.month_end(month)),
            (cm.days_in_month(z3.IntVal(month), ops), cm.days_in_month(month)),
            (cm.add_months(z3.IntVal(n), z3.IntVal(k), ops), cm.add_months(n, k)),
        ]
        for term, expected in pairs:
            assert z3.simplify(term).as_long() == expected


# --------------------------------------------------------------------------- Python vs Z3

AGREEMENT = [
    "n // 7 + m % 5",
    "(n - m) // 3 - (m - n) % 4",
    "-n % 4",
    "n * 3 - m * 2 + 1",
    "min(n, m, 3) * 2 - max(n, -m)",
    "abs(n - m)",
    "n if flag else m",
    "0 <= n < m <= 100",
    "not flag or n > m and m != 0",
    "n in (1, 2, 3, -5) or m not in (0, 7)",
    "today - start",
    "(today - start) // 30",
    "(today - start) % 7 == 0",
    "min(today, start) + 1",
    "max(today, start, date(2030, 1, 31))",
    "month_of(today)",
    "month_start(month_of(today) + n % 24)",
    "month_end(month_of(start))",
    "add_months(today, n % 40)",
    "add_months(start, m)",
    "day_of(add_months(start, m % 13))",
    "days_in_month(month_of(today) + m % 30)",
    "today >= date(2030, 1, 31) and today <= month_end(month_of(start))",
    "end_date is not None and end_date < today",
    "end_date is None or end_date == today",
    "end_date == today or end_date != start",
    "end_date == end_date",
    "end_date if end_date is not None else today",
    "None if flag else today",
    "end_date",
    'ended_by in ("cancelled", "terminated")',
    'ended_by != "abolished"',
    'ended_by not in ("abolished", "terminated")',
    'status == "active" and ended_by is None',
    '"cancelled" if flag else ended_by',
    'status if n > m else "17-1(1)"',
    "ended_by",
]

TODAY = st.integers(d(2020, 1, 1), d(2040, 12, 31))
VALUES = st.fixed_dictionaries(
    {
        "base_fee": st.integers(0, 10**6),
        "n": st.integers(-1000, 1000),
        "m": st.integers(-1000, 1000),
        "today": TODAY,
        "start": TODAY,
        "end_date": st.none() | TODAY,
        "ended_by": st.none() | st.sampled_from(ENUMS["EndedBy"]),
        "status": st.sampled_from(ENUMS["Status"]),
        "flag": st.booleans(),
    }
)


@pytest.mark.parametrize("text", AGREEMENT)
@given(values=VALUES)
@settings(max_examples=40, deadline=None)
def test_python_and_z3_agree(text: str, values: dict[str, object]) -> None:
    e = parse_expr(text, ENV, ENUMS)
    assert e.compile()(values) == z3_eval(e, values)


@pytest.mark.parametrize(
    "text",
    [
        "n += m",
        "n -= 7",
        "today += n",
        "today -= m % 31",
        "end_date = None",
        "end_date = today if flag else end_date",
        'ended_by = "cancelled" if n > m else None',
        'status = "ended"',
        "flag = not flag",
    ],
)
@given(values=VALUES)
@settings(max_examples=25, deadline=None)
def test_effects_python_and_z3_agree(text: str, values: dict[str, object]) -> None:
    a = parse_effect(text, ENV, ENUMS, ENV.keys())
    after = dict(values)
    a.compile()(after)
    assert after[a.target] == z3_eval(a, values)


def test_symbolic_query_finds_all_dates_that_clamp() -> None:
    vars = z3_vars(ENV, SORTS)
    guard = parse_expr("add_months(today, 1) == date(2024, 2, 29)", ENV, ENUMS)
    solver = z3.Solver()
    solver.add(*z3_domain(ENV, vars, SORTS), guard.to_z3(vars, SORTS))
    solver.add(vars["today"] >= d(2000, 1, 1), vars["today"] <= d(2100, 12, 31))
    found = set()
    while solver.check() == z3.sat:
        day = from_z3_value(DATE, solver.model().eval(vars["today"], True), SORTS)
        found.add(day)
        solver.add(vars["today"] != day)
    assert found == {d(2024, 1, 29), d(2024, 1, 30), d(2024, 1, 31)}


def test_symbolic_narrowing_is_sound() -> None:
    vars = z3_vars(ENV, SORTS)
    e = parse_expr("end_date is not None and end_date < today", ENV, ENUMS)
    solver = z3.Solver()
    solver.add(*z3_domain(ENV, vars, SORTS), e.to_z3(vars, SORTS))
    assert solver.check() == z3.sat
    model = solver.model()
    end = from_z3_value(ENV["end_date"], model.eval(vars["end_date"], True), SORTS)
    today = from_z3_value(DATE, model.eval(vars["today"], True), SORTS)
    assert end is not None and 1 <= end < today


# --------------------------------------------------------------------------- z3 helpers


def test_enum_sorts() -> None:
    again = make_enum_sorts(ENUMS, ENV)
    assert again["EndedBy"] is SORTS["EndedBy"]  # cached and shared
    assert list(SORTS["EndedBy"]) == ENUMS["EndedBy"]
    assert SORTS["EndedBy"].none is not None  # a nullable variable uses it
    assert SORTS["Status"].none is None
    assert SORTS["EndedBy"].decode(SORTS["EndedBy"]["terminated"]) == "terminated"
    assert SORTS["EndedBy"].decode(SORTS["EndedBy"].none) is None
    without_none = make_enum_sorts(ENUMS)
    assert without_none["EndedBy"].none is None
    assert without_none["EndedBy"].sort != SORTS["EndedBy"].sort


def test_value_round_trip() -> None:
    for t, value in [
        (INT, -5),
        (BOOL, True),
        (DATE, d(2024, 4, 1)),
        (ENV["end_date"], None),
        (ENV["ended_by"], None),
        (ENV["ended_by"], "abolished"),
        (ENV["status"], "17-1(1)"),
    ]:
        assert from_z3_value(t, z3.simplify(to_z3_value(t, value, SORTS)), SORTS) == value
    assert z3.simplify(to_z3_value(ENV["end_date"], None, SORTS)).as_long() == NULL_DATE


def test_z3_vars_and_domain() -> None:
    vars = z3_vars(ENV, SORTS, suffix="'")
    assert str(vars["n"]) == "n'" and vars["flag"].sort() == z3.BoolSort()
    assert vars["status"].sort() == SORTS["Status"].sort
    solver = z3.Solver()
    solver.add(*z3_domain(ENV, vars, SORTS))
    solver.add(vars["today"] == NULL_DATE)
    assert solver.check() == z3.unsat


def test_import_does_not_load_z3() -> None:
    code = "import sys, yakkan.model.expr; print('z3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
