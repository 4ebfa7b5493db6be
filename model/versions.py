"""The versions of one contract's terms, and the version a scenario was written for.

A contract folder holds the version in force as its `spec.yaml` and each other version
(a past one, a proposed revision) in a folder of its own with its `spec.yaml`
(``contracts/clara-msp/2025-04-01/``); a version is named by its spec's ``meta.version``.

A scenario names the version its `expect:` was worked out under: ``terms: 2024-04-01``.
Why a stated version and not the date of the scenario's first event: under 第２条 the
company may change the terms without the customer's consent, and the customer is deemed to
agree to the changed terms when they are posted (2-1, 2-2) — so which version governs a
contract concluded under an earlier one is a question of the change (posted or only
proposed; and 民法第548条の4: a change of standard terms binds an existing contract only
when it is in the customers' general interest or reasonable, and announced before it
takes effect), not of the calendar. A scenario's author answers it when writing the
figures; yakkan replays those figures against the version they were written for.

Replaying a scenario against another version on purpose (``--spec`` of a revision) is the
question "what would the revision do to this contract" that 第２条 makes a real one: it
runs, with a note that the expectations are those of the version named in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError

from .errors import ScenarioError, clip, did_you_mean
from .yamlio import line_of, read_yaml

SPEC_FILE = "spec.yaml"
_META = re.compile(r"^meta:[ \t]*(?:#.*)?\n((?:(?:[ \t]+.*|[ \t]*(?:#.*)?)\n)*)", re.MULTILINE)


@dataclass(frozen=True)
class Written:
    """The version a scenario file names (None: it names none) and the line of its `terms:`."""

    path: Path
    version: str | None
    line: int | None


def version_name(raw: Any) -> str | None:
    """A version as a scenario or a spec writes it: a string, or a YAML date (2024-04-01
    unquoted) as its ISO form; None when it is neither."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return None


def written_for(path: Path) -> Written:
    """The version the scenario at `path` names in `terms:`; bad YAML or a `terms:` that is
    not a version name is a ScenarioError with its line."""
    doc = read_yaml(path, ScenarioError)
    if not isinstance(doc, Mapping) or "terms" not in doc:
        return Written(path, None, None)
    name = version_name(doc["terms"])
    line = line_of(doc, "terms")
    if name is None:
        raise ScenarioError(f"`{clip(doc['terms'], 60)}` is not a version of the terms", path=path, line=line,
                            where="terms", hint="name the version the scenario was written for, e.g. terms: 2024-04-01")
    return Written(path, name, line)


def spec_version(spec_path: Path) -> str | None:
    """`meta.version` of the spec at `spec_path`, read from its `meta:` block alone (a spec is
    large; a full load is a second or more); None when the block cannot be read so."""
    try:
        text = spec_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    m = _META.search(text)
    if m is None:
        return None
    try:
        meta = YAML(typ="safe", pure=True).load(m.group(1))
    except YAMLError:
        return None
    return version_name(meta.get("version")) if isinstance(meta, Mapping) else None


def versions_in(folder: Path) -> dict[str, Path]:
    """The versions a contract folder holds, by name: its own spec.yaml, then each folder's
    (in name order). A version named twice keeps its first spec."""
    specs = [folder / SPEC_FILE] if (folder / SPEC_FILE).is_file() else []
    specs += sorted(p / SPEC_FILE for p in folder.iterdir() if p.is_dir() and (p / SPEC_FILE).is_file())
    out: dict[str, Path] = {}
    for spec in specs:
        name = spec_version(spec)
        if name is not None:
            out.setdefault(name, spec)
    return out


def folder_of(scenario: Path, default: Path) -> Path:
    """The contract folder a scenario file lives in (a worked example beside its spec, in a
    version's folder or the contract's): the nearest folder above it holding a spec.yaml, or
    that folder's parent when it holds one too (a version folder inside its contract
    folder); `default` for a scenario outside any."""
    for parent in scenario.resolve().parents:
        if (parent / SPEC_FILE).is_file():
            return parent.parent if (parent.parent / SPEC_FILE).is_file() else parent
    return default


@dataclass(frozen=True)
class Choice:
    """The spec a scenario is replayed against, and whether that is the version it names."""

    spec: Path
    written: Written
    chosen_by_file: bool  # the version came from the scenario's `terms:`


def choose_spec(scenario: Path, given: Path | None, default_folder: Path) -> Choice:
    """The spec to replay `scenario` against: the version it names, found in the contract
    folder given (without one: the folder the scenario lives in, else `default_folder`); a
    spec file given is used as given. A version the folder lacks is bad input at the scenario's `terms:` line."""
    written = written_for(scenario)
    if given is not None and not given.is_dir():
        return Choice(given, written, False)
    if written.version is None:  # the spec nearest to it: the one it was written beside
        near = given or next((p for p in scenario.resolve().parents if (p / SPEC_FILE).is_file()), default_folder)
        return Choice(near / SPEC_FILE, written, False)
    folder = given if given is not None else folder_of(scenario, default_folder)
    versions = versions_in(folder)
    if written.version in versions:
        return Choice(versions[written.version], written, True)
    known = ", ".join(versions) or "none"
    raise ScenarioError(f"no version '{written.version}' in `{folder}`{did_you_mean(written.version, versions)}",
                        path=scenario, line=written.line, where="terms",
                        hint=f"name a version the folder holds ({known}), or give its spec with --spec")  # fmt: skip


def check_written_for(written: Written, version: str) -> None:
    """A scenario a spec names (a witness, a worked example) is written for that spec's version."""
    if written.version is not None and written.version != version:
        raise ScenarioError(f"the scenario is written for {written.version}, but it is named by the spec of "
                            f"{version}", path=written.path, line=written.line, where="terms",
                            hint=f"write terms: {version} if its figures hold under {version}, or name it from the "
                                 f"spec of {written.version}")  # fmt: skip

