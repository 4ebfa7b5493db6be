"""Compile the spec's typed expression trees to Python source, with partial evaluation.

The fast engine does not restate a single rule: every guard, effect, `at` date and
property formula it runs is generated here from the `Expr` / `Assign` trees that
`yakkan.model.spec.load_spec` parsed and type-checked. Only those trees are read —
never the spec's text — so the generated source can contain nothing but names the type
checker accepted, literal ints / bools / enum strings (written with `repr`), the
operators of the expression language and the whitelisted functions of
`yakkan.model.expr.FUNCTIONS`.

`Specializer` folds constants (the lifecycle state, the event, arguments an event does
not have) and simple identities (`x - x`, `x >= x`) so that a property such as P27
(8-3, tax on every fee) disappears entirely from transitions that bill nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from yakkan.model import calendar_math as cm
from yakkan.model.expr import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Const,
    Expr,
    IfElse,
    IsNone,
    Member,
    Name,
    Neg,
    Not,
)

_ARITH = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
}
_CMP = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
# x OP x for one and the same pure operand
_CMP_SELF = {"==": True, "<=": True, ">=": True, "!=": False, "<": False, ">": False}


class _Memo(dict):
    """A calendar function's results by argument, computed on first use (`memo[x]`)."""

    def __init__(self, fn: Callable[..., int], arity: int) -> None:
        super().__init__()
        self.fn = fn
        self.arity = arity

    def __missing__(self, key: Any) -> int:
        value = self[key] = self.fn(*key) if self.arity > 1 else self.fn(key)
        return value

    def __call__(self, *args: int) -> int:
        return self[args if self.arity > 1 else args[0]]


# The functions of the expression language, as the generated code calls them: the very
# functions `Call.compile()` uses (yakkan.model.calendar_math), memoized since the same
# few hundred dates recur on every customer. Generated code indexes the memo tables
# (`_m_month_of[x]`), a dictionary lookup in C once a date has been seen.
MEMO: dict[str, _Memo] = {
    "month_of": _Memo(cm.month_of, 1),
    "month_start": _Memo(cm.month_start, 1),
    "month_end": _Memo(cm.month_end, 1),
    "day_of": _Memo(cm.day_of, 1),
    "days_in_month": _Memo(cm.days_in_month, 1),
    "add_months": _Memo(cm.add_months, 2),
}
RUNTIME: dict[str, Any] = {"min": min, "max": max, "abs": abs, "date": cm.days_from_civil, **MEMO}
_PY_FUNC = {name: f"_f_{name}" for name in RUNTIME}


def runtime_namespace() -> dict[str, Any]:
    """Globals for exec'ing generated code: the language's functions under `_f_` names."""
    out = {_PY_FUNC[n]: f for n, f in RUNTIME.items()}
    out.update({f"_m_{n}": m for n, m in MEMO.items()})
    return out


@dataclass(frozen=True)
class Code:
    """A partially evaluated expression: a known constant, or Python source."""

    src: str
    const: bool = False
    value: Any = None

    @staticmethod
    def of(value: Any) -> Code:
        return Code(repr(value), True, value)


TRUE = Code.of(True)


