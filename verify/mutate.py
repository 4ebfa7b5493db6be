"""`yakkan mutate`: the property catalogue measured by mutation (issue 12 §6).

Each mutant of the spec (``mutation_operators``) is built in memory from the document as
read, with the original catalogue (the properties are what is measured, never mutated),
and then, cheapest first, with deterministic budgets only (Z3 resource units, sample
counts, depths; no wall-clock limit decides an outcome):

0. **loader** — the loader's checks refuse it (a state no longer reachable, a type error):
   *invalid*, reported apart and excluded from the score;
1. **equivalence** — every rule the mutant changed (a transition's guard, effects and
   target, time_advance, a calendar date, an initial value) is proved equal to the
   original by Z3 under the variables' domains and the terms' parameters at the spec's values
   (as every check of the spec has them; the contract's parameters are free), the calendar
   functions uninterpreted, which only makes the proof harder: *equivalent*, excluded from
   the score;
2. **cheap kills** — the lifecycle graph (P20, P21), the fast engine's random portfolio
   with every property monitored (a hit shrunk to a scenario that the reference model
   replays), then for each property expected to hold the verifier's random runs and its
   bounded search to a small depth (``Verifier.refute``): a replayed counterexample kills;
3. **full check** — only the survivors: every property, in the order most related to the
   mutated element first, until a verdict differs from the catalogue's ``expect`` (by a
   counterexample, or by holds-to-depth, unknown, unreachable, vacuous, proved where a
   finding was expected). Each starts from the spec's proof hint (``hints.py``), proved
   again on the mutant as `yakkan verify` proves a hint (``Verifier.recheck``): a hint
   that still proves its property, or still gives its witness, settles it; only the
   others take ``Verifier.check``.

The work is a map over mutant ids (``evaluate``: one mutant, one JSON-able outcome, in any
process; ``--workers`` forks a pool, ``--cluster`` sends it to a Dask cluster) and a pure merge
(``merge``). Outcomes are cached per mutant by the hash of the spec folder, the code and
the settings (``.yakkan-cache/mutate``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .mutation_operators import OPERATOR_JA, OPERATORS, Mutant, mutants
from .runner import Settings

OUTCOMES = ("killed", "survived", "equivalent", "invalid")
DEFAULT_MIN_SCORE = 0.95


@dataclass(frozen=True)
class MutateSettings:
    """The budgets of each stage (part of the cache key)."""

    customers: int = 200  # fast-engine customers per mutant
    months: int = 36
    sim_seed: int = 0
    samples: int = 80  # the verifier's random runs (stage 2)
    search_depth: int = 4  # the bounded search's depth in stage 2
    search_units: int = 6_000_000  # Z3 units per property in stage 2
    equivalence_units: int = 4_000_000  # Z3 units per changed rule
    verify: Settings = field(default_factory=Settings)  # stage 3

    def key(self) -> str:
        return (f"c{self.customers}x{self.months}:s{self.sim_seed}:n{self.samples}:d{self.search_depth}:"
                f"u{self.search_units}:e{self.equivalence_units}:{self.verify.key()}")  # fmt: skip


# --------------------------------------------------------------------------------------
# one mutant


@dataclass
class Context:
    """What evaluating a mutant needs, loaded once per process."""

    path: Path
    spec: Any
    doc: Any
    by_id: dict[str, Mutant]
    settings: MutateSettings
    profiles: Path | None
    hints: dict[str, Any] = field(default_factory=dict)  # the spec's proof hints (`hints.read_hints`)

    @classmethod
    def load(cls, path: Path, settings: MutateSettings, profiles: Path | None = None) -> Context:
        from yakkan.model.errors import SpecError
        from yakkan.model.spec import load_spec
        from yakkan.model.yamlio import read_yaml

        from .hints import read_hints

        spec = load_spec(path)
        doc = read_yaml(spec.path, SpecError, round_trip=True)  # written back out by `render`
        return cls(Path(path), spec, doc, {m.id: m for m in mutants(doc, spec)}, settings, profiles,
                   read_hints(path))  # fmt: skip

    def build(self, m: Mutant) -> Any:
        """The mutant's spec (the original catalogue), or a SpecError from the loader."""
        from yakkan.model.spec import load_spec_document

        old = m.apply(self.doc)
        try:
            mspec = load_spec_document(self.spec.path, self.doc)
        finally:
            m.undo(self.doc, old)
        return dataclasses.replace(mspec, properties=self.spec.properties)

    def render(self, m: Mutant) -> str:
        """The mutant as a spec file (YAML), for a reviewer to run `yakkan verify` on."""
        import io

        from ruamel.yaml import YAML

        old = m.apply(self.doc)
        try:
            buf = io.StringIO()
            y = YAML(typ="rt")
            y.width = 4096
            y.dump(self.doc, buf)
        finally:
            m.undo(self.doc, old)
        return buf.getvalue()


