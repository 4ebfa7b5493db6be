"""What a proof leaves for the next run: its lemma set, its slice and the runs that reached
its premises, as JSON data (issue 14 §5: "cache each verdict with its lemma set").

After an edit that changes a property's dependency fingerprint (`dependencies.py`) — a
``scope: terms`` parameter in a guard changes every property's — the verifier first tries
to prove the property again with these lemmas only (`runner.Verifier.recheck`): a lemma
is a formula in the spec's own language, parsed again against the new spec and proved
again (Houdini drops any that no longer holds), so the data below is a hint, never a
premise of a proof. A premise's run is replayed on the new spec's executable model and
its reaching step followed in Z3, like any random run's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from yakkan.model.machine import CompiledSpec
from yakkan.model.spec import Spec

from .lemmas import AtomFactory, Candidate

FORMAT = 1  # of the data below (the cache's own version is `cache.FORMAT`)
# a replayed history's calendar runs this far past its last day: after an edit that moves a
# date (a longer minimum term, a later end) the step the witness was for may come later
MARGIN_DAYS = 731
# the margins a last run is replayed with, in turn: as it was recorded (a spec that moved no
# date), then past its last day; every prefix of a run is a run, so what the shorter shows holds
MARGINS = (0, MARGIN_DAYS)
LAST_DAY = 3652059  # 9999-12-31


def proof_data(kept: Iterable[str], result: Any) -> dict[str, Any]:
    """An inductive proof (`engines.Proof`) on the slice ``kept``, as JSON data."""
    return {"format": FORMAT, "slice": sorted(kept), "k": int(result.k),
            "lemmas": [_candidate_data(c) for c in result.lemmas]}  # fmt: skip


def _candidate_data(c: Candidate) -> dict[str, Any]:
    if c.lemma is not None:  # one of the spec's `lemmas:`, found again by its id
        return {"lemma": c.lemma.id}
    return {"premises": [[a.text, a.label] for a in c.premises], "conclusion": [c.conclusion.text, c.conclusion.label]}


def candidates_from(spec: Spec, stated: list[Candidate], data: Iterable[Mapping[str, Any]]) -> list[Candidate]:
    """The lemmas of ``data`` as candidates of ``spec`` (as it is now): a spec lemma by its
    id (as the spec now states it), a mined one parsed again from its text; one that no
    longer parses (a variable renamed) or that the spec no longer states is left out."""
    by_id = {c.lemma.id: c for c in stated if c.lemma is not None}
    factory = AtomFactory(spec)
    out: list[Candidate] = []
    for item in data:
        if "lemma" in item:
            if item["lemma"] in by_id:
                out.append(by_id[item["lemma"]])
            continue
        premises = [factory.make(str(t), str(label)) for t, label in item["premises"]]
        conclusion = factory.make(str(item["conclusion"][0]), str(item["conclusion"][1]))
        if conclusion is not None and all(p is not None for p in premises):
            out.append(Candidate(tuple(p for p in premises if p is not None), conclusion))
    return out


History = tuple[Mapping[str, Any], Iterable[tuple[int, str, Mapping[str, Any]]], int]


def run_data(spec: Spec, run: History) -> dict[str, Any]:
    """A history of the executable model — (parameters, events from the application on,
    the last day its calendar ran to) — as JSON data: the contract parameters only (the
    terms' are the spec's defaults when it is replayed)."""
    parameters, events, until = run
    contract = {k: v for k, v in parameters.items() if k in spec.parameters and spec.parameters[k].scope == "contract"}
    return {"parameters": dict(sorted(contract.items())), "events": [[d, e, dict(a)] for d, e, a in events],
            "until": int(until)}  # fmt: skip


def replay_run(compiled: CompiledSpec, data: Mapping[str, Any], engine: str = "fast", margin: int = MARGIN_DAYS) -> Any:
    """The history ``data`` (`run_data`) on ``compiled`` as a `sampling.Run` — sent event by
    event as `sampling.random_run` sent it, on the same ``engine`` (the same steps on
    both) — or None when it no longer fits the spec (an event or a parameter gone). Its
    calendar runs ``margin`` days past the history's last day: 0 for the run as it was
    recorded (what a spec that moved no date needs), `MARGIN_DAYS` for a step that an
    edit may have moved later."""
    from .sampling import Run, recording_contract

    spec = compiled.spec
    params = {n: p.default for n, p in spec.parameters.items()}
    for k, v in data["parameters"].items():
        if k not in spec.parameters or spec.parameters[k].scope != "contract":
            return None
        params[k] = v
    events = [(int(d), str(e), dict(a)) for d, e, a in data["events"]]
    if not events or events[0][1] != spec.creating_event.name or any(e not in spec.events for _, e, _ in events):
        return None
    try:
        contract = recording_contract(compiled, params, engine)
        contract.send(events[0][1], events[0][0])
        for day, event, args in events[1:]:
            if contract.created:
                contract.advance_to(day)
            contract.send(event, day, args)
        if contract.created:  # the calendar's steps after the last event, that day's end included
            last = max(int(data["until"]), events[-1][0])
            contract.settle_to(min(last + margin, LAST_DAY))
    except Exception:  # noqa: BLE001 - a history the new spec cannot run: no fast path
        return None
    return Run(params, tuple(events), tuple(contract.steps), None)
