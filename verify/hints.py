"""Proof hints: what each property's last proof or witness was, kept beside the spec in
``proof-hints.json`` and read by a run that has no verdict cache (a fresh clone, the CI
gate on a pull request; issue 14 §3 and §5).

A hint is what `incremental.py` keeps for the fast path — a proof's slice, k and lemmas
(formulas in the spec's own language, parsed again), the runs that reached its premises
or gave its witnesses — and nothing else. The file comes with a pull request like the
spec, so none of it is believed:

* a lemma is parsed again against the spec and proved again, with the property, in the
  initial states and over every step of every event (Houdini drops any that fails); no
  digest of an old step relation is read, so no step is taken as "unchanged";
* a run is replayed on the executable model (the reference engine) and its reaching step
  followed in Z3, as a random run's is; no last verdict is carried over.

A hint that no longer proves its property (the spec changed, a lemma no longer parses or
holds) sends that property to the full check, which finds its proof from nothing. So a
stale or forged hint costs time, never a verdict: the verdicts with and without the file
are the same (`tests/test_verify_hints.py`). `yakkan verify --write-hints` writes the
file from a run's verdicts; `--no-hints` leaves it unread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError

from .incremental import LAST_DAY

HINTS_FILE = "proof-hints.json"
FORMAT = 1
# a hint's runs are replayed in the verifier's parent process too (no time guard there): the
# catalogue's runs have at most 40 events (random runs) or a worked example's few dozen
MAX_RUN_EVENTS = 1_000
MAX_RUNS = 100
FIX = "write the file again with `yakkan verify --write-hints`, or delete it (a hint only saves time)"


def hints_path(spec_path: Path) -> Path:
    """Where the hints of the spec at ``spec_path`` are: beside it."""
    return Path(spec_path).parent / HINTS_FILE


def read_hints(spec_path: Path) -> dict[str, dict[str, Any]]:
    """The hints beside the spec at ``spec_path`` ({property id: recipe}, each marked
    ``"hint": True``, with only the fields `recheck` proves again); {} when there is no
    file. A file that is not a hints file is bad input (`InputError`, with its line)."""
    from yakkan.model.limits import read_input_text

    path = hints_path(spec_path)
    if not path.is_file():
        return {}
    text = read_input_text(path)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{HINTS_FILE} is not JSON", path=path, line=getattr(exc, "lineno", None),
                         column=getattr(exc, "colno", None), hint=FIX) from None  # fmt: skip
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("properties"), dict):
        raise InputError(f"{HINTS_FILE} is not a proof hints file of format {FORMAT}", path=path, line=1, hint=FIX)
    out = {}
    for pid, item in data["properties"].items():
        try:
            out[str(pid)] = {**_recipe(item), "hint": True}
        except ValueError as exc:
            raise InputError(f"the hint of '{pid}' is malformed at '{exc}'", path=path,
                             line=_line_of(text, str(pid)), hint=FIX) from None  # fmt: skip
    return out


def write_hints(spec_path: Path, recipes: Mapping[str, Mapping[str, Any] | None]) -> Path:
    """``recipes`` ({property id: `Verdict.recipe`}) as the hints beside the spec: the
    fields `read_hints` keeps, in a fixed order (the same verdicts give the same bytes)."""
    from yakkan.model.limits import write_output

    properties = {pid: _recipe(r) for pid, r in sorted(recipes.items()) if r}
    text = json.dumps({"format": FORMAT, "properties": properties}, ensure_ascii=False, indent=1, sort_keys=True)
    return write_output(hints_path(spec_path), text + "\n")


def _line_of(text: str, pid: str) -> int | None:
    m = re.search(rf'^\s*"{re.escape(pid)}"\s*:', text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _recipe(item: Any) -> dict[str, Any]:
    """The fields of a recipe a hint may give, checked for their types (a ValueError names
    the first field that is wrong)."""
    _expect(isinstance(item, Mapping), "")
    verdict = _get(item, "verdict", "")
    _expect(verdict in ("proved", "reachable", "violated"), "verdict")
    if "runs" in item:
        runs = _list(item, "runs", "", MAX_RUNS)
        return {"verdict": verdict, "runs": [_run(r, f"runs[{i}]") for i, r in enumerate(runs)]}
    _expect(verdict == "proved", "verdict")
    k = _get(item, "k", "")
    _expect(type(k) is int and 1 <= k <= 8, "k")
    premises = item.get("premises", {})
    _expect(isinstance(premises, Mapping) and len(premises) <= MAX_RUNS, "premises")
    return {
        "format": 1, "verdict": "proved", "k": k,
        "slice": sorted(_text(v, f"slice[{i}]") for i, v in enumerate(_list(item, "slice", ""))),
        "lemmas": [_lemma(c, f"lemmas[{i}]") for i, c in enumerate(_list(item, "lemmas", ""))],
        "premises": {_text(t, "premises"): _run(r, f"premises.{t}") for t, r in premises.items()},
    }  # fmt: skip


def _lemma(item: Any, where: str) -> dict[str, Any]:
    _expect(isinstance(item, Mapping), where)
    if "lemma" in item:
        return {"lemma": _text(item["lemma"], f"{where}.lemma")}
    premises = _list(item, "premises", where)
    return {"premises": [_atom(a, f"{where}.premises[{i}]") for i, a in enumerate(premises)],
            "conclusion": _atom(_get(item, "conclusion", where), f"{where}.conclusion")}  # fmt: skip


def _atom(item: Any, where: str) -> list[str]:
    _expect(isinstance(item, list) and len(item) == 2, where)
    return [_text(item[0], where), _text(item[1], where)]


def _run(item: Any, where: str) -> dict[str, Any]:
    """A history of the executable model (`incremental.run_data`), without what the cache
    keeps of how far it is the same run as before (``reached_after``, ``prefix``)."""
    _expect(isinstance(item, Mapping), where)
    parameters = _get(item, "parameters", where)
    _expect(isinstance(parameters, Mapping), f"{where}.parameters")
    events = []
    for i, e in enumerate(_list(item, "events", where, MAX_RUN_EVENTS)):
        at = f"{where}.events[{i}]"
        _expect(isinstance(e, list) and len(e) == 3 and isinstance(e[2], Mapping), at)
        events.append([_day(e[0], at), _text(e[1], at), {_text(k, at): _value(v, at) for k, v in e[2].items()}])
    return {"parameters": {_text(k, f"{where}.parameters"): _value(v, f"{where}.parameters.{k}")
                           for k, v in parameters.items()},
            "events": events, "until": _day(_get(item, "until", where), f"{where}.until")}  # fmt: skip


def _get(item: Mapping[str, Any], key: str, where: str) -> Any:
    _expect(key in item, f"{where}.{key}" if where else key)
    return item[key]


def _list(item: Mapping[str, Any], key: str, where: str, most: int = 10_000) -> list[Any]:
    value = _get(item, key, where)
    _expect(isinstance(value, list) and len(value) <= most, f"{where}.{key}" if where else key)
    return list(value)


def _text(item: Any, where: str) -> str:
    _expect(isinstance(item, str) and 0 < len(item) <= 1000, where)
    return str(item)


def _day(item: Any, where: str) -> int:
    _expect(type(item) is int and 1 <= item <= LAST_DAY, where)
    return int(item)


def _value(item: Any, where: str) -> Any:
    _expect(type(item) in (int, bool, str) or item is None, where)
    return item


def _expect(ok: bool, where: str) -> None:
    """A field a hint gives wrong (or leaves out): ``where``, its path in the hint."""
    if not ok:
        raise ValueError(where or "{}")  # (the hint itself: not an object)
