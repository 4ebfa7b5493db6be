"""Formulas as a lawyer reads them: grouping explicit, names in the reader's language.

`Expr.render` (the model's own renderer) drops parentheses where operator precedence
makes them redundant: `A or (B and C)` comes out as 「A または B かつ C」, which a reader
who does not know that かつ binds tighter than または reads wrongly. Here every `and`/`or`
inside another `and`/`or`, a negation or a conditional is bracketed (「（…）」 in
Japanese), a negated disjunction `not A or B` is read as the implication 「A ならば B」,
and each name is shown by its Japanese name from the spec (`names_ja`, states, events);
a name without one is kept as an identifier and, in HTML, marked `<code class="name">`.

`tree` lays a top-level conjunction or disjunction out as nested lists (「次のすべて」,
「次のいずれか」) for the properties and transitions pages. Articles: the expressions are
the spec's guards (refusals cite their articles), effects and properties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from markupsafe import Markup, escape

from yakkan.model.expr import (
    Arith,
    Assign,
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
)  # fmt: skip
from yakkan.model.spec import EVENT_ENUM, MOMENT_PREFIX, NEXT, STATE_ENUM, Spec

_CMP = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_WORDS = {
    "ja": {"and": " かつ ", "or": " または ", "open": "（", "close": "）", "not": "{}ではない",
           "implies": "{a} ならば {b}", "if": "{c} ならば {a}、そうでなければ {b}", "true": "真",
           "false": "偽", "unset": "未設定", "is_unset": "{}が未設定", "is_set": "{}が設定済み",
           "in": "{x}が{v}のいずれか", "in1": "{x}が{v}", "not_in": "{x}が{v}のいずれでもない",
           "not_in1": "{x}が{v}ではない", "sep": "・", "all": "次のすべてを満たす",
           "any": "次のいずれかを満たす", "not_all": "次のすべてを同時には満たさない",
           "none": "次のいずれも満たさない", "when": "次の場合には", "then": "次が成り立つ",
           "today": "本日", "state": "状態", "event": "イベント", "next": "変更後の{}",
           "passed": "本日の「{}」の時点を過ぎている"},
    "en": {"and": " and ", "or": " or ", "open": "(", "close": ")", "not": "not {}",
           "implies": "if {a} then {b}", "if": "{a} if {c} else {b}", "true": "true",
           "false": "false", "unset": "unset", "is_unset": "{} is unset", "is_set": "{} is set",
           "in": "{x} ∈ {{{v}}}", "in1": "{x} = {v}", "not_in": "{x} ∉ {{{v}}}", "not_in1": "{x} ≠ {v}",
           "sep": ", ", "all": "all of", "any": "any of", "not_all": "not all of", "none": "none of",
           "when": "when", "then": "then", "today": "today", "state": "state", "event": "event",
           "next": "next {}", "passed": "{} has had its turn today"},
}  # fmt: skip
_PREDICATE_ENDS = ("た", "る", "い", "だ")  # a name read as a clause, not a noun: negated as 「…」に該当しない
_FUNCS_JA = {"month_of": "{0}の月", "month_start": "{0}の初日", "month_end": "{0}の末日",
             "add_months": "{0}の{1}か月後", "day_of": "{0}の日", "days_in_month": "{0}の日数"}  # fmt: skip


class Formula:
    """Renders the expressions of one spec in `ja` or `en`, as text or as HTML."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.forever = spec.constants.get("FOREVER")
        # names standing for record and set syntax (`Quantifiers`): their readings, rendered
        self.extra: dict[str, dict[tuple[str, bool], str]] = {}
        self.grouped: set[str] = set()  # of those, the ones bracketed inside and/or (quantifiers)

    # -- the public forms ----------------------------------------------------------------------

    def text(self, expr: Expr, lang: str) -> str:
        """Plain text, grouping explicit (Markdown, diagrams)."""
        return _Render(self, lang, html=False).expr(expr)

    def html(self, expr: Expr, lang: str) -> Markup:
        """Inline HTML: the text with identifiers marked `<code class="name">`."""
        return Markup(_Render(self, lang, html=True).expr(expr))

    def tree(self, expr: Expr, lang: str) -> Markup:
        """HTML; a top-level and/or (or implication) as nested lists, the rest inline."""
        return Markup(_Render(self, lang, html=True).tree(expr))

    def effect(self, effect: Assign, lang: str, html: bool = False) -> str:
        """`x = e` as 「x ← e」 by their names (`x += e` as 「x ← x + e」)."""
        r = _Render(self, lang, html)
        value = effect.value
        if effect.op != "=":
            value = Arith(value.type, effect.text, 0, effect.op[0], Name(value.type, effect.target, 0, effect.target),
                          value)  # fmt: skip
        out = f"{r.name(effect.target)} ← {r.expr(value)}"
        return Markup(out) if html else out

    def call(self, procedure: str, arg: Expr | None, lang: str, html: bool = False) -> str:
        """A procedure call by the procedure's name: 「請求する（基本利用料）」."""
        r = _Render(self, lang, html)
        inner = r.expr(arg) if arg is not None else ""
        o, c = ("（", "）") if lang == "ja" else ("(", ")")
        out = f"{r.name(procedure)}{o}{inner}{c}"
        return Markup(out) if html else out

    # -- names ---------------------------------------------------------------------------------

    def label(self, name: str, lang: str) -> str | None:
        """The reader's name of an identifier (None: it has none in `lang`)."""
        if lang != "ja":
            return None
        entry = self.spec.names_ja.get(name)
        return entry.name if entry else None

    def value_label(self, enum: str | None, value: object, lang: str) -> str | None:
        """The reader's name of an enum value: a state's or event's name, `names_ja`."""
        if lang != "ja" or enum is None:
            return None
        if enum == STATE_ENUM and value in self.spec.states:
            return self.spec.states[str(value)].ja
        if enum == EVENT_ENUM and value in self.spec.events:
            return self.spec.events[str(value)].ja
        entry = self.spec.names_ja.get(f"{enum}.{value}")
        return entry.name if entry else None


