"""What a name in a spec may be, checked on the YAML document before the spec is read.

Names become expression identifiers, Z3 symbols, generated Python, HTML anchors and file
names (`P13-counterexample.yaml`), so:

* identifiers (states, events and their arguments, variables, parameters, constants,
  derived quantities, procedures, enumerations) are ASCII: `[A-Za-z_][A-Za-z0-9_]*` — no
  look-alike letters from other scripts (`pаy` with a Cyrillic а), no control characters;
* ids (properties, lemmas, interpretations, transitions, meta.id) are ASCII letters, digits,
  `_` and `-`, starting with a letter — never `../x`;
* no text anywhere holds a control character other than tab and newline (NUL included);
  enum values ("17-1(1)") are citations and otherwise free;
* a parameter's default is at most MAX_YEN (10^12); meta.effective is a date within 1900–2200;
  meta.terms is a path inside the spec's folder (a spec cannot make yakkan read /etc/passwd);
  and a parameter's default is not below its `min`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import InputError, SpecError
from .limits import FIRST_YEAR, LAST_YEAR, MAX_YEN, clip, date_in_range, yen_problem
from .shape import check_spec_shape
from .yamlio import line_of

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# section -> how its keys are checked: IDENTIFIER or SAFE_ID
_KEYED = {
    "enums": IDENTIFIER, "constants": IDENTIFIER, "parameters": IDENTIFIER, "derived": IDENTIFIER,
    "variables": IDENTIFIER, "procedures": IDENTIFIER, "events": IDENTIFIER,
    "interpretations": SAFE_ID, "properties": SAFE_ID, "lemmas": SAFE_ID,
}  # fmt: skip


def is_identifier(name: Any) -> bool:
    """Whether `name` is an ASCII identifier a spec may use as a name."""
    return isinstance(name, str) and IDENTIFIER.fullmatch(name) is not None


def is_safe_id(name: Any) -> bool:
    """Whether `name` is an id that may become part of a file name."""
    return isinstance(name, str) and SAFE_ID.fullmatch(name) is not None


def describe(name: Any) -> str:
    """`name` quoted for a message, with non-ASCII and control characters shown as escapes."""
    text = str(name)
    shown = "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in clip(text, 60))
    return f"'{shown}'"


class _Checker:
    def __init__(self, path: Path | None, error: type[InputError] = SpecError) -> None:
        self.path = path
        self.error = error

    def fail(self, message: str, where: str, node: Any, key: Any = None, hint: str | None = None) -> None:
        raise self.error(message, path=self.path, line=line_of(node, key), where=where, hint=hint)

    def name(self, name: Any, where: str, node: Any, pattern: re.Pattern[str] = IDENTIFIER, key: Any = None) -> None:
        """Fail unless `name` (a key of `node`, or the value at `key`) matches `pattern`."""
        if isinstance(name, str) and pattern.fullmatch(name):
            return
        if pattern is IDENTIFIER:
            what, example = "an ASCII identifier (letters a-z, A-Z, digits and '_', not starting with a digit)", "pay"
        else:
            what, example = "an id of ASCII letters, digits, '_' and '-', starting with a letter", "P01"
        self.fail(f"the name {describe(name)} is not {what}", where, node, name if key is None else key,
                  hint=f"rename it, e.g. {example}; look-alike letters from other scripts (Cyrillic а, "
                  "Greek ο), spaces, '/', '.' and control characters are not allowed in names")  # fmt: skip


def check_spec_document(doc: Any, path: Path | None = None) -> None:
    """Check the names, texts, dates and defaults of a spec document (raises SpecError)."""
    if not isinstance(doc, Mapping):
        return
    check_spec_shape(doc, path)
    c = _Checker(path)
    _check_texts(c, doc, "spec")
    _check_meta(c, doc.get("meta"))
    for section, pattern in _KEYED.items():
        node = doc.get(section)
        if isinstance(node, Mapping):
            for key in node:
                c.name(key, f"{section}.{key}" if isinstance(key, str) else section, node, pattern)
    _check_states(c, doc.get("states"), "states")
    _check_events(c, doc.get("events"))
    _check_transitions(c, doc.get("transitions"))
    _check_parameters(c, doc.get("parameters"))


def check_texts(doc: Any, path: Path | None, error: type[InputError], where: str) -> None:
    """No key or text of a scenario or profiles document holds a control character (which
    would reach a terminal or a CI log as an escape sequence)."""
    _check_texts(_Checker(path, error), doc, where)


def _check_texts(c: _Checker, node: Any, where: str) -> None:
    """No key or text holds a control character (tab and newline are allowed)."""
    for text, parent, key, place in _strings(node, where):
        m = _CONTROL.search(text)
        if m:
            c.fail(f"the text {describe(text)} holds the control character U+{ord(m.group()):04X}", place, parent,
                   key, hint="remove it; only tabs and line breaks are allowed in text")  # fmt: skip


def _strings(node: Any, where: str) -> Iterator[tuple[str, Any, Any, str]]:
    """(text, parent, key, where) for every string key and string value below `node`."""
    stack = [(node, where)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, Mapping):
            for k, v in item.items():
                sub = f"{place}.{k}" if isinstance(k, str) and len(k) < 80 else place
                if isinstance(k, str):
                    yield k, item, k, place
                if isinstance(v, str):
                    yield v, item, k, sub
                else:
                    stack.append((v, sub))
        elif isinstance(item, list):
            for i, v in enumerate(item):
                if isinstance(v, str):
                    yield v, item, i, f"{place}[{i}]"
                else:
                    stack.append((v, f"{place}[{i}]"))


def _check_meta(c: _Checker, meta: Any) -> None:
    if not isinstance(meta, Mapping):
        return
    if isinstance(meta.get("id"), str):
        c.name(meta["id"], "meta.id", meta, SAFE_ID, key="id")
    terms = meta.get("terms")
    if isinstance(terms, str) and (PurePosixPath(terms).is_absolute() or ".." in PurePosixPath(terms).parts
                                   or "\\" in terms):  # fmt: skip
        c.fail(f"the terms text {describe(terms)} is not inside the spec's folder", "meta.terms", meta, "terms",
               hint="give a path relative to the spec's folder, e.g. terms/clara-msp-terms-2024-04-01.ja.txt")
    if "effective" not in meta:
        return
    effective = meta["effective"]
    if isinstance(effective, str):
        with contextlib.suppress(ValueError):
            effective = dt.date.fromisoformat(effective)
    if not isinstance(effective, dt.date):
        c.fail(f"effective is {describe(effective)}, not a date", "meta.effective", meta, "effective",
               hint="write a date such as 2024-04-01")  # fmt: skip
    elif not date_in_range(effective):
        c.fail(f"effective date {effective} is outside {FIRST_YEAR}–{LAST_YEAR}", "meta.effective", meta,
               "effective", hint="write the date the terms take effect, e.g. 2024-04-01")  # fmt: skip


def _check_states(c: _Checker, node: Any, where: str) -> None:
    if not isinstance(node, Mapping):
        return
    for sid, body in node.items():
        c.name(sid, f"{where}.{sid}" if isinstance(sid, str) else where, node)
        if isinstance(body, Mapping):
            _check_states(c, body.get("states"), f"{where}.{sid}.states")


def _check_events(c: _Checker, node: Any) -> None:
    if not isinstance(node, Mapping):
        return
    for name, body in node.items():
        args = body.get("args") if isinstance(body, Mapping) else None
        if not isinstance(args, Mapping):
            continue
        for arg, spec in args.items():
            c.name(arg, f"events.{name}.args", args)
            if isinstance(spec, Mapping) and "name" in spec:
                c.name(spec["name"], f"events.{name}.args.{arg}.name", spec, key="name")


def _check_transitions(c: _Checker, node: Any) -> None:
    if not isinstance(node, list):
        return
    for i, body in enumerate(node):
        if isinstance(body, Mapping) and isinstance(body.get("id"), str):
            c.name(body["id"], f"transitions[{i}].id", body, SAFE_ID, key="id")


def _check_parameters(c: _Checker, node: Any) -> None:
    """A parameter's default is not below its `min` (both whole numbers)."""
    if not isinstance(node, Mapping):
        return
    for name, body in node.items():
        default = body.get("default") if isinstance(body, Mapping) else None
        if isinstance(default, int) and not isinstance(default, bool) and yen_problem(default):
            c.fail(str(yen_problem(default)), f"parameters.{name}.default", body, "default",
                   hint=f"give a default of at most {MAX_YEN:,}")  # fmt: skip
        if not isinstance(body, Mapping) or "min" not in body:
            continue
        low, default = body["min"], body.get("default")
        if not isinstance(low, int) or isinstance(low, bool):
            c.fail(f"min is {describe(low)}, not a whole number", f"parameters.{name}.min", body, "min",
                   hint="write a whole number, e.g. min: 0")  # fmt: skip
        if isinstance(default, int) and not isinstance(default, bool) and default < low:
            c.fail(f"the default {clip(default, 40)} is below the minimum {low}", f"parameters.{name}.default",
                   body, "default", hint=f"raise the default to at least {low}, or lower `min`")  # fmt: skip
