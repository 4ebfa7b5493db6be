"""Errors for bad input: a spec, a scenario, a terms text or a command line.

Every one says where (file, line, column), what is wrong, and how to fix it. The CLI turns
them into a message and exit status 2, never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input at a place in a file."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    column: int | None = None
    where: str | None = None  # the element, e.g. "transitions[12].target"
    hint: str | None = None

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


class ScenarioError(InputError):
    """A scenario file that cannot be replayed."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' — did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""
