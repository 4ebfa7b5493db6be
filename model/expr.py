"""A safe, typed expression language for contract guards, effects and properties.

Contract specs arrive in pull requests, so their formulas are *parsed* with
:mod:`ast` and checked against a whitelist of node types -- never passed to
``eval``/``exec``.  The typed tree built here compiles to

* a Python closure over a ``{name: value}`` mapping (:meth:`Expr.compile`), and
* a Z3 term (:meth:`Expr.to_z3`); z3 is imported lazily, only there.

Types and run-time values
-------------------------
``int``   Python ``int``; Z3 ``Int``.
``bool``  Python ``bool``; Z3 ``Bool``.
``date``  Python ``int`` = :meth:`datetime.date.toordinal`; Z3 ``Int``.
``enum``  Python ``str`` (one of the enum's values); Z3 ``EnumSort`` built by
          :func:`make_enum_sorts`.
Only dates and enums may be declared ``nullable``; their "no value" is Python
``None``.  In Z3 a missing date is the integer :data:`NULL_DATE` (-1; real
dates are >= 1), and a missing enum is the extra constant ``EnumZ3.none`` that
:func:`make_enum_sorts` adds to the sort of every enum some nullable variable
uses.  Assert :func:`z3_domain` so solvers only consider such encodings.

A nullable value must be checked before use: ``end_date is not None and
today > end_date`` type-checks (the left side of ``and`` narrows the name), and
so do ``end_date is None or …`` and ``… if end_date is not None else …``.
Without such a check only ``is None``/``is not None``, ``==``/``!=``/``in``
and assignment to a nullable variable accept it; ``None`` compares unequal to
every value in both backends.

Grammar
-------
int literals, ``True``/``False``, ``None``, names, ``+ - *`` on ints, ``date ±
int``, ``date - date`` (days), ``//`` and ``%`` by a positive int literal,
unary ``-``, ``not``/``and``/``or``, (chained) comparisons, ``x in ("a", "b")``
/ ``not in``, ``a if c else b`` and the functions in :data:`FUNCTIONS`.
Enum values are string literals typed by context (the other side of a
comparison, the left of ``in``, the assignment target).  Line breaks count as
spaces, so expressions may span lines of a YAML block scalar.

Division: the divisor is always a positive literal.  Python's ``//``/``%``
floor; Z3's ``div``/``mod`` on Ints are Euclidean.  For a positive divisor the
two coincide for every dividend, so both backends agree.
"""

from __future__ import annotations

import ast
import datetime
import difflib
import functools
import operator
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from . import calendar_math as cm

__all__ = [
    "BOOL",
    "DATE",
    "FUNCTIONS",
    "INT",
    "NULL_DATE",
    "Assign",
    "EnumZ3",
    "Env",
    "Enums",
    "Expr",
    "ExprError",
    "Type",
    "enum_type",
    "from_z3_value",
    "make_enum_sorts",
    "parse_effect",
    "parse_expr",
    "to_z3_value",
    "z3_domain",
    "z3_vars",
]

MAX_LENGTH = 2000
"""Longest accepted expression text, in characters."""
MAX_DEPTH = 100
"""Deepest accepted syntax tree."""
NULL_DATE = -1
"""Z3 encoding of a missing (``None``) date; real date ordinals are >= 1."""
MAX_ORDINAL = datetime.date.max.toordinal()


# --------------------------------------------------------------------------- errors


