"""Hostile inputs for the fuzzing test and benchmarks/fuzz_inputs.py.

Hypothesis strategies that mutate the YAML structure of the bundled files — the spec,
the shipped scenarios, the profiles — by deleting, duplicating and retyping keys and by
putting random strings and numbers (and a few known-hostile values) into values; and
`run_cli`, which drives `yakkan.cli.main` in-process and returns what a user would see.
"""

from __future__ import annotations

import contextlib
import copy
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from conftest import copy_spec_folders

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "contracts" / "clara-msp" / "spec.yaml"
PROFILES = ROOT / "contracts" / "clara-msp" / "profiles.yaml"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

HOSTILE_STRINGS = [
    "../../x", "/etc/passwd", "p\u0430y", "a\x00b", "\x1b[2J", "<script>alert(1)</script>", "",
    "9999-12-31", "99999-04-01", "1e5", "100,000", "x" * 3000, "((((((((((", "'", "__import__('os')",
    "!!python/tuple", "None", "true", "-1", "17-1(1)", "today", "FOREVER", "😀", "P13",
]  # fmt: skip
HOSTILE_NUMBERS = [0, -1, 1, -(10**12), 10**12 + 1, 10**100, 2**63, 0.5, float("inf")]

# -- reading and writing -----------------------------------------------------------------------


def load(path: Path) -> Any:
    """A YAML file as round-trip data (what the mutations change)."""
    return YAML(typ="rt").load(path.read_text(encoding="utf-8"))


def dump(data: Any) -> str:
    """Data as YAML text; values YAML cannot represent are written as their repr."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


# -- mutations ----------------------------------------------------------------------------------


def _containers(node: Any, out: list[Any]) -> list[Any]:
    """Every mapping and sequence below `node` (and itself), depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            out.append(item)
            stack.extend(item.values() if isinstance(item, dict) else item)
    return out


values = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.sampled_from(HOSTILE_NUMBERS),
    st.text(max_size=30),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.booleans(),
    st.none(),
    st.dates(),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, int, Any]:
    """(kind, which container, a value): one structural change to apply."""
    kind = draw(st.sampled_from(["delete", "duplicate", "retype", "value", "rename", "wrap"]))
    return kind, draw(st.integers(min_value=0, max_value=10**6)), draw(values)


def apply(doc: Any, change: tuple[str, int, Any]) -> None:
    """Apply one mutation to `doc` in place (a no-op when the choice does not fit)."""
    kind, pick, value = change
    containers = _containers(doc, [])
    node = containers[pick % len(containers)]
    keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
    if not keys:
        return
    key = keys[(pick // len(containers)) % len(keys)]
    if kind == "delete":
        del node[key]
    elif kind == "duplicate" and isinstance(node, dict):
        node[f"{key}2"] = copy.deepcopy(node[key])
    elif kind == "duplicate":
        node.append(copy.deepcopy(node[key]))
    elif kind == "retype":
        old = node[key]
        node[key] = [old] if not isinstance(old, list) else (old[0] if old else {}) if pick % 2 else str(old)
    elif kind == "rename" and isinstance(node, dict):
        node[str(value)[:40] if not isinstance(value, dict | list) else "renamed"] = node.pop(key)
    elif kind == "wrap":
        node[key] = CommentedMap({"x": node[key]}) if pick % 2 else CommentedSeq([node[key], value])
    else:
        node[key] = value


def mutants(base: Path, max_changes: int = 4) -> st.SearchStrategy[str]:
    """YAML texts: `base` with 1..max_changes mutations."""
    original = load(base)

    @st.composite
    def build(draw: st.DrawFn) -> str:
        doc = copy.deepcopy(original)
        for change in draw(st.lists(mutation(), min_size=1, max_size=max_changes)):
            apply(doc, change)
        try:
            text = dump(doc)
        except Exception:  # noqa: BLE001 - a value ruamel cannot write: keep the file as it was
            text = base.read_text(encoding="utf-8")
        if draw(st.booleans()):  # a line repeated: duplicate keys, broken indentation
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
            text = "".join(lines[: i + 1] + lines[i:])
        return text

    return build()


# -- running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    stderr: str
    seconds: float
    crashed: str | None = None  # an exception that escaped main (a bug)


def run_cli(argv: list[str], main: Callable[[list[str]], int] | None = None) -> Outcome:
    """`yakkan ARGV` in this process: its exit status, its stderr, how long it took."""
    if main is None:
        from yakkan.cli import main
    err = io.StringIO()
    started = time.perf_counter()
    crashed = None
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
        except Exception as exc:  # noqa: BLE001 - recorded: the test fails on it
            import traceback

            status, crashed = -1, "".join(traceback.format_exception(exc))
    return Outcome(int(status or 0), err.getvalue(), time.perf_counter() - started, crashed)


def spec_folder(folder: Path, text: str) -> Path:
    """A spec folder (with the bundled terms text) holding `text` as spec.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "terms").exists():
        copy_spec_folders(folder)
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def files_under(folder: Path) -> set[Path]:
    """Every file and folder below `folder`."""
    return set(folder.rglob("*"))


def problems(outcome: Outcome) -> list[str]:
    """What is wrong with an outcome: a crash, a traceback, an exit status other than 0/1/2,
    an exit 2 without `fix:`."""
    out = []
    if outcome.crashed:
        out.append(f"exception escaped main:\n{outcome.crashed}")
    if "Traceback" in outcome.stderr:
        out.append(f"traceback on stderr:\n{outcome.stderr[-2000:]}")
    if outcome.status not in (0, 1, 2):
        out.append(f"exit status {outcome.status}")
    if outcome.status == 2 and "fix:" not in outcome.stderr:
        out.append(f"exit 2 without a fix: line:\n{outcome.stderr[-1000:]}")
    return out
