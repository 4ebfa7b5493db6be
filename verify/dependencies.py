"""What a property's verdict depends on: its dependency fingerprint (issue 14 §5).

A verdict is about the transition system the spec describes and the property's formula.
It stays valid after an edit that cannot change what the property sees of that system:

* documentation — every ``ja:`` and ``doc:`` text, the sections the verifier never reads
  (``interpretations``, ``out_of_scope``, ``limitations``, ``names_ja``, ``reread``,
  ``retired``), the
  other properties, the terms text beside the spec (its citations are checked when the
  spec is loaded, which every run that is not a whole-folder cache hit does);
* the default of a ``scope: terms`` parameter the property cannot read
  (:func:`parameters_read`) — ``figures_as_written`` reads the default of every
  parameter that quotes the terms (``written:``), and the terms text;
* the default of every ``scope: contract`` parameter: a proof holds for every value of
  the parameter in its domain, the default is only where a counterexample's story starts
  from (``realistic.py``). A verdict with a story or a scenario is therefore reused only
  when its fingerprint with every default (``every_parameter``) is unchanged too.

Everything else is hashed as written (the states, events, transitions, calendar, lemmas,
the examples' and the property's witness scenarios' files): when unsure, included.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from yakkan.model.spec import FIGURES_AS_WRITTEN, PropertyDef, Spec

DOC_SECTIONS = frozenset({"interpretations", "out_of_scope", "limitations", "names_ja", "reread", "retired"})
DOC_KEYS = frozenset({"ja", "doc"})
NEXT = "next_"


def _names(e: Any) -> set[str]:
    return set(e.names()) if e is not None else set()


def parameters_read(spec: Spec, prop: PropertyDef, base: frozenset[str] | None = None) -> frozenset[str]:
    """The parameters (and constants) whose value can change what ``prop`` sees.

    A name is read when it occurs in the property's formulas, in any guard clause of any
    transition (guards decide which steps exist, and so the state), in a calendar event's
    ``at``, in ``time_advance``, in any lemma — or in an effect (or a variable's ``init``)
    that assigns a variable already read, to a fixed point. Derived names are expanded
    where they are used and procedures inlined into the effects, so they are followed too.
    A variable outside this set never flows into one inside it, nor into a guard: every
    history's steps and its values of the read names are the same whatever the unread
    parameters are. ``base``: :func:`read_by_every_property` of ``spec``, if known.
    """
    read = set(base if base is not None else read_by_every_property(spec))
    for e in (prop.formula, prop.trigger, prop.response):
        read |= {n[len(NEXT):] if n.startswith(NEXT) else n for n in _names(e)} | _names(e)
    return frozenset(_closure(spec, read, done=base) & (set(spec.parameters) | set(spec.constants)))


def read_by_every_property(spec: Spec) -> frozenset[str]:
    """The names every check reads: the state, the day, the guards, the calendar's dates,
    time_advance and the lemmas, with what they are computed from."""
    read = {"state", "today"}
    for t in spec.transitions:
        for c in t.guard:
            read |= _names(c.expr)
    for cal in spec.calendar_events:
        read |= _names(cal.at)
    for a in spec.time_advance:
        read |= _names(a.value) | {a.target}
    for lemma in spec.lemmas.values():
        read |= _names(lemma.holds) | _names(lemma.when)
    return frozenset(_closure(spec, read))


def _closure(spec: Spec, read: set[str], done: frozenset[str] | None = None) -> set[str]:
    """``read`` with every name an assignment to (or the ``init`` of) a read variable reads.
    ``done``: a part of ``read`` already closed (its names' reads are in it)."""
    feeds = _feeds(spec)
    out = set(read)
    todo = [n for n in read if done is None or n not in done]
    while todo:
        for m in feeds.get(todo.pop(), ()):
            if m not in out:
                out.add(m)
                todo.append(m)
    return out


_FEEDS: dict[int, tuple[Spec, dict[str, frozenset[str]]]] = {}


def _feeds(spec: Spec) -> dict[str, frozenset[str]]:
    """For each name, what the assignments to it and its ``init`` read (made once per spec)."""
    known = _FEEDS.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    feeds: dict[str, set[str]] = {}
    for a in [*spec.time_advance, *(a for t in spec.transitions for a in t.effects)]:
        feeds.setdefault(a.target, set()).update(_names(a.value))
    for name, v in spec.variables.items():
        feeds.setdefault(name, set()).update(_names(v.init))
    _FEEDS.clear()
    _FEEDS[id(spec)] = (spec, {k: frozenset(v) for k, v in feeds.items()})
    return _FEEDS[id(spec)][1]


def _plain(node: Any) -> Any:
    """A YAML tree as JSON data, without documentation texts."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items() if str(k) not in DOC_KEYS}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    if isinstance(node, bool | int | float | str) or node is None:
        return node
    return str(node)


class Fingerprints:
    """The dependency fingerprints of one spec's properties."""

    def __init__(self, spec: Spec, doc: Any = None) -> None:
        """``doc``: the spec's YAML document as `load_spec_document` checked it (else read)."""
        from yakkan.model.limits import read_input_bytes
        from yakkan.model.yamlio import read_yaml

        self.spec = spec
        folder = Path(spec.path).parent
        raw = doc if doc is not None else read_yaml(Path(spec.path))
        self.base = read_by_every_property(spec)
        self.tree = {k: _plain(v) for k, v in raw.items() if str(k) not in DOC_SECTIONS and str(k) != "properties"}
        self.properties = {str(k): v for k, v in raw.get("properties", {}).items()}
        self.files = {str(p): read_input_bytes(folder / p).decode("utf-8", "replace") for p in spec.examples}
        self.folder = folder

    def _own(self, pid: str) -> dict[str, Any]:
        return {str(k): _plain(v) for k, v in self.properties[pid].items() if str(k) not in ("ja", "reviewer")}

    def own(self, pid: str) -> str:
        """The fingerprint of the property's own entry (its formula, kind, expectation,
        witness file name…): the same property, whatever the rest of the spec is."""
        text = json.dumps([pid, self._own(pid)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def of(self, pid: str, every_parameter: bool = False) -> str:
        """The fingerprint of ``pid``'s verdict. ``every_parameter``: with every parameter's
        default (what a counterexample's story and figures are written with)."""
        from yakkan.model.limits import read_input_bytes

        prop = self.spec.properties[pid]
        parameters = self.tree.get("parameters", {})
        # the figures the terms write are read from the terms text, against the default of
        # every parameter that quotes them
        figures = prop.check == FIGURES_AS_WRITTEN  # (only a structural property has a check)
        if not every_parameter:
            read = parameters_read(self.spec, prop, self.base) if not figures else \
                frozenset(n for n, p in self.spec.parameters.items() if p.written is not None)
            scope = {name: p.scope for name, p in self.spec.parameters.items()}
            parameters = {
                name: ({k: v for k, v in p.items() if k != "default"}
                       if isinstance(p, dict) and (scope.get(name) == "contract" or name not in read) else p)
                for name, p in parameters.items()
            }  # fmt: skip
        witness = read_input_bytes(self.folder / prop.witness).decode("utf-8", "replace") if prop.witness else None
        data = {"parameters": parameters, "property": [pid, self._own(pid)], "witness": witness}
        if figures:
            data["terms"] = read_input_bytes(self.spec.terms_path).decode("utf-8", "replace")
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256((self._common + text).encode()).hexdigest()[:20]

    @cached_property
    def _common(self) -> str:
        """What every property's fingerprint holds (the spec but its parameters, the
        examples' files), as text once."""
        tree = {k: v for k, v in self.tree.items() if k != "parameters"}
        return json.dumps({"spec": tree, "examples": self.files}, ensure_ascii=False, sort_keys=True) + "\n"