class ExprError(ValueError):
    """A contract expression that cannot be accepted.

    ``message`` says what is wrong and how to fix it; ``col`` is the 0-based
    character offset inside the expression text (``None`` if unknown) and
    ``text`` the expression itself.
    """

    def __init__(self, message: str, col: int | None = None, text: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.col = col
        self.text = text

    def __str__(self) -> str:
        return self.message if self.col is None else f"{self.message} (column {self.col})"

    def pointer(self) -> str:
        """The expression with a caret under ``col`` (for terminal output)."""
        if self.text is None or self.col is None:
            return self.text or ""
        line_start = self.text.rfind("\n", 0, self.col) + 1
        line_end = self.text.find("\n", self.col)
        line = self.text[line_start : None if line_end < 0 else line_end]
        return f"{line}\n{' ' * (self.col - line_start)}^"


def _suggest(word: str, options: Collection[str], quote: str = "'") -> str:
    """`` — did you mean 'x'?`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" — did you mean {quote}{close[0]}{quote}?" if close else ""


# --------------------------------------------------------------------------- types

_KINDS = ("int", "bool", "date", "enum")


@dataclass(frozen=True)
class Type:
    """The static type of an expression or variable.

    ``enum`` names the enum for ``kind == "enum"``; ``nullable`` (dates and
    enums only) allows ``None``.
    """

    kind: str
    enum: str | None = None
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown type kind {self.kind!r}; expected one of {_KINDS}")
        if (self.kind == "enum") != (self.enum is not None):
            raise ValueError("an enum name is required for, and only for, kind 'enum'")
        if self.nullable and self.kind not in ("date", "enum"):
            raise ValueError(f"only dates and enums can be nullable, not {self.kind}")

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``date`` or ``enum EndedBy``."""
        base = f"enum {self.enum}" if self.kind == "enum" else self.kind
        return f"{base} (nullable)" if self.nullable else base

    def same(self, other: Type) -> bool:
        """Whether both have the same kind and enum (nullability ignored)."""
        return self.kind == other.kind and self.enum == other.enum

    def non_null(self) -> Type:
        """This type without ``None``."""
        return replace(self, nullable=False) if self.nullable else self

    def or_null(self) -> Type:
        """This type with ``None`` if the kind allows it, else unchanged."""
        return replace(self, nullable=True) if self.kind in ("date", "enum") else self


INT = Type("int")
BOOL = Type("bool")
DATE = Type("date")


def enum_type(name: str, nullable: bool = False) -> Type:
    """The type of values of enum ``name``."""
    return Type("enum", name, nullable)


Env = Mapping[str, Type]
Enums = Mapping[str, Sequence[str]]


def _a(t: Type) -> str:
    """``t.label`` with an indefinite article."""
    return ("an " if t.label[0] in "aeiou" else "a ") + t.label


# --------------------------------------------------------------------------- functions


def _z3_min(*xs: Any) -> Any:
    import z3

    best = xs[0]
    for x in xs[1:]:
        best = z3.If(x < best, x, best)
    return best


def _z3_max(*xs: Any) -> Any:
    import z3

    best = xs[0]
    for x in xs[1:]:
        best = z3.If(x > best, x, best)
    return best


def _z3_abs(x: Any) -> Any:
    import z3

    return z3.If(x >= 0, x, -x)


def _z3_calendar(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a :mod:`calendar_math` function on Z3 terms."""
    return lambda *args: fn(*args, ops=cm.z3_ops())


@dataclass(frozen=True)
class _Func:
    """A whitelisted function.  ``params is None`` means "2+ ints or 2+ dates"."""

    name: str
    params: tuple[Type, ...] | None
    result: Type | None
    py: Callable[..., Any]
    z3: Callable[..., Any]
    signature: str


def _calendar(name: str, params: tuple[Type, ...], result: Type, signature: str, source: str = "") -> _Func:
    """The :mod:`calendar_math` function ``source`` (default: ``name``) exposed as ``name``."""
    fn = getattr(cm, source or name)
    # the Python side is memoised: a pure function of integers, called millions of times
    # while the verifier evaluates its candidate lemmas on the sampled states
    return _Func(name, params, result, functools.lru_cache(maxsize=1 << 16)(fn), _z3_calendar(fn), signature)


_FUNCS: dict[str, _Func] = {
    f.name: f
    for f in (
        _Func("min", None, None, min, _z3_min, "min(a, b, ...) -> int | date"),
        _Func("max", None, None, max, _z3_max, "max(a, b, ...) -> int | date"),
        _Func("abs", (INT,), INT, abs, _z3_abs, "abs(x: int) -> int"),
        _calendar("month_of", (DATE,), INT, "month_of(d: date) -> int  (year*12 + month - 1)"),
        _calendar("month_start", (INT,), DATE, "month_start(m: int) -> date"),
        _calendar("month_end", (INT,), DATE, "month_end(m: int) -> date"),
        _calendar("add_months", (DATE, INT), DATE, "add_months(d: date, n: int) -> date"),
        _calendar("day_of", (DATE,), INT, "day_of(d: date) -> int  (1..31)"),
        _calendar("days_in_month", (INT,), INT, "days_in_month(m: int) -> int"),
        # date(...) is folded into a constant at parse time and never called.
        _calendar("date", (INT,) * 3, DATE, "date(y, m, d) -> date  (literals)", "days_from_civil"),
    )
}

FUNCTIONS: Mapping[str, str] = {name: f.signature for name, f in _FUNCS.items()}
"""The callable functions: name -> signature (for help texts)."""


# --------------------------------------------------------------------------- rendering

_CMP_PY: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_CMP_SYMBOL = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_ARITH_PY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
}
_WORDS = {
    "en": {
        "and": " and ",
        "or": " or ",
        "not": "not {}",
        "true": "true",
        "false": "false",
        "none": "unset",
        "is_none": "{} is not set",
        "is_set": "{} is set",
        "if": "{a} if {c} else {b}",
    },
    "ja": {
        "and": " かつ ",
        "or": " または ",
        "not": "{} でない",
        "true": "真",
        "false": "偽",
        "none": "未設定",
        "is_none": "{} が未設定",
        "is_set": "{} が設定済み",
        "if": "{c} ならば {a}、そうでなければ {b}",
    },
}

# Binding strength used to parenthesise rendered text (higher binds tighter).
_P_IF, _P_OR, _P_AND, _P_NOT, _P_CMP, _P_ADD, _P_MUL, _P_NEG, _P_ATOM = 0, 1, 2, 3, 4, 5, 6, 7, 9


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True, eq=False)
class Expr:
    """A typed expression node.

    ``type`` is its static type, ``text`` its source text and ``col`` its
    0-based offset in the text given to :func:`parse_expr`.
    """

    type: Type
    text: str
    col: int

    @property
    def precedence(self) -> int:
        """Binding strength for rendering."""
        return _P_ATOM

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions."""
        return ()

    def names(self) -> frozenset[str]:
        """Free variable names referenced."""
        return frozenset().union(*(c.names() for c in self.children()))

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        """A closure evaluating this expression over a ``{name: value}`` mapping."""
        raise NotImplementedError

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        """The Z3 term; ``vars`` maps names to Z3 terms (see :func:`z3_vars`)."""
        raise NotImplementedError

    def render(self, lang: str = "en") -> str:
        """Readable text in ``"en"`` or ``"ja"`` (≤, ≥, ≠, and/かつ, or/または …)."""
        if lang not in _WORDS:
            raise ValueError(f"unknown language {lang!r}; expected one of {sorted(_WORDS)}")
        return self._render(lang)

    def _render(self, lang: str) -> str:
        raise NotImplementedError

    def _sub(self, child: Expr, lang: str, min_precedence: int) -> str:
        """Render ``child``, parenthesised if it binds looser than ``min_precedence``."""
        text = child._render(lang)
        return f"({text})" if child.precedence < min_precedence else text

    def __str__(self) -> str:
        return self.text


def _z3_null(t: Type, enum_sorts: Mapping[str, EnumZ3]) -> Any:
    """The Z3 encoding of ``None`` for type ``t``."""
    import z3

    if t.kind == "date":
        return z3.IntVal(NULL_DATE)
    sort = enum_sorts[t.enum]
    if sort.none is None:
        raise ValueError(
            f"enum {t.enum} has no 'none' value; build the sorts with "
            "make_enum_sorts(enums, env) so nullable enums get one"
        )
    return sort.none


@dataclass(frozen=True, eq=False)
class Const(Expr):
    """A literal (``None``, bool, int, date ordinal or enum value)."""

    value: Any

    @property
    def precedence(self) -> int:
        return _P_NEG if isinstance(self.value, int) and self.value < 0 else _P_ATOM

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        value = self.value
        return lambda _values: value

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        return to_z3_value(self.type, self.value, enum_sorts or {})

    def _render(self, lang: str) -> str:
        words = _WORDS[lang]
        if self.value is None:
            return words["none"]
        if self.type.kind == "bool":
            return words["true" if self.value else "false"]
        if self.type.kind == "date":
            return datetime.date.fromordinal(self.value).isoformat()
        if self.type.kind == "enum":
            return f'"{self.value}"'
        return str(self.value)


@dataclass(frozen=True, eq=False)
class Name(Expr):
    """A variable reference."""

    name: str

    def names(self) -> frozenset[str]:
        return frozenset((self.name,))

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        return operator.itemgetter(self.name)

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        return vars[self.name]

    def _render(self, lang: str) -> str:
        return self.name


@dataclass(frozen=True, eq=False)
class Neg(Expr):
    """Unary minus on an int."""

    operand: Expr

    @property
    def precedence(self) -> int:
        return _P_NEG

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        f = self.operand.compile()
        return lambda values: -f(values)

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        return -self.operand.to_z3(vars, enum_sorts)

    def _render(self, lang: str) -> str:
        return "-" + self._sub(self.operand, lang, _P_NEG)


@dataclass(frozen=True, eq=False)
class Not(Expr):
    """Boolean negation."""

    operand: Expr

    @property
    def precedence(self) -> int:
        return _P_NOT

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        f = self.operand.compile()
        return lambda values: not f(values)

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        import z3

        return z3.Not(self.operand.to_z3(vars, enum_sorts))

    def _render(self, lang: str) -> str:
        inner = self._sub(self.operand, lang, _P_NOT if lang == "en" else _P_CMP)
        return _WORDS[lang]["not"].format(inner)


def _binary(fn: Callable[[Any, Any], Any], left: Expr, right: Expr) -> Callable[..., Any]:
    """Closure applying ``fn`` to two operands, with a constant operand inlined."""
    a, b = left.compile(), right.compile()
    if isinstance(right, Const):
        k = right.value
        return lambda values: fn(a(values), k)
    if isinstance(left, Const):
        k = left.value
        return lambda values: fn(k, b(values))
    return lambda values: fn(a(values), b(values))


@dataclass(frozen=True, eq=False)
class Arith(Expr):
    """``+ - * // %`` (``//`` and ``%`` only by a positive literal)."""

    op: str
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:
        return {"+": _P_ADD, "-": _P_ADD, "//": _P_ATOM}.get(self.op, _P_MUL)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        return _binary(_ARITH_PY[self.op], self.left, self.right)

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        a, b = self.left.to_z3(vars, enum_sorts), self.right.to_z3(vars, enum_sorts)
        if self.op == "//":
            return a / b  # Euclidean division == floor division for a positive divisor
        if self.op == "%":
            return a % b
        return _ARITH_PY[self.op](a, b)

    def _render(self, lang: str) -> str:
        if self.op == "//":
            return f"⌊{self._sub(self.left, lang, _P_MUL)} ÷ {self._sub(self.right, lang, _P_NEG)}⌋"
        symbol = {"*": "×", "%": "mod"}.get(self.op, self.op)
        p = self.precedence
        return f"{self._sub(self.left, lang, p)} {symbol} {self._sub(self.right, lang, p + 1)}"


def _and(a: Callable[..., Any], b: Callable[..., Any]) -> Callable[..., Any]:
    return lambda values: a(values) and b(values)


def _or(a: Callable[..., Any], b: Callable[..., Any]) -> Callable[..., Any]:
    return lambda values: a(values) or b(values)


@dataclass(frozen=True, eq=False)
class BoolOp(Expr):
    """``and`` / ``or`` over two or more bools (short-circuiting)."""

    op: str
    values: tuple[Expr, ...]

    @property
    def precedence(self) -> int:
        return _P_AND if self.op == "and" else _P_OR

    def children(self) -> tuple[Expr, ...]:
        return self.values

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        join = _and if self.op == "and" else _or
        fs = [v.compile() for v in self.values]
        result = fs[-1]
        for f in reversed(fs[:-1]):
            result = join(f, result)
        return result

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        import z3

        terms = [v.to_z3(vars, enum_sorts) for v in self.values]
        return z3.And(*terms) if self.op == "and" else z3.Or(*terms)

    def _render(self, lang: str) -> str:
        joiner = _WORDS[lang][self.op]
        return joiner.join(self._sub(v, lang, self.precedence + 1) for v in self.values)


def _chain(first: Callable[..., Any], rest: list[tuple[Callable[..., Any], Callable[..., Any]]]):
    """Closure for ``a op1 b op2 c …`` evaluating each operand at most once."""

    def run(values: Mapping[str, object]) -> bool:
        left = first(values)
        for fn, operand in rest:
            right = operand(values)
            if not fn(left, right):
                return False
            left = right
        return True

    return run


@dataclass(frozen=True, eq=False)
class Compare(Expr):
    """A (possibly chained) comparison: ``operands[0] ops[0] operands[1] …``."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]

    @property
    def precedence(self) -> int:
        return _P_CMP

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        if len(self.ops) == 1:
            return _binary(_CMP_PY[self.ops[0]], *self.operands)
        fs = [o.compile() for o in self.operands]
        return _chain(fs[0], [(_CMP_PY[op], f) for op, f in zip(self.ops, fs[1:], strict=True)])

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        import z3

        terms = [o.to_z3(vars, enum_sorts) for o in self.operands]
        pairs = [_CMP_PY[op](terms[i], terms[i + 1]) for i, op in enumerate(self.ops)]
        return pairs[0] if len(pairs) == 1 else z3.And(*pairs)

    def _render(self, lang: str) -> str:
        parts = [self._sub(self.operands[0], lang, _P_ADD)]
        for op, operand in zip(self.ops, self.operands[1:], strict=True):
            parts += [_CMP_SYMBOL[op], self._sub(operand, lang, _P_ADD)]
        return " ".join(parts)


@dataclass(frozen=True, eq=False)
class Member(Expr):
    """``operand in (literals…)`` or ``not in``."""

    operand: Expr
    options: tuple[Any, ...]
    negated: bool

    @property
    def precedence(self) -> int:
        return _P_CMP

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        f, options = self.operand.compile(), frozenset(self.options)
        if self.negated:
            return lambda values: f(values) not in options
        return lambda values: f(values) in options

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        import z3

        x = self.operand.to_z3(vars, enum_sorts)
        t = self.operand.type.non_null()
        hits = [x == to_z3_value(t, o, enum_sorts or {}) for o in self.options]
        member = hits[0] if len(hits) == 1 else z3.Or(*hits)
        return z3.Not(member) if self.negated else member

    def _render(self, lang: str) -> str:
        quote = '"' if self.operand.type.kind == "enum" else ""
        listed = ", ".join(f"{quote}{o}{quote}" for o in self.options)
        symbol = "∉" if self.negated else "∈"
        return f"{self._sub(self.operand, lang, _P_ADD)} {symbol} {{{listed}}}"


@dataclass(frozen=True, eq=False)
class IsNone(Expr):
    """``operand is None`` or ``operand is not None``."""

    operand: Expr
    negated: bool

    @property
    def precedence(self) -> int:
        return _P_CMP

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        f = self.operand.compile()
        if self.negated:
            return lambda values: f(values) is not None
        return lambda values: f(values) is None

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        x = self.operand.to_z3(vars, enum_sorts)
        null = _z3_null(self.operand.type, enum_sorts or {})
        return x != null if self.negated else x == null

    def _render(self, lang: str) -> str:
        key = "is_set" if self.negated else "is_none"
        return _WORDS[lang][key].format(self._sub(self.operand, lang, _P_ADD))


@dataclass(frozen=True, eq=False)
class IfElse(Expr):
    """``then if cond else other``."""

    cond: Expr
    then: Expr
    other: Expr

    @property
    def precedence(self) -> int:
        return _P_IF

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.other)

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        c, a, b = self.cond.compile(), self.then.compile(), self.other.compile()
        return lambda values: a(values) if c(values) else b(values)

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        import z3

        c, a, b = (e.to_z3(vars, enum_sorts) for e in (self.cond, self.then, self.other))
        return z3.If(c, a, b)

    def _render(self, lang: str) -> str:
        return _WORDS[lang]["if"].format(
            c=self._sub(self.cond, lang, _P_OR),
            a=self._sub(self.then, lang, _P_OR),
            b=self._sub(self.other, lang, _P_IF),
        )


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """A call of a whitelisted function (see :data:`FUNCTIONS`)."""

    func: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def compile(self) -> Callable[[Mapping[str, object]], object]:
        impl = _FUNCS[self.func].py
        fs = [a.compile() for a in self.args]
        if len(fs) == 1:
            (a,) = fs
            return lambda values: impl(a(values))
        if len(fs) == 2:
            a, b = fs
            return lambda values: impl(a(values), b(values))
        return lambda values: impl(*[f(values) for f in fs])

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        return _FUNCS[self.func].z3(*(a.to_z3(vars, enum_sorts) for a in self.args))

    def _render(self, lang: str) -> str:
        args = [self._sub(a, lang, _P_IF) for a in self.args]
        if self.func == "abs":
            return f"|{args[0]}|"
        return f"{self.func}({', '.join(args)})"


@dataclass(frozen=True)
class Assign:
    """An effect ``target = value``, ``target += value`` or ``target -= value``."""

    target: str
    op: str
    value: Expr
    text: str

    def names(self) -> frozenset[str]:
        """Names read by the effect (the target too for ``+=``/``-=``)."""
        return self.value.names() | ({self.target} if self.op != "=" else set())

    def compile_value(self) -> Callable[[Mapping[str, object]], object]:
        """A closure computing the target's new value without storing it."""
        if self.op == "=":
            return self.value.compile()
        return _binary(_ARITH_PY[self.op[0]], self._target_expr(), self.value)

    def compile(self) -> Callable[[MutableMapping[str, object]], None]:
        """A closure that updates the mapping in place."""
        target, new_value = self.target, self.compile_value()

        def run(values: MutableMapping[str, object]) -> None:
            values[target] = new_value(values)

        return run

    def to_z3(self, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> Any:
        """The Z3 term for the target's new value."""
        value = self.value.to_z3(vars, enum_sorts)
        if self.op == "=":
            return value
        return _ARITH_PY[self.op[0]](vars[self.target], value)

    def render(self, lang: str = "en") -> str:
        """Readable text, e.g. ``fee ← fee + 100``."""
        if self.op == "=":
            return f"{self.target} ← {self.value.render(lang)}"
        whole = Arith(self.value.type, self.text, 0, self.op[0], self._target_expr(), self.value)
        return f"{self.target} ← {whole.render(lang)}"

    def _target_expr(self) -> Name:
        """The target as an expression (its static type is not needed here)."""
        return Name(self.value.type, self.target, 0, self.target)

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- z3 helpers


class EnumZ3(Mapping[str, Any]):
    """The Z3 view of one enum: maps each value string to its Z3 constant.

    ``sort`` is the ``z3.EnumSort``; ``none`` is the extra constant standing
    for ``None`` (only when a nullable variable uses the enum, else ``None``).
    """

    def __init__(self, sort: Any, consts: dict[str, Any], none: Any) -> None:
        self.sort = sort
        self._consts = consts
        self.none = none

    def __getitem__(self, value: str) -> Any:
        return self._consts[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._consts)

    def __len__(self) -> int:
        return len(self._consts)

    def decode(self, term: Any) -> str | None:
        """The value string of a Z3 constant of this sort (``None`` for ``none``)."""
        if self.none is not None and term.eq(self.none):
            return None
        for value, const in self._consts.items():
            if term.eq(const):
                return value
        raise ValueError(f"{term} is not a value of {self.sort}")


def context_cache(name: str) -> dict[Any, Any]:
    """A dict that belongs to the current Z3 context (kept on it, gone with it), for what
    may be declared only once in a context (an enum sort's name) or is its own in each
    (a function symbol). Each check has a fresh context (`verify.engines.fresh_context`),
    and a process may go back to one it used before (the verifier's parent, after building
    the one its solver processes start from, or a test module that made its sorts on
    import): what it declared there is found again, never declared twice."""
    import z3

    ctx = z3.main_ctx()
    caches = ctx.__dict__.setdefault("_yakkan_caches", {})
    return caches.setdefault(name, {})


def _enum_sort(name: str, values: tuple[str, ...], with_none: bool) -> EnumZ3:
    """Create (once per Z3 context) the Z3 sort for an enum; Z3 sort names must be unique
    in a context. The verifier gives every check a fresh context: the sorts are then
    declared again, under the same names."""
    import z3

    sorts = context_cache("enum sorts")
    key = (name, values, with_none)
    if key not in sorts:
        taken = sum(1 for other in sorts if other[0] == name)
        sort_name = name if not taken else f"{name}#{taken + 1}"
        names = [f"{sort_name}.{v}" for v in values] + ([f"{sort_name}/none"] if with_none else [])
        sort, consts = z3.EnumSort(sort_name, names)
        none = consts[-1] if with_none else None
        sorts[key] = EnumZ3(sort, dict(zip(values, consts, strict=False)), none)
    return sorts[key]


def make_enum_sorts(enums: Enums, env: Env | None = None) -> dict[str, EnumZ3]:
    """Z3 sorts for all enums: enum name -> :class:`EnumZ3` (value -> Z3 constant).

    Enums used by a nullable variable of ``env`` get an extra ``none``
    constant.  Results are cached, so every caller shares the same sorts.
    Z3 constants are named ``Enum.value`` (and ``Enum/none``).
    """
    nullable = {t.enum for t in (env or {}).values() if t.kind == "enum" and t.nullable}
    return {name: _enum_sort(name, tuple(values), name in nullable) for name, values in enums.items()}


def z3_vars(env: Env, enum_sorts: Mapping[str, EnumZ3] | None = None, suffix: str = "") -> dict[str, Any]:
    """One fresh Z3 constant per variable of ``env``, named ``name + suffix``."""
    import z3

    out: dict[str, Any] = {}
    for name, t in env.items():
        if t.kind == "bool":
            out[name] = z3.Bool(name + suffix)
        elif t.kind == "enum":
            out[name] = z3.Const(name + suffix, (enum_sorts or {})[t.enum].sort)
        else:
            out[name] = z3.Int(name + suffix)
    return out


def z3_domain(env: Env, vars: Mapping[str, Any], enum_sorts: Mapping[str, EnumZ3] | None = None) -> list[Any]:
    """Constraints keeping Z3 variables inside their encodings.

    Dates lie in ``1 .. date.max`` (or equal :data:`NULL_DATE` when nullable);
    non-nullable enums are never their sort's ``none`` constant.
    """
    import z3

    out = []
    for name, t in env.items():
        v = vars[name]
        if t.kind == "date":
            real = z3.And(v >= 1, v <= MAX_ORDINAL)
            out.append(z3.Or(v == NULL_DATE, real) if t.nullable else real)
        elif t.kind == "enum" and not t.nullable:
            none = (enum_sorts or {})[t.enum].none
            if none is not None:
                out.append(v != none)
    return out


def to_z3_value(t: Type, value: object, enum_sorts: Mapping[str, EnumZ3]) -> Any:
    """The Z3 constant for the run-time ``value`` of type ``t``."""
    import z3

    if value is None:
        return _z3_null(t, enum_sorts)
    if t.kind == "bool":
        return z3.BoolVal(bool(value))
    if t.kind == "enum":
        return enum_sorts[t.enum][value]
    return z3.IntVal(value)


def from_z3_value(t: Type, term: Any, enum_sorts: Mapping[str, EnumZ3]) -> object:
    """The run-time value of a Z3 model value (e.g. ``model.eval(x, True)``) of type ``t``."""
    import z3

    if t.kind == "bool":
        return z3.is_true(term)
    if t.kind == "enum":
        return enum_sorts[t.enum].decode(term)
    number = term.as_long()
    return None if t.kind == "date" and t.nullable and number == NULL_DATE else number


# --------------------------------------------------------------------------- parsing


class _Source:
    """The text being parsed and the mapping from AST positions to text offsets.

    The code handed to :mod:`ast` has the same length as the text: carriage
    returns (and, for expressions, line feeds) become spaces and leading
    whitespace is cut off but remembered.
    """

    def __init__(self, text: str, *, single_line: bool, limit: int = MAX_LENGTH) -> None:
        if not isinstance(text, str):
            raise ExprError(f"expected expression text, got {type(text).__name__}")
        if len(text) > limit:
            raise ExprError(f"expression is too long ({len(text)} characters; at most {limit})")
        self.text = text
        code = text.replace("\r", " ")
        if single_line:
            code = code.replace("\n", " ")
        self.lead = len(code) - len(code.lstrip())
        self.code = code[self.lead :]
        self.lines = self.code.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.ascii = [line.isascii() for line in self.lines]  # (a byte column is a character's)

    def error(self, message: str, col: int | None) -> ExprError:
        """An :class:`ExprError` about this text."""
        return ExprError(message, col, self.text)

    def offset(self, lineno: int, byte_col: int) -> int:
        """Text offset of an AST position (1-based line, UTF-8 byte column)."""
        if self.ascii[lineno - 1]:
            chars = byte_col
        else:
            chars = len(self.lines[lineno - 1].encode()[:byte_col].decode("utf-8", "ignore"))
        return self.lead + self.starts[lineno - 1] + chars

    def span(self, node: ast.AST) -> tuple[int, int]:
        """``(start, end)`` text offsets of a node."""
        start = self.offset(node.lineno, node.col_offset)
        return start, self.offset(node.end_lineno, node.end_col_offset)

    def col(self, node: ast.AST | None) -> int | None:
        """Start offset of a node, if it has a position."""
        return self.span(node)[0] if node is not None and hasattr(node, "lineno") else None

    def segment(self, node: ast.AST) -> str:
        """The text of a node."""
        start, end = self.span(node)
        return self.text[start:end]

    def find(self, symbol: str, after: ast.AST, before: ast.AST) -> int:
        """Offset of ``symbol`` between two nodes (to point at an operator)."""
        start, end = self.span(after)[1], self.span(before)[0]
        found = self.text.find(symbol, start, end)
        return found if found >= 0 else start

    def parse(self, mode: str) -> ast.AST:
        """Parse without executing anything; syntax problems become :class:`ExprError`."""
        if not self.code.strip():
            raise self.error("empty expression", 0)
        try:
            tree = ast.parse(self.code, mode=mode)
        except SyntaxError as e:
            raise self._syntax_error(e) from None
        except (RecursionError, MemoryError, ValueError):
            raise self.error("expression is nested too deeply or is malformed", None) from None
        self._check_depth(tree)
        return tree

    def _syntax_error(self, e: SyntaxError) -> ExprError:
        lineno = min(max(e.lineno or 1, 1), len(self.lines))
        col = min(max((e.offset or 1) - 1, 0), len(self.lines[lineno - 1]))
        at = self.lead + self.starts[lineno - 1] + col
        message = f"syntax error: {e.msg}"
        if "Maybe you meant '=='" in e.msg or self.text[at : at + 1] == "=" != self.text[at + 1 : at + 2]:
            message = "syntax error: '=' is not a comparison; use '==' to compare"
        return self.error(message, at)

    def _check_depth(self, tree: ast.AST) -> None:
        stack = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise self.error(f"expression is nested too deeply (over {MAX_DEPTH} levels)", self.col(node))
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%"}
_FORBIDDEN_BINOPS = {
    ast.Pow: ("**", ""),
    ast.Div: ("/", "; use '//' with a positive integer literal"),
    ast.BitAnd: ("&", "; use 'and'"),
    ast.BitOr: ("|", "; use 'or'"),
    ast.BitXor: ("^", ""),
    ast.LShift: ("<<", ""),
    ast.RShift: (">>", ""),
    ast.MatMult: ("@", ""),
}
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def _forbidden(node: ast.AST) -> str:
    """Why a node type is not part of the contract language."""
    where = "in contract expressions"
    if isinstance(node, ast.Attribute):
        return f"attribute access ('.{node.attr}') is not allowed {where}"
    if isinstance(node, ast.Subscript):
        return f"subscripts ('x[...]') are not allowed {where}"
    if isinstance(node, ast.Lambda):
        return f"'lambda' is not allowed {where}"
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return f"comprehensions are not allowed {where}"
    if isinstance(node, ast.JoinedStr | ast.FormattedValue):
        return f"f-strings are not allowed {where}"
    if isinstance(node, ast.NamedExpr):
        return f"':=' (assignment expression) is not allowed {where}"
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return "tuple, list and set literals are only allowed after 'in' / 'not in'"
    if isinstance(node, ast.Dict):
        return f"dict literals are not allowed {where}"
    if isinstance(node, ast.Starred):
        return f"star-arguments are not allowed {where}"
    return f"{type(node).__name__} is not allowed {where}"


def _is_deferred(node: ast.AST) -> bool:
    """String and ``None`` literals, whose type comes from their context."""
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str))


def _guards(e: Expr, when: bool) -> frozenset[str]:
    """Nullable names known not to be ``None`` when ``e`` evaluates to ``when``."""
    if isinstance(e, IsNone) and isinstance(e.operand, Name) and e.negated == when:
        return frozenset((e.operand.name,))
    if isinstance(e, Not):
        return _guards(e.operand, not when)
    if isinstance(e, BoolOp) and (e.op == "and") == when:
        return frozenset().union(*(_guards(v, when) for v in e.values))
    return frozenset()


@dataclass(frozen=True)
class _Want:
    """The type a literal must have, and what imposed it (for messages)."""

    type: Type
    context: str


class _Builder:
    """Turns a whitelisted AST into a typed :class:`Expr` tree."""

    def __init__(self, src: _Source, env: Env, enums: Enums) -> None:
        self.src, self.env, self.enums = src, env, enums
        self._safe: frozenset[str] = frozenset()  # nullable names proven not None here
        self._check_env()

    def _check_env(self) -> None:
        for name, t in self.env.items():
            if not isinstance(t, Type):
                raise ExprError(f"variable '{name}' has no Type (got {t!r})")
            if t.kind == "enum" and t.enum not in self.enums:
                raise ExprError(
                    f"variable '{name}' has enum type {t.enum}, which is not declared" + _suggest(t.enum, self.enums)
                )

    def fail(self, node: ast.AST | None, message: str, col: int | None = None) -> ExprError:
        """An error pointing at ``node`` (or at ``col``)."""
        return self.src.error(message, self.src.col(node) if col is None else col)

    @contextmanager
    def assuming(self, names: frozenset[str]) -> Iterator[None]:
        """Treat ``names`` as not ``None`` inside the block."""
        saved = self._safe
        self._safe = saved | names
        try:
            yield
        finally:
            self._safe = saved

    def build(self, node: ast.AST, want: _Want | None = None) -> Expr:
        """Build any whitelisted node; ``want`` types string/``None`` literals."""
        method = getattr(self, f"_build_{type(node).__name__.lower()}", None)
        if method is None:
            raise self.fail(node, _forbidden(node))
        return method(node, want)

    def _node(self, cls: type, t: Type, node: ast.AST, *fields: Any) -> Any:
        """Instantiate an :class:`Expr` subclass with the node's text and column."""
        start, end = self.src.span(node)
        return cls(t, self.src.text[start:end], start, *fields)

    # -- checks -------------------------------------------------------------

    def value(self, e: Expr) -> Expr:
        """``e``, which must not be possibly ``None``."""
        if e.type.nullable:
            hint = f"; check '{e.text} is not None and …' first" if isinstance(e, Name) else ""
            raise self.src.error(f"'{e.text}' may be None here{hint}", e.col)
        return e

    def expect(self, e: Expr, t: Type, context: str) -> Expr:
        """``e`` if it has type ``t`` (``None`` allowed only if ``t`` is nullable)."""
        if not e.type.same(t):
            raise self.src.error(
                f"{context} must be {_a(t.non_null())}, but '{e.text}' is {_a(e.type.non_null())}",
                e.col,
            )
        return e if t.nullable else self.value(e)

    def boolean(self, node: ast.AST, what: str) -> Expr:
        """Build a condition."""
        return self.expect(self.build(node), BOOL, what)

    # -- leaves -------------------------------------------------------------

    def _build_constant(self, node: ast.Constant, want: _Want | None) -> Expr:
        v = node.value
        if v is None:
            return self._none(node, want)
        if isinstance(v, bool):
            return self._node(Const, BOOL, node, v)
        if isinstance(v, int):
            return self._node(Const, INT, node, v)
        if isinstance(v, str):
            return self._enum_literal(node, want)
        if isinstance(v, float):
            raise self.fail(node, "decimal numbers are not allowed; use integers (e.g. yen, days)")
        raise self.fail(node, f"{type(v).__name__} literals are not allowed in contract expressions")

    def _none(self, node: ast.Constant, want: _Want | None) -> Expr:
        if want is None:
            raise self.fail(
                node,
                "None is only allowed in 'x is None' / 'x is not None' or as the value of a nullable date or enum",
            )
        if not want.type.nullable:
            raise self.fail(
                node,
                f"{want.context} is {_a(want.type)}, which cannot be None (declare it nullable to allow None)",
            )
        return self._node(Const, want.type, node, None)

    def _enum_literal(self, node: ast.Constant, want: _Want | None) -> Expr:
        v = node.value
        if want is None:
            raise self.fail(
                node,
                f'the string "{v}" has no enum type here; compare it with or '
                f'assign it to an enum, e.g. status == "{v}"',
            )
        t = want.type
        if t.kind != "enum":
            raise self.fail(node, f'{want.context} is {_a(t)}, not an enum; "{v}" is a string')
        allowed = list(self.enums[t.enum])
        if v not in allowed:
            raise self.fail(
                node,
                f'{want.context} is an enum {t.enum}; "{v}" is not one of: '
                f"{', '.join(allowed)}{_suggest(v, allowed, quote=chr(34))}",
            )
        return self._node(Const, t.non_null(), node, v)

    def _build_name(self, node: ast.Name, want: _Want | None) -> Expr:
        name = node.id
        if name in _FUNCS:
            raise self.fail(node, f"'{name}' is a function; call it: {_FUNCS[name].signature}")
        t = self.env.get(name)
        if t is None:
            hint = _suggest(name, self.env)
            if not hint and len(self.env) <= 15:
                hint = f"; known names: {', '.join(sorted(self.env)) or '(none)'}"
            raise self.fail(node, f"unknown name '{name}'{hint}")
        if t.nullable and name in self._safe:
            t = t.non_null()
        return self._node(Name, t, node, name)

    # -- operators ----------------------------------------------------------

    def _build_unaryop(self, node: ast.UnaryOp, want: _Want | None) -> Expr:
        if isinstance(node.op, ast.Not):
            return self._node(Not, BOOL, node, self.boolean(node.operand, "the operand of 'not'"))
        if not isinstance(node.op, ast.USub):
            symbol = "+" if isinstance(node.op, ast.UAdd) else "~"
            raise self.fail(node, f"unary '{symbol}' is not allowed in contract expressions")
        operand = self.expect(self.build(node.operand), INT, "the operand of unary '-'")
        if isinstance(operand, Const):
            return self._node(Const, INT, node, -operand.value)
        return self._node(Neg, INT, node, operand)

    def _build_binop(self, node: ast.BinOp, want: _Want | None) -> Expr:
        op_type = type(node.op)
        if op_type in _FORBIDDEN_BINOPS:
            symbol, hint = _FORBIDDEN_BINOPS[op_type]
            col = self.src.find(symbol, node.left, node.right)
            raise self.fail(node, f"'{symbol}' is not allowed in contract expressions{hint}", col)
        op = _BINOPS[op_type]
        left, right = self.value(self.build(node.left)), self.value(self.build(node.right))
        t = self._arith_type(node, op, left, right)
        return self._node(Arith, t, node, op, left, right)

    def _arith_type(self, node: ast.BinOp, op: str, left: Expr, right: Expr) -> Type:
        """Result type of ``left op right``, or an error naming the operand types."""
        kinds = (left.type.kind, right.type.kind)
        col = self.src.find(op, node.left, node.right)
        if kinds == ("int", "int") and op in ("+", "-", "*"):
            return INT
        if op in ("//", "%"):
            return self._division_type(op, left, right, col)
        if op == "+" and kinds in (("date", "int"), ("int", "date")):
            return DATE
        if op == "-" and kinds == ("date", "int"):
            return DATE
        if op == "-" and kinds == ("date", "date"):
            return INT
        lt, rt = left.type.label, right.type.label
        message = {
            "+": f"cannot add {lt} and {rt}",
            "-": f"cannot subtract {rt} from {lt}",
            "*": f"cannot multiply {lt} by {rt}",
        }[op]
        raise self.src.error(message, col)

    def _division_type(self, op: str, left: Expr, right: Expr, col: int) -> Type:
        if left.type.kind != "int":
            raise self.src.error(f"'{op}' needs an int on the left, but '{left.text}' is {_a(left.type)}", col)
        if not (isinstance(right, Const) and right.type.kind == "int" and right.value > 0):
            raise self.src.error(
                f"'{op}' needs a positive integer literal on the right (e.g. 'x {op} 30'), not '{right.text}'",
                right.col,
            )
        return INT

    def _build_boolop(self, node: ast.BoolOp, want: _Want | None) -> Expr:
        op = "and" if isinstance(node.op, ast.And) else "or"
        values: list[Expr] = []
        proven: frozenset[str] = frozenset()
        for child in node.values:
            with self.assuming(proven):
                values.append(self.boolean(child, f"each operand of '{op}'"))
            proven |= _guards(values[-1], when=(op == "and"))
        return self._node(BoolOp, BOOL, node, op, tuple(values))

    # -- comparisons --------------------------------------------------------

    def _build_compare(self, node: ast.Compare, want: _Want | None) -> Expr:
        operands = [node.left, *node.comparators]
        special = [op for op in node.ops if isinstance(op, ast.Is | ast.IsNot | ast.In | ast.NotIn)]
        if special and len(node.ops) > 1:
            word = "is" if isinstance(special[0], ast.Is | ast.IsNot) else "in"
            raise self.fail(node, f"'{word}' cannot be chained with other comparisons; join them with 'and'")
        if special and isinstance(special[0], ast.Is | ast.IsNot):
            return self._is_none(node)
        if special:
            return self._member(node)
        for i, operand in enumerate(operands):
            if isinstance(operand, ast.Constant) and operand.value is None:
                other = operands[1 - i] if len(operands) == 2 else operand
                raise self.fail(
                    operand,
                    f"use '{self.src.segment(other)} is None' (or 'is not None') instead of comparing with None",
                )
        built = self._compare_operands(node, operands)
        ops = tuple(_CMPOPS[type(op)] for op in node.ops)
        for i, op in enumerate(ops):
            self._check_comparison(op, built[i], built[i + 1], node, i)
        return self._node(Compare, BOOL, node, ops, tuple(built))

    def _compare_operands(self, node: ast.Compare, operands: list[ast.AST]) -> list[Expr]:
        """Build operands; string literals take the type of the first other operand."""
        built = {i: self.build(o) for i, o in enumerate(operands) if not _is_deferred(o)}
        if not built:
            raise self.fail(node, "comparing two literals is pointless; compare a variable")
        anchor = built[min(built)]
        want = _Want(anchor.type.non_null(), f"'{anchor.text}'")
        for i, o in enumerate(operands):
            if i not in built:
                built[i] = self.build(o, want)
        return [built[i] for i in range(len(operands))]

    def _check_comparison(self, op: str, a: Expr, b: Expr, node: ast.Compare, i: int) -> None:
        """Reject comparisons whose operand types do not fit ``op``."""
        col = self.src.find(op, ([node.left, *node.comparators])[i], node.comparators[i])
        if not a.type.same(b.type):
            raise self.src.error(
                f"cannot compare {a.type.non_null().label} '{a.text}' with {b.type.non_null().label} '{b.text}'",
                col,
            )
        if op in ("==", "!="):
            return
        if a.type.kind in ("enum", "bool"):
            raise self.src.error(
                f"'{op}' is not defined for {a.type.non_null().label}; only == and != (or 'in') are",
                col,
            )
        self.value(a)
        self.value(b)

    def _is_none(self, node: ast.Compare) -> Expr:
        right = node.comparators[0]
        if not (isinstance(right, ast.Constant) and right.value is None):
            raise self.fail(
                node,
                "'is' is only allowed as 'x is None' / 'x is not None'; use == to compare values",
            )
        left = node.left
        if _is_deferred(left):
            raise self.fail(left, "the left side of 'is None' must be a variable or expression")
        if isinstance(left, ast.Name) and left.id in self.env and not self.env[left.id].nullable:
            raise self.fail(left, f"'{left.id}' is never None (it is not declared nullable)")
        operand = self.build(left)
        if not isinstance(operand, Name) and not operand.type.nullable:
            raise self.fail(left, f"'{operand.text}' can never be None")
        return self._node(IsNone, BOOL, node, operand, isinstance(node.ops[0], ast.IsNot))

    def _member(self, node: ast.Compare) -> Expr:
        if _is_deferred(node.left):
            raise self.fail(node.left, "the left side of 'in' must be a variable or expression, not a literal")
        operand = self.build(node.left)
        if operand.type.kind not in ("enum", "int"):
            raise self.fail(
                node.left,
                f"'in' works on enums and ints, but '{operand.text}' is {_a(operand.type)}",
            )
        if operand.type.kind == "int":
            self.value(operand)
        options = self._options(node.comparators[0], operand)
        return self._node(Member, BOOL, node, operand, options, isinstance(node.ops[0], ast.NotIn))

    def _options(self, node: ast.AST, operand: Expr) -> tuple[Any, ...]:
        """The literal values listed after ``in``."""
        if not isinstance(node, ast.Tuple | ast.List | ast.Set):
            raise self.fail(node, 'the right side of \'in\' must be a literal list like ("a", "b") or (1, 2)')
        if not node.elts:
            raise self.fail(node, "the list after 'in' is empty")
        want = _Want(operand.type.non_null(), f"'{operand.text}'")
        options = []
        for element in node.elts:
            e = self.build(element, want)
            if not isinstance(e, Const):
                raise self.fail(element, f"only literals may be listed after 'in'; '{e.text}' is not a literal")
            self.expect(e, operand.type.non_null(), f"each value listed for '{operand.text}'")
            options.append(e.value)
        return tuple(options)

    # -- conditional and calls ----------------------------------------------

    def _build_ifexp(self, node: ast.IfExp, want: _Want | None) -> Expr:
        cond = self.boolean(node.test, "the condition of 'if … else'")
        first, second = (node.body, node.orelse), (True, False)
        if want is None and _is_deferred(node.body) and not _is_deferred(node.orelse):
            first, second = (node.orelse, node.body), (False, True)
        built: dict[bool, Expr] = {}
        for branch, is_then in zip(first, second, strict=True):
            branch_want = want
            if branch_want is None and built:
                other = next(iter(built.values()))
                branch_want = _Want(other.type.or_null(), f"the other branch '{other.text}'")
            with self.assuming(_guards(cond, when=is_then)):
                built[is_then] = self.build(branch, branch_want)
        then, other = built[True], built[False]
        if not then.type.same(other.type):
            raise self.fail(
                node,
                "both branches of 'if … else' must have the same type, got "
                f"{then.type.non_null().label} and {other.type.non_null().label}",
            )
        t = then.type.or_null() if then.type.nullable or other.type.nullable else then.type
        return self._node(IfElse, t, node, cond, then, other)

    def _build_call(self, node: ast.Call, want: _Want | None) -> Expr:
        func = self._function(node)
        if func.name == "date":
            return self._date_literal(node)
        args = tuple(self.value(self.build(a)) for a in node.args)
        if func.params is None:
            return self._node(Call, self._minmax_type(node, func, args), node, func.name, args)
        if len(args) != len(func.params):
            raise self.fail(
                node,
                f"{func.name}() takes {len(func.params)} argument(s), got {len(args)}: {func.signature}",
            )
        for i, (arg, param) in enumerate(zip(args, func.params, strict=True)):
            self.expect(arg, param, f"argument {i + 1} of {func.name}()")
        return self._node(Call, func.result, node, func.name, args)

    def _function(self, node: ast.Call) -> _Func:
        """The whitelisted function being called, after checking the call's shape."""
        if isinstance(node.func, ast.Attribute):
            raise self.fail(node.func, _forbidden(node.func))
        allowed = ", ".join(_FUNCS)
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, f"only these functions can be called: {allowed}")
        name = node.func.id
        if name not in _FUNCS:
            raise self.fail(
                node,
                f"function '{name}' is not allowed; allowed: {allowed}" + _suggest(name, _FUNCS),
            )
        if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"star-arguments are not allowed (in call to '{name}')")
        if node.keywords:
            raise self.fail(
                node.keywords[0],
                f"keyword arguments are not allowed (in call to "
                f"'{name}'); pass them by position: "
                f"{_FUNCS[name].signature}",
            )
        return _FUNCS[name]

    def _minmax_type(self, node: ast.Call, func: _Func, args: tuple[Expr, ...]) -> Type:
        if len(args) < 2:
            raise self.fail(node, f"{func.name}() needs at least two arguments: {func.signature}")
        first = args[0].type
        if first.kind not in ("int", "date"):
            raise self.src.error(
                f"{func.name}() works on ints or dates, but '{args[0].text}' is {_a(first)}",
                args[0].col,
            )
        for arg in args[1:]:
            self.expect(arg, first, f"every argument of {func.name}() (like the first)")
        return first

    def _date_literal(self, node: ast.Call) -> Expr:
        args = [self.build(a) for a in node.args]
        if len(args) != 3 or not all(isinstance(a, Const) and a.type == INT for a in args):
            raise self.fail(node, "date() takes three integer literals: date(2024, 4, 1)")
        try:
            day = datetime.date(*(a.value for a in args))
        except (ValueError, OverflowError) as e:
            raise self.fail(node, f"invalid date: {e}") from None
        return self._node(Const, DATE, node, day.toordinal())


