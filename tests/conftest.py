"""Shared fixtures: the bundled spec, loaded and compiled once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from yakkan.model.machine import CompiledSpec
from yakkan.model.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "contracts" / "clara-msp" / "spec.yaml"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec(SPEC_PATH)


@pytest.fixture(scope="session")
def compiled(spec: Spec) -> CompiledSpec:
    return CompiledSpec(spec)


def day(text: str) -> int:
    """A date as the model holds it (a proleptic Gregorian ordinal)."""
    return dt.date.fromisoformat(text).toordinal()
