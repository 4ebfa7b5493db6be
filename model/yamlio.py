"""Reading YAML with line numbers, safely.

Spec and scenario files arrive in pull requests: they are read with ruamel.yaml's safe
round-trip loader (no Python objects, no tags), duplicate keys are errors, and every mapping
and sequence keeps its line so that an error can point at it.

Before anything is constructed, the composed node graph is walked once: a tag other than
YAML's standard ones (`!!python/tuple`, `!foo`) is an error, and so is a document that
nests deeper than MAX_YAML_DEPTH or holds more than MAX_YAML_NODES nodes once its aliases
are expanded (a "billion laughs" alias bomb stops at the limit, in milliseconds). The file
itself is read by `limits.read_input_text` (a regular file, at most 4 MiB, UTF-8).

Every command reads the spec, and ruamel.yaml's round-trip loader is pure Python: 0.46 s
for the bundled spec on a quiet machine, 0.7 s under load. A valid document is therefore
parsed by libyaml (PyYAML's C parser, 0.012 s), its scalars resolved by YAML 1.2's rules
as ruamel.yaml resolves them, and built into the same `CommentedMap` / `CommentedSeq`
with the same positions (`_fast_document`). Anything that path does not build exactly as
ruamel.yaml would (an error of any kind, a merge key, an octal or hexadecimal number, a
timestamp with a time, an empty value, a `%YAML` directive) is read again by ruamel.yaml, so an error's
message and line are ruamel.yaml's, as before. ``round_trip=True`` (what `yakkan mutate`
writes back out, comments and layout kept) always takes ruamel.yaml.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from .errors import InputError
from .limits import MAX_LINE_CHARS, MAX_YAML_DEPTH, MAX_YAML_NODES, STANDARD_TAGS, clip, read_input_text

MAX_NUMBER_CHARS = 1000  # Python refuses to read an int of more than 4,300 digits; no amount needs 1,000
_NUMBERS = frozenset(("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))


class _LimitError(Exception):
    """A composed document beyond a limit: (message, node, hint)."""

    def __init__(self, message: str, node: Any, hint: str) -> None:
        super().__init__(message)
        self.message, self.node, self.hint = message, node, hint


_TOO_MANY = (f"more than {MAX_YAML_NODES:,} values once its aliases (*name) are expanded",
             "write the values out, or use fewer aliases; an alias repeats its anchor's whole value")


def check_nodes(root: Any) -> None:
    """Walk the composed graph, aliases expanded, refusing non-standard tags, too deep a
    nesting and too many nodes (raises _LimitError at the first one)."""
    count = 0
    stack: list[tuple[Any, int]] = [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            raise _LimitError(_TOO_MANY[0], node, _TOO_MANY[1])
        if depth > MAX_YAML_DEPTH:
            raise _LimitError(f"nested more than {MAX_YAML_DEPTH} levels deep", node,
                              "flatten the structure; a spec nests a few levels")  # fmt: skip
        tag = str(node.tag)
        if tag not in STANDARD_TAGS:
            raise _LimitError(f"the tag '{clip(tag, 60)}' is not allowed", node,
                              "remove the tag: only plain YAML values (text, numbers, dates, lists, "
                              "mappings) are read, never Python objects")  # fmt: skip
        if tag in _NUMBERS and len(str(node.value)) > MAX_NUMBER_CHARS:
            raise _LimitError(f"a number of {len(str(node.value)):,} characters", node,
                              f"numbers have at most {MAX_NUMBER_CHARS} digits; amounts are whole yen")  # fmt: skip
        kind = node.id  # (ruamel.yaml's nodes and PyYAML's alike)
        if kind == "mapping":
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif kind == "sequence":
            stack.extend((child, depth + 1) for child in node.value)


_BRACKETS = re.compile(r"[\[\]{}]")
_LONG_LINE = re.compile(f"[^\n]{{{MAX_LINE_CHARS + 1}}}")


def long_line(text: str) -> int | None:
    """The number of the first line longer than MAX_LINE_CHARS, or None. The YAML scanner
    builds a comment one character at a time, in time quadratic in its length (a 1 MiB
    comment line took 33 s, a 4 MiB one minutes), so this is checked before it runs."""
    m = _LONG_LINE.search(text)
    return None if m is None else text.count("\n", 0, m.start()) + 1


def flow_depth(text: str) -> int:
    """How deep `[` and `{` nest in `text`, counted on the raw text (an upper bound: brackets
    inside quoted text count too). The YAML scanner takes quadratic time on deep flow nesting,
    so this is checked before it runs."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


