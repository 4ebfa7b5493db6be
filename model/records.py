"""Named sets and records: how a spec states a rule once for a whole group of grounds.

A spec lists the grounds of an article group once, as a **named set** of enum values::

    sets:
      chapter_4_duties: {of: Breach, values: ["21(1)", …, "26"], articles: ["17-1"]}

and keeps one **record** per value of an enum::

    records:
      breach: {per: Breach, fields: {committed: {type: bool, init: "False"},
                                     cure_deadline: {type: date, init: FOREVER}}}

Expressions and effects then read as the rule does:

* ``ground in chapter_4_duties`` — membership in a named set;
* ``breach[ground].committed`` — a field of the record of a ground (any expression of the
  record's enum, or a literal ``breach['23-1(12)'].committed``);
* ``any(breach[g].committed for g in chapter_4_duties)``, ``all(… for g in Breach if …)``
  — a condition over a named set or a whole enum;
* effects ``breach[ground].committed = True`` and
  ``for g in curable_breaches: breach[g].cure_deadline = deadline``.

This module rewrites those forms into the scalar expression language before it is parsed
and type-checked (`yakkan.model.expr`): a record field of one value is one variable of the
contract's state (``breach__23_1_12__committed``), an index by an expression is a choice
among them, a condition over a set is a conjunction or disjunction, and an effect on an
indexed field updates the field of the chosen value only. Every backend — the executable
model, the fast engine, the Z3 encoding — therefore runs the same scalar rules; nothing here
executes the text.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .expr import ExprError

NEXT = "next_"


@dataclass(frozen=True)
class NamedSet:
    """Values of an enum that an article group names together."""

    name: str
    of: str
    values: tuple[str, ...]
    articles: tuple[str, ...] = ()
    doc: str = ""
    doc_ja: str = ""
    line: int | None = None


@dataclass(frozen=True)
class RecordField:
    name: str
    type: str
    init: str
    doc: str = ""
    doc_ja: str = ""


@dataclass(frozen=True)
class Record:
    """One record per value of the enum `per`, with the same fields each."""

    name: str
    per: str
    fields: Mapping[str, RecordField]
    articles: tuple[str, ...] = ()
    doc: str = ""
    doc_ja: str = ""
    line: int | None = None


def slug(value: str) -> str:
    """A value as part of a variable name: '23-1(12)' -> '23_1_12'."""
    return re.sub(r"_+", "_", re.sub(r"[^0-9A-Za-z]", "_", value)).strip("_") or "x"


def field_variable(record: str, value: str, field: str) -> str:
    """The state variable holding `record[value].field`."""
    return f"{record}__{slug(value)}__{field}"


class Rewriter:
    """Rewrites record and set syntax in expression and effect texts into scalar texts."""

    def __init__(self, enums: Mapping[str, Sequence[str]], sets: Mapping[str, NamedSet],
                 records: Mapping[str, Record]) -> None:  # fmt: skip
        self.enums = enums
        self.sets = sets
        self.records = records

    @property
    def active(self) -> bool:
        return bool(self.sets or self.records)

    def mentions(self, text: str) -> bool:
        """Whether `text` may use record or set syntax (cheap test before parsing)."""
        if not self.active:
            return False
        names = set(re.findall(r"[A-Za-z_]\w*", text))
        return bool(names & ({"any", "all"} | set(self.sets) | set(self.records)
                             | {NEXT + r for r in self.records}))  # fmt: skip

    # -- expressions -----------------------------------------------------------------------

    def expr(self, text: str) -> str:
        """`text` (an expression) with record and set syntax rewritten."""
        if not self.mentions(text):
            return text
        tree = _parse(text, "eval")
        return ast.unparse(self._rewrite(tree.body, {}))

    def effects(self, text: str) -> list[str]:
        """`text` (one effect statement, possibly a `for` over a set) as scalar effects."""
        if not self.mentions(text):
            return [text]
        tree = _parse(text, "exec")
        if len(tree.body) != 1:
            raise ExprError("an effect must be exactly one statement; put each effect in its own list entry")
        return [ast.unparse(ast.fix_missing_locations(ast.Module([s], []))) for s in self._statement(tree.body[0], {})]

    def _statement(self, stmt: ast.stmt, bound: dict[str, str]) -> list[ast.stmt]:
        if isinstance(stmt, ast.For):
            if not isinstance(stmt.target, ast.Name) or stmt.orelse or len(stmt.body) != 1:
                raise ExprError("write `for g in SET: one effect` (one effect, no else)")
            out: list[ast.stmt] = []
            for value in self._members(stmt.iter):
                out += self._statement(copy.deepcopy(stmt.body[0]), {**bound, stmt.target.id: value})
            return out
        if isinstance(stmt, ast.Assign | ast.AugAssign):
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
            if isinstance(stmt, ast.Assign) and len(stmt.targets) != 1:
                raise ExprError("assign one variable per effect: 'x = expr'")
            value = self._rewrite(stmt.value, bound)
            field = self._field(target)
            if field is None:
                return [_with(stmt, target, value)]
            record, index, name = field
            index = self._rewrite(index, bound)
            if isinstance(index, ast.Constant):
                return [_with(stmt, self._variable(record, index.value, name, target), value)]
            out = []
            for v in self.enums[self.records[record].per]:
                var = ast.Name(field_variable(record, v, name), ast.Store())
                if isinstance(stmt, ast.AugAssign):
                    new: ast.expr = ast.BinOp(ast.Name(var.id, ast.Load()), stmt.op, value)
                else:
                    new = value
                chosen = ast.IfExp(_equals(index, v), new, ast.Name(var.id, ast.Load()))
                out.append(ast.Assign([var], chosen))
            return out
        if isinstance(stmt, ast.Expr):
            return [ast.Expr(self._rewrite(stmt.value, bound))]
        return [stmt]

    def _field(self, node: ast.AST) -> tuple[str, ast.expr, str] | None:
        """(record, index, field) when `node` is `record[index].field`."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Subscript)):
            return None
        base = node.value.value
        if not isinstance(base, ast.Name):
            return None
        name = base.id[len(NEXT):] if base.id.startswith(NEXT) and base.id[len(NEXT):] in self.records else base.id
        if name not in self.records:
            raise ExprError(f"'{base.id}' is not a record{_one_of(self.records)}")
        record = self.records[name]
        if node.attr not in record.fields:
            raise ExprError(f"record '{name}' has no field '{node.attr}'; fields: {', '.join(record.fields)}")
        prefix = NEXT if base.id != name else ""
        return prefix + name, node.value.slice, node.attr

    def _variable(self, record: str, value: object, field: str, node: ast.AST) -> ast.Name:
        name = record[len(NEXT):] if record.startswith(NEXT) else record
        values = self.enums[self.records[name].per]
        if value not in values:
            raise ExprError(f"'{value}' is not a value of {self.records[name].per} (the keys of record '{name}')")
        prefix = NEXT if record != name else ""
        return ast.Name(prefix + field_variable(name, str(value), field), ast.Load())

    def _members(self, node: ast.AST) -> tuple[str, ...]:
        """The values of a named set or of a whole enum named by `node`."""
        if isinstance(node, ast.Name):
            if node.id in self.sets:
                return self.sets[node.id].values
            if node.id in self.enums:
                return tuple(self.enums[node.id])
        known = [*self.sets, *self.enums]
        raise ExprError(f"'{ast.unparse(node)}' is not a named set or an enum{_one_of(known)}")

    def _rewrite(self, node: ast.expr, bound: dict[str, str]) -> ast.expr:
        """A rewritten copy of `node` (the transformer works in place: never on shared nodes)."""
        return _Rewrite(self, bound).visit(copy.deepcopy(node))


