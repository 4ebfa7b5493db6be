"""Reviewing a change of the terms: what changed between two versions of a spec.

`diff_model(old, new)` compares two loaded specs section by section (meta, enums, sets,
records, constants, parameters, derived, variables, procedures, time_advance, states,
events, transitions with their guard clauses and rule texts, interpretations, properties,
lemmas, out of scope, limitations, and any element whose texts alone changed), each change
with its articles and, where the element has one, its Japanese form; `diff_profiles` the
behaviour profiles; `diff_specs` the terms text article by article and the model. The
report (`yakkan review`) puts these beside the redline (redline.py), the staleness
(staleness.py), the verdicts (verdicts.py) and the money (money.py): review_data.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model.spec import Spec

from .structure import load_terms


@dataclass(frozen=True)
class Change:
    """One change: `kind` is added, removed or changed; `element` names it."""

    section: str
    element: str
    kind: str
    before: str = ""
    after: str = ""
    articles: tuple[str, ...] = ()
    before_ja: str = ""  # the Japanese form where the element has one (a title, a rule text)
    after_ja: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section, "element": self.element, "kind": self.kind,
            "before": self.before, "after": self.after, "articles": list(self.articles),
            "before_ja": self.before_ja, "after_ja": self.after_ja,
        }  # fmt: skip


def _diff_mapping(
    section: str, old: Mapping[str, Any], new: Mapping[str, Any], show: Callable[[Any], str],
    articles: Callable[[Any], Iterable[str]] = lambda e: getattr(e, "articles", ()),
    show_ja: Callable[[Any], str] | None = None,
) -> list[Change]:  # fmt: skip
    ja = show_ja or (lambda _: "")
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is None:
            out.append(Change(section, str(key), "added", after=show(b), articles=tuple(articles(b)),
                              after_ja=ja(b)))  # fmt: skip
        elif b is None:
            out.append(Change(section, str(key), "removed", before=show(a), articles=tuple(articles(a)),
                              before_ja=ja(a)))  # fmt: skip
        elif show(a) != show(b):
            arts = tuple(dict.fromkeys([*articles(a), *articles(b)]))
            out.append(Change(section, str(key), "changed", before=show(a), after=show(b), articles=arts,
                              before_ja=ja(a), after_ja=ja(b)))  # fmt: skip
    return out


def _transition_text(t: Any, ja: bool = False) -> str:
    def clause(c: Any) -> str:
        rule = (c.rule_ja or c.rule) if ja else c.rule
        return f"({getattr(c.expr, 'source', c.expr.text)} — {rule})" if rule else \
            f"({getattr(c.expr, 'source', c.expr.text)})"  # fmt: skip

    guard = " and ".join(clause(c) for c in t.guard)
    effects = "; ".join(t.effect_texts)
    return (f"{', '.join(t.source_spec)} --{t.event}" + (f" [{guard}]" if guard else "")
            + (f" / {effects}" if effects else "") + f"--> {t.target or 'same'}")  # fmt: skip


def _property_text(p: Any) -> str:
    return f"{p.kind} {p.text} (expect {p.expect})"


def _property_ja(p: Any) -> str:
    return f"{p.title_ja or p.title}：{p.kind} {p.text}（期待: {p.expect}）"


def _ja_of(value: Any) -> str:
    """The Japanese texts of a raw element (its `ja:` entry), as one line."""
    if isinstance(value, Mapping) and "ja" in value:
        return _flat(value["ja"])
    return ""


def diff_terms(old: Spec, new: Spec) -> list[Change]:
    """Articles whose Japanese text differs between the two terms texts."""
    a, b = load_terms(old.terms_path), load_terms(new.terms_path)
    old_arts = {x.number: x for x in a.articles}
    new_arts = {x.number: x for x in b.articles}
    out = []
    for n in sorted(set(old_arts) | set(new_arts)):
        x, y = old_arts.get(n), new_arts.get(n)
        if x is None or y is None or x.text() != y.text():
            kind = "added" if x is None else "removed" if y is None else "changed"
            out.append(Change("terms", f"第{n}条", kind, before=x.text() if x else "", after=y.text() if y else "",
                              articles=(str(n),)))  # fmt: skip
    return out


def _raw(spec: Spec) -> dict[str, Any]:
    from yakkan.model.errors import SpecError
    from yakkan.model.yamlio import read_yaml

    doc = read_yaml(spec.path, SpecError)
    return doc if isinstance(doc, dict) else dict(doc)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def _flat(value: Any) -> str:
    """A raw element as one line: `key: value; key: value`, nested values inline."""
    import json

    v = _plain(value)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_flat(x) if isinstance(x, dict | list) else x}" for k, x in v.items())
    return json.dumps(v, ensure_ascii=False) if isinstance(v, list) else str(v)


def _raw_articles(value: Any) -> tuple[str, ...]:
    from .staleness import _articles_in

    return tuple(dict.fromkeys(_articles_in(value))) if isinstance(value, Mapping | list) else ()


# sections compared through the loaded spec (readable forms) and those compared raw
_LOADED = ("parameters", "states", "events", "transitions", "derived", "procedures", "interpretations",
           "properties", "lemmas", "out_of_scope")  # fmt: skip
_RAW = ("meta", "enums", "sets", "records", "constants", "variables", "time_advance", "limitations")


def diff_model(old: Spec, new: Spec) -> list[Change]:
    """Every change of the model, section by section: the loaded spec's readable forms for
    the sections that have them, the raw document for the rest (meta, enums, sets,
    records, constants, variables, time_advance, limitations), and the translations."""
    a, b = _raw(old), _raw(new)
    changes: list[Change] = []
    for section in ("meta", "enums", "sets", "records", "constants"):
        changes += _diff_mapping(section, _plain(a.get(section) or {}), _plain(b.get(section) or {}), _flat,
                                 _raw_articles)  # fmt: skip
    changes += _diff_mapping("parameters", old.parameters, new.parameters,
                             lambda p: f"{p.type.label} = {p.default} ({p.scope})")  # fmt: skip
    changes += _diff_mapping("derived", old.derived, new.derived, str, lambda _: ())
    changes += _diff_mapping("variables", _plain(a.get("variables") or {}), _plain(b.get("variables") or {}), _flat,
                             _raw_articles)  # fmt: skip
    changes += _diff_mapping("procedures", old.procedures, new.procedures, lambda p: "; ".join(p.body))
    changes += _diff_mapping("time_advance", {"effects": _plain(a.get("time_advance") or {})},
                             {"effects": _plain(b.get("time_advance") or {})}, _flat, _raw_articles)  # fmt: skip
    changes += _diff_mapping("states", old.states, new.states, lambda s: f"{s.ja} / {s.en}, final={s.final}")
    changes += _diff_mapping("events", old.events, new.events,
                             lambda e: f"by {e.by}({', '.join(a.name for a in e.args)})")  # fmt: skip
    changes += _diff_mapping("transitions", {t.id: t for t in old.transitions},
                             {t.id: t for t in new.transitions}, _transition_text,
                             show_ja=lambda t: _transition_text(t, ja=True))  # fmt: skip
    changes += _diff_mapping("interpretations", old.interpretations, new.interpretations, lambda i: i.text,
                             show_ja=lambda i: f"{i.title_ja}：{i.text_ja}" if i.text_ja else "")  # fmt: skip
    changes += _diff_mapping("properties", old.properties, new.properties, _property_text, show_ja=_property_ja)
    changes += _diff_mapping("lemmas", old.lemmas, new.lemmas,
                             lambda x: f"{x.when_text} → {x.holds_text}" if x.when_text else x.holds_text)  # fmt: skip
    changes += _diff_mapping("out_of_scope", {str(k): (v, old.out_of_scope_ja.get(k, "")) for k, v in
                                              old.out_of_scope.items()},
                             {str(k): (v, new.out_of_scope_ja.get(k, "")) for k, v in new.out_of_scope.items()},
                             lambda v: v[0], lambda _: (), show_ja=lambda v: v[1])  # fmt: skip
    changes += _diff_mapping("limitations", _limitations(a), _limitations(b), lambda x: x.get("text", _flat(x)),
                             _raw_articles, show_ja=lambda x: x.get("ja", ""))  # fmt: skip
    changes += _diff_texts(a, b, {(c.section, c.element) for c in changes})
    return changes


def _limitations(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Limitations keyed by their articles (a list has no names): `8-1, 11-2` or `#3`."""
    out: dict[str, Any] = {}
    for k, x in enumerate(doc.get("limitations") or [], 1):
        key = ", ".join(str(c) for c in x.get("articles", [])) if isinstance(x, Mapping) else ""
        key = key or f"#{k}"
        while key in out:
            key += "'"
        out[key] = _plain(x)
    return out


