"""Shared fixtures: the bundled spec, loaded and compiled once per session."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
from pathlib import Path

import pytest

from yakkan.model.machine import CompiledSpec
from yakkan.model.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "contracts" / "clara-msp" / "spec.yaml"
SCENARIOS = ROOT / "scenarios"
SPEC_FOLDERS = ("terms", "witnesses", "examples")  # what the bundled spec reads beside itself


def copy_spec_folders(folder: Path) -> None:
    """Copy into ``folder`` what the bundled spec reads beside itself (its terms text and
    the witness and example scenarios), so that an edited copy of the spec written there loads as
    the bundled one does."""
    for name in SPEC_FOLDERS:
        shutil.copytree(SPEC_PATH.parent / name, folder / name)


def interruptible_as_from_a_terminal() -> None:
    """``preexec_fn`` for a command a test interrupts with Ctrl-C: SIGINT at its default, as a
    terminal starts a command. A shell's background job (``make test &``, ``nohup``) starts
    with SIGINT ignored, the command inherits that, and Python then installs no handler: the
    Ctrl-C tests would fail for how pytest was started, not for what yakkan does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spec_without_the_multipliers_domain(folder: Path) -> Path:
    """The bundled spec, copied into ``folder`` with its profiles, with 12-1's penalty
    multiplier left without its domain (``min: 0``), as the spec had it until 2026-11-30:
    `what-if evasion_multiplier=-1` (a value the terms could never mean, refused by the
    bundled spec) is then verified, and it flips P16, the what-if tests' flip end to end."""
    copy_spec_folders(folder)
    shutil.copy(SPEC_PATH.parent / "profiles.yaml", folder / "profiles.yaml")
    old = "evasion_multiplier: {type: int, default: 2, min: 0, scope: terms,"
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = folder / "spec.yaml"
    path.write_text(text.replace(old, "evasion_multiplier: {type: int, default: 2, scope: terms,"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec(SPEC_PATH)


@pytest.fixture(scope="session")
def compiled(spec: Spec) -> CompiledSpec:
    return CompiledSpec(spec)


@pytest.fixture
def shared_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One verdict cache (`.yakkan-cache` in the session's folder) for the review tests of
    every module: the unchanged old version is verified once."""
    folder = tmp_path_factory.getbasetemp() / "review-cache"
    folder.mkdir(exist_ok=True)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A command run in its own folder: the cache (.yakkan-cache) and out/ land there, and
    no step summary of the machine's is appended to."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def day(text: str) -> int:
    """A date as the model holds it (a proleptic Gregorian ordinal)."""
    return dt.date.fromisoformat(text).toordinal()


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests read the command line's English messages whatever the machine's locale
    (`YAKKAN_LANG` comes before LC_ALL / LC_MESSAGES / LANG; tests/test_cli_lang.py sets
    the language it tests)."""
    monkeypatch.setenv("YAKKAN_LANG", "en")