def outcome_of(m: Mutant, outcome: str, stage: str, **more: Any) -> dict[str, Any]:
    """The JSON-able result of one mutant."""
    out = {"id": m.id, "operator": m.operator, "element": f"{m.kind} {m.name}".strip(), "part": m.part,
           "articles": list(m.articles), "line": m.line, "description": m.describe("en"),
           "description_ja": m.describe("ja"), "outcome": outcome, "stage": stage,
           "by": None, "how": None, "verdict": None, "reason": ""}  # fmt: skip
    out.update(more)
    return out


def evaluate(ctx: Context, mutant_id: str) -> dict[str, Any]:
    """One mutant's outcome (see the module docstring). Bad input met on the way (a scenario
    the spec names that fails to load) stops the run as bad input: a crash of the harness is
    not a crash of the mutant, and counting it as a kill would inflate the score."""
    from yakkan.model.errors import InputError, SpecError

    m = ctx.by_id[mutant_id]
    try:
        mspec = ctx.build(m)
    except SpecError as exc:
        return outcome_of(m, "invalid", "loader", reason=str(exc).splitlines()[0].split(": ", 1)[-1][:300])
    same, why, touched = equivalence(ctx.spec, mspec, ctx.settings.equivalence_units)
    if same:
        return outcome_of(m, "equivalent", "equivalence", reason=why)
    order = related_first(mspec, touched)
    near = related_first(mspec, touched, only_related=True)
    try:
        for stage, pids in ((_graph_kill, order), (_simulate_kill, order), (_search_kill, near),
                            (_verify_kill, order)):  # fmt: skip
            hit = stage(ctx, mspec, pids)
            if hit is not None:
                return outcome_of(m, "killed", **hit)
    except InputError:  # a worked example or a witness that no longer loads: bad input, never a kill
        raise
    except Exception as exc:  # noqa: BLE001 - a model that crashes on the mutant turns the gate red too
        return outcome_of(m, "killed", "crash", how="crash", reason=f"{type(exc).__name__}: {str(exc)[:200]}")
    return outcome_of(m, "survived", "verify", reason=why)


def related_first(spec: Any, touched: set[str], only_related: bool = False) -> list[str]:
    """The catalogue, the properties reading what the mutant changed first (each group in
    catalogue order); ``only_related``: those alone (the bounded search's, in stage 2)."""
    def reads(p: Any) -> set[str]:
        names: set[str] = set()
        for e in (p.formula, p.trigger, p.response):
            if e is not None:
                names |= {n.removeprefix("next_") for n in e.names()}
        return names

    ids = list(spec.properties)
    near = [p for p in ids if reads(spec.properties[p]) & touched]
    return near if only_related else near + [p for p in ids if p not in near]


# -- stage 1: equivalence -----------------------------------------------------------------


