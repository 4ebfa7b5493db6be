"""Errors of the diagrams and the docs: bad input, reported by the CLI with exit status 2."""

from __future__ import annotations

from yakkan.model.errors import InputError


class DiagramError(InputError):
    """A diagram or a docs site that cannot be made from the input given."""

    default_hint = "see `yakkan diagram --help` and `yakkan docs --help` for the files each option takes"
