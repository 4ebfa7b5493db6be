"""Reviewing a change of the terms: what changed between two versions of a spec.

`diff_specs(old, new)` compares two loaded specs element by element — the terms text
article by article, parameters, states, events, transitions (guards and effects as
written), interpretations, properties and the out-of-scope list — and returns the
changes as data a reviewer reads (and `yakkan review` prints). Which verdicts flip and
what the change costs come from the verifier and the simulator run on both versions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section, "element": self.element, "kind": self.kind,
            "before": self.before, "after": self.after, "articles": list(self.articles),
        }  # fmt: skip


def _diff_mapping(
    section: str, old: Mapping[str, Any], new: Mapping[str, Any], show: Callable[[Any], str],
    articles: Callable[[Any], Iterable[str]] = lambda e: getattr(e, "articles", ()),
) -> list[Change]:  # fmt: skip
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is None:
            out.append(Change(section, str(key), "added", after=show(b), articles=tuple(articles(b))))
        elif b is None:
            out.append(Change(section, str(key), "removed", before=show(a), articles=tuple(articles(a))))
        elif show(a) != show(b):
            arts = tuple(dict.fromkeys([*articles(a), *articles(b)]))
            out.append(Change(section, str(key), "changed", before=show(a), after=show(b), articles=arts))
    return out


def _transition_text(t: Any) -> str:
    guard = " and ".join(f"({getattr(c.expr, 'source', c.expr.text)})" for c in t.guard)
    effects = "; ".join(t.effect_texts)
    return (f"{', '.join(t.source_spec)} --{t.event}" + (f" [{guard}]" if guard else "")
            + (f" / {effects}" if effects else "") + f"--> {t.target or 'same'}")  # fmt: skip


def _property_text(p: Any) -> str:
    return f"{p.kind} {p.text} (expect {p.expect})"


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


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every change from `old` to `new`, section by section."""
    changes = diff_terms(old, new)
    changes += _diff_mapping("parameters", old.parameters, new.parameters,
                             lambda p: f"{p.type.label} = {p.default} ({p.scope})")  # fmt: skip
    changes += _diff_mapping("states", old.states, new.states, lambda s: f"{s.ja} / {s.en}, final={s.final}")
    changes += _diff_mapping("events", old.events, new.events,
                             lambda e: f"by {e.by}({', '.join(a.name for a in e.args)})")  # fmt: skip
    changes += _diff_mapping("transitions", {t.id: t for t in old.transitions},
                             {t.id: t for t in new.transitions}, _transition_text)  # fmt: skip
    changes += _diff_mapping("derived", old.derived, new.derived, str, lambda _: ())
    changes += _diff_mapping("procedures", old.procedures, new.procedures, lambda p: "; ".join(p.body))
    changes += _diff_mapping("interpretations", old.interpretations, new.interpretations, lambda i: i.text)
    changes += _diff_mapping("properties", old.properties, new.properties, _property_text)
    changes += _diff_mapping("lemmas", old.lemmas, new.lemmas,
                             lambda x: f"{x.when_text} → {x.holds_text}" if x.when_text else x.holds_text)  # fmt: skip
    changes += _diff_mapping("out_of_scope", {str(k): v for k, v in old.out_of_scope.items()},
                             {str(k): v for k, v in new.out_of_scope.items()}, str, lambda _: ())  # fmt: skip
    return changes


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
