"""Verdict flips between two versions of a spec: the verifier run on both (cached).

Each property is compared by id. A verdict that changed is a *flip*; when the author also
changed the property's `expect` the flip is shown apart ("the author changed expect"),
because a flip the author foresaw and one nobody foresaw read differently. A property
that was expected to hold and now fails — a new violation, or a promise the author gave
up by turning `expect` to violated — *breaks*, and makes the review exit 1; so does one
expected to hold that the verifier could neither prove nor break (*unproved*).

`available` compares without running the verifier (the docs site's review page): the new
version's verdicts from the docs build's results or the cache, the old one's from the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOLDS = ("proved", "holds-to-depth")


def outcome(verdict: str | None) -> str:
    """The verdict as a reader compares it: holds, violated, reachable, unreachable, unknown, or absent."""
    if verdict is None:
        return "absent"
    if verdict in HOLDS:
        return "holds"
    return verdict if verdict in ("violated", "reachable", "unreachable") else "unknown"


@dataclass(frozen=True)
class Comparison:
    """One property on both versions (`old`/`new` are the verifier's Verdicts or None)."""

    id: str
    old: Any
    new: Any
    retired: str = ""  # why the new version no longer checks it (its spec's `retired:`)
    retired_ja: str = ""  # the same in Japanese

    @property
    def title(self) -> str:
        return (self.new or self.old).title

    @property
    def articles(self) -> list[str]:
        return list((self.new or self.old).articles)

    @property
    def old_outcome(self) -> str:
        return outcome(self.old.verdict if self.old else None)

    @property
    def new_outcome(self) -> str:
        return outcome(self.new.verdict if self.new else None)

    @property
    def expect_changed(self) -> bool:
        return bool(self.old and self.new and self.old.expected != self.new.expected)

    @property
    def flipped(self) -> bool:
        return bool(self.old and self.new and self.old_outcome != self.new_outcome)

    @property
    def breaks(self) -> bool:
        """A promise fails on the new version: a property expected to hold (or a right expected
        reachable) before or after the change is violated (or unreachable) now."""
        if not self.new:
            return self.dropped
        if self.unproved:
            return False
        if self.new.expected in ("holds", "reachable") and not self.new.matches:
            return True
        before = self.old.expected if self.old else self.new.expected
        return (before == "holds" and self.new_outcome == "violated") or \
            (before == "reachable" and self.new_outcome == "unreachable")  # fmt: skip

    @property
    def dropped(self) -> bool:
        """A promise (a property expected to hold, or a right expected reachable) the new
        version no longer checks, with no reason recorded in its spec's `retired:`."""
        return bool(self.old and not self.new and not self.retired
                    and self.old.expected in ("holds", "reachable"))

    @property
    def unproved(self) -> bool:
        """Expected to hold, and neither proved nor violated on the new version: a bound or a
        budget was reached (holds-to-depth, unknown) — not a break, but no proof either."""
        return bool(self.new and self.new.expected == "holds" and not self.new.matches
                    and self.new.verdict in ("holds-to-depth", "unknown"))

    @property
    def category(self) -> str:
        """added, removed (with the reason the new spec records), dropped (removed without
        one: it breaks), unproved, breaks, flip-expected (the verdict changed and the author changed
        expect with it: a repair foreseen), flip (the verdict changed, expect did not),
        expect-only (expect changed, the verdict did not), mismatch (the new verdict differs
        from its expectation), same."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "dropped" if self.dropped else "removed"
        if self.unproved:
            return "unproved"
        if self.breaks:
            return "breaks"
        if self.flipped:
            return "flip-expected" if self.expect_changed else "flip"
        if self.expect_changed:
            return "expect-only"
        if not self.new.matches:
            return "mismatch"
        return "same"

    def to_json(self) -> dict[str, Any]:
        def side(v: Any) -> dict[str, Any] | None:
            if v is None:
                return None
            return {"verdict": v.verdict, "expected": v.expected, "matches": v.matches,
                    "counterexample": v.counterexample}  # fmt: skip

        return {"id": self.id, "title": self.title, "articles": self.articles, "category": self.category,
                "expect_changed": self.expect_changed, "old": side(self.old), "new": side(self.new),
                "retired": self.retired,
                "story": self.new.story if self.new and self.new_outcome == "violated" else ""}  # fmt: skip


def compare(old_spec: Path, new_spec: Path, properties: list[str] | None, out: Path | None,
            use_cache: bool = True) -> list[Comparison]:  # fmt: skip
    """Run the verifier (cached) on both versions; `properties` limits both runs to those
    ids (an id one version lacks is skipped there). Scenarios go to OUT/old and OUT/new."""
    from yakkan.model.spec import load_spec
    from yakkan.verify.cli import verify

    runs = []
    specs = {side: load_spec(path) for path, side in ((old_spec, "old"), (new_spec, "new"))}
    for path, side in ((old_spec, "old"), (new_spec, "new")):
        ids = list(specs[side].properties)
        wanted = [p for p in ids if p in set(properties)] if properties else None
        if properties and not wanted:
            runs.append({})
            continue
        verdicts, _ = verify(path, wanted, out_dir=(out / side / "verify") if out else None, use_cache=use_cache)
        runs.append({v.id: v for v in verdicts})
    a, b = runs
    order = [*a, *(p for p in b if p not in a)]
    return [Comparison(pid, a.get(pid), b.get(pid), *_reason(specs["new"].retired, pid)) for pid in order]


def _reason(retired: Any, pid: str) -> tuple[str, str]:
    """Why the new version no longer checks `pid`, in English and Japanese ("" when it does)."""
    return (retired[pid]["reason"], retired[pid]["ja"]) if pid in retired else ("", "")


@dataclass(frozen=True)
class Available:
    """The verdicts a docs build has without running the verifier: the comparisons of the
    properties with a verdict on each version that has them, and per version ("old", "new")
    the ids of its properties left out for want of a verdict."""

    comparisons: list[Comparison]
    missing: dict[str, list[str]]
    new_source: str  # "results" (the docs build's verify results) or "cache"


def available(old_spec: Path, new_spec: Path, new_results: Any = None) -> Available:
    """The verdicts of both versions as far as they are known (`yakkan verify` or `yakkan
    review` cached them in `.yakkan-cache/`, or the docs build was given NEW's results):
    nothing is checked. `new_results`: diagrams.results.VerifyResults of the new version."""
    from yakkan.model.spec import load_spec
    from yakkan.verify.cli import verify

    specs = {"old": load_spec(old_spec), "new": load_spec(new_spec)}
    runs: dict[str, dict[str, Any]] = {}
    for side, path in (("old", old_spec), ("new", new_spec)):
        if side == "new" and new_results is not None:
            runs[side] = {pid: from_results(v, specs[side]) for pid, v in new_results.verdicts.items()
                          if pid in specs[side].properties}  # fmt: skip
            continue
        verdicts, _ = verify(path, None, out_dir=None, cached_only=True)
        runs[side] = {v.id: v for v in verdicts}
    missing = {side: [p for p in specs[side].properties if p not in runs[side]] for side in ("old", "new")}
    if any(specs[side].properties and not runs[side] for side in runs):  # a version not verified at all
        return Available([], missing, "")
    gone = {p for side in ("old", "new") for p in missing[side]}
    a, b = runs["old"], runs["new"]
    order = [*specs["old"].properties, *(p for p in specs["new"].properties if p not in specs["old"].properties)]
    comparisons = [Comparison(p, a.get(p), b.get(p), *_reason(specs["new"].retired, p))
                   for p in order if p not in gone]  # fmt: skip
    return Available(comparisons, missing, "results" if new_results is not None else "cache")


def from_results(v: Any, spec: Any) -> Any:
    """A verdict of the docs build's results (diagrams.results.Verdict) as the verifier's own
    (verify.runner.Verdict), its title and kind from the spec."""
    from yakkan.verify.runner import Verdict

    prop = spec.properties[v.id]
    expected = v.expected or str(prop.expect)
    matches = v.matches if v.matches is not None else \
        (v.verdict == "proved" if expected == "holds" else v.verdict == expected)  # fmt: skip
    return Verdict(id=v.id, title=prop.title, kind=prop.kind, verdict=v.verdict,
                   expected=expected, matches=matches, depth=v.depth,
                   seconds=v.seconds or 0.0, articles=list(v.articles or prop.articles),
                   counterexample=str(v.scenario) if v.scenario else None, reason=v.detail)  # fmt: skip
