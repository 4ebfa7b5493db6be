"""Errors for bad input: a spec, a scenario, a terms text or a command line.

Every one says where (file, line, column), what is wrong, and how to fix it. The CLI turns
them into a message and exit status 2, never a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_ECHO = 200  # characters of input echoed back in a message
_QUOTED = re.compile("`([^`]{" + str(MAX_ECHO + 1) + ",})`")


def clip(text: object, limit: int = MAX_ECHO) -> str:
    """`text` as a string of at most about `limit` characters (for echoing input back)."""
    s = str(text)
    if len(s) <= limit:
        return s
    return f"{s[:limit]}… ({len(s):,} characters)"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters (a terminal's escape sequences, NUL) shown as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def clip_message(message: str) -> str:
    """A message with any long quoted input cut to MAX_ECHO characters, and at most ~1,000 in all;
    control characters are shown escaped."""
    message = printable(_QUOTED.sub(lambda m: f"`{clip(m.group(1))}`", message))
    if len(message) > 5 * MAX_ECHO:
        message = f"{message[: 3 * MAX_ECHO]} … {message[-MAX_ECHO:]}"
    return message


def plain_token_error(exc: BaseException) -> str:
    """What Python's tokenizer found wrong with an expression, in plain words (no internals)."""
    text = str(exc.args[0] if exc.args else exc).lower()
    if "eof" in text or "multi-line" in text:
        return "a bracket '(' or '[' is not closed"
    if "unterminated" in text or "string" in text:
        return "a quote ' or \" is not closed"
    if "unmatched" in text or "does not match" in text:
        return "a closing bracket has no opening one"
    if "indent" in text:
        return "the expression has a line break or indentation it cannot have"
    return "the expression cannot be read (check its brackets and quotes)"


@dataclass
class InputError(Exception):
    """Bad input at a place in a file."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    column: int | None = None
    where: str | None = None  # the element, e.g. "transitions[12].target"
    hint: str | None = None

    # the fix when a raise site gives none: where the format of this kind of input is described
    default_hint = "correct the input as the message says (formats: README.md; options: yakkan COMMAND --help)"

    def __post_init__(self) -> None:
        message = str(self.message)
        if "\n  fix: " in message and not self.hint:  # an error's text wrapped in another: one fix line
            message, self.hint = message.split("\n  fix: ", 1)
        self.message = message
        if not self.hint:
            self.hint = self.default_hint
        self.message = clip_message(str(self.message))
        if self.where is not None:
            self.where = printable(clip(self.where, 120))

    def __str__(self) -> str:
        place = ""
        if self.path is not None:
            place = str(self.path)
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            place += ": "
        text = place + (f"{self.where}: " if self.where else "") + self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class SpecError(InputError):
    """A contract spec that cannot be loaded."""

    default_hint = ("correct this element of the spec (each section is described in README.md, "
                    "'The contract spec'; contracts/clara-msp/spec.yaml is a complete example)")


class ScenarioError(InputError):
    """A scenario file that cannot be replayed."""

    default_hint = ("correct this entry of the scenario (the format: README.md, 'Scenarios'; "
                    "scenarios/issue-example.yaml is a complete example)")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' — did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""