class _Rewrite(ast.NodeTransformer):
    def __init__(self, rewriter: Rewriter, bound: dict[str, str]) -> None:
        self.r = rewriter
        self.bound = bound

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.bound:
            return ast.Constant(self.bound[node.id])
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        field = self.r._field(node)
        if field is None:
            return self.generic_visit(node)
        record, index, name = field
        index = self.visit(index)
        if isinstance(index, ast.Constant):
            return self.r._variable(record, index.value, name, node)
        base = record[len(NEXT):] if record.startswith(NEXT) else record
        prefix = NEXT if record != base else ""
        values = tuple(self.r.enums[self.r.records[base].per])
        return _choose(index, values, lambda v: ast.Name(prefix + field_variable(base, v, name), ast.Load()))

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        node = self.generic_visit(node)
        ops = node.ops
        if len(ops) == 1 and isinstance(ops[0], ast.In | ast.NotIn) and isinstance(node.comparators[0], ast.Name) \
                and node.comparators[0].id in self.r.sets:  # fmt: skip
            values = self.r.sets[node.comparators[0].id].values
            node.comparators = [ast.Tuple([ast.Constant(v) for v in values], ast.Load())]
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if isinstance(node.func, ast.Name) and node.func.id in ("any", "all"):
            if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.GeneratorExp):
                raise ExprError(f"write {node.func.id}(condition for g in SET) over a named set or an enum")
            gen = node.args[0]
            if len(gen.generators) != 1 or not isinstance(gen.generators[0].target, ast.Name):
                raise ExprError(f"{node.func.id}(…) takes one `for g in SET`")
            comp = gen.generators[0]
            parts: list[ast.expr] = []
            for value in self.r._members(comp.iter):
                inner = _Rewrite(self.r, {**self.bound, comp.target.id: value})
                elt = inner.visit(_copy(gen.elt))
                conds = [inner.visit(_copy(c)) for c in comp.ifs]
                if node.func.id == "any":
                    parts.append(ast.BoolOp(ast.And(), [*conds, elt]) if conds else elt)
                else:
                    parts.append(ast.BoolOp(ast.Or(), [ast.UnaryOp(ast.Not(), _and(conds)), elt]) if conds else elt)
            if not parts:
                return ast.Constant(node.func.id == "all")
            return parts[0] if len(parts) == 1 else ast.BoolOp(ast.Or() if node.func.id == "any" else ast.And(), parts)
        return self.generic_visit(node)