def _with_text(e: Expr, text: str) -> Expr:
    """``e`` carrying the full source text (the root node's segment drops outer parentheses)."""
    return replace(e, text=text) if e.text != text else e


def parse_expr(text: str, env: Env, enums: Enums, expect: Type | None = None, limit: int = MAX_LENGTH) -> Expr:
    """Parse and type-check a contract expression.

    ``env`` lists every usable name with its type, ``enums`` the values of each
    enum.  With ``expect`` the result must have that type (and may be ``None``
    only if ``expect.nullable``).  Raises :class:`ExprError`; never executes
    the text.
    """
    src = _Source(text, single_line=True, limit=limit)
    tree = src.parse("eval")
    builder = _Builder(src, env, enums)
    want = _Want(expect, "the expression") if expect is not None else None
    e = builder.build(tree.body, want)
    if expect is not None:
        builder.expect(e, expect, "the expression")
    return _with_text(e, text)


_STATEMENT_HINT = "an effect must be one of 'x = expr', 'x += expr' or 'x -= expr'"


def parse_effect(text: str, env: Env, enums: Enums, assignable: Collection[str], limit: int = MAX_LENGTH) -> Assign:
    """Parse one effect statement: ``x = expr``, ``x += expr`` or ``x -= expr``.

    The target must be in ``assignable``; the value must fit its type
    (``+=``/``-=`` need an int or date target and an int value).
    """
    src = _Source(text, single_line=False, limit=limit)
    tree = src.parse("exec")
    if len(tree.body) != 1:
        raise src.error(
            f"an effect must be exactly one statement, got {len(tree.body)}; put each effect in its own list entry",
            src.col(tree.body[-1]),
        )
    builder = _Builder(src, env, enums)
    stmt = tree.body[0]
    target, op = _effect_shape(builder, stmt, frozenset(assignable))
    t = env[target]
    if op == "=":
        value = builder.expect(builder.build(stmt.value, _Want(t, f"'{target}'")), t, f"'{target}'")
    else:
        value = _augmented_value(builder, stmt, target, op, t)
    return Assign(target, op, value, text)