def _diff_texts(a: Mapping[str, Any], b: Mapping[str, Any], seen: set[tuple[str, str]]) -> list[Change]:
    """Elements whose readable form did not change but whose texts did (a title, a doc, a
    reviewer's note, the rule text of a guard clause, a Japanese translation): the whole
    element as written, before and after."""
    def bodies(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for section in ("parameters", "interpretations", "properties", "lemmas", "events", "states",
                        "procedures", "out_of_scope"):
            out[section] = {str(k): _plain(v) for k, v in (doc.get(section) or {}).items()}
        out["transitions"] = {str(t.get("id")): _plain(t) for t in doc.get("transitions") or []
                              if isinstance(t, Mapping)}
        return out

    x, y = bodies(a), bodies(b)
    changes = []
    for section, old in x.items():
        for name, body in old.items():
            other = y[section].get(name)
            if other is not None and other != body and (section, name) not in seen:
                changes.append(Change(section, name, "changed", before=_flat(body), after=_flat(other),
                                      articles=_raw_articles(other), before_ja=_ja_of(body),
                                      after_ja=_ja_of(other)))  # fmt: skip
    return changes


def diff_profiles(old: Path | None, new: Path | None) -> list[Change]:
    """The behaviour profiles beside each spec, key by key (what `--simulate` runs)."""
    from yakkan.model.errors import InputError
    from yakkan.model.yamlio import read_yaml

    def load(path: Path | None) -> dict[str, Any]:
        if path is None or not path.is_file():
            return {}
        doc = read_yaml(path, InputError)
        return _plain(doc) if isinstance(doc, Mapping) else {}

    a, b = load(old), load(new)
    out: list[Change] = []
    for key in [*a, *(k for k in b if k not in a)]:
        x, y = a.get(key, {}), b.get(key, {})
        if isinstance(x, dict) and isinstance(y, dict):
            out += _diff_mapping(f"profiles.{key}", x, y, _flat, _raw_articles)
        elif x != y:
            out += _diff_mapping("profiles", {key: x} if key in a else {}, {key: y} if key in b else {}, _flat,
                                 lambda _: ())  # fmt: skip
    return out


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every change from `old` to `new`: the terms text article by article, then the model."""
    return diff_terms(old, new) + diff_model(old, new)


def format_changes(changes: list[Change]) -> str:
    """The changes as a reviewer reads them, with a line diff for changed text."""
    if not changes:
        return "no change in the terms text or the model"
    lines = []
    for c in changes:
        arts = f" [{', '.join(c.articles)}]" if c.articles else ""
        lines.append(f"{c.kind:>8}  {c.section}: {c.element}{arts}")
        if c.kind == "changed":
            for d in difflib.ndiff([c.before], [c.after]):
                if d[:1] in "-+?":
                    lines.append(f"          {d.rstrip()}")
        else:
            lines.append(f"          {c.after or c.before}")
    return "\n".join(lines)
