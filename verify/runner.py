"""Checking the catalogue: one verdict per property, in parallel, cached.

For each property (analysis §5, the spec's ``properties:``):

* expected to hold — an inductive proof on the property's slice (the variables it reads,
  the calendar's, and what they are computed from; the rest is havocked, which only adds
  behaviours); if no proof, a bounded search for a violation; then the premises must be
  reachable, else the verdict is *vacuous*;
* expected to fail (a known finding) — the search first, then the proof;
* reachable — a witness, else a proof that none exists;
* structural — the graph, then a witness per state.

Every counterexample and witness is replayed by the executable model before it counts
(``counterexample``); when the replay parts from the Z3 run, the slice grows by the
variables of the guards at fault and the search runs again, the last time with every
variable and the exact calendar.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError
from yakkan.model.expr import DATE
from yakkan.model.machine import BackendDisagreement
from yakkan.model.spec import FIGURES_AS_WRITTEN, PropertyDef, Spec

from .encoding import Bounds
from .engines import DEFAULT_GUARD_SECONDS, DEFAULT_UNITS

VERDICTS = ("proved", "holds-to-depth", "violated", "reachable", "unreachable", "unknown", "vacuous", "error")
# a proof checked again from known lemmas (the fast path, a proof hint) asks few queries, each
# with every lemma: one that meets the Houdini loop's 4M-unit cap has no newer candidates to
# give up (the 2025-04-01 spec's P15 from its hint: 11.3M units in one query), so its cap is
# higher; still within the property's budget
RECHECK_QUERY_CAP = 30_000_000
MATCHES = {"holds": ("proved",), "violated": ("violated",), "reachable": ("reachable",),
           "unreachable": ("unreachable",)}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """Engine settings (part of the cache key)."""

    depth: int = 80  # bounded search depth in steps: > 2 years of months, terms and events
    rlimit: int = DEFAULT_UNITS  # Z3 resource units per property: the budget that decides a verdict
    timeout: float = DEFAULT_GUARD_SECONDS  # a far-off wall-clock guard per property (then: unknown)
    premise_depth: int = 40  # depth of the search for a premise's witness
    samples: int = 160  # random runs mining lemma candidates
    sample_length: int = 40
    bounds: Bounds = field(default_factory=Bounds)

    def key(self) -> str:
        b = self.bounds
        return (f"d{self.depth}:r{self.rlimit}:p{self.premise_depth}:s{self.samples}x{self.sample_length}:"
                f"{b.key()}")  # fmt: skip


@dataclass
class Verdict:
    """The result for one property (what every report shows)."""

    id: str
    title: str
    kind: str
    verdict: str
    expected: str
    matches: bool
    depth: int | None
    seconds: float
    articles: list[str]
    counterexample: str | None = None
    reason: str = ""
    why: list[dict[str, Any]] = field(default_factory=list)
    story: str = ""
    line: int | None = None
    fault: dict[str, Any] | None = None
    witnesses: list[str] = field(default_factory=list)
    scenario_text: str | None = None  # the written scenario (kept in the cache)
    witness_texts: list[str] = field(default_factory=list)  # the written witnesses (`witnesses`, in order)
    engine: str = ""
    cached: bool = False  # reused from an earlier run of a system with the same fingerprint
    units: int = 0  # Z3 resource units spent (what the budget counts)
    fingerprint: str = ""  # what the verdict depends on (`dependencies.Fingerprints`)
    fingerprint_all: str = ""  # the same with every parameter's default (a story's figures)
    induction_step: dict[str, Any] | None = None  # the step no lemma set closed (failed_step.py)
    recipe: dict[str, Any] | None = None  # what checks it again after an edit (`Verifier.recheck`)
    # "full": the whole check; "fast": re-proved with the last proof's lemmas; "hint": with
    # its proof hint's (`hints.py`), every step
    route: str = ""
    # the fast path's proof checked again the steps of these events only (the others are the
    # same steps as when it was found); None: every step
    steps_rechecked: list[str] | None = None
    # the property's own witness scenario reached its goal only with one figure moved to
    # these terms (`routes.Moved.to_data`): the scenario to update
    witness_moved: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON item (see ``report``)."""
        return {
            "id": self.id, "verdict": self.verdict, "expected": self.expected,
            "matches": self.matches, "depth": self.depth, "seconds": round(self.seconds, 3),
            "articles": self.articles, "counterexample": self.counterexample,
            "title": self.title, "kind": self.kind, "reason": self.reason, "why": self.why,
            "fault": self.fault, "witnesses": self.witnesses, "engine": self.engine, "cached": self.cached,
            "units": self.units, "fingerprint": self.fingerprint, "induction_step": self.induction_step,
            "route": self.route, "steps_rechecked": self.steps_rechecked, "witness_moved": self.witness_moved,
        }  # fmt: skip

    def to_data(self) -> dict[str, Any]:
        """Every field, as JSON data (the values themselves, not copies: a verdict is
        written or sent as it is, and a recipe's runs made `asdict`'s deep copy the larger
        part of writing the cache, twice per verdict)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def refresh(self, spec: Spec) -> None:
        """A reused verdict's places in the spec as they are now: an edit elsewhere may have
        moved the property's and the faulty transition's lines."""
        prop = spec.properties[self.id]
        self.title, self.line, self.articles = prop.title, prop.line, list(prop.articles)
        if self.fault and self.fault.get("transition"):
            t = next((t for t in spec.transitions if t.id == self.fault["transition"]), None)
            if t is not None:
                self.fault = {**self.fault, "line": t.line, "articles": list(t.articles)}

    def restore(self, out_dir: Path | None) -> None:
        """A reused verdict's scenarios (its counterexample or witness, a structural
        property's witness per state), written again where this run puts its scenarios."""
        if out_dir is None:
            return
        from yakkan.model.limits import path_in, write_output

        def written(name: str, text: str) -> str:
            path = path_in(out_dir, Path(name).name)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                write_output(path, text)
            return str(path)

        if self.scenario_text and self.counterexample:
            self.counterexample = written(self.counterexample, self.scenario_text)
        if len(self.witness_texts) == len(self.witnesses):
            pairs = zip(self.witnesses, self.witness_texts, strict=True)
            self.witnesses = [written(name, text) for name, text in pairs]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Verdict:
        return cls(**data)


def expected_of(prop: PropertyDef) -> str:
    return prop.expect


def matches(verdict: str, expected: str) -> bool:
    return verdict in MATCHES.get(expected, ())


class NotAgain(Exception):
    """A fast-path check (`Verifier.recheck`) that cannot settle the verdict: the full check does."""


HALVED_FROM = 20  # properties proved together from their hints, from which the one solver is halved


