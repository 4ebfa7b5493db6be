"""A proof hint written with the lemmas its proof needs, not all those the search kept.

The search from nothing keeps every lemma Houdini proved and an unsat core found useful;
the gate then proves each hint again on every pull request. A lemma the proof does without
still costs in that query: P17 (a response: the records deleted within 30 days of the end)
kept 19 lemmas and took 7.9M Z3 units from its hint, 38 % of the whole catalogue's; 3 of them
prove it in 0.16M. So `yakkan verify --write-hints` thins each proof before writing it:
a lemma is dropped when the proof without it still holds (`Verifier.proof_from`: the query
the gate asks), one lemma at a time in the proof's order, and the fewer lemmas are written
when they cost no more Z3 units. Units are deterministic, so the same spec gives the same
hints.

A thinner proof is no weaker: the property is proved again, whole, from the lemmas that
remain, and a lemma is only ever an aid to that proof.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yakkan.model.spec import Spec

from .parallel import forked_map
from .runner import Settings, Verifier


def thinned_hints(spec: Spec, recipes: Mapping[str, Mapping[str, Any]], settings: Settings,
                  jobs: int | None = None) -> dict[str, dict[str, Any]]:  # fmt: skip
    """``recipes`` (by property id, as `write_hints` takes them) with each proof's lemmas
    thinned (`thinned`); the witnesses' and findings' runs as they are. The proofs are
    thinned in forked processes, the largest first (the same results on any number)."""
    proofs = sorted((p for p, r in recipes.items() if r and "lemmas" in r and len(r["lemmas"]) > 1),
                    key=lambda p: (-len(recipes[p]["lemmas"]), p))  # fmt: skip
    verifier = Verifier(spec, settings, None, jobs)
    thin = forked_map(lambda pid: thinned(verifier, pid, recipes[pid]), proofs, jobs)
    return {pid: dict(r) if r else r for pid, r in recipes.items()} | dict(zip(proofs, thin, strict=True))


def thinned(verifier: Verifier, pid: str, recipe: Mapping[str, Any]) -> dict[str, Any]:
    """``recipe`` with the lemmas its proof of ``pid`` needs: each lemma in turn left out
    when the proof without it still holds, one pass in the proof's order (a lemma kept is
    needed by the others kept, so the pass ends with a set none of whose lemmas can go).
    The fewer lemmas are written when their proof takes no more Z3 units than the proof
    from all of them, which is otherwise kept (a lemma left out can make the others' proof
    harder: the 2025 revision's P17 passes through a set of 8 that takes 27.2M). The recipe
    as it is when its own lemmas no longer prove it (a hint the gate reports stale)."""
    first = verifier.proof_from(pid, recipe)
    if first is None:
        return dict(recipe)
    units, proof = first
    for lemma in list(proof["lemmas"]):
        if lemma not in proof["lemmas"]:  # (left out by Houdini with one dropped before it)
            continue
        without = verifier.proof_from(pid, {**recipe, **proof, "lemmas": [c for c in proof["lemmas"] if c != lemma]})
        if without is not None:
            units, proof = without
    return {**recipe, **(proof if units <= first[0] else first[1])}
