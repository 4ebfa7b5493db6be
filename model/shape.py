"""The shape of a spec document: which values are mappings, lists, text or numbers.

Checked on the YAML document before the loader reads it, so that a list where a type
name belongs, or a mapping where an expression belongs, is a SpecError at its line
(`expected text, found a list`) rather than a TypeError deep in the loader. Only the
kinds of values are checked here; unknown keys, names and meanings are the loader's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import SpecError
from .yamlio import line_of

# a shape: "scalar" (text, number, date, bool), "text", "int", "bool", "date", "list:<shape>",
# "names:<shape>" (a mapping from free names to <shape>), ("list"|"names", <shape>), a dict
# of keys to shapes, or one of several: "text|list:text", [shape, shape]
SCALAR, TEXT, INT, BOOL, DATE = "scalar", "text", "int", "bool", "date"
ARTICLES = "list:text"
JA = "names:scalar"

STATE: dict[str, Any] = {"ja": SCALAR, "en": SCALAR, "initial": SCALAR, "final": SCALAR, "articles": ARTICLES}
STATE["states"] = "names:state"
CLAUSE = {"when": TEXT, "rule": SCALAR, "ja": SCALAR, "articles": ARTICLES}
SPEC: dict[str, Any] = {
    "meta": "names:scalar",
    "enums": "names:list:scalar",
    "constants": "names:scalar",
    "parameters": ("names", {"type": TEXT, "default": SCALAR, "scope": SCALAR, "articles": ARTICLES,
                             "doc": SCALAR, "min": INT}),
    "derived": "names:text",
    "variables": ("names", {"type": TEXT, "init": SCALAR, "articles": ARTICLES, "doc": SCALAR, "scratch": SCALAR}),
    "procedures": ("names", {"doc": SCALAR, "articles": ARTICLES, "parameter": TEXT, "body": "list:text"}),
    "time_advance": {"articles": ARTICLES, "effects": "list:text"},
    "states": "names:state",
    "events": ("names", {"by": TEXT, "articles": ARTICLES, "ja": SCALAR, "at": TEXT, "phase": TEXT,
                         "creates": SCALAR,
                         "args": ("names", {"type": TEXT, "default": SCALAR, "min": INT, "name": TEXT})}),
    "transitions": ("list", {"id": SCALAR, "event": SCALAR, "source": "text|list:text", "target": TEXT,
                             "guard": ("list", CLAUSE), "effects": "list:text", "articles": ARTICLES}),
    "interpretations": ("names", {"articles": ARTICLES, "title": SCALAR, "text": SCALAR, "ja": JA}),
    "properties": ("names", {"kind": TEXT, "title": SCALAR, "articles": ARTICLES, "expect": TEXT,
                             "reviewer": SCALAR, "formula": TEXT, "trigger": TEXT, "response": TEXT,
                             "within": {"months": INT, "days": INT}, "check": TEXT, "ja": JA}),
    "lemmas": ("names", {"when": TEXT, "holds": TEXT, "articles": ARTICLES, "doc": SCALAR, "ja": JA}),
    "out_of_scope": ("names", [TEXT, {"en": TEXT, "ja": SCALAR}]),
    "limitations": ("list", {"articles": ARTICLES, "text": SCALAR, "ja": SCALAR}),
    "reread": "names:scalar",
}  # fmt: skip
NAMED = {"state": STATE}
WORDS = {SCALAR: "a single value (text, a number or a date)", TEXT: "text", INT: "a whole number",
         BOOL: "true or false", DATE: "a date"}  # fmt: skip


def check_spec_shape(doc: Any, path: Path | None = None) -> None:
    """Raise SpecError at the first value of the wrong kind in a spec document."""
    if not isinstance(doc, Mapping):
        return
    for section, shape in SPEC.items():
        if section in doc and doc[section] is not None:
            _check(doc[section], shape, section, doc, section, path)


def _fail(what: str, found: Any, where: str, parent: Any, key: Any, path: Path | None) -> None:
    kind = "a list" if isinstance(found, list) else "a mapping" if isinstance(found, Mapping) else \
        "nothing" if found is None else f"{type(found).__name__} {str(found)[:40]!r}"  # fmt: skip
    raise SpecError(f"expected {what} here, found {kind}", path=path, line=line_of(parent, key), where=where,
                    hint=f"write {what} for {where.split('.')[-1]} (see contracts/clara-msp/spec.yaml)")  # fmt: skip


def _is(value: Any, shape: str) -> bool:
    if shape == SCALAR:
        return not isinstance(value, list | Mapping) and value is not None
    if shape == TEXT:
        return isinstance(value, str)
    if shape == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape == BOOL:
        return isinstance(value, bool)
    if shape == DATE:
        return isinstance(value, dt.date)
    raise AssertionError(shape)


def _check(value: Any, shape: Any, where: str, parent: Any, key: Any, path: Path | None) -> None:
    if isinstance(shape, str) and "|" in shape:
        shape = shape.split("|")
    if isinstance(shape, list):  # one of these shapes
        options = shape
        errors = []
        for option in options:
            try:
                _check(value, option, where, parent, key, path)
                return
            except SpecError as exc:
                errors.append(exc)
        raise errors[-1]
    if isinstance(shape, str) and shape in NAMED:
        shape = NAMED[shape]
    if isinstance(shape, str) and shape.startswith(("list:", "names:")):
        kind, _, inner = shape.partition(":")
        shape = (kind if kind == "list" else "names", inner)
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list":
            if not isinstance(value, list):
                _fail("a list", value, where, parent, key, path)
            for i, item in enumerate(value):
                _check(item, inner, f"{where}[{i}]", value, i, path)
        else:
            if not isinstance(value, Mapping):
                _fail("a mapping (name: value)", value, where, parent, key, path)
            for name, item in value.items():
                if isinstance(name, list | Mapping):
                    _fail("a name", name, where, value, None, path)
                _check(item, inner, f"{where}.{name}", value, name, path)
        return
    if isinstance(shape, dict):
        if not isinstance(value, Mapping):
            _fail("a mapping (key: value)", value, where, parent, key, path)
        for k, sub in shape.items():
            if k in value and value[k] is not None:
                _check(value[k], sub, f"{where}.{k}", value, k, path)
        return
    if not _is(value, shape):
        _fail(WORDS[shape], value, where, parent, key, path)
