"""Record and set syntax of the spec's expressions, read for the docs.

The spec writes `breach['37-1'].committed`, `breach[breach_ground].committed` and
`any(breach[g].committed for g in acts_23)`; the loader expands them into scalar variables
(`yakkan.model.records`), which a reader cannot follow. Here each is replaced by a name of
its own whose reading is kept: 「第23条第1項の禁止行為のいずれかについて、違反が是正されず
に残っている」. The rest of the expression is read by `Formula` as usual.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markupsafe import escape

from yakkan.model.expr import BOOL, DATE, INT, BoolOp, IfElse, Type, parse_expr
from yakkan.model.records import field_variable

if TYPE_CHECKING:
    from .readable import Readable

_TYPES = {"bool": BOOL, "date": DATE, "int": INT}
_CONST_INDEX = re.compile(r"\b(next_)?([A-Za-z_]\w*)\['([^']*)'\]\.([A-Za-z_]\w*)")
_NAME_INDEX = re.compile(r"\b(next_)?([A-Za-z_]\w*)\[([A-Za-z_]\w*)\]\.([A-Za-z_]\w*)")
_IN_SET = re.compile(r"\b([A-Za-z_]\w*)\s+(not\s+)?in\s+([A-Za-z_]\w*)\b(?!\s*\()")
_QUANT = re.compile(r"\b(any|all)\(")
_FOR = re.compile(r"^(.*)\sfor\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\s*$", re.S)
_MODES = (("ja", False), ("ja", True), ("en", False), ("en", True))


class Quantifiers:
    """Rewrites one spec's record and set syntax into names the renderer reads."""

    def __init__(self, readable: Readable) -> None:
        self.r = readable
        self.spec = readable.spec
        self.env: dict[str, Type] = {}
        self._n = 0

    def _name(self, typ: Type, readings: dict[tuple[str, bool], str]) -> str:
        """A fresh name standing for a piece of record syntax, with its readings."""
        self._n += 1
        name = f"q__{self._n}"
        self.env[name] = typ
        self.r.formula.extra[name] = readings
        return name

    def _field(self, record: str, field: str, lang: str) -> str:
        f = self.spec.records[record].fields[field]
        if lang == "ja" and f.doc_ja:
            return f.doc_ja.rstrip("。")
        return f"{record}.{field}"

    def _set(self, name: str, lang: str) -> str:
        if name in self.spec.sets:
            doc = self.spec.sets[name].doc_ja
            return doc.split("。")[0] if lang == "ja" and doc else name
        return "各事由" if lang == "ja" else name

    def rewrite(self, text: str, event: str | None) -> str:
        """`text` with its record and set syntax replaced by names of their own."""
        if "[" in text:
            text = self._quantifiers(text, event)  # first: `for g in a_set` is no membership
        text = _IN_SET.sub(lambda m: self._in_set(m, event), text)
        if "[" not in text:
            return text
        text = _CONST_INDEX.sub(self._const_index, text)
        return _NAME_INDEX.sub(lambda m: self._name_index(m, event), text)

    def _in_set(self, m: re.Match[str], event: str | None) -> str:
        """`x in acts_23` (a named set of the spec) as a name read 「xが…に当たる」."""
        x, negated, name = m.group(1), bool(m.group(2)), m.group(3)
        if name not in self.spec.sets:
            return m.group(0)
        readings = {}
        for lang, html in _MODES:
            shown = self.r.formula.label(x, lang) or x
            if lang == "ja":
                text = f"{shown}が「{self._set(name, lang)}」に{'当たらない' if negated else '当たる'}"
            else:
                text = f"{x} {'not in' if negated else 'in'} {name}"
            readings[(lang, html)] = _esc(text, html)
        return self._name(BOOL, readings)

    def _const_index(self, m: re.Match[str]) -> str:
        nxt, record, value, field = m.groups()
        if record not in self.spec.records:
            return m.group(0)
        var = field_variable(record, value, field)
        if var not in self.r.formula.extra:
            self.r.formula.extra[var] = {
                (lang, html): _esc(f"「{value}」：{self._field(record, field, lang)}" if lang == "ja"
                                   else f"{record}['{value}'].{field}", html)
                for lang, html in _MODES}  # fmt: skip
        return (nxt or "") + var

    def _name_index(self, m: re.Match[str], event: str | None) -> str:
        nxt, record, index, field = m.groups()
        if record not in self.spec.records:
            return m.group(0)
        typ = _TYPES.get(self.spec.records[record].fields[field].type, BOOL)
        readings = {}
        for lang, html in _MODES:
            idx = self.r.formula.label(index, lang) or index
            after = ("変更後の" if lang == "ja" else "next ") if nxt else ""
            text = f"{after}{idx}の{self._field(record, field, lang)}" if lang == "ja" \
                else f"{after}{record}[{idx}].{field}"
            readings[(lang, html)] = _esc(text, html)
        return self._name(typ, readings)

    def _quantifiers(self, text: str, event: str | None) -> str:
        while True:
            m = _QUANT.search(text)
            if m is None:
                return text
            start, depth, i = m.end(), 1, m.end()
            while i < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            inner = text[start:i - 1]
            parts = _FOR.match(inner)
            if parts is None:
                return text
            body, var, over = parts.groups()
            name = self._quantified(m.group(1), body, var, over, event)
            text = text[: m.start()] + name + text[i:]

    def loop_body(self, body: str, var: str) -> str:
        """`body` of a loop over `var` with `record[var].field` as names read 「その…」."""
        loop = re.compile(r"\b(next_)?([A-Za-z_]\w*)\[" + re.escape(var) + r"\]\.([A-Za-z_]\w*)")

        def its(m: re.Match[str]) -> str:
            nxt, record, field = m.groups()
            if record not in self.spec.records:
                return m.group(0)
            ftype = self.spec.records[record].fields[field].type
            readings = {(lang, html): _esc(("変更後の" if nxt and lang == "ja" else "next " if nxt else "")
                                           + (self._field(record, field, lang) if lang == "ja"
                                              else f"{record}[{var}].{field}"), html)
                        for lang, html in _MODES}  # fmt: skip
            return self._name(_TYPES.get(ftype, BOOL), readings)

        return loop.sub(its, body)

    def set_name(self, name: str, lang: str) -> str:
        return self._set(name, lang)

    def _quantified(self, kind: str, body: str, var: str, over: str, event: str | None) -> str:
        """`any(body for var in over)` as a name read 「…のいずれかについて、body」."""
        body = self.loop_body(body, var)
        body = re.sub(r"\b" + re.escape(var) + r"\s*(==|!=)\s*([A-Za-z_]\w*)",
                      lambda m: f"{'q_same' if m.group(1) == '==' else 'q_other'}__{m.group(2)}", body)
        for flag in ("q_same", "q_other"):
            for m in re.finditer(flag + r"__([A-Za-z_]\w*)", body):
                shown = {(lang, html): _esc((f"その事由が{self.r.formula.label(m.group(1), lang) or m.group(1)}"
                                             + ("である" if flag == "q_same" else "ではない")) if lang == "ja"
                                            else f"{var} {'=' if flag == 'q_same' else '≠'} {m.group(1)}", html)
                         for lang, html in _MODES}  # fmt: skip
                self.env[m.group(0)] = BOOL
                self.r.formula.extra[m.group(0)] = shown
        expr = parse_expr(self.rewrite(body, event), self.r.env_for(event) | self.env, self.spec.enums)
        readings = {}
        for lang, html in _MODES:
            inner = self.r.formula.html(expr, lang) if html else self.r.formula.text(expr, lang)
            inner = str(inner)
            if isinstance(expr, BoolOp | IfElse):
                inner = _esc("（" if lang == "ja" else "(", html) + inner + _esc("）" if lang == "ja" else ")", html)
            if lang == "ja":
                head = f"{self._set(over, lang)}の{'いずれか' if kind == 'any' else 'すべて'}について、"
                readings[(lang, html)] = _esc(head, html) + inner
            else:
                head = f"{'for some' if kind == 'any' else 'for every'} {var} in {over}: "
                readings[(lang, html)] = _esc(head, html) + inner
        name = self._name(BOOL, readings)
        self.r.formula.grouped.add(name)
        return name


def _esc(text: str, html: bool) -> str:
    return str(escape(text)) if html else text