def equivalence(orig: Any, mut: Any, units: int) -> tuple[bool, str, set[str]]:
    """(proved equal, why, the names the changed rules read and write)."""
    import z3

    from yakkan.verify.engines import fresh_context

    touched: set[str] = set()
    pending: list[tuple[str, Callable[[], tuple[Any, Any]]]] = []  # (what, () -> (premises, claim))
    for p in orig.parameters:
        if orig.parameters[p].default != mut.parameters[p].default:
            return False, f"parameter {p} changed", {p}
    if repr(orig.time_advance) != repr(mut.time_advance):
        touched |= {a.target for a in (*orig.time_advance, *mut.time_advance)}
        pending.append(("time_advance", lambda: _effects_claim(orig, orig.time_advance, mut.time_advance, None)))
    for name, e in orig.events.items():
        if repr(e.at) != repr(mut.events[name].at):
            touched |= e.at.names() | {"state"} if e.at is not None else {"state"}
            pending.append((f"event {name}", lambda e=e, name=name: _expr_claim(orig, e.at, mut.events[name].at)))
    for name, v in orig.variables.items():
        if repr(v.init) != repr(mut.variables[name].init):
            touched.add(name)
            pending.append((f"variable {name}", lambda v=v, name=name: _expr_claim(orig, v.init,
                                                                                  mut.variables[name].init)))
    for t, u in zip(orig.transitions, mut.transitions, strict=True):
        if (repr(t.guard), repr(t.effects), t.target, t.sources) == (repr(u.guard), repr(u.effects), u.target,
                                                                      u.sources):  # fmt: skip
            continue
        touched |= {"state"} | {a.target for a in (*t.effects, *u.effects)}
        for c in (*t.guard, *u.guard):
            touched |= c.expr.names()
        if t.target != u.target or t.sources != u.sources:
            return False, f"transition {t.id}: another target", touched
        pending.append((f"transition {t.id}", lambda t=t, u=u: _transition_claim(orig, t, u)))
    if not pending:
        return True, "no rule of the model reads the changed text", touched
    fresh_context()
    for what, build in pending:
        try:
            premises, claim = build()
        except (KeyError, TypeError, AttributeError, z3.Z3Exception):
            return False, f"{what}: not encoded for the equivalence check", touched
        s = z3.Solver()
        s.set("rlimit", units)
        s.add(*premises)
        s.add(z3.Not(claim))
        r = s.check()
        if r != z3.unsat:
            return False, f"{what}: {'differs' if r == z3.sat else 'not proved equal within the budget'}", touched
    whats = ", ".join(w for w, _ in pending)
    return True, f"proved equal by Z3 under the variables' domains and the terms' parameters: {whats}", touched


def _env(spec: Any, event: str | None = None) -> dict[str, Any]:
    from yakkan.model.expr import DATE, enum_type

    env: dict[str, Any] = {n: p.type for n, p in spec.parameters.items()}
    env.update({n: v.type for n, v in spec.variables.items()})
    env["today"] = DATE
    env["state"] = enum_type("State")
    if event is not None:
        env.update({a.expr_name: a.type for a in spec.events[event].args})
    return env


def _vars(spec: Any, event: str | None = None) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    import z3

    from yakkan.model.expr import make_enum_sorts, z3_domain, z3_vars
    from yakkan.verify.encoding import terms_value

    env = _env(spec, event)
    sorts = make_enum_sorts(spec.enums, env)
    zv = z3_vars(env, sorts)
    dom = z3_domain(env, zv, sorts)
    zv.update({n: z3.IntVal(v) for n, v in spec.constants.items()})  # FOREVER: a date, as the encoding has it
    # the terms' parameters at the spec's values, as every check has them; only the contract's are
    # free: a rule that differs only at a value the terms do not set changes nothing
    zv.update({n: terms_value(p) for n, p in spec.parameters.items() if p.scope == "terms"})
    return zv, sorts, dom


def _expr_claim(spec: Any, a: Any, b: Any) -> tuple[list[Any], Any]:
    zv, sorts, dom = _vars(spec)
    return dom, a.to_z3(zv, sorts) == b.to_z3(zv, sorts)


def _run_effects(effects: Sequence[Any], zv: Mapping[str, Any], sorts: Any) -> dict[str, Any]:
    vals = dict(zv)
    for a in effects:
        vals[a.target] = a.to_z3(vals, sorts)
    return vals


