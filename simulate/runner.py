"""Running a portfolio: customers in chunks, in one process or several, merged in order.

`run_portfolio` is the entry point for the CLI and for the docs generator. Customer i's
life depends only on (seed, i) and on the service-wide plan drawn from the seed, and
tallies are integer sums, so the report is the same byte for byte whatever `workers` is.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model import calendar_math as cm

from .driver import Action, plan_service, run_customer
from .engines import ENGINES, Model
from .monitors import expected_to_hold
from .profiles import DEFAULT_PROFILES, Portfolio, load_profiles
from .report import Finding, Report
from .shrink import scenario_document, shrink, write_scenario
from .stats import Tally

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "contracts" / "clara-msp" / "spec.yaml"
DEFAULT_SCENARIO_DIR = Path("out") / "simulate"


@dataclass
class _Job:
    model: Model
    portfolio: Portfolio
    service: list[Action]
    engine: str
    seed: int
    months: int
    loop: Any = None  # the fused customer loop (simulate.fused), when the run uses it


_JOB: _Job | None = None  # the job of this (worker) process


def _run_chunk(bounds: tuple[int, int]) -> Tally:
    assert _JOB is not None
    return run_chunk(_JOB, bounds)


def run_chunk(job: _Job, bounds: tuple[int, int]) -> Tally:
    """The tally of customers `bounds[0]` to `bounds[1] - 1` (a pure function of the job)."""
    if job.loop is not None:
        return job.loop.run_chunk(*bounds)
    tally = Tally(job.months)
    m0 = cm.month_of(job.portfolio.start)
    for i in range(*bounds):
        run = run_customer(job.model, job.portfolio, job.service, job.engine, job.seed, i, job.months)
        tally.add(run, job.model, m0)
    return tally


BUILD_FROM = 1_000_000  # customer-months from which a run builds a loop missing from the cache


def _fused(model: Model, portfolio: Portfolio, seed: int, months: int, loop: str, customers: int = 0) -> Any:
    """The fused loop for `loop` ("compiled": from the cache, built first for a run of at
    least BUILD_FROM customer-months, else plain Python; "python"), or None ("off", or a
    spec the generator does not cover: the fast engine runs)."""
    from .fused import Unsupported, fused_loop

    if loop == "off":
        return None
    try:
        return fused_loop(model, portfolio, seed, months, compiled=loop == "compiled",
                          build_missing=customers * months >= BUILD_FROM)  # fmt: skip
    except Unsupported:
        return None


def _init_worker(spec_path: str, profiles_path: str, engine: str, seed: int, months: int, loop: str) -> None:
    """Rebuild the job in a spawned worker (forked workers inherit it). A worker ignores
    Ctrl-C: the parent, interrupted, terminates it (no traceback from every worker)."""
    global _JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _JOB is None:
        _JOB = load_job(spec_path, profiles_path, engine, seed, months, loop)
    elif engine == "fast" and _JOB.loop is None:
        _JOB.model.fast  # noqa: B018 - generate the engine once per worker


def load_job(spec_path: str | Path, profiles_path: str | Path, engine: str, seed: int, months: int,
             loop: str) -> _Job:  # fmt: skip
    """A worker's job, loaded by the checked loaders: on the fast engine, the fused loop
    compiled if the cache holds it (the parent builds it, if at all), else plain Python."""
    model = Model.load(spec_path)
    portfolio = load_profiles(profiles_path, model.spec)
    job = _Job(model, portfolio, plan_service(portfolio, seed, months), engine, seed, months)
    if engine == "fast":
        job.loop = _fused(model, portfolio, seed, months, loop)
        if job.loop is None:
            model.fast  # noqa: B018 - generate the engine once per worker
    return job


_REMOTE_JOBS: Any = None  # a cluster worker's jobs (simulate.cluster.WorkerCache), by texts and parameters


def remote_chunk(texts: Any, params: tuple[str, int, int, str], bounds: tuple[int, int]) -> Tally:
    """`run_chunk` on a cluster's worker: the job loaded from `texts` (a
    `simulate.cluster.SpecTexts`) and `params` (engine, seed, months, loop) once per worker."""
    global _REMOTE_JOBS
    from .cluster import WorkerCache

    if _REMOTE_JOBS is None:
        _REMOTE_JOBS = WorkerCache()

    def load() -> _Job:
        with texts.written() as (spec_path, profiles_path):
            return load_job(spec_path, profiles_path, *params)

    return run_chunk(_REMOTE_JOBS.get((texts.digest, params), load), bounds)


def chunks(customers: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous customer ranges, several per worker for an even load."""
    size = max(25, min(500, customers // max(1, workers * 8) or 1))
    return [(i, min(i + size, customers)) for i in range(0, customers, size)]


def run_portfolio(spec_path: str | Path = DEFAULT_SPEC, profiles_path: str | Path | None = None,
                  customers: int = 1000, months: int = 60, seed: int = 0, workers: int | None = None,
                  engine: str = "fast", out: str | Path | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  shrink_findings: bool = True, loop: str = "compiled",
                  cluster: str | None = None, model: Model | None = None) -> Report:  # fmt: skip
    """Simulate `customers` contracts for `months` months; the report (files under `out`).

    On the fast engine the customers run in the fused loop (`simulate.fused`): `loop` is
    "compiled" (Cython, from the cache; plain Python where it cannot be built), "python",
    or "off" (the table-driven engine behind `driver.run_customer`). All three give the
    same report, byte for byte.

    `cluster` (a Dask scheduler's address) runs the chunks on that cluster's workers
    instead of `workers` local processes (`simulate.cluster`); the same report again.

    `model`: the spec at `spec_path` already loaded (`Model.load`), for several runs of
    one spec (its engine is generated once).

    `profiles_path` defaults to profiles.yaml beside the spec (else the bundled one).
    Scenarios reproducing monitor findings go to `out`/scenarios (default out/simulate).
    Bad input raises a `yakkan.model.errors.InputError` subclass.
    """
    global _JOB
    from yakkan.model.errors import InputError
    from yakkan.model.limits import MAX_CUSTOMERS, MAX_MONTHS, MAX_WORKERS, check_count, check_output_folder

    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}'", hint=f"engines: {', '.join(ENGINES)}")
    check_count(customers, "--customers", 1, MAX_CUSTOMERS, "1000")
    if out is not None:
        check_output_folder(out)
    check_count(months, "--months", 1, MAX_MONTHS, "60 (at most 100 years)")
    if workers is not None:
        check_count(workers, "--workers", 1, MAX_WORKERS, str(os.cpu_count() or 2))
    if cluster is not None:
        from .cluster import check_address

        cluster = check_address(cluster, reach=True)
    spec_path = Path(spec_path)
    if profiles_path is None:
        beside = spec_path.parent / "profiles.yaml"
        profiles_path = beside if beside.exists() else DEFAULT_PROFILES
    profiles_path = Path(profiles_path)
    started = time.perf_counter()
    model = Model.load(spec_path) if model is None else model
    portfolio = load_profiles(profiles_path, model.spec)
    service = plan_service(portfolio, seed, months)
    if workers is None:
        workers = min(os.cpu_count() or 1, max(1, customers // 200))
    workers = max(1, workers)
    parts = chunks(customers, workers)
    _JOB = _Job(model, portfolio, service, engine, seed, months)
    if engine == "fast":
        model.fast  # noqa: B018 - generate before forking
        _JOB.loop = _fused(model, portfolio, seed, months, loop, customers)
    tally = Tally(months)
    done = 0
    if cluster is not None:
        from .cluster import Cluster, SpecTexts

        texts = SpecTexts.read(model.spec, profiles_path)
        with Cluster(cluster) as on:
            workers = on.threads
            parts = chunks(customers, workers)
            for part, result in on.map(remote_chunk, parts, texts, (engine, seed, months, loop)):
                tally.merge(result)
                done += part[1] - part[0]
                if progress:
                    progress(done, customers)
    elif workers == 1 or len(parts) == 1:
        for part in parts:
            tally.merge(_run_chunk(part))
            done += part[1] - part[0]
            if progress:
                progress(done, customers)
    else:
        method = "fork" if "fork" in mp.get_all_start_methods() and sys.platform != "darwin" else "spawn"
        ctx = mp.get_context(method)
        init_args = (str(spec_path), str(profiles_path), engine, seed, months, loop)
        quiet = signal.signal(signal.SIGINT, signal.SIG_IGN)  # forked workers start deaf to Ctrl-C
        try:
            pool = ctx.Pool(workers, initializer=_init_worker, initargs=init_args)
        finally:
            signal.signal(signal.SIGINT, quiet)
        with pool:
            for part, result in zip(parts, pool.imap(_run_chunk, parts), strict=True):
                tally.merge(result)
                done += part[1] - part[0]
                if progress:
                    progress(done, customers)
    simulated = time.perf_counter() - started
    out_dir = Path(out) if out is not None else None
    findings = _findings(model, portfolio, service, tally, seed, months, spec_path,
                         (out_dir or DEFAULT_SCENARIO_DIR) / "scenarios", shrink_findings, engine)  # fmt: skip
    report = Report(
        spec=model.spec, spec_path=spec_path, profiles_path=profiles_path, portfolio=portfolio,
        customers=customers, months=months, seed=seed, engine=engine, tally=tally, findings=findings,
        workers=workers, elapsed=time.perf_counter() - started, simulated=simulated,
    )  # fmt: skip
    if out_dir is not None:
        report.write(out_dir)
    return report


def _findings(model: Model, portfolio: Portfolio, service: list[Action], tally: Tally, seed: int,
              months: int, spec_path: Path, scenario_dir: Path, do_shrink: bool,
              engine: str = "fast") -> list[Finding]:  # fmt: skip
    """One finding per property that fired: its first customer, shrunk to a scenario file.

    The customer is simulated again on the run's engine, recording its events; a finding
    that does not fire again when they are replayed (it would mean the engines disagree)
    is reported with a note instead of a scenario.
    """
    spec = model.spec
    out = []
    for pid in sorted(tally.first_hits, key=_prop_order(spec)):
        first = tally.first_hits[pid]
        prop = spec.properties[pid]
        path = None
        events = None
        note = ""
        if do_shrink and prop.kind != "reachable":
            run = run_customer(model, portfolio, service, engine, seed, first.customer, months, record=True)
            try:
                shrunk, until = shrink(model, run, pid, first.day)
            except RuntimeError as exc:
                note = f"not reproduced: {exc}"
            else:
                path = scenario_dir / f"{pid}-customer-{first.customer}.yaml"
                data = scenario_document(model, run, pid, shrunk, until, spec_path, seed, path)
                write_scenario(path, data)
                events = len(shrunk)
        out.append(Finding(
            property=pid, title=prop.title, kind=prop.kind, expect=prop.expect,
            articles=prop.articles, violation=expected_to_hold(prop), customer=first.customer,
            profile=first.profile, step=first.step, day=first.day, customers_affected=tally.fired[pid],
            scenario=str(path) if path else None, scenario_events=events, note=note,
        ))  # fmt: skip
    return out


def _prop_order(spec: Any) -> Callable[[str], int]:
    order = {pid: i for i, pid in enumerate(spec.properties)}
    return lambda pid: order.get(pid, len(order))