def _effect_shape(builder: _Builder, stmt: ast.stmt, assignable: frozenset[str]) -> tuple[str, str]:
    """``(target, op)`` of an effect statement, after checking its form and target."""
    if isinstance(stmt, ast.Expr):
        hint = "; use '=' to assign" if isinstance(stmt.value, ast.Compare) else ""
        raise builder.fail(stmt, _STATEMENT_HINT + hint)
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) != 1:
            raise builder.fail(stmt, "assign one variable per effect: 'x = expr'")
        target_node, op = stmt.targets[0], "="
    elif isinstance(stmt, ast.AugAssign):
        target_node, op = stmt.target, {ast.Add: "+=", ast.Sub: "-="}.get(type(stmt.op), "")
        if not op:
            raise builder.fail(stmt, "only '+=' and '-=' are allowed as augmented assignments")
    else:
        raise builder.fail(stmt, _STATEMENT_HINT)
    if not isinstance(target_node, ast.Name):
        raise builder.fail(target_node, "the target of an effect must be a plain variable name")
    return _effect_target(builder, target_node, assignable), op


def _effect_target(builder: _Builder, node: ast.Name, assignable: frozenset[str]) -> str:
    """The assigned name, which must be declared and assignable."""
    name = node.id
    if name not in builder.env:
        raise builder.fail(node, f"unknown name '{name}'" + _suggest(name, builder.env))
    if name not in assignable:
        allowed = ", ".join(sorted(assignable)) or "(none)"
        raise builder.fail(
            node,
            f"'{name}' cannot be assigned here; assignable: {allowed}" + _suggest(name, assignable),
        )
    return name


def _augmented_value(builder: _Builder, stmt: ast.AugAssign, target: str, op: str, t: Type) -> Expr:
    """The int right-hand side of ``target += …`` / ``target -= …``."""
    if t.kind not in ("int", "date"):
        raise builder.fail(stmt, f"'{op}' needs an int or date target, but '{target}' is {_a(t)}")
    if t.nullable:
        raise builder.fail(
            stmt,
            f"'{op}' cannot update nullable '{target}' (it may be None); "
            f"write '{target} = … if {target} is not None else None'",
        )
    return builder.expect(builder.build(stmt.value), INT, f"the right side of '{target} {op}'")
