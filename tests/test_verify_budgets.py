"""Budgets are Z3 resource units, not seconds (issue 12 §3): the same spec gets the same
verdicts on a quiet machine and with four CPU-bound processes competing for its cores.
(The units spent are the same too unless a Houdini query meets its cap of 30 s of CPU
time, which is not bit-exact: see `verify/engines.py`.)"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH

PROPERTIES = ["P01", "P04", "P06", "P23"]  # proofs with lemmas: the most work per property


def _verdicts(tmp_path, name: str) -> list[tuple[str, str, int]]:
    verdicts, _ = verify(SPEC_PATH, PROPERTIES, Settings(), tmp_path / name, use_cache=False,
                         cache_dir=tmp_path / f"cache-{name}", hints=False)  # fmt: skip (the search, not a hint)
    return [(v.id, v.verdict, v.units) for v in verdicts]


def test_verdicts_do_not_depend_on_the_machines_load(tmp_path) -> None:
    quiet = _verdicts(tmp_path, "quiet")
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(4)]
    try:
        loaded = _verdicts(tmp_path, "loaded")
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert [v for _, v, _ in quiet] == ["proved"] * len(PROPERTIES)
    assert [(p, v) for p, v, _ in loaded] == [(p, v) for p, v, _ in quiet]


def test_a_check_does_not_depend_on_what_ran_before_it(spec) -> None:
    """Z3's search depends on its context's history: before each check had a context of
    its own, P41 took 18.9M units alone and 31.9M after P28 in the same process, and the
    CI run (which had verified other specs first) spent its whole budget on it. Every
    check now starts from an empty context, so the units, not only the verdict, repeat."""
    from yakkan.verify.runner import Verifier

    verifier = Verifier(spec, Settings(), None, jobs=1)
    verifier.prepare()
    first = verifier.check("P04")
    verifier.check("P41")
    verifier.check("P06")
    again = verifier.check("P04")
    assert first.verdict == again.verdict == "proved"
    assert again.units == first.units


def test_checks_from_the_hints_do_not_depend_on_the_process(tmp_path) -> None:
    """The fast path's one solver (P01, P30), a witness (P18) and a counterexample (P15)
    from their proof hints: the same units whether the checks are forked or all run in
    this process (a cluster's worker), and the same again after this process has checked
    them. The one solver used to run in the process's own context, so a second run in the
    same process (or a worker that had checked a variant) spent other units."""
    ids = ["P01", "P15", "P18", "P30"]

    def units(name: str, in_process: bool) -> list[tuple[str, str, str, int]]:
        verdicts, _ = verify(SPEC_PATH, ids, Settings(), tmp_path / name, use_cache=False,
                             cache_dir=tmp_path / f"cache-{name}", in_process=in_process)  # fmt: skip
        return [(v.id, v.verdict, v.route, v.units) for v in verdicts]

    forked = units("forked", False)
    assert [(p, v, r) for p, v, r, _ in forked] == [
        ("P01", "proved", "hint"), ("P15", "violated", "hint"), ("P18", "reachable", "hint"),
        ("P30", "proved", "hint")]  # fmt: skip
    # a witness and a counterexample from their hint only follow their run in Z3: step checks,
    # which spend no unit of the property (`engines.StepChecker`), whatever was followed before
    assert [u > 0 for *_, u in forked] == [True, False, False, True]
    assert units("in-process", True) == forked
    assert units("forked-again", False) == forked


def test_an_error_while_the_parent_tends_its_processes_is_raised() -> None:
    """The parent's own work (the fast path's one solver) pauses to tend the solver
    processes. An error there (here, the callback of a verdict) is raised once that work
    is done, not raised into it, where it would be taken for the solver failing."""
    from yakkan.model.spec import load_spec
    from yakkan.verify.runner import _each

    def done(pid, v):
        raise ValueError(f"the callback of {pid} failed")

    taken: list[Exception] = []

    def meanwhile(pause):
        try:
            for _ in range(100):
                pause()
                time.sleep(0.02)
        except ValueError as exc:  # what `recheck_together` leaves to `recheck`
            taken.append(exc)

    with pytest.raises(ValueError, match="the callback of P13 failed"):
        _each(load_spec(SPEC_PATH), ["P13"], Settings(), 1, None, lambda pid: None, None, done, meanwhile)
    assert taken == []


def test_a_worker_checks_one_property_after_another_and_one_over_its_time_is_replaced() -> None:
    """Two workers (one per job) check six properties, each worker one after another in
    its own process (not a fork per property). A check that runs past its time has its
    worker killed and an ``unknown`` verdict; the properties after it go to a new worker."""
    import os
    from dataclasses import replace

    from yakkan.model.spec import load_spec
    from yakkan.verify.runner import _each, _failed

    spec = load_spec(SPEC_PATH)

    def work(pid):
        if pid == "P13":
            time.sleep(60)
        return _failed(spec, pid, 0.0, str(os.getpid()))  # (a verdict that says where it was made)

    got = {}
    ids = ["P01", "P02", "P13", "P03", "P04", "P05"]
    _each(spec, ids, replace(Settings(), timeout=0.05), 2, None, work, None,
          lambda pid, v: got.setdefault(pid, v))  # fmt: skip
    assert sorted(got) == sorted(ids)
    assert (got["P13"].verdict, got["P13"].reason) == ("unknown", "timeout after 0.05 s (solver process killed)")
    where = [int(got[p].reason) for p in ids if p != "P13"]
    assert os.getpid() not in where
    assert len(set(where)) <= 3  # two workers, and the one that took P13's place


def test_a_worker_that_ended_while_idle_is_replaced() -> None:
    """A worker killed from outside between two properties (here, as soon as it answered
    for the first) is not given the next one: a new worker checks it."""
    import os
    import signal

    from yakkan.model.spec import load_spec
    from yakkan.verify.runner import _each, _failed

    spec = load_spec(SPEC_PATH)
    got = {}

    def done(pid, v):
        got[pid] = v
        if len(got) == 1:
            os.kill(int(v.reason), signal.SIGKILL)
            time.sleep(0.3)

    _each(spec, ["P01", "P02"], Settings(), 1, None, lambda pid: _failed(spec, pid, 0.0, str(os.getpid())),
          None, done)  # fmt: skip
    assert sorted(got) == ["P01", "P02"] and got["P02"].reason != got["P01"].reason


def test_the_premises_are_reached_beside_the_parents_one_solver(tmp_path, spec, monkeypatch) -> None:
    """The fast path's premises are reached again in a forked process while the parent's
    one solver runs (not after it, when the other cores may be idle); in one process when
    it may not fork (a cluster's worker): the same verdicts and units either way."""
    import os

    from yakkan.verify.hints import read_hints
    from yakkan.verify.runner import Verifier

    hints = read_hints(SPEC_PATH)
    recipes = {p: hints[p] for p in ("P01", "P04", "P06")}
    assert all(r["premises"] for r in recipes.values())
    where = tmp_path / "pids"
    reached = Verifier._premises_again

    def recorded(self, *args, **kw):
        with where.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return reached(self, *args, **kw)

    monkeypatch.setattr(Verifier, "_premises_again", recorded)

    def run(fork: bool) -> tuple[set[int], list[tuple[str, str, int]]]:
        where.write_text("")
        verifier = Verifier(spec, Settings(), None, jobs=1)
        verdicts = verifier.recheck_together(recipes, fork=fork)
        pids = {int(x) for x in where.read_text().split()}
        return pids, [(p, verdicts[p].verdict, verdicts[p].units) for p in sorted(verdicts)]

    forked_pids, forked = run(True)
    here_pids, here = run(False)
    assert [(p, v) for p, v, _ in forked] == [("P01", "proved"), ("P04", "proved"), ("P06", "proved")]
    assert forked == here
    assert len(forked_pids) == 1 and os.getpid() not in forked_pids
    assert here_pids == {os.getpid()}


def _pigeonholes(n: int):
    """``n + 1`` pigeons in ``n`` holes, one to a hole: unsatisfiable, and minutes of work
    for Z3 from n = 12 (1.3 s at n = 10 on the 2-core machine)."""
    import z3

    z = z3.Solver()
    x = [[z3.Bool(f"p{i}h{j}") for j in range(n)] for i in range(n + 1)]
    z.add(*[z3.Or(row) for row in x])
    z.add(*[z3.Not(z3.And(x[a][j], x[b][j])) for j in range(n) for a in range(n + 1) for b in range(a)])
    return z


def _capped_query() -> tuple[str, bool, float, int]:
    """A query with units and wall-clock time to spare, stopped by its CPU cap alone."""
    import threading

    from yakkan.verify import engines

    engines.fresh_context()
    t = time.process_time()
    r, capped = engines._checked(_pigeonholes(12), [], engines.Budget(10**12, 600.0), cap=10**11)
    guards = sum(1 for th in threading.enumerate() if th.name == "yakkan query guard")
    return str(r), capped, time.process_time() - t, guards


def test_one_thread_guards_the_queries_and_stops_one_at_its_cpu_cap(monkeypatch) -> None:
    """A capped query is interrupted once the process has used the CPU time it was given
    (Z3 counts no units in some phases), by the process's one guard thread (not a thread
    per query), in a forked solver process as well as in the parent."""
    import multiprocessing

    from yakkan.verify import engines

    monkeypatch.setattr(engines, "QUERY_CPU_CAP_S", 0.5)
    for _ in range(3):
        answer, capped, cpu, guards = _capped_query()
        assert (answer, capped, guards) == ("unknown", True, 1)
        assert 0.5 <= cpu < 5
    with multiprocessing.get_context("fork").Pool(1) as pool:  # the guard thread does not survive the fork
        answer, capped, cpu, guards = pool.apply(_capped_query)
    assert (answer, capped, guards) == ("unknown", True, 1)
    assert 0.5 <= cpu < 5


def test_a_worker_is_given_its_next_property_before_it_answers_and_loses_none_when_killed() -> None:
    """While the parent works (``meanwhile``: its one solver, tending the workers between
    its queries), a busy worker is given the property after its own while more are left
    than there are workers: it starts it as soon as it has sent its answer, without waiting
    for its parent to read that answer. When it is killed over its time, the property
    waiting behind it goes to a new worker, and none is lost."""
    import os
    from dataclasses import replace

    from yakkan.model.spec import load_spec
    from yakkan.verify.parallel import Worker
    from yakkan.verify.runner import _each, _failed

    w = Worker(lambda n: (os.getpid(), time.monotonic()))
    try:
        w.give(1)
        w.give(2)
        assert w.items == [1, 2]
        time.sleep(0.3)  # both computed meanwhile: the second did not wait for the first to be read
        (pid, first), (_, second) = w.answer(), w.answer()
        assert pid != os.getpid() and w.items == [] and w.item is None
        assert second - first < 0.2
    finally:
        w.close()

    spec = load_spec(SPEC_PATH)

    def work(pid):
        if pid == "P13":
            time.sleep(60)
        return _failed(spec, pid, 0.0, f"{os.getpid()} {time.monotonic()}")  # (where and when it started)

    got, given, busy = {}, [], []
    ids = ["P01", "P02", "P13", "P03", "P04", "P05"]
    last = {"P13": 6.0, "P01": 5.0, "P02": 4.0, "P03": 3.0, "P04": 2.0, "P05": 1.0}  # (seconds: the longest first)

    def meanwhile(pause):  # the parent's one solver: one pause, then a long query (no tending)
        pause()
        started = time.monotonic()
        time.sleep(0.5)
        busy.append((started, time.monotonic()))

    _each(spec, ids, replace(Settings(), timeout=0.05), 2, last, work, given.append,
          lambda pid, v: got.setdefault(pid, v), meanwhile)  # fmt: skip
    assert given[:4] == ["P13", "P01", "P02", "P03"]  # P02 waits behind P13, P03 behind P01
    assert sorted(got) == sorted(ids)
    assert got["P13"].verdict == "unknown" and "killed" in got["P13"].reason
    (started, ended), when = busy[0], {p: float(got[p].reason.split()[1]) for p in ids if p != "P13"}
    assert started <= when["P03"] < ended  # P03 started while the parent was in its query
    assert when["P04"] >= ended  # (the rest as the parent tends them)
    assert got["P02"].reason.split()[0].isdigit()  # P02, given behind P13, checked by another worker


def test_a_cold_gates_one_solver_is_halved_the_same_forked_or_not(tmp_path, spec, monkeypatch) -> None:
    """When every step is checked (the proof hints of a cold gate) for at least
    ``HALVED_FROM`` properties, the second half is checked in a solver of its own in the
    premises' process: each verdict says how many others its solver held, and the verdicts
    and units are the same when nothing may fork (a cluster's worker)."""
    import os

    from yakkan.verify import runner
    from yakkan.verify.hints import read_hints
    from yakkan.verify.runner import Verifier

    monkeypatch.setattr(runner, "HALVED_FROM", 4)
    hints = read_hints(SPEC_PATH)
    ids = ["P01", "P04", "P06", "P10", "P11", "P12"]
    recipes = {p: hints[p] for p in ids}
    assert all("runs" not in r and r["premises"] is not None for r in recipes.values())
    where = tmp_path / "pids"
    apart = Verifier._preserved_apart

    def recorded(self, batch, events, hints):
        with where.open("a") as f:
            f.write(f"{os.getpid()} {len(batch)}\n")
        return apart(self, batch, events, hints)

    monkeypatch.setattr(Verifier, "_preserved_apart", recorded)

    def run(fork: bool) -> tuple[list[str], list[tuple[str, str, int, str]]]:
        where.write_text("")
        verdicts = Verifier(spec, Settings(), None, jobs=1).recheck_together(recipes, fork=fork)
        return where.read_text().split(), [(p, verdicts[p].verdict, verdicts[p].units, verdicts[p].engine)
                                           for p in sorted(verdicts)]  # fmt: skip

    (forked_pid, forked_n), forked = run(True)
    (here_pid, here_n), here = run(False)
    assert [(p, v) for p, v, _, _ in forked] == [(p, "proved") for p in ids]
    assert all(e.endswith("(every step checked in one solver with 2 other properties)") for *_, e in forked)
    assert forked == here
    assert (forked_n, here_n) == ("3", "3")
    assert int(forked_pid) != os.getpid() and int(here_pid) == os.getpid()
