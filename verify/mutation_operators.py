"""Mutation operators over the spec's own trees (`yakkan mutate`, issue 12 §6).

A mutant is one small edit of the spec document as read (``yamlio.read_yaml``): a guard
clause dropped or negated, a comparison or arithmetic operator swapped, an integer constant
± 1, an effect dropped, a transition sent to another state, a calendar date shifted by a
day or a month. Expressions are never executed: each text is parsed with Python's ``ast``
(as the loader parses it) only to find where its operators and constants are, and the edit
replaces those characters; the loader then checks the edited document like any spec
(``model.spec.load_spec_document``), so a mutant is typed and resolved exactly as the spec.

Each mutant has a stable id (the element, the part and the change: it does not depend on
the rest of the spec) and a one-line description in Japanese and English naming the
element, its articles and the change. The property catalogue (``properties:``) and the
lemmas are never mutated: they are what the mutants are measured against.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("guard-drop", "guard-negate", "comparison", "arithmetic", "constant", "effect-drop", "retarget",
             "calendar")  # fmt: skip
OPERATOR_JA = {
    "guard-drop": "ガード条件の削除", "guard-negate": "ガード条件の否定", "comparison": "比較演算子の置換",
    "arithmetic": "算術演算子の置換", "constant": "整数定数の±1", "effect-drop": "効果（代入）の削除",
    "retarget": "遷移先の変更", "calendar": "暦のずれ（±1日・±1か月）",
}  # fmt: skip
CMP_SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
ARITH_SWAP = {"+": "-", "-": "+", "*": "+", "//": "*", "%": "//"}
_CMP_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
            ast.NotIn: "not in"}  # fmt: skip
_BIN_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%"}
CALENDAR_CALLS = frozenset(("add_months", "month_start", "month_end"))


@dataclass(frozen=True)
class Mutant:
    """One edit of the spec document: ``action`` "set" (``new`` at ``path``/``key``) or
    "delete" (the item ``key`` of the list at ``path``)."""

    id: str
    operator: str
    kind: str  # transition, derived, procedure, time_advance, event, parameter
    name: str  # the element's name (a transition id, a derived name, …)
    part: str  # what of it: "guard clause 2", "effect 1", "target", "at", "default", "" (a derived name)
    articles: tuple[str, ...]
    before: str  # the text changed (a clause, an operator in its context, a target)
    after: str  # what replaces it ("" when dropped)
    path: tuple[Any, ...]
    key: Any
    action: str
    new: Any = None
    line: int | None = None

    def describe(self, lang: str = "en") -> str:
        """One line: the element, its articles and the change."""
        arts = f"（{'、'.join(self.articles)}）" if lang == "ja" else f" ({', '.join(self.articles)})"
        arts = arts if self.articles else ""
        if lang == "ja":
            what = {"transition": "遷移", "derived": "導出量", "procedure": "手続き", "time_advance": "日数経過",
                    "event": "暦のイベント", "parameter": "約款のパラメータ"}[self.kind]  # fmt: skip
            word, _, number = self.part.rpartition(" ") if self.part[-1:].isdigit() else (self.part, "", "")
            part = {"guard clause": "ガード条件", "effect": "効果", "target": "遷移先", "default": "既定値",
                    "at": "発生日", "": ""}[word] + (f" {number}" if number else "")  # fmt: skip
            head = f"{what} {self.name}" if self.kind != "time_advance" else what
            head += f" の{part}" if part else ""
            if self.operator == "guard-drop" or self.operator == "effect-drop":
                return f"{head}を削除{arts}: `{_clip(self.before)}`"
            if self.operator == "guard-negate":
                return f"{head}を否定{arts}: `{_clip(self.before)}`"
            return f"{head}{arts}: `{_clip(self.before)}` → `{_clip(self.after)}`"
        head = f"{self.kind.replace('_', ' ')} {self.name}" if self.kind != "time_advance" else "time_advance"
        head += f" {self.part}" if self.part else ""
        if self.operator in ("guard-drop", "effect-drop"):
            return f"{head} dropped{arts}: `{_clip(self.before)}`"
        if self.operator == "guard-negate":
            return f"{head} negated{arts}: `{_clip(self.before)}`"
        return f"{head}{arts}: `{_clip(self.before)}` → `{_clip(self.after)}`"

    def apply(self, doc: Any) -> Any:
        """Edit ``doc`` in place; returns what ``undo`` needs."""
        box = _walk(doc, self.path)
        old = box[self.key]
        if self.action == "delete":
            del box[self.key]
        else:
            box[self.key] = self.new
        return old

    def undo(self, doc: Any, old: Any) -> None:
        box = _walk(doc, self.path)
        if self.action == "delete":
            box.insert(self.key, old)
        else:
            box[self.key] = old


def _walk(doc: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------------------
# expression sites


@dataclass(frozen=True)
class _Edit:
    operator: str
    tag: str  # the id's part: cmp1, arith2, const3+1, month1-1
    before: str
    after: str
    text: str  # the whole new text


def expression_edits(text: str) -> list[_Edit]:
    """The operator and constant mutants of one expression or effect text, in the order of
    its tree (breadth first): each comparison operator swapped (< ↔ <=, > ↔ >=, == ↔ !=,
    in ↔ not in), each arithmetic operator (+ ↔ -, * → +, // → *, % → //, += ↔ -=), each
    integer constant ± 1 (a month count of add_months/month_start/month_end: a calendar
    shift)."""
    src = text.strip()
    try:
        tree: ast.AST = ast.parse(src, mode="eval")
    except SyntaxError:
        try:
            tree = ast.parse(src, mode="exec")
        except SyntaxError:
            return []
    raw = src.encode("utf-8")
    starts = [0]
    for line in raw.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def pos(lineno: int, col: int) -> int:
        return starts[lineno - 1] + col

    def span(node: ast.AST) -> tuple[int, int]:
        return pos(node.lineno, node.col_offset), pos(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def swap(a: int, b: int, new: bytes) -> str:
        return (raw[:a] + new + raw[b:]).decode("utf-8")

    def seg(a: int, b: int) -> str:
        return raw[a:b].decode("utf-8")

    calendar: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALENDAR_CALLS:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant):
                    calendar.add(id(sub))
    out: list[_Edit] = []
    n = {"cmp": 0, "arith": 0, "const": 0}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for k, op in enumerate(node.ops):
                sym = _CMP_OPS.get(type(op))
                if sym is None:
                    continue
                n["cmp"] += 1
                a, b = span(operands[k])[1], span(operands[k + 1])[0]
                gap = raw[a:b]
                i = gap.find(sym.encode())
                if i < 0:
                    continue
                new_gap = gap[:i] + CMP_SWAP[sym].encode() + gap[i + len(sym) :]
                lo, hi = span(operands[k])[0], span(operands[k + 1])[1]
                new_text = swap(a, b, new_gap)
                out.append(_Edit("comparison", f"cmp{n['cmp']}", seg(lo, hi),
                                 new_text.encode()[lo : hi + len(new_gap) - len(gap)].decode(), new_text))  # fmt: skip
        elif isinstance(node, ast.BinOp | ast.AugAssign):
            sym = _BIN_OPS.get(type(node.op))
            if sym is None:
                continue
            n["arith"] += 1
            left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.target, node.value)
            a, b = span(left)[1], span(right)[0]
            gap = raw[a:b]
            i = gap.find(sym.encode() + (b"=" if isinstance(node, ast.AugAssign) else b""))
            if i < 0:
                continue
            new_sym = ARITH_SWAP[sym] if isinstance(node, ast.BinOp) else {"+": "-", "-": "+"}.get(sym)
            if new_sym is None:
                continue
            new_gap = gap[:i] + new_sym.encode() + gap[i + len(sym) :]
            lo, hi = span(left)[0], span(right)[1]
            new_text = swap(a, b, new_gap)
            out.append(_Edit("arithmetic", f"arith{n['arith']}", seg(lo, hi),
                             new_text.encode()[lo : hi + len(new_gap) - len(gap)].decode(), new_text))  # fmt: skip
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            n["const"] += 1
            a, b = span(node)
            op = "calendar" if id(node) in calendar else "constant"
            for d in (1, -1):
                value = node.value + d
                if value < 0:
                    continue
                new_text = swap(a, b, str(value).encode())
                unit = "month" if op == "calendar" else "const"
                out.append(_Edit(op, f"{unit}{n['const']}{'+' if d > 0 else '-'}1", seg(a, b), str(value), new_text))
    return out


# --------------------------------------------------------------------------------------
# the sites of a spec


def mutants(doc: Mapping[str, Any], spec: Any) -> list[Mutant]:
    """Every mutant of the spec document ``doc`` (as read) of the loaded ``spec``, in the
    document's order; ids are unique."""
    out = list(_mutants(doc, spec))
    seen: set[str] = set()
    for m in out:
        assert m.id not in seen, m.id
        seen.add(m.id)
    return out


def _line(node: Any, key: Any) -> int | None:
    from yakkan.model.yamlio import line_of

    try:
        return line_of(node, key)
    except Exception:  # noqa: BLE001 - a line is a courtesy
        return None


def _expr_mutants(prefix: str, kind: str, name: str, part: str, articles: tuple[str, ...], text: Any,
                  path: tuple[Any, ...], key: Any, line: int | None) -> Iterator[Mutant]:  # fmt: skip
    if not isinstance(text, str):
        return
    for e in expression_edits(text):
        yield Mutant(f"{prefix}.{e.tag}", e.operator, kind, name, part, articles, e.before, e.after, path, key,
                     "set", e.text, line)  # fmt: skip


def _mutants(doc: Mapping[str, Any], spec: Any) -> Iterator[Mutant]:
    leaves = list(spec.leaf_states)
    # transitions: guard clauses, effects, target
    for i, body in enumerate(doc.get("transitions") or []):
        t = spec.transitions[i]
        tid, arts, tline = t.id, tuple(t.articles), _line(doc["transitions"], i)
        for j, clause in enumerate(body.get("guard") or []):
            c = t.guard[j]
            part, carts, path = f"guard clause {j + 1}", tuple(c.articles) or arts, ("transitions", i, "guard")
            cline = _line(body["guard"], j) or tline
            text = str(clause["when"])
            pre = f"transition.{tid}.guard{j + 1}"
            yield Mutant(f"{pre}.drop", "guard-drop", "transition", tid, part, carts, text, "", path, j, "delete",
                         None, cline)  # fmt: skip
            yield Mutant(f"{pre}.negate", "guard-negate", "transition", tid, part, carts, text, f"not ({text})",
                         (*path, j), "when", "set", f"not ({text})", cline)  # fmt: skip
            yield from _expr_mutants(pre, "transition", tid, part, carts, clause["when"], (*path, j), "when", cline)
        for j, text in enumerate(body.get("effects") or []):
            part, path = f"effect {j + 1}", ("transitions", i, "effects")
            eline = _line(body["effects"], j) or tline
            pre = f"transition.{tid}.effect{j + 1}"
            yield Mutant(f"{pre}.drop", "effect-drop", "transition", tid, part, arts, str(text), "", path, j,
                         "delete", None, eline)  # fmt: skip
            yield from _expr_mutants(pre, "transition", tid, part, arts, text, path, j, eline)
        here = t.target
        if any(spec.states[s].final for s in t.sources):
            continue  # a final state allows only `same`: any other target is refused by the loader
        # another target: those the same event leads to elsewhere, and staying put (else
        # the next state of the lifecycle), so that every transition has one or two
        targets = [s for s in leaves if s != here and any(u.event == t.event and u.target == s
                                                          for u in spec.transitions)]  # fmt: skip
        if here is not None:
            targets.append("same")
        if not targets:
            targets.append(leaves[(leaves.index(here) + 1) % len(leaves)] if here in leaves else leaves[0])
        for s in targets:
            yield Mutant(f"transition.{tid}.target.{s}", "retarget", "transition", tid, "target", arts,
                         str(here or "same"), s, ("transitions", i), "target", "set", s, tline)  # fmt: skip
    # derived names (expanded wherever the model reads them)
    derived = doc.get("derived") or {}
    for name, text in derived.items():
        yield from _expr_mutants(f"derived.{name}", "derived", str(name), "", (), text, ("derived",), name,
                                 _line(derived, name))  # fmt: skip
    # procedures: each statement of the body
    for name, body in (doc.get("procedures") or {}).items():
        arts = tuple(spec.procedures[str(name)].articles)
        for j, text in enumerate(body.get("body") or []):
            pre, path, line = f"procedure.{name}.body{j + 1}", ("procedures", name, "body"), _line(body["body"], j)
            yield Mutant(f"{pre}.drop", "effect-drop", "procedure", str(name), f"effect {j + 1}", arts, str(text),
                         "", path, j, "delete", None, line)  # fmt: skip
            yield from _expr_mutants(pre, "procedure", str(name), f"effect {j + 1}", arts, text, path, j, line)
    # time_advance
    ta = doc.get("time_advance") or {}
    arts = tuple(ta.get("articles") or ())
    for j, text in enumerate(ta.get("effects") or []):
        pre, path, line = f"time_advance.effect{j + 1}", ("time_advance", "effects"), _line(ta["effects"], j)
        yield Mutant(f"{pre}.drop", "effect-drop", "time_advance", "", f"effect {j + 1}", arts, str(text), "",
                     path, j, "delete", None, line)  # fmt: skip
        yield from _expr_mutants(pre, "time_advance", "", f"effect {j + 1}", arts, text, path, j, line)
    # calendar events: their date a day earlier or later
    events = doc.get("events") or {}
    for name, body in events.items():
        if not isinstance(body, Mapping) or "at" not in body:
            continue
        e = spec.events[str(name)]
        at = str(body["at"])
        for d, sign in ((1, "+"), (-1, "-")):
            new = f"({at}) {sign} 1"
            yield Mutant(f"event.{name}.at{sign}1d", "calendar", "event", str(name), "at", tuple(e.articles), at,
                         new, ("events", name), "at", "set", new, _line(events, name))  # fmt: skip
            del d
    # the terms' integer parameters (the minimum term, the deposit cap, notice periods, rates)
    params = doc.get("parameters") or {}
    for name, p in spec.parameters.items():
        if p.scope != "terms" or p.type.kind != "int":
            continue
        for d, sign in ((1, "+"), (-1, "-")):
            value = p.default + d
            if value < (p.minimum if p.minimum is not None else 0):  # the loader refuses it
                continue
            op = "calendar" if name.endswith("_months") or name.endswith("_days") else "constant"
            yield Mutant(f"parameter.{name}.default{sign}1", op, "parameter", name, "default", tuple(p.articles),
                         str(p.default), str(value), ("parameters", name), "default", "set", value,
                         _line(params, name))  # fmt: skip