def _effects_claim(spec: Any, a: Sequence[Any], b: Sequence[Any], guard: Any) -> tuple[list[Any], Any]:
    import z3

    zv, sorts, dom = _vars(spec)
    va, vb = _run_effects(a, zv, sorts), _run_effects(b, zv, sorts)
    same = [va[n] == vb[n] for n in spec.variables if not spec.variables[n].scratch]
    return dom, z3.And(*same)


def _transition_claim(spec: Any, t: Any, u: Any) -> tuple[list[Any], Any]:
    """The same guard, and where it holds the same effects on every (non-scratch) variable."""
    import z3

    zv, sorts, dom = _vars(spec, t.event)
    g_t = z3.And(*[c.expr.to_z3(zv, sorts) for c in t.guard]) if t.guard else z3.BoolVal(True)
    g_u = z3.And(*[c.expr.to_z3(zv, sorts) for c in u.guard]) if u.guard else z3.BoolVal(True)
    in_source = z3.Or(*[zv["state"] == sorts["State"][s] for s in t.sources])
    va, vb = _run_effects(t.effects, zv, sorts), _run_effects(u.effects, zv, sorts)
    same = [va[n] == vb[n] for n in spec.variables if not spec.variables[n].scratch]
    return [*dom, in_source], z3.And(g_t == g_u, z3.Implies(g_t, z3.And(*same)))


# -- stage 2: cheap kills ---------------------------------------------------------------------


def _graph_kill(ctx: Context, mspec: Any, order: list[str]) -> dict[str, Any] | None:
    """The lifecycle graph alone breaks a structural property (a state unreachable, a
    deadlock), or a figure of the terms is not the value of the parameter quoting it."""
    from yakkan.model.spec import FIGURES_AS_WRITTEN

    from .structural import graph_findings

    for pid in order:
        prop = mspec.properties[pid]
        if prop.kind == "structural" and prop.expect == "holds":
            problems = graph_findings(mspec, prop.check)
            if problems:
                text = prop.check == FIGURES_AS_WRITTEN
                stage, how = ("terms", "terms text") if text else ("graph", "counterexample")
                return {"stage": stage, "by": pid, "how": how, "verdict": "violated",
                        "reason": "; ".join(problems)[:300]}  # fmt: skip
    return None


def _simulate_kill(ctx: Context, mspec: Any, order: list[str]) -> dict[str, Any] | None:
    """A customer of the fast engine's random portfolio on whom a property expected to hold
    fires, shrunk to a scenario on which the reference model fires it too."""
    from yakkan.simulate.driver import plan_service, run_customer
    from yakkan.simulate.engines import Model
    from yakkan.simulate.monitors import expected_to_hold
    from yakkan.simulate.profiles import load_profiles
    from yakkan.simulate.shrink import shrink

    s = ctx.settings
    if s.customers <= 0:
        return None
    model = Model(mspec)
    portfolio = load_profiles(_profiles_of(ctx), mspec)
    service = plan_service(portfolio, s.sim_seed, s.months)
    rank = {p: i for i, p in enumerate(order)}
    for i in range(s.customers):
        run = run_customer(model, portfolio, service, "fast", s.sim_seed, i, s.months)
        hits = [p for p in run.hits if p in mspec.properties and expected_to_hold(mspec.properties[p])]
        for pid in sorted(hits, key=lambda p: rank.get(p, len(rank))):
            recorded = run_customer(model, portfolio, service, "fast", s.sim_seed, i, s.months, record=True)
            try:
                events, _until = shrink(model, recorded, pid, run.hits[pid][1])
            except RuntimeError:
                continue  # not reproduced on the reference model: no counterexample
            return {"stage": "simulate", "by": pid, "how": "counterexample", "verdict": "violated",
                    "reason": f"customer {i} of the fast engine's portfolio (seed {s.sim_seed}), shrunk to "
                              f"{len(events)} events that the reference model replays"}  # fmt: skip
    return None


