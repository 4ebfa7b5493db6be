"""Readable text for the spec's guards and effects, as a reviewer reads them.

The spec keeps each expression as written (`Expr.source`, with derived names such as
`within_minimum_term`) and as loaded (derived names expanded). A reviewer reads the
written form better, so it is parsed here again with the derived names typed as names
of their own (record and set syntax read by `Quantifiers`) and rendered by `Formula`:
grouping explicit, names by their Japanese names. When anything fails, the text as
written is shown instead (in HTML marked as a name).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from yakkan.model.expr import BOOL, DATE, Expr, Type, enum_type, parse_effect, parse_expr
from yakkan.model.spec import EVENT_ENUM, MOMENT_PREFIX, STATE_ENUM, Clause, Spec, TransitionDef

from .formula import Formula
from .quantifiers import Quantifiers

_LOOP = re.compile(r"^\s*for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\s*:\s*(.+)$", re.S)
_ASSIGN = re.compile(r"^\s*(.+?)\s*([+-]?=)(?!=)\s*(.+?)\s*$", re.S)
_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$", re.S)


class Readable:
    """Renders one spec's expressions and effects in `ja` or `en`."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._base = self._base_env()
        self.formula = Formula(spec)
        self.quant = Quantifiers(self)

    # -- environments ----------------------------------------------------------------------

    def _base_env(self) -> dict[str, Type]:
        spec = self.spec
        env: dict[str, Type] = {n: DATE for n in spec.constants}
        env.update({n: p.type for n, p in spec.parameters.items()})
        env.update({n: v.type for n, v in spec.variables.items()})
        env["today"] = DATE
        env["state"] = enum_type(STATE_ENUM)
        env["event"] = enum_type(EVENT_ENUM)
        for name, e in spec.events.items():  # lemmas: that calendar event's moment of the day is past
            if e.by == "calendar":
                env[MOMENT_PREFIX + name] = BOOL
        pending = dict(spec.derived)
        for _ in range(len(pending) + 1):  # derived names may use each other
            for name, text in list(pending.items()):
                try:
                    env[name] = parse_expr(text, env, spec.enums).type
                except Exception:  # noqa: BLE001 - a name not typed yet, try again
                    continue
                del pending[name]
        for name in pending:  # written with record syntax: the loaded (expanded) form has the type
            if name in spec.derived_exprs:
                env[name] = spec.derived_exprs[name].type
        return env

    def env_for(self, event: str | None) -> dict[str, Type]:
        """Names usable in a guard or effect of `event` (None: every name of a step property)."""
        env = dict(self._base)
        if event and event in self.spec.events:
            env.update({a.expr_name: a.type for a in self.spec.events[event].args})
        elif event is None:
            env.update(self._step_names)
        return env

    @property
    def _step_names(self) -> dict[str, Type]:
        """`next_` names and the event arguments a step property may use (one type each)."""
        out: dict[str, Type] = {}
        for name in (*self.spec.variables, *self.spec.derived, "state"):
            if name in self._base:
                out[f"next_{name}"] = self._base[name]
        seen: dict[str, Type | None] = {}
        for ev in self.spec.events.values():
            for a in ev.args:
                prev = seen.get(a.expr_name, a.type)
                seen[a.expr_name] = a.type if prev == a.type else None
        out.update({n: t for n, t in seen.items() if t is not None})
        return out

    # -- rendering ---------------------------------------------------------------------------

    def parse(self, text: str, event: str | None = None) -> Expr | None:
        """`text` (an expression as written) parsed, record and set syntax read by
        `Quantifiers`; None when it cannot be read here."""
        try:
            return parse_expr(self.quant.rewrite(text, event), self.env_for(event) | self.quant.env, self.spec.enums)
        except Exception:  # noqa: BLE001 - the caller shows the text as written
            return None

    def expr(self, text: str, lang: str, event: str | None = None) -> str:
        """`text` (an expression as written) rendered in `lang`; the text itself on failure."""
        e = self.parse(text, event)
        return text if e is None else self.formula.text(e, lang)

    def expr_html(self, text: str, lang: str, event: str | None = None, tree: bool = False) -> Markup:
        """As `expr`, in HTML (names without a Japanese name marked); `tree`: nested lists."""
        e = self.parse(text, event)
        if e is None:
            return Markup('<code class="name">{}</code>').format(text)
        return self.formula.tree(e, lang) if tree else self.formula.html(e, lang)

    def clause(self, clause: Clause, lang: str, event: str | None = None) -> str:
        return self.expr(_source(clause.expr), lang, event)

    def clause_html(self, clause: Clause, lang: str, event: str | None = None, tree: bool = False) -> Markup:
        return self.expr_html(_source(clause.expr), lang, event, tree)

    def effect(self, text: str, lang: str, event: str | None = None, html: bool = False) -> str:
        """One effect as written: `x = e` as 「x ← e」, a procedure call as 「名前（e）」."""
        loop = _LOOP.match(text)
        if loop:  # `for g in a_set: record[g].field = …`: each of the set's grounds
            var, over, body = loop.groups()
            inner = self.effect(self.quant.loop_body(body, var), lang, event, html)
            head = (f"{self.quant.set_name(over, lang)}のそれぞれについて：" if lang == "ja"
                    else f"for each {var} in {over}: ")  # fmt: skip
            return (Markup(escape(head)) + inner) if html else head + inner
        call = _CALL.match(text)
        if call and call.group(1) in self.spec.procedures:
            arg = call.group(2).strip()
            return self.formula.call(call.group(1), self.parse(arg, event) if arg else None, lang, html)
        try:
            env = self.env_for(event)
            assignable = [n for n in self.spec.variables]
            return self.formula.effect(parse_effect(text, env, self.spec.enums, assignable), lang, html)
        except Exception:  # noqa: BLE001 - record syntax (or else): read its two sides, or show it as written
            pass
        target, op, value = _ASSIGN.match(text).groups() if _ASSIGN.match(text) else (None, None, None)
        rhs = self.parse(value, event) if value is not None else None
        lhs = self.parse(target, event) if target is not None else None
        if lhs is None or rhs is None:
            return Markup('<code class="name">{}</code>').format(text) if html else text
        render = self.formula.html if html else self.formula.text
        left, right = str(render(lhs, lang)), str(render(rhs, lang))
        if op != "=":
            right = f"{left} {op[0]} {right}"
        out = f"{left} ← {right}"
        return Markup(out) if html else out

    def guard(self, t: TransitionDef, lang: str, limit: int = 0) -> str:
        """All clauses of `t`'s guard joined with ∧; with `limit`, a count when too long."""
        parts = [self.clause(c, lang, t.event) for c in t.guard]
        text = " ∧ ".join(f"({p})" if " " in p and len(parts) > 1 else p for p in parts)
        if limit and len(text) > limit:
            arts = ", ".join(dict.fromkeys(a for c in t.guard for a in c.articles))
            n = len(parts)
            if lang == "ja":
                return f"条件{n}件 ({arts})" if n > 1 else shorten(text, limit)
            return f"{n} conditions ({arts})" if n > 1 else shorten(text, limit)
        return text


def _source(expr: Expr) -> str:
    return str(getattr(expr, "source", None) or expr.text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (whole text when short enough)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace view (CJK characters count 2)."""
    return sum(2 if _wide(c) else 1 for c in text)


def pack(items: list[str], width: int, sep: str = " · ") -> list[str]:
    """`items` joined with `sep` into lines of about `width` columns, never splitting one."""
    lines: list[str] = []
    cur = ""
    for item in items:
        candidate = f"{cur}{sep}{item}" if cur else item
        if cur and display_width(candidate) > width:
            lines.append(cur)
            cur = item
        else:
            cur = candidate
    if cur:
        lines.append(cur)
    return lines


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns (CJK characters count 2), broken at a
    space or, in Japanese, after 、。）and between characters when a run is too long."""
    lines: list[str] = []
    cur = ""
    for ch in " ".join(text.split()):
        if display_width(cur + ch) > width:
            cut = max(cur.rfind(" "), *(cur.rfind(p) + 1 for p in "、。）"))
            if cut <= 0 or cut < len(cur) // 2:
                cut = len(cur)
            lines.append(cur[:cut].rstrip())
            cur = cur[cut:].lstrip()
        cur += ch
    if cur.strip():
        lines.append(cur.strip())
    return lines