class Specializer:
    """Renders `Expr` trees as Python source under a substitution.

    `consts` maps names to known values (folded), `alias` maps names to other names
    (e.g. `next_base_fee` -> `base_fee` when the step does not write base_fee), and
    `local` turns a (possibly aliased) name into the Python identifier holding it.
    """

    def __init__(self, local: Callable[[str], str], consts: Mapping[str, Any] | None = None,
                 alias: Mapping[str, str] | None = None) -> None:  # fmt: skip
        self.local = local
        self.consts = dict(consts or {})
        self.alias = dict(alias or {})
        self.used: set[str] = set()  # names (after aliasing) the source reads

    def code(self, e: Expr) -> Code:
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            raise TypeError(f"cannot compile expression node {type(e).__name__}")
        return method(e)

    def src(self, e: Expr) -> str:
        return self.code(e).src

    # -- leaves ---------------------------------------------------------------------------

    def _Const(self, e: Const) -> Code:
        return Code.of(e.value)

    def _Name(self, e: Name) -> Code:
        if e.name in self.consts:
            return Code.of(self.consts[e.name])
        name = self.alias.get(e.name, e.name)
        if name in self.consts:
            return Code.of(self.consts[name])
        self.used.add(name)
        return Code(self.local(name))

    # -- operators ------------------------------------------------------------------------

    def _Neg(self, e: Neg) -> Code:
        c = self.code(e.operand)
        return Code.of(-c.value) if c.const else Code(f"(-{c.src})")

    def _Not(self, e: Not) -> Code:
        c = self.code(e.operand)
        return Code.of(not c.value) if c.const else Code(f"(not {c.src})")

    def _Arith(self, e: Arith) -> Code:
        a, b = self.code(e.left), self.code(e.right)
        if a.const and b.const:
            return Code.of(_ARITH[e.op](a.value, b.value))
        if e.op == "-" and a.src == b.src:
            return Code.of(0)
        if e.op == "*" and ((a.const and a.value == 0) or (b.const and b.value == 0)):
            return Code.of(0)
        if e.op in ("//", "%") and a.const and a.value == 0:
            return Code.of(0)
        if e.op in ("+", "-") and b.const and b.value == 0:
            return a
        if e.op == "+" and a.const and a.value == 0:
            return b
        return Code(f"({a.src} {e.op} {b.src})")

    def _BoolOp(self, e: BoolOp) -> Code:
        parts: list[Code] = []
        absorbing = e.op == "or"  # True absorbs an `or`, False an `and`
        for v in e.values:
            c = self.code(v)
            if c.const:
                if bool(c.value) == absorbing:
                    return Code.of(absorbing)
                continue
            parts.append(c)
        srcs = {p.src for p in parts}
        if any(f"(not {p.src})" in srcs for p in parts):  # x and not x / x or not x
            return Code.of(absorbing)
        if not parts:
            return Code.of(not absorbing)
        if len(parts) == 1:
            return parts[0]
        return Code("(" + f" {e.op} ".join(p.src for p in parts) + ")")

    def _Compare(self, e: Compare) -> Code:
        cs = [self.code(o) for o in e.operands]
        if all(c.const for c in cs):
            return Code.of(all(_CMP[op](cs[i].value, cs[i + 1].value) for i, op in enumerate(e.ops)))
        if len(e.ops) == 1 and cs[0].src == cs[1].src:
            return Code.of(_CMP_SELF[e.ops[0]])
        text = cs[0].src
        for op, c in zip(e.ops, cs[1:], strict=True):
            text += f" {op} {c.src}"
        return Code(f"({text})")

    def _Member(self, e: Member) -> Code:
        c = self.code(e.operand)
        if c.const:
            return Code.of((c.value in e.options) != e.negated)
        options = repr(tuple(e.options))
        return Code(f"({c.src} {'not in' if e.negated else 'in'} {options})")

    def _IsNone(self, e: IsNone) -> Code:
        c = self.code(e.operand)
        if c.const:
            return Code.of((c.value is None) != e.negated)
        return Code(f"({c.src} is {'not ' if e.negated else ''}None)")

    def _IfElse(self, e: IfElse) -> Code:
        c = self.code(e.cond)
        if c.const:
            return self.code(e.then if c.value else e.other)
        a, b = self.code(e.then), self.code(e.other)
        if a.const and b.const and a.value == b.value:
            return a
        return Code(f"({a.src} if {c.src} else {b.src})")

    def _Call(self, e: Call) -> Code:
        cs = [self.code(a) for a in e.args]
        if all(c.const for c in cs):
            return Code.of(RUNTIME[e.func](*(c.value for c in cs)))
        if e.func in MEMO:
            key = cs[0].src if len(cs) == 1 else "(" + ", ".join(c.src for c in cs) + ")"
            return Code(f"_m_{e.func}[{key}]")
        return Code(f"{_PY_FUNC[e.func]}({', '.join(c.src for c in cs)})")


def names_in(e: Expr) -> frozenset[str]:
    """Every name an expression reads."""
    return e.names()


def today_only_in_month_of(e: Expr) -> bool:
    """True when every use of `today` in `e` is exactly `month_of(today)`.

    Such an expression is constant within a calendar month, which lets the fast engine
    compute a calendar event's next date month by month instead of day by day.
    """
    if isinstance(e, Call) and e.func == "month_of" and isinstance(e.args[0], Name) \
            and e.args[0].name == "today":  # fmt: skip
        return True
    if isinstance(e, Name):
        return e.name != "today"
    return all(today_only_in_month_of(c) for c in e.children())


def compile_function(name: str, source: str, extra: Mapping[str, Any] | None = None) -> Callable[..., Any]:
    """Exec generated source (built only from checked expression trees) and return `name`."""
    namespace = runtime_namespace()
    namespace.update(extra or {})
    exec(compile(source, f"<yakkan.simulate:{name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]