def _search_kill(ctx: Context, mspec: Any, order: list[str]) -> dict[str, Any] | None:
    """The verifier's random runs, then its bounded search at a small depth."""
    from .runner import Verifier

    s = ctx.settings
    settings = dataclasses.replace(s.verify, samples=s.samples, depth=s.search_depth, rlimit=s.search_units)
    verifier = Verifier(mspec, settings, None, jobs=1)
    for pid in order:
        v = verifier.refute(pid, s.search_depth)
        if v is not None and not v.matches:
            how = "counterexample" if v.verdict == "violated" else v.verdict
            return {"stage": "search", "by": pid, "how": how, "verdict": v.verdict,
                    "reason": f"{v.engine or v.reason}, {v.depth} steps" if v.depth else (v.reason or v.engine)}
    return None


def _verify_kill(ctx: Context, mspec: Any, order: list[str]) -> dict[str, Any] | None:
    """The full check of every property, until a verdict differs from the catalogue's: each
    from its proof hint first (`Verifier.recheck_together`, `Verifier.recheck`: the verdict
    the hint gave, found again on the mutant, or None), the full check for the others
    (prepared once, when first needed)."""
    from .runner import Verifier

    verifier = Verifier(mspec, ctx.settings.verify, None, jobs=1)
    hinted = {p: ctx.hints[p] for p in order if p in ctx.hints}
    # the state and step properties' hints first, in one solver (`Verifier.recheck_together`)
    # (one core each: the workers of a sweep take every core already)
    settled = verifier.recheck_together({p: hinted[p] for p in verifier.together(hinted)}, fork=False) if hinted else {}
    prepared = False
    for pid in order:
        v = settled.get(pid)
        if v is None and pid in hinted:
            v = verifier.recheck(pid, hinted[pid])
        if v is None:
            if not prepared:
                verifier.prepare()
                prepared = True
            v = verifier.check(pid)
        if not v.matches:
            how = "counterexample" if v.verdict in ("violated", "reachable") else v.verdict
            return {"stage": "verify", "by": pid, "how": how, "verdict": v.verdict, "reason": (v.reason or "")[:300]}
    return None


# --------------------------------------------------------------------------------------
# the map and the merge


def select(ids: Sequence[str], limit: int | None, seed: int) -> list[str]:
    """All ids, or ``limit`` of them drawn with ``seed`` (kept in the spec's order)."""
    if limit is None or limit >= len(ids):
        return list(ids)
    chosen = set(random.Random(f"yakkan-mutate:{seed}").sample(list(ids), limit))
    return [i for i in ids if i in chosen]


_CTX: Context | None = None  # this (worker) process's context


def _init_worker(path: str, settings: MutateSettings, profiles: str | None) -> None:
    import signal

    global _CTX
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent ends its pool
    if _CTX is None or str(_CTX.path) != path:
        _CTX = Context.load(Path(path), settings, Path(profiles) if profiles else None)


def _evaluate_here(mutant_id: str) -> dict[str, Any]:
    assert _CTX is not None
    return evaluate(_CTX, mutant_id)


_REMOTE: Any = None  # a cluster worker's contexts (simulate.cluster.WorkerCache)


def remote_evaluate(texts: Any, settings: MutateSettings, mutant_id: str) -> dict[str, Any]:
    """`evaluate` on a cluster's worker: the context loaded from `texts` (a
    `simulate.cluster.SpecTexts`: the spec, its scenarios and terms, the profiles) once per worker."""
    global _REMOTE
    from yakkan.simulate.cluster import WorkerCache

    if _REMOTE is None:
        _REMOTE = WorkerCache()

    def load() -> Context:
        return texts.load_kept(lambda spec, profiles: Context.load(spec, settings, profiles))

    return evaluate(_REMOTE.get((texts.digest, settings.key()), load), mutant_id)