class Verifier:
    """Checks the properties of one spec (one instance per process)."""

    def __init__(self, spec: Spec, settings: Settings, out_dir: Path | None = None, jobs: int | None = None) -> None:
        from yakkan.model.machine import CompiledSpec

        from .encoding import Model

        self.spec = spec
        self.settings = settings
        self.out_dir = out_dir
        self.jobs = jobs  # processes for the shared preparation (None: one per core)
        self.compiled = CompiledSpec(spec)
        self.model = Model(spec, settings.bounds)
        self._runs: list[Any] | None = None
        self._scenario_runs: dict[str, Any] = {}  # the spec's witness and example scenarios, replayed
        self._scenarios: dict[str, Any] = {}  # the scenario files read, by name
        # a reachable property's own witness route, if it reaches, and the figure moved to
        # reach it (`routes.Moved`), if one was (`_own_route_found`)
        self._own_routes: dict[str, tuple[list[Any], Any]] = {}
        self._stated: list[Any] | None = None
        self._masks: dict[Any, Any] = {}
        self._spaces: dict[Any, Any] = {}
        self._proof: dict[str, Any] | None = None  # the last proof's slice, k and lemmas
        self._premise_runs: dict[str, Any] = {}  # premise text -> (parameters, events, until) of a run reaching it
        self._premise_reached: dict[str, int] = {}  # premise text -> events of that run sent when it held
        self._premise_prefix: dict[str, str] = {}  # premise text -> digest of that run's steps until it held
        self._step_keys: dict[tuple[str, str], dict[str, Any]] = {}  # `_step_key`'s answers (one spec)
        self._step_digests: tuple[str, dict[str, str]] | None = None  # `encoding.Model.step_digests`
        self._used_runs: list[Any] = []  # (parameters, events, until) of each witness and counterexample written
        self._replaying = False  # `recheck` of a witness: the last runs only, no bounded search
        self._spare: tuple[int, Any, Any] | None = None  # `before_the_forks`: (parent's pid, context, model)
        self._step_checker: Any = None  # `step_checker`

    @property
    def step_checker(self) -> Any:
        """The encoding's steps, for following runs of the executable model in it
        (`engines.StepChecker`): one per process, made when first asked (a forked process
        takes a copy of its parent's, with the steps it had followed)."""
        from .engines import StepChecker

        if self._step_checker is None:
            self._step_checker = StepChecker(self.spec, self.settings.bounds)
        return self._step_checker

    # -- lemma candidates ---------------------------------------------------------------

    def prepare(self) -> None:
        """Compute what every check shares (before forking the solver processes)."""
        from .lemmas import CandidateSpace

        self.examples()  # (first: a scenario that does not load stops the run before any sampling)
        self.runs()
        space = CandidateSpace(self.model, None, None)
        atoms = [a for a in (*space.regions, *space.literals, *space.conclusions) if a is not None]
        self.masks(None).precompute(atoms, self.jobs)

    def read_scenarios(self) -> None:
        """Every scenario file of the spec read and checked against it (the worked examples,
        the properties' own witnesses), before any check, whichever properties are checked:
        a scenario that does not load under the spec is an input error here (its file, line
        and fix), not a solver process ended without a verdict, nor a file no check read."""
        if self.spec.path is not None:
            own = [p.witness for p in self.spec.properties.values() if p.witness is not None]
            for name in [*self.spec.examples, *own]:
                self._scenario(name)

    def examples(self) -> None:
        """The spec's worked examples replayed on the reference engine, before the solver
        processes fork (each would replay them again, for its premises or its witnesses;
        a property's own witness is replayed where that property is checked)."""
        if self.spec.path is not None:
            for name in self.spec.examples:
                self._scenario_run(name)

    def masks(self, monitor: Any) -> Any:
        """The truth tables of the sample states (with ``monitor``'s values, if any), made once."""
        from .lemmas import Masks, sample_values

        if monitor not in self._masks:
            self._masks[monitor] = Masks(sample_values(self.model, self.runs(), monitor))
        return self._masks[monitor]

    def runs(self) -> list[Any]:
        if self._runs is None:
            from .sampling import sample_runs

            s = self.settings
            self._runs = list(sample_runs(self.compiled, s.samples, s.sample_length, seed=0, jobs=self.jobs))
        return self._runs

    def stated_lemmas(self) -> list[Any]:
        """The spec's ``lemmas:`` as candidates (each is proved before a proof uses it)."""
        from .lemmas import AtomFactory, stated_lemmas

        if self._stated is None:
            self._stated = stated_lemmas(self.spec, AtomFactory(self.spec))
        return self._stated

    def mined(self, ob: Any, kept: frozenset[str]) -> Any:
        from .lemmas import CandidateSpace, Mined

        key = (ob.monitor, ob.formula.text if ob.formula is not None else None)
        if key not in self._spaces:
            self._spaces[key] = CandidateSpace(self.model, ob.monitor, ob.formula)
        return Mined(self._spaces[key], self.masks(ob.monitor), kept, focus=frozenset(ob.names))

    def monitor_lemmas(self, ob: Any) -> list[Any]:
        """What a response's monitor is by construction (``lemmas.monitor_lemmas``): that
        it waits for the response, always; the bounds of its deadline the samples satisfy."""
        from .lemmas import AtomFactory, holds_on_samples, monitor_lemmas

        if ob.monitor is None:
            return []
        waiting, *bounds = monitor_lemmas(self.model, AtomFactory(self.spec), ob.monitor)
        return [waiting, *(c for c in bounds if holds_on_samples(c, self.masks(ob.monitor)))]

    # -- the encoding a proof is made on ----------------------------------------------------

    def _system(self, ob: Any, kept: frozenset[str]) -> Any:
        """The transition system a proof of ``ob`` on the slice ``kept`` is made on."""
        from .encoding import System

        return System(self.model, kept, exact=False, monitor=ob.monitor)

    # -- one property -----------------------------------------------------------------------

    def before_the_forks(self) -> None:
        """What each solver process would otherwise do first, done once in the parent before
        they are forked: the Z3 context and symbolic model each starts from
        (`_fresh_context`: the parent never uses them, so every process inherits them as
        new), and the modules a check imports when it first needs them (25 ms a process).
        A spare still unused from an earlier batch of forks (the fast path's) is kept."""
        if self._spare is not None and self._spare[0] == os.getpid():
            return
        import z3

        from yakkan import messages  # noqa: F401

        from . import counterexample, realistic, trace  # noqa: F401
        from .encoding import Model

        own = z3.main_ctx()  # (kept with what is declared in it: the parent goes on in it)
        try:
            z3.z3._main_ctx = z3.Context()
            self._spare = (os.getpid(), z3.main_ctx(), Model(self.spec, self.settings.bounds))
        finally:
            z3.z3._main_ctx = own

    def _fresh_context(self) -> None:
        """A new Z3 context for the next check (see `engines.fresh_context`), and the
        symbolic model declared in it: what the preparation computed (the runs, the
        candidates' truth tables) holds no Z3 term and is kept. A forked solver process
        takes the one its parent built for it (`before_the_forks`), once."""
        import z3

        from .encoding import Model
        from .engines import fresh_context

        spare = self._spare
        if spare is not None and spare[0] != os.getpid():  # (in the parent it is kept for the next forks)
            self._spare = None
            z3.z3._main_ctx, self.model = spare[1], spare[2]
        else:
            fresh_context()
            self.model = Model(self.spec, self.settings.bounds)
        self._spaces.clear()
        self._stated = None

    def check(self, pid: str) -> Verdict:
        from .engines import DepthReached, Unknown
        from .properties import obligation

        self._fresh_context()
        self._proof, self._premise_runs, self._used_runs = None, {}, []
        self._premise_reached, self._premise_prefix = {}, {}
        prop = self.spec.properties[pid]
        ob = obligation(self.spec, prop)
        budget, v = self._start(prop)
        v.route = "full"
        try:
            if ob.kind == "structural":
                self._structural(ob, v, budget)
            elif ob.kind == "reach":
                self._reachable(ob, v, budget)
            elif prop.expect == "violated":
                if not self._search(ob, v, budget):
                    self._prove(ob, v, budget)
            elif self._sampled_violation(ob, v, budget):
                pass  # a run of the executable model already breaks it: no proof to try
            else:
                # a proof may take half the time; the bounded search gets the rest
                share = budget.share(0.5)
                try:
                    proved = self._prove(ob, v, share)
                except Unknown as exc:
                    proved, v.reason = False, f"induction: {exc}"
                if not proved:
                    self._search(ob, v, budget)
            if v.verdict == "proved" and ob.premises:
                self._vacuity(ob, v, budget)
        except DepthReached as exc:
            if v.verdict == "proved":  # the vacuity check did not finish: no "proved" without it
                v.verdict = "unknown"
                v.reason = f"proved by induction, but a premise was not shown reachable: {exc}"
            elif v.verdict == "unknown" and ob.kind not in ("reach", "structural") and exc.depth > 0:
                v.verdict, v.depth = "holds-to-depth", exc.depth
                v.reason = (v.reason + "; " if v.reason else "") + f"no violation within {exc.depth} steps ({exc})"
            else:
                v.reason = (v.reason + "; " if v.reason else "") + str(exc)
        except Unknown as exc:
            if v.verdict in ("unknown", "proved"):
                v.reason = ("proved by induction, but a premise was not shown reachable: " if v.verdict == "proved"
                            else (v.reason + "; " if v.reason else "")) + str(exc)  # fmt: skip
                v.verdict = "unknown"
            else:
                v.reason = (v.reason + "; " if v.reason else "") + str(exc)
        except BackendDisagreement as exc:  # never a log entry: it fails the gate
            v.verdict = "error"
            v.reason = f"the backends disagree: {exc}"
        if v.verdict in ("proved", "unreachable", "violated", "reachable"):
            v.induction_step = None  # settled: no open induction step to show
        v.seconds = budget.spent
        v.units = budget.used
        v.matches = matches(v.verdict, v.expected)
        if v.verdict == "holds-to-depth" and not v.reason:
            v.reason = f"no violation in {v.depth} steps, but no proof for all depths"
        if v.verdict == "proved" and ob.kind not in ("structural", "reach") and self._proof is not None:
            v.recipe = self._recipe(ob)
        elif v.matches and v.verdict in ("reachable", "violated", "proved") and \
                (ob.kind in ("structural", "reach") or prop.expect == "violated"):  # fmt: skip
            from .incremental import run_data

            v.recipe = {"verdict": v.verdict, "runs": [run_data(self.spec, r) for r in self._used_runs]}
            v.recipe["steps"] = self._step_key(ob, [])
        return v

    def refute(self, pid: str, depth: int) -> Verdict | None:
        """The cheap half of a check, for a property expected to hold (`yakkan mutate`'s
        first kill stage): a random run of the executable model that breaks it, else the
        bounded search to ``depth`` steps — no proof. The verdict with its replayed
        counterexample, or None when neither finds one within the budget."""
        from .engines import Unknown
        from .properties import obligation

        self._fresh_context()
        prop = self.spec.properties[pid]
        ob = obligation(self.spec, prop)
        if ob.kind in ("structural", "reach") or prop.expect != "holds":
            return None
        budget, v = self._start(prop)
        try:
            found = self._search(ob, v, budget, depth)
        except Unknown:
            found = False
        except BackendDisagreement as exc:  # never a log entry: it fails the gate
            v.verdict, v.reason, found = "error", f"the backends disagree: {exc}", True
        v.seconds, v.units = budget.spent, budget.used
        v.matches = matches(v.verdict, v.expected)
        return v if found else None

    # -- engines ------------------------------------------------------------------------------

    def slices(self, names: set[str]) -> list[frozenset[str]]:
        """Slices to try, smallest first: the property's own variables; with the
        calendar's; with everything they are computed from."""
        names = names & set(self.spec.variables)
        one_step = set(names)
        for v in names:
            one_step |= self.model.data_deps[v]
        one_step = {v for v in one_step if not self.spec.variables[v].scratch}
        cone = self.model.cone(names)
        # the dates the guards of the transitions writing these variables compare with
        # (the minimum term for a cancellation, a cure deadline for a termination)
        guard_dates = set()
        for t in self.model.transitions:
            if any(a.target in cone for a in t.effects):
                for g in t.guard:  # (a record's dates, one per ground, only when the property reads them)
                    guard_dates |= {n for n in g.names() if self.model.var_types.get(n) == DATE
                                    and self.spec.variables[n].record is None}  # fmt: skip
        out: list[frozenset[str]] = []
        for kept in (frozenset(names), frozenset(one_step), frozenset(names) | self.model.calendar_core,
                     cone, self.model.cone(cone | guard_dates)):  # fmt: skip
            if kept not in out:
                out.append(kept)
        return out

    def _start(self, prop: PropertyDef) -> tuple[Any, Verdict]:
        """A check's budget (its Z3 units counted from now) and its verdict, not yet known."""
        from .engines import Budget, start_counting

        start_counting()
        budget = Budget(self.settings.rlimit, self.settings.timeout)
        v = Verdict(
            id=prop.id, title=prop.title, kind=prop.kind, verdict="unknown", expected=prop.expect,
            matches=False, depth=None, seconds=0.0, articles=list(prop.articles), line=prop.line,
        )  # fmt: skip
        return budget, v

    def _prove(self, ob: Any, v: Verdict, budget: Any) -> bool:
        from .engines import NoProof, QueryTimeout
        from .engines import prove as prove_
        from .failed_step import failed_step

        def prove(*args: Any, **kw: Any) -> Any:
            try:
                return prove_(*args, **kw)
            except QueryTimeout as exc:
                return NoProof(str(exc))

        result: Any = None
        slices = self.slices(ob.reads)
        given = self.stated_lemmas() + self.monitor_lemmas(ob)
        # the property alone (with the spec's lemmas) on its own variables, then on the
        # widest slice; then with mined lemmas: on its own variables first when they are
        # many (a property over much of the state), else on the widest slice first (a
        # narrow slice seldom holds the lemmas needed); then the other slices
        first = slices[0] if len(slices[0]) >= 6 else slices[-1]
        attempts = [(slices[0], False), (slices[-1], False), (first, True), *((k, True) for k in slices)]
        def attempt(kept: frozenset[str], **kw: Any) -> Any:
            sysm = self._system(ob, kept)
            result = prove(ob, sysm, budget=budget, given=given, **kw)
            if isinstance(result, NoProof) and result.cti is not None:
                # the last counterexample to induction met, kept even when the budget
                # runs out in a later attempt (cleared when the verdict is settled)
                v.induction_step = failed_step(self.model, ob, result.cti, result.cti_next, result.cti_event)
            return result

        for kept, with_mined in dict.fromkeys(attempts):
            result = attempt(kept, mined=self.mined(ob, kept) if with_mined else None)
            if not isinstance(result, NoProof):
                break
        if isinstance(result, NoProof) and result.cti is not None:
            # last resort: every candidate over the widest slice at once (slow, complete
            # relative to the candidates: Houdini keeps their largest inductive subset)
            kept = slices[-1]
            result = attempt(kept, mined=self.mined(ob, kept), seed_limit=4000, kmax=3)
        if isinstance(result, NoProof):
            v.reason = f"induction: {result.reason}"
            return False
        self._proved(v, ob, kept, result)
        return True

    def _proved(self, v: Verdict, ob: Any, kept: frozenset[str], result: Any) -> None:
        """``v`` proved by ``result`` on the slice ``kept`` (remembered for `recheck`)."""
        from .incremental import proof_data

        v.verdict = "proved" if ob.kind != "reach" else "unreachable"
        v.depth = None
        v.induction_step = None  # an earlier attempt's open step, closed by this proof
        v.engine = f"k-induction (k={result.k})" + (" with lemmas" if result.lemmas else "")
        v.why = why(result.lemmas)
        if not result.lemmas:
            v.why = [{"lemma": "inductive on its own: every step preserves it", "articles": []}]
        self._proof = proof_data(kept, result)
        if ob.kind in ("state", "step", "response"):
            self._proof["steps"] = self._step_key(ob, self._proof["lemmas"])

    def _step_key(self, ob: Any, lemmas: list[Any]) -> dict[str, Any]:
        """What a proof of ``ob`` with ``lemmas`` (their data, `proof_data`) is a proof about:
        a digest of the step relation's shared part, of the property's formulas and of the
        lemmas as the spec reads them now, with the values of the parameters they name; and
        each event's digest (`encoding.Model.step_digests`). A structural property reads
        the lifecycle graph too: every transition's source and target states."""
        import json

        from .encoding import digest
        from .incremental import candidates_from

        memo = (ob.id, json.dumps(lemmas, sort_keys=True))
        if memo in self._step_keys:
            return self._step_keys[memo]
        if self._step_digests is None:  # (the spec's, not the context's: kept across checks)
            self._step_digests = self.model.step_digests
        shared, events = self._step_digests
        given = candidates_from(self.spec, self.stated_lemmas(), lemmas)
        atoms = [a for c in given for a in (*c.premises, c.conclusion)]
        exprs = [e for e in (ob.formula, *(p.expr for p in ob.premises)) if e is not None]
        if ob.monitor is not None:
            exprs += [ob.monitor.trigger, ob.monitor.response]
        own = digest(
            shared, ob.kind, repr(ob.formula), repr(ob.monitor), sorted(ob.names),
            [(p.text, p.kind, repr(p.expr), p.want) for p in ob.premises],
            [[(a.text, repr(a.expr)) for a in (*c.premises, c.conclusion)] for c in given],
            self.model.read_values([*exprs, *(a.expr for a in atoms)]),
            [(t.id, t.event, t.sources, t.target) for t in self.spec.transitions] if ob.kind == "structural" else None,
            ob.prop.check,
            self._figures_read() if ob.prop.check == FIGURES_AS_WRITTEN else None,
        )  # fmt: skip
        self._step_keys[memo] = {"shared": own, "events": events}
        return self._step_keys[memo]

    def _figures_read(self) -> list[Any]:
        """What `figures_as_written` reads: the value, the quoted words and the articles of
        every parameter that quotes the terms, and the terms text."""
        from yakkan.model.limits import read_input_bytes

        from .encoding import digest

        return [[(n, str(p.default), p.written, p.articles) for n, p in self.spec.parameters.items()
                 if p.written is not None],
                digest(read_input_bytes(self.spec.terms_path).decode("utf-8", "replace"))]  # fmt: skip

    def _changed_events(self, ob: Any, recipe: Mapping[str, Any]) -> list[str] | None:
        """The events whose steps an edit changed since ``recipe``'s proof, when nothing else
        it rests on changed (the shared part of the step, the formulas, the lemmas); else
        None. A proof hint (`hints.py`) is believed of no step: every event's steps."""
        if recipe.get("hint"):
            return sorted(self.spec.events) if int(recipe.get("k", 1)) == 1 else None
        old = recipe.get("steps")
        if not isinstance(old, Mapping) or int(recipe.get("k", 1)) != 1:
            return None
        try:
            key = self._step_key(ob, list(recipe.get("lemmas", ())))
            if key["shared"] != old.get("shared"):
                return None
            return sorted(e for e, d in key["events"].items() if old["events"].get(e) != d)
        except (KeyError, TypeError, ValueError, AttributeError):  # a recipe of another layout
            return None

    def _proof_of_changed_steps(self, ob: Any, kept: frozenset[str], given: list[Any],
                                changed: list[str], budget: Any) -> Any:  # fmt: skip
        """The last proof, kept for the spec as it is now by checking again only the steps by
        the ``changed`` events. The lemmas were inductive with the property over every step
        of the old spec; the steps by any other event are the same steps (their digests are
        equal), so each of them still preserves the lemmas and the property. Base case and
        consecution are checked for the changed steps, with no lemma dropped (a lemma one of
        them breaks sends the property to the whole re-check). None if that fails."""
        from .encoding import System
        from .engines import NoProof, Proof, prove

        lemmas = [c for c in given if c.names <= kept]
        if not changed:
            return Proof(lemmas, 0, 0)
        sysm = System(self.model, kept, exact=False, monitor=ob.monitor, events=changed)
        result = prove(ob, sysm, None, budget.share(0.5), given=given, minimize=False, query_cap=RECHECK_QUERY_CAP)
        if isinstance(result, NoProof) or len(result.lemmas) != len(lemmas):
            return None
        return result

    def _recipe(self, ob: Any) -> dict[str, Any] | None:
        """What `recheck` needs to prove the property again: the proof's slice, k and
        lemmas, and for each premise the run of the executable model that reached it (a
        premise reached only by the bounded search has none: no recipe)."""

        if self._proof is None or any(p.text not in self._premise_runs for p in ob.premises):
            return None
        premises = {p.text: self._premise_data(p.text) for p in ob.premises}
        return {**self._proof, "verdict": "proved", "premises": premises}

    def _premise_data(self, text: str) -> dict[str, Any]:
        """The run that reached the premise ``text``, as JSON data, with how many of its
        events were sent when the premise held (``reached_after``: what `_untouched` reads)."""
        from .incremental import run_data

        data = run_data(self.spec, self._premise_runs[text])
        if text in self._premise_reached:
            data["reached_after"] = self._premise_reached[text]
        if text in self._premise_prefix:
            data["prefix"] = self._premise_prefix[text]
        return data

    def recheck(self, pid: str, recipe: Mapping[str, Any]) -> Verdict | None:
        """The fast path after an edit (issue 14 §5): ``pid`` proved again with the lemmas of
        its last proof only — one induction (base and step) of the property and those
        lemmas on the new spec, on the same slice, with the same encoding and budget as the
        full check; Houdini only drops the lemmas no longer inductive. Its premises must be
        reached again by the runs that reached them last time, replayed on the new spec and
        followed in Z3. No random runs, no mining. None when any of it fails (then the full
        check decides): never a verdict other than ``proved``."""
        from .engines import NoProof, Unknown
        from .properties import obligation

        if "runs" in recipe:
            return self._rewitness(pid, recipe)
        self._fresh_context()
        prop = self.spec.properties[pid]
        ob = obligation(self.spec, prop)
        if ob.kind in ("structural", "reach") or prop.expect != "holds" or recipe.get("verdict") != "proved":
            return None
        budget, v = self._start(prop)
        v.route = "fast"
        try:
            kept, given = self._slice_and_lemmas(recipe)
            changed = self._changed_events(ob, recipe)
            result = None
            if changed is not None:
                result = self._proof_of_changed_steps(ob, kept, given, changed, budget)
                v.steps_rechecked = None if result is None else changed
            if result is None:
                result = self._induction_from(ob, kept, given, recipe, budget)
            if isinstance(result, NoProof):
                return None
            runs = self._premises_again(ob, recipe, _believed(recipe, changed), budget, {})
            if runs is None:
                return None
        except BackendDisagreement as exc:  # never a log entry: it fails the gate
            v.verdict, v.matches, v.reason = "error", False, f"the backends disagree: {exc}"
            return v
        except (Unknown, KeyError, TypeError, ValueError):
            return None
        self._proved(v, ob, kept, result)
        v.recipe = {**(self._proof or {}), "verdict": "proved", "premises": runs}
        v.seconds, v.units = budget.spent, budget.used
        v.matches = matches(v.verdict, v.expected)
        return v

    def proof_from(self, pid: str, recipe: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """``pid`` proved with the lemmas of ``recipe`` only, as `recheck` proves a hint's
        induction (the same slice, encoding, budget and query cap; no premise replayed):
        the Z3 units the proof took and its data (`incremental.proof_data`: the lemmas
        Houdini kept). None when those lemmas do not prove it."""
        from .engines import NoProof, QueryTimeout, Unknown
        from .incremental import proof_data
        from .properties import obligation

        self._fresh_context()
        ob = obligation(self.spec, self.spec.properties[pid])
        budget, _ = self._start(self.spec.properties[pid])
        kept, given = self._slice_and_lemmas(recipe)
        try:
            result = self._induction_from(ob, kept, given, recipe, budget)
        except (QueryTimeout, Unknown):
            return None
        if isinstance(result, NoProof):
            return None
        return budget.used, proof_data(kept, result)

    def _slice_and_lemmas(self, recipe: Mapping[str, Any]) -> tuple[frozenset[str], list[Any]]:
        """The slice of ``recipe``'s proof (the variables the spec still has) and its lemmas
        as candidates (those of the spec's ``lemmas:`` by their text; each is proved again)."""
        from .incremental import candidates_from

        kept = frozenset(recipe["slice"]) & frozenset(self.spec.variables)
        return kept, candidates_from(self.spec, self.stated_lemmas(), recipe["lemmas"])

    def _induction_from(self, ob: Any, kept: frozenset[str], given: list[Any], recipe: Mapping[str, Any],
                        budget: Any) -> Any:  # fmt: skip
        """The whole induction of ``ob`` on the slice ``kept`` with the lemmas ``given`` (a
        recipe's or a hint's) and no mining: what `recheck` falls back to and what
        `proof_from` (the thinning of a hint) asks, so that the two cannot drift apart. The
        proof's share of the budget, as in the full check (`check`): a warm run proves
        nothing a cold one could not."""
        from .engines import prove

        return prove(ob, self._system(ob, kept), None, budget.share(0.5), kmax=int(recipe.get("k", 1)),
                     given=given, minimize=False, query_cap=RECHECK_QUERY_CAP)  # fmt: skip

    def _untouched(self, data: Mapping[str, Any], changed: list[str] | None) -> bool:
        """The run ``data`` (`incremental.run_data`) is the same run on the spec as it is now,
        step for step, in the executable model and in the encoding: only the steps of the
        ``changed`` events differ from the spec it was recorded on, no calendar event is
        among them (the calendar tries its events every day), and the run sends none of
        them — a premise's run, none before the premise held (``reached_after``: the steps
        up to it are the same steps, so it holds again). ``changed`` None: not known."""
        if changed is None:
            return False
        calendar = set(self.model.slot_of)
        sent = data["events"][: data.get("reached_after", len(data["events"]))]
        return not any(e in calendar for e in changed) and not any(str(e[1]) in changed for e in sent)

    def together(self, recipes: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """The properties of ``recipes`` (by id) that `recheck_together` may settle: only the
        steps of some events changed since their last verdict (`_changed_events`), and each
        is a finding with its last verdict whose runs send none of those events
        (`_untouched`: its verdict stands as it was) or a state or step property proved. A
        finding whose runs the edit touched is replayed in a solver process of its own,
        beside the parent's one solver, not after it."""
        from .properties import obligation

        out = []
        for pid, recipe in recipes.items():
            ob = obligation(self.spec, self.spec.properties[pid])
            changed = self._changed_events(ob, recipe)
            if changed is None:
                continue
            if "runs" in recipe:  # (a finding whose runs send a changed event is replayed at once, in a process)
                try:
                    same = "last" in recipe and all(self._untouched(r, changed) for r in recipe["runs"])
                except (KeyError, TypeError, ValueError, AttributeError):  # runs of another layout: replayed
                    same = False
                if same:
                    out.append(pid)
            elif ob.kind in ("state", "step") and all(p.text in recipe.get("premises", {}) for p in ob.premises):
                out.append(pid)
        return out

    def recheck_together(self, recipes: Mapping[str, Mapping[str, Any]],
                         pause: Callable[[], None] | None = None, fork: bool = True) -> dict[str, Verdict]:  # fmt: skip
        """The fast path's cheapest route, in this process (the parent, while the solver
        processes of the other properties run): the verdicts of ``recipes`` (by property
        id, those `together` chose) that an edit cannot have changed, or that one solver
        shows unchanged. Only the steps of some events changed (`_changed_events`), and:

        * a witness or a known finding whose runs send none of those events (and no
          calendar event changed) is the same run, step for step, with the same figures:
          its last verdict (``recipe["last"]``) stands, its scenario written again;
        * a state or step property proved is proved again if the changed steps preserve
          it and each of its lemmas (`engines.preserved_each`: each property on its own, in
          one solver that holds the step once, on every variable some proof keeps). Its lemmas were
          inductive with it over its slice — an over-approximation of these steps — on
          every old step, and the other steps are the old steps; the base case is the old
          one: the initial states, the formula and the lemmas are unchanged (their
          digests). Each premise is then reached again by its last run
          (`_premises_again`).

        The others are left to `recheck`. It runs in a fresh Z3 context, as every check
        does: the queries' units are the same every run, whatever the process checked
        before. ``pause()`` is called between the pieces of this work (each part of the one
        solver, and while it waits for the premises): the parent starts the next solver
        processes there and collects those that ended (`_each`), so that no core waits for it.
        The premises are reached again in a forked process (``fork``) while the one solver
        runs here — every property's, in the batch's order, whatever the solver shows: the
        same work, so the same units, as in this process (``fork`` False: a cluster's worker).
        When every step is checked (the proof hints of a cold gate) and the batch holds at
        least ``HALVED_FROM`` properties, its second half is checked in a solver of its own in
        that process, after the premises: this process's solver was the cold gate's longest
        piece, alone on its core for its last 1.7 s (the revision's 75 proofs), and the two
        halves take about what the one solver took (26.2M -> 27.7M units of the revision's
        catalogue, the same CPU; 4.3-4.4 s instead of 5.1-5.25 s wall)."""
        from .engines import Proof
        from .parallel import Later
        from .properties import obligation

        out: dict[str, Verdict] = {}
        self._fresh_context()  # (its units the same whatever this process checked before)
        batch: list[tuple[Any, frozenset[str], list[Any], Mapping[str, Any]]] = []
        events: set[str] = set()
        for pid, recipe in recipes.items():  # (each chosen by `together`: not asked again)
            ob = obligation(self.spec, self.spec.properties[pid])
            changed = self._changed_events(ob, recipe) or []  # (not None: `together` chose it)
            if "runs" in recipe:
                v = self._same_finding(pid, recipe, changed)
                if v is not None:
                    out[pid] = v
                continue
            kept, given = self._slice_and_lemmas(recipe)
            batch.append((ob, kept, [c for c in given if c.names <= kept], recipe))
            events |= set(changed)
        hints = [(ob, lemmas) for ob, _, lemmas, recipe in batch if recipe.get("hint")]
        if not batch:
            return out
        # every step of a large batch (the hints' route: a cold gate): its second half in the
        # premises' process, after the premises, in a solver of its own
        cut = (len(batch) + 1) // 2 if len(hints) == len(batch) >= HALVED_FROM else len(batch)
        mine, theirs = batch[:cut], batch[cut:]

        def beside() -> tuple[Any, Any]:
            premises = self._premises_of(batch, sorted(events))
            return premises, self._preserved_apart(theirs, events, hints[cut:]) if theirs else None

        premised = Later(beside, fork)
        try:
            held = self._preserved_together(mine, events, hints[:cut], pause)  # (halved: every one is a hint)
            reached, held_b = premised.result(pause)
        finally:
            premised.close()
        if held is None or (theirs and held_b is None):  # each is left to `recheck`
            return out
        # each property's share of its solver, and then what its premises cost
        shares = [(held[1].spent / len(mine), held[1].used // len(mine))] * len(mine)
        if theirs:
            shares += [(held_b[1][0] / len(theirs), held_b[1][1] // len(theirs))] * len(theirs)
        oks = held[0] + (held_b[0] if theirs else [])
        for i, ((ob, kept, lemmas, recipe), ok, (premises, spent, used), (seconds, units)) in enumerate(
                zip(batch, oks, reached, shares, strict=True)):
            if pause is not None:
                pause()
            if not ok or premises is None:
                continue  # left to `recheck`: its lemmas may be dropped there, or the full check decides
            _, v = self._start(ob.prop)
            self._proved(v, ob, kept, Proof(lemmas, 0, 0))
            v.route, v.steps_rechecked = "fast", sorted(events)
            others = len(mine if i < cut else theirs) - 1
            v.engine += f" ({'every step' if recipe.get('hint') else 'the changed steps'} checked in one solver " \
                        f"with {others} other properties)"  # fmt: skip
            v.recipe = {**(self._proof or {}), "verdict": "proved", "premises": premises}
            v.seconds, v.units = seconds + spent, units + used
            v.matches = matches(v.verdict, v.expected)
            out[ob.id] = v
        return out

    def _preserved_together(self, batch: list[tuple[Any, frozenset[str], list[Any], Mapping[str, Any]]],
                            events: set[str], hints: list[tuple[Any, list[Any]]],
                            pause: Callable[[], None] | None) -> tuple[list[bool], Any] | None:  # fmt: skip
        """`recheck_together`'s one solver: for each of ``batch``, whether the steps of
        ``events`` preserve it and its lemmas (and a hint's base case holds), with the budget
        they took together; None when the solver gave no answer."""
        import z3

        from .encoding import System
        from .engines import Budget, Unknown, initiation_each, preserved_each, start_counting

        start_counting()
        budget = Budget(self.settings.rlimit, self.settings.timeout)
        try:
            # on the variables some proof keeps: the others are havocked (an over-approximation
            # of every slice, as each slice is of the spec)
            union = frozenset().union(*(kept for _, kept, _, _ in batch))
            sysm = System(self.model, union, exact=False, events=events)
            held = preserved_each(sysm, [(ob, lemmas) for ob, _, lemmas, _ in batch], budget, pause=pause) if events \
                else [True] * len(batch)  # fmt: skip
            # a hint's base case too (a proof of the cache's has the old one: its digests are equal)
            based = iter(initiation_each(sysm, hints, budget) if hints else ())
            if pause is not None:
                pause()
            base = [next(based) if recipe.get("hint") else True for _, _, _, recipe in batch]
        except (Unknown, KeyError, TypeError, ValueError, z3.Z3Exception):
            return None
        return [a and b for a, b in zip(held, base, strict=True)], budget

    @contextlib.contextmanager
    def _own_context(self) -> Iterator[None]:
        """The block in a fresh Z3 context (`_fresh_context`), as every check: the same units
        in a forked process as in this one, whatever it did before; this process's context
        and model given back after."""
        import z3

        own, model = z3.main_ctx(), self.model
        self._fresh_context()
        try:
            yield
        finally:
            z3.z3._main_ctx, self.model = own, model

    def _preserved_apart(self, batch: list[tuple[Any, frozenset[str], list[Any], Mapping[str, Any]]],
                         events: set[str], hints: list[tuple[Any, list[Any]]],
                         ) -> tuple[list[bool], tuple[float, int]] | None:  # fmt: skip
        """`_preserved_together` for ``batch`` in a Z3 context of its own (`_own_context`):
        the same answers and units in a forked process as here; the budget as (seconds, units)."""
        with self._own_context():
            held = self._preserved_together(batch, events, hints, None)
            return None if held is None else (held[0], (held[1].spent, held[1].used))

    def _premises_of(self, batch: list[tuple[Any, frozenset[str], list[Any], Mapping[str, Any]]],
                     changed: list[str]) -> list[tuple[dict[str, Any] | None, float, int]]:  # fmt: skip
        """`recheck_together`'s premises: for each of ``batch`` in order, its premises reached
        again (`_premises_again`; None when one is not, or the backends disagree: `recheck`
        finds and reports that), with the seconds and units it took. In a Z3 context of their
        own (`_fresh_context`), as every check: the same units in a forked process as here,
        whatever the one solver did before; this process's context is given back after."""
        from .engines import Unknown

        with self._own_context():
            replayed: dict[str, Any] = {}  # each run replayed once, however many premises it reached
            out: list[tuple[dict[str, Any] | None, float, int]] = []
            for ob, _, _, recipe in batch:
                mine, _ = self._start(ob.prop)
                try:
                    premises = self._premises_again(ob, recipe, _believed(recipe, changed), mine, replayed)
                except (BackendDisagreement, Unknown, KeyError, TypeError, ValueError):
                    premises = None
                out.append((premises, mine.spent, mine.used))
            return out

    def _premises_again(self, ob: Any, recipe: Mapping[str, Any], changed: list[str] | None, budget: Any,
                        replayed: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
        """Each premise of ``ob`` reached again by the run that reached it last: a run the
        edit cannot have changed before the premise held (`_untouched`; ``changed`` None:
        not known) is taken as it is; another is replayed on the reference engine (once:
        ``replayed``, by its data) and its reaching step followed in Z3. The premises' runs
        as JSON data, or None when a run no longer reaches its premise; a disagreement of
        the backends is raised (`BackendDisagreement`)."""
        import json

        from .incremental import MARGINS, replay_run

        self._premise_runs, self._premise_reached, self._premise_prefix = {}, {}, {}
        out: dict[str, Any] = {}
        for p in ob.premises:
            data = recipe["premises"][p.text]
            if self._untouched(data, changed):
                out[p.text] = data  # the same run, step for step: it reaches the premise again
                continue
            key = json.dumps([data["parameters"], data["events"], data["until"]], sort_keys=True)
            last = (data["prefix"], changed) if changed is not None and "prefix" in data else None
            for margin in MARGINS:
                if (key, margin) not in replayed:
                    replayed[(key, margin)] = replay_run(self.compiled, data, engine="reference", margin=margin)
                run = replayed[(key, margin)]
                if run is not None and self._premise_in_runs(p, budget, [run], reference=True, last=last):
                    break
            else:
                return None
            out[p.text] = self._premise_data(p.text)
        return out

    def _same_finding(self, pid: str, recipe: Mapping[str, Any], changed: list[str]) -> Verdict | None:
        """The last verdict of a witness or a known finding (``recipe["last"]``), when its
        runs are the same runs on the spec as it is now (`_untouched`); else None."""
        last = recipe.get("last")
        if not isinstance(last, Mapping) or not all(self._untouched(r, changed) for r in recipe["runs"]):
            return None
        try:
            v = Verdict.from_data({**last, "recipe": None})
        except TypeError:  # a verdict of another layout
            return None
        v.refresh(self.spec)
        v.restore(self.out_dir)
        v.cached, v.route, v.steps_rechecked, v.seconds, v.units = False, "fast", list(changed), 0.0, 0
        from .properties import obligation

        ob = obligation(self.spec, self.spec.properties[pid])
        v.recipe = {"verdict": v.verdict, "runs": list(recipe["runs"]), "steps": self._step_key(ob, [])}
        return v

    def _as_run(self, trace: Any) -> tuple[Any, list[Any], int]:
        """A replayed trace as a history of the executable model: (parameters, events, the
        day its calendar runs until)."""
        events = [(trace.day0, self.spec.creating_event.name, {}), *trace.scenario_events]
        return trace.parameters, events, trace.last_day

    def _search(self, ob: Any, v: Verdict, budget: Any, depth: int | None = None) -> bool:
        """Bounded search for the violation; True if a replayed counterexample was found."""
        depth = self.settings.depth if depth is None else depth
        found, reached = self.search(ob, ob.violation, budget, depth)
        if found is None:
            if v.verdict == "unknown":
                v.verdict = "holds-to-depth" if ob.kind != "reach" else "unknown"
                v.depth = reached
                if ob.kind == "reach":
                    v.reason = f"no witness within {reached} steps"
            return False
        self._record(ob, v, *found, budget=budget)
        return True

    def _sampled_violation(self, ob: Any, v: Verdict, budget: Any) -> bool:
        """A random run of the executable model that violates the property (cheap: looked
        for before any proof), checked step by step in Z3 and written as a counterexample."""
        found = self._from_samples(ob, ob.violation, budget)
        if found is None:
            return False
        self._record(ob, v, *found, budget=budget)
        return True

    def _record(self, ob: Any, v: Verdict, trace: Any, checked: Any, budget: Any) -> None:
        """A replayed counterexample (a witness, for a reachability) as the verdict, told
        as a lawyer reads it (`realistic`)."""
        v.verdict = "reachable" if ob.kind == "reach" else "violated"
        v.engine = "simulation + z3 step check" if trace.note else "bmc"
        trace, checked = self._realistic(ob.prop, ob.violation, trace, checked, budget)
        v.depth = len(trace.steps)
        self._used_runs.append(self._as_run(trace))
        self._write(ob.prop, trace, checked, v, "witness" if ob.kind == "reach" else "counterexample",
                    frozenset(ob.reads))  # fmt: skip

    def _realistic(self, prop: PropertyDef, goal: Any, trace: Any, checked: Any, budget: Any,
                   z3_check: bool = True) -> tuple[Any, Any]:  # fmt: skip
        """The counterexample (witness) rewritten by `realistic` (minimal, usual fees, round
        amounts, dates near the terms' effective date), replayed and then checked step by
        step in Z3 (``z3_check``); the original when the rewrite does not hold up (or the
        budget is spent)."""
        from .counterexample import check, find_goal
        from .engines import Unknown
        from .realistic import Polisher, Story

        spec = self.spec
        if self._replaying:  # the last witness was rewritten when it was found
            return trace, checked
        contract = {k: v for k, v in trace.parameters.items() if spec.parameters[k].scope == "contract"}
        events = ((trace.day0, spec.creating_event.name, {}), *trace.scenario_events)
        story = Story(contract, events, checked.replay.scenario.until)
        got = Polisher(self.compiled, prop, goal).polish(story)
        if got is None:
            return trace, checked
        new, result = got
        steps = list(result.contract.steps)
        if goal is not None:
            steps = steps[: find_goal(spec, goal, result)[0] + 1]
        try:
            polished = self.run_trace(steps, {**trace.parameters, **new.parameters}, budget, z3_check)
        except Unknown:
            return trace, checked
        polished.until = new.until if goal is None else None
        polished.note = trace.note
        again = check(self.compiled, prop, polished, goal)
        if not again.reproduced or again.divergence is not None:
            return trace, checked
        return polished, again

    def _reachable(self, ob: Any, v: Verdict, budget: Any) -> None:
        """A witness; failing that, a proof that no step satisfies the formula."""
        if self._search(ob, v, budget):
            moved = self._own_route_found(ob)[1]  # (whichever run gave the witness: the scenario as written is stale)
            v.witness_moved = moved.to_data(ob.prop.witness) if moved is not None else None
            return
        from .engines import NoProof, prove
        from .properties import Obligation, _negate

        assert ob.formula is not None
        never = Obligation(ob.prop, "step", _negate(ob.formula), None, ob.names, ())
        kept = self.model.cone(ob.names)
        result = prove(never, self._system(never, kept), self.mined(never, kept), budget)
        if not isinstance(result, NoProof):
            v.verdict = "unreachable"
            v.why = why(result.lemmas)

    def _vacuity(self, ob: Any, v: Verdict, budget: Any) -> None:
        """Every premise of the property must be reachable, else the proof is vacuous."""
        from .engines import NoProof, prove
        from .properties import Obligation

        for p in ob.premises:
            # a run of the executable model reaches the premise, and the encoding takes the
            # step that reaches it (between the same two states): witness enough
            if self._premise_in_runs(p, budget, [*self._witness_runs(ob), *self.runs()]):
                continue
            found, reached = self.search(ob, p, budget, self.settings.premise_depth)
            if found is not None:
                self._premise_runs[p.text] = self._as_run(found[0])
                continue
            # no witness: is the premise unreachable (vacuous) or just deep?
            neg_kind = "state" if p.kind == "state" else "step"
            from .properties import _negate

            neg = Obligation(ob.prop, neg_kind, _negate(p.expr), None, ob.names, ())
            kept = self.model.cone(ob.names)
            result = prove(neg, self._system(neg, kept), self.mined(neg, kept), budget)
            if isinstance(result, NoProof):
                v.verdict = "unknown"
                v.reason = f"premise `{p.text}` not reached within {reached} steps (not proved unreachable)"
            else:
                v.verdict = "vacuous"
                v.reason = f"premise `{p.text}` can never hold: the property says nothing"
            return

    def _rewitness(self, pid: str, recipe: Mapping[str, Any]) -> Verdict | None:
        """The fast path of a witness or a known counterexample (a reachable property, a
        structural one, one expected violated): the whole check as `check` does it, with the
        runs that gave its last witnesses (replayed on the new spec) as the only random
        runs, and no bounded search. The verdict if it is the last one again, else None."""
        from .incremental import MARGINS, replay_run

        # on the reference engine: a few runs, the fast engine's code not generated for them
        for margin in MARGINS:
            runs = [replay_run(self.compiled, r, engine="reference", margin=margin) for r in recipe["runs"]]
            if any(r is None for r in runs):
                return None
            saved = self._runs
            self._runs, self._replaying = runs, True
            try:
                v = self.check(pid)
            except NotAgain:
                continue
            finally:
                self._runs, self._replaying = saved, False
            # a disagreement of the backends is reported, never retried away on the full path
            if v.verdict == "error" or (v.verdict == recipe.get("verdict") and v.matches):
                v.route = "fast"
                return v
        return None

    def _premise_in_runs(self, premise: Any, budget: Any, runs: list[Any], reference: bool = False,
                         last: tuple[str, list[str]] | None = None) -> Any:  # fmt: skip
        """Some run of the executable model of ``runs`` (the spec's worked examples, then
        the random runs; or the last run that reached it) reaches ``premise``, and the
        encoding (exact calendar, every variable) allows the step that reaches it: that run
        (remembered for `recheck`), else None. ``reference``: the runs are the reference
        engine's already (else each is replayed on it and must have the same steps).
        ``last``: (the digest of the steps by which the run reached the premise when the
        encoding last followed it, the events whose steps changed since): the same steps
        again, and the reaching step's event unchanged, are the same query of the same
        encoding, not asked again."""
        from .counterexample import goal_finder
        from .encoding import digest

        reached = goal_finder(self.spec, premise)
        for run in runs:
            steps = list(run.steps)
            i = reached(steps)
            if i is None:
                continue
            history = (run.parameters, run.events, steps[-1].day)
            self._premise_reached[premise.text] = sum(1 for s in steps[: i + 1] if s.by != "calendar")
            if not reference:
                self._on_the_reference_engine(run, history, i, premise)
            prefix = self._premise_prefix[premise.text] = digest(_told(steps, i))
            before = next((s for s in reversed(steps[:i]) if s.accepted and s.after), None)
            step = steps[i]
            if last is not None and last[0] == prefix and step.event not in last[1]:
                self._premise_runs[premise.text] = history
                return run
            if before is None or step.transition is None:
                self._premise_runs[premise.text] = history
                return run  # reached by the application itself: the initial state
            if self.step_checker.follow(budget, before.after, [self._zstep(step)], run.parameters,
                                        initial_slot=self._slot(before)) is None:  # fmt: skip
                self._premise_runs[premise.text] = history
                return run
            raise BackendDisagreement(f"a step of a run of the executable model reaching `{premise.text}` "
                                      "is not a step of the encoding")  # fmt: skip
        return None

    def _on_the_reference_engine(self, run: Any, history: Any, upto: int, premise: Any) -> None:
        """The run's steps up to the one reaching ``premise`` are those of the reference
        engine (python-statemachine) too: a premise is shown reachable by the engine the
        statechart checks, not only by the fast engine the random runs use."""
        from .incremental import replay_run, run_data

        ref = replay_run(self.compiled, run_data(self.spec, history), engine="reference", margin=0)
        if ref is None or _told(list(ref.steps), upto) != _told(list(run.steps), upto):
            raise BackendDisagreement(f"the fast and the reference engine disagree on a run reaching `{premise.text}`")

    def _structural(self, ob: Any, v: Verdict, budget: Any) -> None:
        from .structural import FIGURES_WHY, goals, graph_findings

        check = ob.prop.check
        problems = graph_findings(self.spec, check)
        if problems:
            v.verdict = "violated"
            v.reason = "; ".join(problems)
            return
        for state, goal in goals(self.spec, check):
            found, reached = self.search(None, goal, budget, self.settings.premise_depth, z3_check=False)
            if found is None:
                v.verdict = "unknown"
                v.reason = f"no witness for {goal.text} within {reached} steps"
                return
            trace, checked = self._realistic(ob.prop, goal, *found, budget, z3_check=False)
            self._used_runs.append(self._as_run(trace))
            if self.out_dir is not None:
                from .counterexample import write_scenario

                path = self.out_dir / f"{ob.id}-{state}-witness.yaml"
                write_scenario(path, self.compiled, ob.prop, trace, checked, f"witness ({state})")
                v.witnesses.append(str(path))
                v.witness_texts.append(path.read_text(encoding="utf-8"))
        v.verdict = "proved"
        if check == FIGURES_AS_WRITTEN:
            from yakkan.terms.figures import load

            v.engine = "the terms text"
            v.why = [{"lemma": FIGURES_WHY, "articles": []}]
            v.why += [{"lemma": f.statement(), "articles": [f.citation]} for f in load(self.spec)]
            return
        v.engine = "graph + a replayed witness per state"
        what = "is reached" if check == "all_states_reachable" else "is left by some transition"
        v.why = [{"lemma": f"every state {what} in a replayed run (witness per state)", "articles": []}]

    # -- search with refinement -------------------------------------------------------------

    def search(self, ob: Any, goal: Any, budget: Any, depth: int, z3_check: bool = True) -> tuple[Any, int]:
        """A replayed run reaching ``goal`` (or ``ob``'s response violation), or (None, depth).

        ``z3_check=False``: a run of the executable model that reaches the goal is taken as
        it is (a witness of reachability needs nothing more), not also followed in Z3.

        Starts on the slice with the abstract calendar; each spurious run (one the
        executable model does not follow, or where the goal does not happen) refines the
        slice by the guards at fault, then the calendar, then keeps everything.
        """
        from .counterexample import check
        from .encoding import System
        from .engines import Unknown, bmc, target_of
        from .trace import decode

        spec = self.spec
        names: set[str] = set()
        if goal is not None:
            names |= goal.expr.names()
        if ob is not None:
            names |= ob.reads
        hit = self._from_samples(ob, goal, budget, z3_check)
        if hit is not None:
            return hit, depth
        if self._replaying:
            raise NotAgain("the last witness does not reach the goal any more")
        kept = set(self.model.cone(names & set(spec.variables)))
        exact = False
        monitor = ob.monitor if ob is not None and goal is None else None
        prefer = {n: p.default for n, p in spec.parameters.items() if p.scope == "contract"}
        everything = set(spec.variables)
        for _ in range(12):
            sysm = System(self.model, kept, exact=exact, monitor=monitor)
            found = bmc(sysm, budget, depth, target_of(ob, goal, sysm), prefer=prefer)
            if found is None:
                return None, depth
            trace = decode(sysm, found.model, found.path.states, found.path.steps)
            try:
                checked = check(self.compiled, ob.prop if ob is not None else None, trace, goal)
            except RuntimeError:
                checked = None
            if checked is not None and checked.reproduced:
                return (trace, checked), depth
            # refine: the guards where the replay parted from the run
            grow: set[str] = set()
            if checked is not None and checked.divergence is not None:
                i = checked.divergence
                events = {trace.steps[i].event}
                from .counterexample import accepted

                rsteps = accepted(checked.replay)
                if i < len(rsteps):
                    events.add(rsteps[i].event)
                refused = [s.event for s in checked.replay.contract.steps if not s.accepted]
                events |= set(refused)
                grow = set(self.model.guard_vars(events))
            new = set(self.model.cone(kept | grow))
            if new != kept:
                kept = new
            elif not exact:
                exact = True
            elif kept != everything:
                kept = everything
            else:
                raise BackendDisagreement("a run of the encoding (exact calendar, every variable) does not "
                                          "replay in the executable model")
        raise Unknown("no replayable run after refining the slice")

    def _from_samples(self, ob: Any, goal: Any, budget: Any, z3_check: bool = True) -> Any:
        """A sampled run of the executable model that reaches the goal, run again in the
        encoding (exact calendar, every variable) and decoded from Z3; else None."""
        from .counterexample import (
            _response_violation,
            check,
            find_goal,
            goal_finder,
            response_in_steps,
            shrink,
            toward_defaults,
        )

        spec = self.spec
        best = None
        reached = goal_finder(spec, goal) if goal is not None else None
        own: list[Any] = []
        as_is = self._replaying  # (the last witness, shrunk when it was found: replayed as it is)
        if reached is not None and self._has_own_witness(ob) and goal == ob.violation:
            # a reachable property's own route: when replaying, the run that gave the last
            # witness (that route as the full check found it); else, or when that run no
            # longer reaches, the route as written or carried over, shrunk as the full check
            # shrinks it (`_own_route`): the witness a cold check writes
            if self._replaying:
                own = [r for r in self.runs() if reached(list(r.steps)) is not None]
            if not own:
                own = self._own_route(ob)
                as_is = self._replaying and not own
        for run in own or [*self._witness_runs(ob), *self.runs()]:
            until = None
            if reached is not None:
                i = reached(list(run.steps))
                if i is None:
                    continue
                prefix, until = run.steps[: i + 1], run.steps[i].day
            else:
                hit = response_in_steps(ob.prop, list(run.steps)) or self._quiet_tail(ob.prop, run)
                if hit is None:
                    continue
                prefix, until = run.steps[: hit[0]], hit[1]
            # a counterexample or witness a reviewer reads (a state's too): the closest to
            # the spec's usual contract (familiar fees; the story is shrunk anyway), then
            # the shortest
            key = (self._unusual_parameters(run.parameters), len(prefix))
            if best is None or key < best[3]:
                best = (prefix, until, run, key)
        if best is None:
            return None
        prefix, until, run, _ = best
        prop = ob.prop if ob is not None else None

        def happens(result: Any) -> bool:
            if goal is not None:
                return find_goal(spec, goal, result)[1]
            return _response_violation(prop, result)[1]

        events = [(st.day, st.event, dict(st.args)) for st in prefix if st.accepted and st.by != "calendar"]
        # the usual fees first, on the whole run: with a fee of ¥0 its payment is not
        # needed, and shrinking would drop it
        if as_is:
            from .counterexample import _replay_events

            parameters, result = dict(run.parameters), _replay_events(self.compiled, run.parameters, events, until)
            if result is None or not happens(result):
                return None
        else:
            parameters, _ = toward_defaults(self.compiled, run.parameters, events, until, happens)
            try:
                events, result = shrink(self.compiled, parameters, events, until, happens)
            except ValueError:
                return None
        if goal is not None:
            cut = find_goal(spec, goal, result)[0]
            steps = list(result.contract.steps[: cut + 1])
        else:
            steps = list(result.contract.steps)
        trace = self.run_trace(steps, parameters, budget, z3_check)
        if trace is None:
            return None
        trace.until = until if goal is None else None
        checked = check(self.compiled, prop, trace, goal)
        if not checked.reproduced or checked.divergence is not None:
            raise BackendDisagreement("a run of the executable model does not replay the same as a scenario")
        trace.note = "found in a run of the executable model, shrunk" + (
            ", then checked step by step in Z3" if z3_check else "")
        return trace, checked

    def _witness_runs(self, ob: Any) -> list[Any]:
        """The property's own witness scenario (``witness:``) and the spec's worked
        ``examples:`` as runs of the executable model, looked at before the random runs:
        routes a lawyer wrote down, which the verifier then shrinks and checks step by step
        in Z3 like any sampled run."""
        prop = ob.prop if ob is not None else None
        if self.spec.path is None:
            return []
        names = [prop.witness] if prop is not None and prop.witness is not None else []
        return [self._scenario_run(name) for name in [*names, *self.spec.examples]]

    def _has_own_witness(self, ob: Any) -> bool:
        """Whether ``ob`` is a reachable property's with a witness scenario (``witness:``)."""
        return ob is not None and ob.kind == "reach" and ob.prop.witness is not None and self.spec.path is not None

    def _own_route(self, ob: Any) -> list[Any]:
        """A reachable property's own witness scenario (``witness:``, the route a lawyer
        wrote for it) when it reaches the goal: as written, else with one figure moved to
        where the terms being checked put it (`routes.carried_over`: a deposit of the old
        cap becomes one of the new cap). It is then the only run looked at, and the random
        runs are not even drawn for it: the witness a reviewer reads is the route written
        for the property. [] when there is none, or it reaches the goal neither way."""
        return self._own_route_found(ob)[0]

    def _own_route_found(self, ob: Any) -> tuple[list[Any], Any]:
        """`_own_route`, and the figure moved to reach the goal (`routes.Moved`) or None;
        found once per property."""
        from .counterexample import goal_finder
        from .routes import carried_over

        if not self._has_own_witness(ob):
            return [], None
        prop = ob.prop
        if prop.id not in self._own_routes:
            reached = goal_finder(self.spec, ob.violation)
            run, moved = self._scenario_run(prop.witness), None
            if reached(list(run.steps)) is None:
                found = carried_over(self.compiled, run, self._scenario(prop.witness).until, reached)
                run, moved = found if found is not None else (None, None)
            self._own_routes[prop.id] = ([] if run is None else [run], moved)
        return self._own_routes[prop.id]

    def replay_weight(self, runs: list[Mapping[str, Any]], pid: str) -> float:
        """Where a recheck from the runs of its last witnesses goes among the others: after
        every proof (a millionth of a second per event), the longest first. Its cost grows
        with the events it replays, and with those of the property's own witness scenario,
        which it shrinks again when an edit leaves the last run short of the goal (P45's
        and P54's 17 and 18 events under a longer minimum term): started last, two such
        rechecks ended one after the other on one core."""
        witness = self.spec.properties[pid].witness
        own = len(self._scenario(witness).events) if witness is not None and self.spec.path is not None else 0
        return 1e-6 * (sum(len(r["events"]) for r in runs) + own)

    def draws_runs(self, pid: str) -> bool:
        """Whether the full check of ``pid`` may read the random runs: any check may, but
        not that of a reachable property whose own route reaches its goal (`_own_route`).
        Asked in the parent: what goes wrong in finding the route (a disagreement of the
        backends on its replay) is left to the check, which gives it as its verdict."""
        from .properties import obligation

        try:
            return not self._own_route(obligation(self.spec, self.spec.properties[pid]))
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - the check meets it again and tells it
            return True

    def _scenario(self, name: str) -> Any:
        """A scenario file of the spec, read and checked against it once."""
        from yakkan.model.scenario import load_scenario

        if name not in self._scenarios:
            self._scenarios[name] = load_scenario(self.spec.path.parent / name, self.spec)
        return self._scenarios[name]

    def _scenario_run(self, name: str) -> Any:
        """A scenario file of the spec, replayed once on the executable model, as a run."""
        from yakkan.model.replay import replay

        from .sampling import Run

        if name not in self._scenario_runs:
            scenario = self._scenario(name)
            result = replay(self.compiled, scenario)
            events = tuple((e.day, e.event, dict(e.args)) for e in scenario.events)
            self._scenario_runs[name] = Run(dict(scenario.parameters), events, tuple(result.contract.steps), None)
        return self._scenario_runs[name]

    def _quiet_tail(self, prop: PropertyDef, run: Any) -> tuple[int, int] | None:
        """A response missed when nothing more happens: the run up to the first step that
        triggers ``prop`` without its response, then only the calendar until the day after
        the deadline (a quiet period, which random runs seldom draw long enough).
        (index after that step, the day after the deadline), or None."""
        from yakkan.simulate.monitors import deadline

        from .counterexample import _replay_events, _response_violation

        trig, resp = prop.trigger.compile(), prop.response.compile()
        steps = list(run.steps)
        for i, st in enumerate(steps):
            if not st.accepted or not st.after or resp(st.after) or not trig(st.after):
                continue
            until = deadline(st.day, prop) + 1
            events = [(s.day, s.event, dict(s.args)) for s in steps[: i + 1] if s.accepted and s.by != "calendar"]
            result = _replay_events(self.compiled, run.parameters, events, until)
            if result is not None and _response_violation(prop, result)[1]:
                return i + 1, until
            return None
        return None

    def _unusual_parameters(self, parameters: Mapping[str, Any]) -> int:
        """How many contract parameters differ from the spec's defaults."""
        return sum(1 for n, p in self.spec.parameters.items()
                   if p.scope == "contract" and parameters.get(n, p.default) != p.default)  # fmt: skip

    def run_trace(self, steps: list[Any], parameters: dict[str, Any], budget: Any, z3_check: bool = True) -> Any:
        """The trace of a run of the executable model, once the encoding (exact calendar,
        every variable) has taken each of its steps with the same values; else None.
        (``z3_check=False``: the trace as the executable model ran it.)"""
        from .trace import Trace, TraceStep

        spec = self.spec
        initial = next(s.after for s in steps if s.accepted)
        zsteps, tsteps = [], []
        for s in steps:
            if not s.accepted or s.transition is None:
                continue
            zsteps.append(self._zstep(s))
            t = next(t for t in spec.transitions if t.id == s.transition)
            tsteps.append(TraceStep(s.day, self._slot(s), s.event, s.by, s.transition, dict(s.args),
                                    s.after["state"], dict(s.after), t.articles))  # fmt: skip
        if not z3_check:
            return Trace(dict(parameters), initial["today"], dict(initial), tsteps)
        bad = self.step_checker.follow(budget, initial, zsteps, parameters)
        if bad is not None:
            raise BackendDisagreement(f"step {bad} of a run of the executable model is not a step of the encoding")
        return Trace(dict(parameters), initial["today"], dict(initial), tsteps)

    def _slot(self, step: Any) -> int:
        """The moment of its day at which a step of the executable model happened."""
        return self.model.slot_of.get(step.event, self.model.mid) if step.by == "calendar" else self.model.mid

    def _zstep(self, step: Any) -> tuple[int, str, dict[str, Any], Any]:
        """A step of the executable model as ``follow`` checks it in the encoding."""
        names = {a.name: a.expr_name for a in self.spec.events[step.event].args}
        return self._slot(step), step.event, {names[k]: v for k, v in step.args.items()}, step.after

    def _write(self, prop: PropertyDef, trace: Any, checked: Any, v: Verdict, kind: str,
               reads: frozenset[str] = frozenset()) -> None:  # fmt: skip
        from .counterexample import missed_calendar_event, story, write_scenario

        if prop.kind == "invariant" and checked.at_step is not None and reads:
            checked.missed = missed_calendar_event(self.compiled, reads, checked.replay, checked.at_step)
        v.story = story(self.compiled, prop, checked)
        if checked.missed is not None:
            m = checked.missed
            v.fault = {"transition": m.transition.id, "line": m.transition.line, "event": m.event,
                       "date": dt.date.fromordinal(m.day).isoformat(), "articles": list(m.transition.articles),
                       "happened": False, "state": m.state}  # fmt: skip
        elif checked.at_step is not None:
            step = checked.replay.contract.steps[checked.at_step]
            if step.transition:
                t = next(t for t in self.spec.transitions if t.id == step.transition)
                v.fault = {"transition": t.id, "line": t.line, "event": step.event,
                           "date": step.date.isoformat(), "articles": list(t.articles)}  # fmt: skip
        if self.out_dir is not None:
            path = self.out_dir / f"{prop.id}-{kind}.yaml"
            write_scenario(path, self.compiled, prop, trace, checked, kind)
            v.counterexample = str(path)
            v.scenario_text = path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# the catalogue, in parallel


def check_all(spec: Spec, ids: Iterable[str], settings: Settings, out_dir: Path | None,
              jobs: int | None = None,
              on_start: Callable[[str], None] | None = None,
              on_done: Callable[[Verdict], None] | None = None,
              hints: Mapping[str, float] | None = None,
              recipes: Mapping[str, Mapping[str, Any]] | None = None,
              in_process: bool = False) -> list[Verdict]:  # fmt: skip
    """Verdicts for ``ids``, in that order: each property checked in a solver process (at
    most ``jobs`` worker processes, default one per core, each given the next property as
    it answers: `_each`), the longest first (``hints``: the seconds
    each took last time; else a guess by kind).

    ``recipes``: for some properties, what their last check leaves (`Verdict.recipe`): these
    are first checked again with it only (`Verifier.recheck`, the fast path of issue 14 §5);
    only those it does not settle take the full check. ``in_process``: every check in this
    process, one after the other (a cluster's worker: one task, one core), none forked.

    Before the full checks the parent prepares what every check shares (the compiled
    spec, the random runs, the lemma candidates' truth on them; for one property, only the
    runs) and forks the workers — the fast path needs none of it, so a run whose
    properties all pass it never prepares. A worker that runs over a property's time
    budget (Z3 does not always answer its own timeout) is killed and that verdict is
    ``unknown``; the next property goes to a new worker.
    """
    ids = list(ids)
    recipes = recipes or {}
    verifier = Verifier(spec, settings, out_dir, jobs)  # the preparation uses the cores asked for
    verifier.read_scenarios()
    results: dict[str, Verdict] = {}

    def finished(v: Verdict) -> None:
        results[v.id] = v
        if on_done:
            on_done(v)

    fast = [p for p in ids if p in recipes]
    near = verifier.together({p: recipes[p] for p in fast})
    # a check of the terms text reads no run and takes no recipe: it runs with the fast path's
    text = [p for p in ids if p not in recipes and spec.properties[p].check == FIGURES_AS_WRITTEN]

    def together(pause: Callable[[], None]) -> None:  # in the parent, while the processes of the others run
        for v in verifier.recheck_together({p: recipes[p] for p in near}, pause, fork=not in_process).values():
            finished(v)

    def recheck(pids: list[str], meanwhile: Callable[[Callable[[], None]], None] | None = None) -> None:
        # the proofs first (a full check's time, else long), then the witnesses' runs (short)
        order = {p: verifier.replay_weight(recipes[p]["runs"], p) if "runs" in recipes.get(p, {})
                 else (hints or {}).get(p, 1e9) for p in pids}  # fmt: skip
        _each(spec, pids, settings, jobs, order,
              lambda pid: verifier.check(pid) if pid in text else verifier.recheck(pid, recipes[pid]), on_start,
              lambda pid, v: finished(v) if v is not None and (v.route == "fast" or pid in text) else None,
              meanwhile, in_process)  # fmt: skip

    if fast:
        verifier.examples()
        if not in_process:
            verifier.before_the_forks()
        recheck([p for p in ids if p in text or (p in fast and p not in near)], together if near else None)
        left = [p for p in near if p not in results]
        if left:
            recheck(left)
    rest = [p for p in ids if p not in results]
    if rest:
        reads_runs = [p for p in rest if p not in text]  # (the terms text is all a check of it reads)
        if len(reads_runs) > 1:
            verifier.prepare()
        elif reads_runs and verifier.draws_runs(reads_runs[0]):  # one property: the truth of the candidates its
            verifier.runs()  # proof asks for, and only if one is tried (the runs drawn on the cores, then forked)
        if not in_process:
            verifier.before_the_forks()
        _each(spec, rest, settings, jobs, hints, verifier.check, on_start, lambda pid, v: finished(v),
              in_process=in_process)  # fmt: skip
    return [results[p] for p in ids]


def _each(spec: Spec, ids: list[str], settings: Settings, jobs: int | None, hints: Mapping[str, float] | None,
          work: Callable[[str], Verdict | None], on_start: Callable[[str], None] | None,
          done: Callable[[str, Verdict | None], None],
          meanwhile: Callable[[Callable[[], None]], None] | None = None,
          in_process: bool = False) -> None:  # fmt: skip
    """``work(pid)`` for each of ``ids`` in forked worker processes (at most ``jobs``, each
    given the next property as it answers: `parallel.Worker`; while the parent works
    (``meanwhile``) and more are left than there are workers, a busy one holds the next in
    its pipe, which it starts when it has sent its answer, however late the parent reads
    it), ``done(pid, verdict)`` in
    the parent as each ends (a worker killed over its time, or ended without an answer:
    an ``unknown`` verdict, and the next property goes to a new worker). Each check starts
    in a Z3 context of its own, so a worker's verdicts and units are those of a process
    per property. ``meanwhile(pause)`` runs once in the parent, once the first workers
    are given theirs; each ``pause()`` it calls gives idle workers the next property and
    collects those that answered, so that a core left free while the parent works is
    given the next property. ``in_process``: no fork."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(ids)))
    if in_process or not hasattr(os, "fork") or not ids:  # no fork: one process, in order
        if meanwhile is not None:
            meanwhile(lambda: None)
        for pid in ids:
            if on_start:
                on_start(pid)
            t = time.monotonic()
            try:
                v = work(pid)
            except Exception as exc:  # what a solver process that ends without a verdict reports
                v = _failed(spec, pid, time.monotonic() - t, f"the check ended without a verdict: {exc}")
            done(pid, v)
        return
    import multiprocessing as mp

    from .parallel import Worker

    pending = _schedule(spec, ids, hints or {})
    workers: list[Worker[str, Any]] = []  # at most ``jobs``, each checking one property after another
    ahead = False  # a busy worker given its next property (while the parent works: `meanwhile`)
    grace = 5.0 + settings.timeout * 0.2

    def tend(wait: float) -> None:
        """Give each idle worker the next property (forking up to ``jobs`` workers), and —
        while the parent works (``meanwhile``), tending them only between its own pieces of
        work — a busy one the property after its own while more are left than there are
        workers (the last ones go to whichever worker is free first); collect the verdicts of those
        that answered (waiting up to ``wait`` seconds for one), or kill a worker over its
        time (the properties given to it and not started go back to the front of the queue,
        and the next goes to a new worker)."""
        for w in list(workers):
            if pending and w.item is None and not w.alive:  # (ended while idle: killed from outside)
                w.close()
                workers.remove(w)
        for w in workers:
            if pending and (w.item is None or (ahead and len(w.items) == 1 and len(pending) > jobs)):
                _give(w, pending.pop(0))
        while pending and len(workers) < jobs:
            workers.append(Worker(lambda pid: _verdict_data(work(pid))))
            _give(workers[-1], pending.pop(0))
        busy = [w for w in workers if w.item is not None]
        if not busy:
            return
        ready = mp.connection.wait([w.pipe for w in busy], timeout=wait)
        now = time.monotonic()
        for w in busy:
            while w.item is not None:  # (each answer it sent: a prefetched property's may follow)
                pid = w.item
                if w.pipe in ready and w.pipe.poll():
                    try:
                        data = w.answer()
                    except (EOFError, OSError):
                        lost(w, _failed(spec, pid, now - w.since, "the solver process ended without a verdict"))
                        break
                    done(pid, Verdict.from_data(data) if data is not None else None)
                elif now - w.since > settings.timeout + grace:
                    why = f"timeout after {settings.timeout:g} s (solver process killed)"
                    lost(w, _failed(spec, pid, now - w.since, why))
                    break
                else:
                    break

    def lost(w: Worker[str, Any], v: Verdict) -> None:
        """``w`` died or ran over its time on its property (``v``, unknown): no other
        property goes to it, and those given to it and not started go back to the front."""
        pending[:0] = w.items[1:]
        w.close()
        workers.remove(w)
        done(v.id, v)

    def _give(w: Worker[str, Any], pid: str) -> None:
        if on_start:
            on_start(pid)
        w.give(pid)

    try:
        if meanwhile is not None:
            tend(0)
            failed: list[Exception] = []

            def pause() -> None:  # an error of ours is not taken for the parent's work failing
                if not failed:
                    try:
                        tend(0)
                    except Exception as exc:  # (Ctrl-C goes straight through)
                        failed.append(exc)

            ahead = True
            meanwhile(pause)
            ahead = False
            if failed:
                raise failed[0]
        while pending or any(w.item is not None for w in workers):
            tend(0.2)
    finally:  # (Ctrl-C: the parent exits and kills its workers)
        for w in workers:
            w.close()


def _verdict_data(v: Verdict | None) -> dict[str, Any] | None:
    """A verdict as a worker sends it to its parent."""
    return v.to_data() if v is not None else None


def _believed(recipe: Mapping[str, Any], changed: list[str] | None) -> list[str] | None:
    """The events whose steps changed as far as a premise's run may rest on it: a proof
    hint's (`hints.py`) runs are replayed and followed whatever changed (None: not known)."""
    return None if recipe.get("hint") else changed


def _told(steps: list[Any], upto: int) -> list[Any]:
    """The steps of a run up to ``upto``, each with its values, in order (what two engines'
    runs are compared by)."""
    return [(repr(s), list(s.before.items()), list(s.after.items())) for s in steps[: upto + 1]]


def _failed(spec: Spec, pid: str, seconds: float, reason: str) -> Verdict:
    prop = spec.properties[pid]
    return Verdict(id=pid, title=prop.title, kind=prop.kind, verdict="unknown", expected=prop.expect,
                   matches=False, depth=None, seconds=seconds, articles=list(prop.articles),
                   reason=reason, line=prop.line)  # fmt: skip


def _schedule(spec: Spec, ids: list[str], hints: Mapping[str, float]) -> list[str]:
    """Longest first, so that every core stays busy to the end: by the time each property
    took last time when known (a property never timed counts as long), else by kind
    (proofs needing lemmas, witnesses per state); ties in catalogue order."""
    weight = {"structural": 0, "response": 1, "invariant": 2, "step": 3, "reachable": 4}
    if hints:
        return sorted(ids, key=lambda p: -hints.get(p, 1e9))
    return sorted(ids, key=lambda p: weight.get(spec.properties[p].kind, 5))


def why(lemmas: Iterable[Any]) -> list[dict[str, Any]]:
    """The lemmas of a proof as the reports show them: the spec's own first (by id), then
    the mined ones, those with the same conclusion over several states of the lifecycle
    read as one (``state in {a, b} → x`` for ``state is a → x`` and ``state is b → x``)."""
    from .lemmas import premise_region, without_subsumed

    kept = without_subsumed(lemmas)
    out = [{"lemma": c.text, "formula": c.formula, "articles": list(c.articles)}
           for c in sorted((c for c in kept if c.lemma is not None), key=lambda c: c.lemma.id)]  # fmt: skip
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for c in kept:
        if c.lemma is None:
            states, rest = premise_region(c)
            key = (c.conclusion.text, tuple(p.text for p in rest)) if states is not None else (id(c),)
            groups.setdefault(key, []).append(c)
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            out.append({"lemma": first.text, "formula": "", "articles": list(first.articles)})
            continue
        states = sorted(frozenset().union(*(premise_region(c)[0] or () for c in group)))
        rest = premise_region(first)[1]
        premise = " and ".join([f"state in {{{', '.join(states)}}}", *(p.label for p in rest)])
        arts = list(dict.fromkeys(a for c in group for a in c.articles))
        out.append({"lemma": f"{premise} → {first.conclusion.label}", "formula": "", "articles": arts})
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.monotonic()
    return fn(), time.monotonic() - t