class _Composer(Composer):
    """The composer, with the composed document checked by `check_nodes` before it is built.

    Nodes are also counted as they are composed, so that a long file of many small values
    (60,000 events in 2 MB) stops at the limit instead of being parsed whole first: the
    pure-Python scanner takes seconds per megabyte."""

    composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        self.composed += 1
        if self.composed > MAX_YAML_NODES:
            raise _LimitError(_TOO_MANY[0], self.parser.peek_event(), _TOO_MANY[1])
        return super().compose_node(parent, index)

    def get_single_node(self) -> Any:  # noqa: D102
        node = super().get_single_node()
        check_nodes(node)
        return node


class _Constructor(RoundTripConstructor):
    """The round-trip constructor, with impossible dates (2024-04-31) as marked errors."""

    def construct_yaml_timestamp(self, node, values=None):  # noqa: D102
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise ConstructorError(None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def read_yaml(path: Path, error: type[InputError] = InputError, round_trip: bool = False) -> Any:
    """The document in `path`, with positions kept; bad YAML raises `error` with its line.
    ``round_trip``: read by ruamel.yaml itself, comments kept (a document to write back)."""
    path = Path(path)
    text = read_input_text(path, error)
    line = long_line(text)
    if line is not None:
        raise error(f"a line of more than {MAX_LINE_CHARS:,} characters", path=path, line=line,
                    hint="break the line: a quoted text or an expression may go on over several lines")  # fmt: skip
    if flow_depth(text) > MAX_YAML_DEPTH:
        raise error(f"brackets [ {{ nest more than {MAX_YAML_DEPTH} levels deep", path=path,
                    hint="flatten the structure; a spec nests a few levels")  # fmt: skip
    if not round_trip:
        fast = _fast_document(text)
        if fast is not _NOT_FAST:
            return fast
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except _LimitError as exc:
        mark = getattr(exc.node, "start_mark", None)
        raise error(exc.message, path=path, line=mark.line + 1 if mark else None, hint=exc.hint) from None
    except RecursionError:
        raise error(f"nested too deeply (more than {MAX_YAML_DEPTH} levels)", path=path,
                    hint="flatten the structure; a spec nests a few levels") from None  # fmt: skip
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise error(
            f"duplicate key: {clip(exc.problem.split(chr(10))[0])}",
            path=path,
            line=mark.line + 1 if mark else None,
            hint="each key may appear once in a mapping: remove or rename the second one",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(
            f"not valid YAML: {clip(exc.problem or exc.context)}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="fix the YAML syntax at this line (indentation, quotes, a missing ':' or ']')",
        ) from None


# -- the fast path: libyaml's parser, YAML 1.2's resolution, ruamel.yaml's containers ---------

_NOT_FAST = object()  # what `_fast_document` returns for a document ruamel.yaml reads instead


class _NotFast(Exception):
    """A node the fast path does not build exactly as ruamel.yaml would."""


def _resolver_12() -> Any:
    """PyYAML's resolver with YAML 1.2's implicit types, ruamel.yaml's own expressions (so
    that `yes`, `on` and `010` mean what they mean to ruamel.yaml, not YAML 1.1's bool and
    octal)."""
    from ruamel.yaml.resolver import implicit_resolvers
    from yaml.resolver import BaseResolver

    class Resolver12(BaseResolver):
        yaml_implicit_resolvers: dict[Any, Any] = {}

    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            Resolver12.add_implicit_resolver(tag, regexp, first)
    return Resolver12


_LOADER: Any = None
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TRUE = frozenset(("true", "True", "TRUE"))


def _loader() -> Any:
    """A PyYAML loader on libyaml (None without it: then ruamel.yaml reads everything)."""
    global _LOADER
    if _LOADER is None:
        try:
            from yaml.cyaml import CParser
        except ImportError:
            _LOADER = False
            return None
        resolver = _resolver_12()

        class Loader(CParser, resolver):  # type: ignore[misc, valid-type]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                resolver.__init__(self)

        _LOADER = Loader
    return _LOADER or None


def _fast_document(text: str) -> Any:
    """The document as ruamel.yaml's round-trip loader builds it (values, containers, and
    the positions `line_of` and `value_position` read), or `_NOT_FAST`."""
    loader = _loader()
    if loader is None or re.search(r"^%YAML", text, re.M):
        return _NOT_FAST
    try:
        parser = loader(text)
        try:
            root = parser.get_single_node()
        finally:
            parser.dispose()
        if root is None:
            return None
        check_nodes(root)
        return _build(root, {})
    except Exception:  # noqa: BLE001 — an error, a limit, or a node not built here: ruamel.yaml says what
        return _NOT_FAST


def _build(node: Any, built: dict[int, Any]) -> Any:
    """``node`` built as ruamel.yaml's round-trip constructor builds it (an alias: the
    same object, as there)."""
    hit = built.get(id(node))
    if hit is not None:
        return hit
    tag, kind = node.tag, node.id  # (PyYAML's nodes, told apart as `check_nodes` does)
    if kind == "mapping":
        if tag != "tag:yaml.org,2002:map":
            raise _NotFast(tag)
        out = built[id(node)] = CommentedMap()
        out._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        for key_node, value_node in node.value:
            key = _build(key_node, built)
            if isinstance(key, (list, dict)) or key in out or key_node.tag == "tag:yaml.org,2002:merge":
                raise _NotFast("key")
            out[key] = _build(value_node, built)
            out._yaml_set_kv_line_col(key, [key_node.start_mark.line, key_node.start_mark.column,
                                            value_node.start_mark.line, value_node.start_mark.column])  # fmt: skip
        return out
    if kind == "sequence":
        if tag != "tag:yaml.org,2002:seq":
            raise _NotFast(tag)
        seq = built[id(node)] = CommentedSeq()
        seq._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        for i, child in enumerate(node.value):
            seq.append(_build(child, built))
            seq._yaml_set_idx_line_col(i, [child.start_mark.line, child.start_mark.column])
        return seq
    return _scalar(node)


def _scalar(node: Any) -> Any:
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        if node.style == "|":
            return LiteralScalarString(value)
        if node.style == ">":
            return FoldedScalarString(value)
        return value
    if tag == "tag:yaml.org,2002:int" and _PLAIN_INT.fullmatch(value):
        return int(value)
    if tag == "tag:yaml.org,2002:float" and _PLAIN_FLOAT.fullmatch(value):
        return float(value)
    if tag == "tag:yaml.org,2002:bool":
        return value in _TRUE
    if tag == "tag:yaml.org,2002:null" and value:  # (an empty value: ruamel.yaml places it on the next token)
        return None
    if tag == "tag:yaml.org,2002:timestamp":
        m = _DATE.fullmatch(value)
        if m:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))  # a bad date: ValueError, ruamel.yaml says
    raise _NotFast(tag)


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of `node` (or of `key` inside a mapping / index inside a sequence)."""
    try:
        if key is not None and isinstance(node, CommentedMap):
            return node.lc.key(key)[0] + 1
        if key is not None and isinstance(node, CommentedSeq):
            return node.lc.item(key)[0] + 1
        return node.lc.line + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def value_position(node: Any, key: Any) -> tuple[int, int] | None:
    """0-based (line, column) where the value of `key` (or item `key` of a sequence) starts."""
    try:
        if isinstance(node, CommentedMap):
            return tuple(node.lc.value(key))  # type: ignore[return-value]
        if isinstance(node, CommentedSeq):
            return tuple(node.lc.item(key))  # type: ignore[return-value]
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return None