def _profiles_of(ctx: Context) -> Path:
    """The profiles file stage 2 simulates (as `_simulate_kill` chooses it)."""
    from yakkan.simulate.profiles import DEFAULT_PROFILES

    profiles = ctx.profiles or (ctx.path.parent / "profiles.yaml")
    return profiles if profiles.exists() else DEFAULT_PROFILES


def run_mutants(ctx: Context, ids: Sequence[str], workers: int = 1, use_cache: bool = True,
                cache_dir: Path | None = None,
                on_done: Callable[[dict[str, Any]], None] | None = None,
                cluster: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The outcomes of ``ids``, in that order (cached ones read back); ``workers`` processes,
    or the workers of the Dask cluster at ``cluster`` (``simulate.cluster``), the spec sent as text."""
    import os

    from .cache import CACHE_DIR, Cache, spec_fingerprint

    cache = Cache(cache_dir or CACHE_DIR.parent / "mutate", enabled=use_cache)
    spec_fp = spec_fingerprint(ctx.path)
    key = ctx.settings.key() + (f":profiles={ctx.profiles}" if ctx.profiles else "")
    out: dict[str, dict[str, Any]] = {}
    todo = []
    for i in ids:
        hit = cache.entry("mutant", spec_fp, key, i) if use_cache else None
        if hit is not None:
            out[i] = hit
            if on_done:
                on_done(hit)
        else:
            todo.append(i)

    def done(i: str, o: dict[str, Any]) -> None:
        out[i] = o
        cache.put_entry(o, "mutant", spec_fp, key, i)
        if on_done:
            on_done(o)

    global _CTX
    if cluster is not None and todo:
        from yakkan.simulate.cluster import Cluster, SpecTexts

        texts = SpecTexts.read(ctx.spec, _profiles_of(ctx))
        with Cluster(cluster) as on:
            for i, o in on.map(remote_evaluate, todo, texts, ctx.settings):
                done(i, o)
    elif workers <= 1 or len(todo) < 2 or not hasattr(os, "fork"):
        _CTX = ctx
        for i in todo:
            done(i, _evaluate_here(i))
    else:
        import multiprocessing as mp
        import signal

        _CTX = ctx  # forked workers inherit the loaded context
        mp_ctx = mp.get_context("fork")
        quiet = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            pool = mp_ctx.Pool(min(workers, len(todo)), initializer=_init_worker,
                               initargs=(str(ctx.path), ctx.settings, str(ctx.profiles) if ctx.profiles else None))
        finally:
            signal.signal(signal.SIGINT, quiet)
        with pool:  # each outcome cached as it comes (an interrupted run keeps what it finished)
            for o in pool.imap_unordered(_evaluate_here, todo, chunksize=1):
                done(o["id"], o)
    return [out[i] for i in ids]


def merge(outcomes: Iterable[Mapping[str, Any]], total: int, min_score: float = DEFAULT_MIN_SCORE) -> dict[str, Any]:
    """The report of a set of outcomes (a pure function of them: the order of the ids)."""
    outcomes = sorted((dict(o) for o in outcomes), key=lambda o: o["id"])
    counts = {k: sum(1 for o in outcomes if o["outcome"] == k) for k in OUTCOMES}
    scored = counts["killed"] + counts["survived"]
    score = counts["killed"] / scored if scored else None
    ops = {op: {**{k: 0 for k in OUTCOMES}, "mutants": 0} for op in OPERATORS}
    for o in outcomes:
        ops[o["operator"]]["mutants"] += 1
        ops[o["operator"]][o["outcome"]] += 1
    stages: dict[str, int] = {}
    hows: dict[str, int] = {}
    for o in outcomes:
        if o["outcome"] == "killed":
            stages[o["stage"]] = stages.get(o["stage"], 0) + 1
            hows[o["how"]] = hows.get(o["how"], 0) + 1
    return {
        "mutants_total": total, "mutants_run": len(outcomes), **counts,
        "score": round(score, 4) if score is not None else None, "min_score": min_score,
        "passed": score is None or score >= min_score,
        "operators": {op: v for op, v in ops.items() if v["mutants"]},
        "killed_by_stage": dict(sorted(stages.items())), "killed_how": dict(sorted(hows.items())),
        "survivors": [{"id": o["id"], "element": o["element"], "part": o["part"], "articles": o["articles"],
                       "line": o["line"], "description": o["description"], "description_ja": o["description_ja"]}
                      for o in outcomes if o["outcome"] == "survived"],
        "mutants": outcomes,
    }  # fmt: skip


# --------------------------------------------------------------------------------------
# the report


def text(report: Mapping[str, Any], lang: str = "ja") -> str:
    """The terminal report: the score, the operators, the survivors (ja or en)."""
    r = report
    score = "—" if r["score"] is None else f"{r['score'] * 100:.1f} %"
    lines = []
    if lang == "ja":
        lines.append(f"{r['spec']['id']} {r['spec']['version']}: ミュータント {r['mutants_run']} 件"
                     f"（全 {r['mutants_total']} 件中、シード {r['seed']}）")  # fmt: skip
        lines.append(f"スコア {score}（検出 {r['killed']} ／ 等価でない {r['killed'] + r['survived']}）、"
                     f"生存 {r['survived']}、等価 {r['equivalent']}、無効 {r['invalid']}、"
                     f"合格ライン {r['min_score'] * 100:.0f} %: {'合格' if r['passed'] else '不合格'}")  # fmt: skip
        lines.append("")
        lines.append("演算子ごと（件数: 検出／生存／等価／無効）")
        for op, c in r["operators"].items():
            lines.append(f"  {OPERATOR_JA[op]}: {c['mutants']} 件: {c['killed']}／{c['survived']}／"
                         f"{c['equivalent']}／{c['invalid']}")  # fmt: skip
        how_ja = {"counterexample": "反例", "holds-to-depth": "深さまで成立（証明なし）", "unknown": "不明",
                  "unreachable": "到達不能の証明", "vacuous": "前提が成り立たない", "proved": "既知の違反が消えた",
                  "error": "バックエンドの不一致", "crash": "モデルの異常終了",
                  "terms text": "約款の文言との不一致"}  # fmt: skip
        if r["killed_how"]:
            lines.append("検出の仕方: " + "、".join(f"{how_ja.get(k, k)} {n}" for k, n in r["killed_how"].items()))
        lines.append("")
        if r["survivors"]:
            lines.append("生存したミュータント（どの性質も押さえていない振る舞い）:")
            for s in r["survivors"]:
                lines.append(f"  {s['id']}（{r['spec']['path']}:{s['line']}）")
                lines.append(f"    {s['description_ja']}")
        else:
            lines.append("生存したミュータントはありません。")
    else:
        lines.append(f"{r['spec']['id']} {r['spec']['version']}: {r['mutants_run']} mutants "
                     f"(of {r['mutants_total']}, seed {r['seed']})")  # fmt: skip
        lines.append(f"score {score} ({r['killed']} killed of {r['killed'] + r['survived']} non-equivalent), "
                     f"{r['survived']} survived, {r['equivalent']} equivalent, {r['invalid']} invalid; "
                     f"threshold {r['min_score'] * 100:.0f} %: {'passed' if r['passed'] else 'FAILED'}")  # fmt: skip
        lines.append("")
        lines.append("by operator (mutants: killed/survived/equivalent/invalid)")
        for op, c in r["operators"].items():
            lines.append(f"  {op}: {c['mutants']}: {c['killed']}/{c['survived']}/{c['equivalent']}/{c['invalid']}")
        if r["killed_how"]:
            lines.append("killed by: " + ", ".join(f"{k} {n}" for k, n in r["killed_how"].items()))
        lines.append("")
        if r["survivors"]:
            lines.append("survivors (behaviour no property covers):")
            for s in r["survivors"]:
                lines.append(f"  {s['id']} ({r['spec']['path']}:{s['line']})")
                lines.append(f"    {s['description']}")
        else:
            lines.append("no mutant survived.")
    return "\n".join(lines)