def _choose(index: ast.expr, values: tuple[str, ...], leaf) -> ast.expr:
    """`leaf(v)` for the value v that `index` has: a balanced choice (shallow trees)."""
    if len(values) == 1:
        return leaf(values[0])
    half = len(values) // 2
    left, right = values[:half], values[half:]
    test = ast.Compare(_copy(index), [ast.In()], [ast.Tuple([ast.Constant(v) for v in left], ast.Load())])
    return ast.IfExp(test, _choose(index, left, leaf), _choose(index, right, leaf))


def _and(conds: list[ast.expr]) -> ast.expr:
    return conds[0] if len(conds) == 1 else ast.BoolOp(ast.And(), conds)


def _equals(index: ast.expr, value: str) -> ast.expr:
    return ast.Compare(_copy(index), [ast.Eq()], [ast.Constant(value)])


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node), mode="eval").body


def _with(stmt: ast.stmt, target: ast.expr, value: ast.expr) -> ast.stmt:
    if isinstance(stmt, ast.AugAssign):
        return ast.AugAssign(_store(target), stmt.op, value)
    return ast.Assign([_store(target)], value)


def _store(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Name):
        return ast.Name(node.id, ast.Store())
    return node


def _parse(text: str, mode: str) -> ast.AST:
    try:
        return ast.parse(" ".join(text.split()) if mode == "eval" else text.strip(), mode=mode)
    except SyntaxError as exc:
        raise ExprError(f"syntax error: {exc.msg}") from None


def _one_of(names: Sequence[str] | Mapping[str, object]) -> str:
    names = list(names)
    return f" (known: {', '.join(names)})" if names else ""
