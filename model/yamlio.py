"""Reading YAML with line numbers, safely.

Spec and scenario files arrive in pull requests: they are read with ruamel.yaml's safe
round-trip loader (no Python objects, no tags), duplicate keys are errors, and every mapping
and sequence keeps its line so that an error can point at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from .errors import InputError


class _Constructor(RoundTripConstructor):
    """The round-trip constructor, with impossible dates (2024-04-31) as marked errors."""

    def construct_yaml_timestamp(self, node, values=None):  # noqa: D102
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise ConstructorError(None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def read_yaml(path: Path, error: type[InputError] = InputError) -> Any:
    """The document in `path`, with positions kept; bad YAML raises `error` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", path=path, hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", path=path) from None
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror})", path=path) from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise error(
            f"duplicate key: {exc.problem.split(chr(10))[0]}",
            path=path,
            line=mark.line + 1 if mark else None,
            hint="each key may appear once in a mapping: remove or rename the second one",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(
            f"not valid YAML: {exc.problem or exc.context}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None


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