def _compound(e: Expr) -> bool:
    """Needs brackets inside another logical operator: and/or, conditionals."""
    return isinstance(e, BoolOp | IfElse)


class _Render:
    def __init__(self, f: Formula, lang: str, html: bool) -> None:
        self.f, self.lang, self.html = f, lang, html
        self.w = _WORDS[lang]

    # -- pieces --------------------------------------------------------------------------------

    def esc(self, text: str) -> str:
        return str(escape(text)) if self.html else text

    def ident(self, text: str) -> str:
        """An identifier with no name in the reader's language, marked as a name."""
        return f'<code class="name">{escape(text)}</code>' if self.html else text

    def word(self, key: str, **kw: str) -> str:
        """A template word of the language; its arguments are already rendered."""
        text = self.w[key]
        parts = text.split("{")
        if self.html:  # escape the template's own text, not the rendered arguments
            text = "{".join(str(escape(p)) if i == 0 else p for i, p in enumerate(parts))
        return text.format(**kw) if kw else text

    def group(self, text: str) -> str:
        return f"{self.esc(self.w['open'])}{text}{self.esc(self.w['close'])}"

    def name(self, name: str) -> str:
        f, lang = self.f, self.lang
        if name in f.extra:
            return f.extra[name][(lang, self.html)]
        label = f.label(name, lang)
        if label:
            return self.esc(label)
        if name == "today":
            return self.esc(self.w["today"])
        if name in ("state", "event"):
            return self.esc(self.w[name]) if lang == "ja" else self.ident(name)
        if name == "FOREVER":
            return self.esc(self.w["unset"])
        if name.startswith(NEXT) and name != NEXT:
            return self.w["next"].format(self.name(name[len(NEXT):]))
        if name.startswith(MOMENT_PREFIX) and name[len(MOMENT_PREFIX):] in f.spec.events:
            ev = name[len(MOMENT_PREFIX):]
            shown = f.spec.events[ev].ja if lang == "ja" else ev
            return self.w["passed"].format(self.esc(shown) if lang == "ja" else self.ident(shown))
        return self.ident(name)

    def const(self, c: Const) -> str:
        v, t = c.value, c.type
        if v is None:
            return self.esc(self.w["unset"])
        if t.kind == "bool":
            return self.esc(self.w["true" if v else "false"])
        if t.kind == "date":
            if self.f.forever is not None and v >= self.f.forever:
                return self.esc(self.w["unset"])
            return dt.date.fromordinal(v).isoformat()
        if t.kind == "enum":
            return self.enum_value(t.enum, v)
        return self.esc(f"{v:,}" if isinstance(v, int) and abs(v) >= 10000 else str(v))

    def enum_value(self, enum: str | None, v: object) -> str:
        label = self.f.value_label(enum, v, self.lang)
        if label:
            return self.esc(f"「{label}」")
        if self.lang == "ja" and any(ch.isdigit() for ch in str(v)) and str(v)[:1].isdigit():
            return self.esc(f"「{v}」")  # a citation such as 17-1(2)
        return self.ident(f'"{v}"' if self.lang == "en" else str(v))

    def is_forever(self, e: Expr) -> bool:
        if isinstance(e, Name) and e.name == "FOREVER":
            return True
        return isinstance(e, Const) and e.type.kind == "date" and self.f.forever is not None \
            and isinstance(e.value, int) and e.value >= self.f.forever

    # -- expressions ---------------------------------------------------------------------------

    def sub(self, e: Expr) -> str:
        """An operand of a logical operator: bracketed when it is itself compound."""
        text = self.expr(e)
        return self.group(text) if _compound(e) or (isinstance(e, Name) and e.name in self.f.grouped) else text

    def arith_sub(self, e: Expr, min_precedence: int) -> str:
        text = self.expr(e)
        if _compound(e):
            return self.group(text)
        return f"({text})" if e.precedence < min_precedence else text

    def expr(self, e: Expr) -> str:  # noqa: C901 - one case a node kind
        w = self.w
        if isinstance(e, Name):
            return self.name(e.name)
        if isinstance(e, Const):
            return self.const(e)
        if isinstance(e, BoolOp):
            implied = self.implication(e)
            if implied is not None:
                a, b = implied
                return self.word("implies", a=self.sub(a), b=self.sub(b))
            return self.esc(w[e.op]).join(self.sub(v) for v in e.values)
        if isinstance(e, Not):
            inner = e.operand
            atomic = isinstance(inner, Name | Const | Call)
            text = self.expr(inner) if atomic else self.group(self.expr(inner))
            if self.lang == "ja" and isinstance(inner, Name) and text.endswith(_PREDICATE_ENDS):
                return f"「{text}」に該当しない"  # 「解除の意思表示がされた」ではない reads badly
            return self.word("not").format(text)
        if isinstance(e, IfElse):
            return self.word("if", c=self.sub(e.cond), a=self.sub(e.then), b=self.sub(e.other))
        if isinstance(e, Compare):
            if len(e.ops) == 1 and e.ops[0] in ("==", "!=") and self.is_forever(e.operands[1]):
                key = "is_unset" if e.ops[0] == "==" else "is_set"
                return self.word(key).format(self.arith_sub(e.operands[0], 5))
            if len(e.ops) == 1 and e.ops[0] in ("==", "!=") and e.operands[1].type.kind == "enum" \
                    and isinstance(e.operands[1], Const) and self.lang == "ja":
                key = "in1" if e.ops[0] == "==" else "not_in1"
                return self.word(key, x=self.arith_sub(e.operands[0], 5), v=self.expr(e.operands[1]))
            parts = [self.arith_sub(e.operands[0], 5)]
            for op, o in zip(e.ops, e.operands[1:], strict=True):
                parts += [self.esc(_CMP[op]), self.arith_sub(o, 5)]
            return " ".join(parts)
        if isinstance(e, Member):
            values = [self.enum_value(e.operand.type.enum, o) if e.operand.type.kind == "enum" else self.esc(str(o))
                      for o in e.options]  # fmt: skip
            one = len(values) == 1
            key = ("not_in1" if one else "not_in") if e.negated else ("in1" if one else "in")
            return self.word(key, x=self.arith_sub(e.operand, 5), v=self.esc(w["sep"]).join(values))
        if isinstance(e, IsNone):
            return self.word("is_set" if e.negated else "is_unset").format(self.arith_sub(e.operand, 5))
        if isinstance(e, Arith):
            if e.op == "//":
                return f"⌊{self.arith_sub(e.left, 6)} ÷ {self.arith_sub(e.right, 7)}⌋"
            symbol = {"*": "×", "%": "mod"}.get(e.op, e.op)
            p = e.precedence
            return f"{self.arith_sub(e.left, p)} {self.esc(symbol)} {self.arith_sub(e.right, p + 1)}"
        if isinstance(e, Neg):
            return "-" + self.arith_sub(e.operand, 7)
        if isinstance(e, Call):
            return self.call(e)
        return self.ident(e.text)

    def call(self, e: Call) -> str:
        args = [self.sub(a) for a in e.args]
        if e.func == "abs":
            return f"|{args[0]}|"
        if self.lang == "ja" and e.func in _FUNCS_JA:
            bracket = [a if isinstance(x, Name | Const | Call) or _compound(x) else self.group(a)
                       for a, x in zip(args, e.args, strict=True)]  # fmt: skip
            return _FUNCS_JA[e.func].format(*bracket)
        if self.lang == "ja" and e.func in ("min", "max"):
            which = "小さい方" if e.func == "min" else "大きい方"
            if len(args) > 2:
                which = "最小のもの" if e.func == "min" else "最大のもの"
            shown = [self.arith_sub(x, 6) for x in e.args]  # a sum or difference in (…)
            return self.group(f"{self.esc('、').join(shown)}のうち{which}")
        return f"{self.ident(e.func)}({', '.join(args)})"

    def implication(self, e: BoolOp) -> tuple[Expr, Expr] | None:
        """`not A or B …` read as `A ⇒ (B or …)`: (A, B …) or None."""
        if e.op != "or" or len(e.values) < 2 or not isinstance(e.values[0], Not):
            return None
        rest = e.values[1:]
        then = rest[0] if len(rest) == 1 else BoolOp(rest[0].type, "", 0, "or", tuple(rest))
        return e.values[0].operand, then

    # -- the nested-list form ------------------------------------------------------------------

    def tree(self, e: Expr) -> str:
        item: Callable[[Expr], str] = lambda x: f"<li>{self.tree(x)}</li>"  # noqa: E731
        if isinstance(e, BoolOp):
            implied = self.implication(e)
            if implied is not None:
                a, b = implied
                return (f'<div class="f-if"><span class="f-head">{self.esc(self.w["when"])}</span>'
                        f'<div class="f-body">{self.tree(a)}</div>'
                        f'<span class="f-head">{self.esc(self.w["then"])}</span>'
                        f'<div class="f-body">{self.tree(b)}</div></div>')  # fmt: skip
            head = self.w["all" if e.op == "and" else "any"]
            items = "".join(item(v) for v in e.values)
            return f'<div class="f-group"><span class="f-head">{self.esc(head)}</span><ul>{items}</ul></div>'
        if isinstance(e, Not) and isinstance(e.operand, BoolOp) and self.implication(e.operand) is None:
            head = self.w["not_all" if e.operand.op == "and" else "none"]
            items = "".join(item(v) for v in e.operand.values)
            return f'<div class="f-group"><span class="f-head">{self.esc(head)}</span><ul>{items}</ul></div>'
        return f'<span class="f-leaf">{self.expr(e)}</span>'
