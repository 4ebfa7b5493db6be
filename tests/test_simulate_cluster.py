"""`--cluster ADDRESS` (issue 14, "Beyond one machine"): a portfolio's customer chunks and a
mutation sweep's mutants on a local Dask cluster give the same report, byte for byte, as a
local run; the workers are sent texts, not paths; a bad address is exit 2 with a fix; Ctrl-C
is exit 130. `distributed` is pinned in pyproject.toml: if it is missing these tests fail."""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from yakkan.cli import main
from yakkan.simulate import cluster as cluster_module
from yakkan.simulate.cluster import SpecTexts
from yakkan.simulate.engines import Model
from yakkan.simulate.profiles import DEFAULT_PROFILES
from yakkan.simulate.runner import load_job, remote_chunk, run_chunk
from yakkan.verify.mutate import Context, MutateSettings, evaluate, remote_evaluate

from conftest import SPEC_PATH, copy_spec_folders, interruptible_as_from_a_terminal, spec_without_the_multipliers_domain

KILLED = "transition.cancel.guard2.drop"  # by the fast engine's portfolio (stage 2): the profiles matter
EQUIVALENT = "transition.cancel.guard1.drop"
INVALID = "transition.accept.target.same"  # refused by the loader: its message names no path


@pytest.fixture(scope="module")
def address():
    """A scheduler and two single-threaded worker processes on this machine."""
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                      silence_logs=logging.ERROR) as local:  # fmt: skip
        yield local.scheduler_address


def _workers_jobs(address: str) -> list[list]:
    """The (engine, seed, months, loop) of the jobs each worker process loaded from texts."""

    def jobs() -> list:
        from yakkan.simulate import runner

        return sorted(key[1] for key in runner._REMOTE_JOBS.held()) if runner._REMOTE_JOBS else []

    with Client(address, set_as_default=False) as client:
        return sorted(client.run(jobs).values())


def _simulate(folder: Path, *more: str) -> tuple[int, str, str]:
    """`yakkan simulate` run in `folder`: (status, stdout, report.json)."""
    old = Path.cwd()
    os.chdir(folder)
    try:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["simulate", "--customers", "200", "--months", "24", "--seed", "5", "--out", "out",
                           "--json", *more])  # fmt: skip
        return status, out.getvalue(), (folder / "out" / "report.json").read_text(encoding="utf-8")
    finally:
        os.chdir(old)


def test_simulate_on_the_cluster_gives_the_bytes_of_a_local_run(tmp_path, address, capsys):
    (tmp_path / "local").mkdir()
    (tmp_path / "cluster").mkdir()
    local = _simulate(tmp_path / "local", "--workers", "1")
    on_cluster = _simulate(tmp_path / "cluster", "--cluster", address)
    assert local[0] == on_cluster[0] == 0
    assert on_cluster[2] == local[2]  # report.json, byte for byte
    assert on_cluster[1] == local[1]  # --json
    assert json.loads(local[2])["customer_months"] == 4800
    assert "4,800 customer-months" in capsys.readouterr().err
    # both worker processes ran chunks of this run, loaded from the texts they were sent
    assert _workers_jobs(address) == [[("fast", 5, 24, "compiled")]] * 2


def test_the_plain_python_loop_on_the_cluster_gives_the_same_report(address):
    from yakkan.simulate import run_portfolio

    local = run_portfolio(SPEC_PATH, customers=60, months=12, seed=7, workers=1, shrink_findings=False)
    remote = run_portfolio(SPEC_PATH, customers=60, months=12, seed=7, loop="python", cluster=address,
                           shrink_findings=False)  # fmt: skip
    assert remote.json_text() == local.json_text()
    assert remote.workers == 2  # the cluster's threads


def test_a_worker_needs_the_texts_only(tmp_path):
    """The texts hold what loading reads (the spec, its scenarios, its terms, the profiles):
    a worker loads them after the folder they came from is gone."""
    folder = tmp_path / "contract"
    folder.mkdir()
    shutil.copy(SPEC_PATH, folder / "spec.yaml")
    shutil.copy(DEFAULT_PROFILES, folder / "profiles.yaml")
    copy_spec_folders(folder)
    spec = Model.load(folder / "spec.yaml").spec
    texts = SpecTexts.read(spec, folder / "profiles.yaml")
    assert [name for name, _ in texts.files] == [
        "spec.yaml", "witnesses/P36.yaml", "witnesses/P45.yaml", "witnesses/P54.yaml", "witnesses/P48.yaml",
        "witnesses/P85.yaml", "witnesses/P87.yaml", "witnesses/P88.yaml", "witnesses/P97.yaml",
        "examples/annual-plan-abolished-in-its-second-year.yaml",
        "examples/support-cap-restriction-lifted-by-the-fee.yaml",
        "examples/suspension-lifted-once-the-inspection-is-allowed.yaml", "examples/option-services-abolished.yaml",
        "examples/termination-after-the-cure-period.yaml", "examples/option-services-terminated-as-a-part.yaml",
        "terms/clara-msp-terms-2024-04-01.ja.txt"]
    assert texts.profiles == ("profiles.yaml", DEFAULT_PROFILES.read_text(encoding="utf-8"))
    shutil.rmtree(folder)
    params = ("fast", 3, 12, "python")
    expected = run_chunk(load_job(SPEC_PATH, DEFAULT_PROFILES, *params), (10, 40))
    assert remote_chunk(texts, params, (10, 40)) == expected
    assert expected.customers == 30
    ctx = Context.load(SPEC_PATH, MutateSettings())
    for mid in (INVALID, KILLED):
        assert remote_evaluate(texts, MutateSettings(), mid) == evaluate(ctx, mid)
    # the worker's context keeps its folder while it lives: the verifier reads the witnesses there later
    from yakkan.verify import mutate

    (held,) = mutate._REMOTE.threads[threading.get_ident()].values()
    witness = held.spec.path.parent / "witnesses" / "P54.yaml"
    assert witness.read_bytes() == (SPEC_PATH.parent / "witnesses" / "P54.yaml").read_bytes()
    mutate._REMOTE = None
    del held
    gc.collect()
    assert not witness.parent.parent.exists()


def test_mutate_on_the_cluster_gives_the_report_of_a_local_run(tmp_path, monkeypatch, address, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["mutate", str(SPEC_PATH), "--mutant", KILLED, "--mutant", EQUIVALENT, "--mutant", INVALID, "--json",
            "--no-cache"]  # fmt: skip
    assert main(argv) == 0
    local = capsys.readouterr().out
    assert main([*argv, "--cluster", address]) == 0
    assert capsys.readouterr().out == local
    report = json.loads(local)
    assert {m["id"]: m["outcome"] for m in report["mutants"]} == {
        KILLED: "killed", EQUIVALENT: "equivalent", INVALID: "invalid"}


# -- bad addresses and Ctrl-C ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _error(capsys, *argv: str) -> str:
    assert main(["simulate", "--customers", "10", "--months", "2", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_what_if_on_the_cluster_gives_the_report_of_a_local_run(tmp_path, address, capsys):
    """A what-if sweep's variants verified by the workers (sent the texts and the base's
    verdicts), and each variant's portfolio simulated by them (`--simulate`): the same
    JSON, byte for byte, the counterexample written by this machine."""
    spec = spec_without_the_multipliers_domain(tmp_path / "clara")  # (the bundled spec refuses -1)
    argv = ["what-if", "evasion_multiplier=2,-1,1", "--spec", str(spec), "--property", "P05", "--property", "P16",
            "--json",
            "--no-cache", "--out", str(tmp_path / "whatif"), "--simulate", "--customers", "30",
            "--months", "12"]  # fmt: skip
    assert main(argv) == 0
    local = capsys.readouterr().out
    scenario = tmp_path / "whatif" / "evasion_multiplier=-1" / "P16-counterexample.yaml"
    written = scenario.read_text(encoding="utf-8")
    shutil.rmtree(tmp_path / "whatif")
    assert main([*argv, "--cluster", address]) == 0
    assert capsys.readouterr().out == local
    assert scenario.read_text(encoding="utf-8") == written
    assert [r["changed"][0]["after"] if r["changed"] else None for r in json.loads(local)["variants"]] == \
        [None, "violated", None]  # fmt: skip
    assert [r["money"]["figures"]["charged"] > 0 for r in json.loads(local)["variants"]] == [True] * 3


def test_a_bad_address_is_exit_2_with_a_fix(capsys):
    assert _error(capsys, "--cluster", "scheduler") == (
        "yakkan: error: --cluster: 'scheduler' is not a scheduler address\n"
        "  fix: give the scheduler's address as printed by `dask scheduler`, e.g. tcp://192.168.1.10:8786\n")
    port = _free_port()
    assert _error(capsys, "--cluster", f"127.0.0.1:{port}") == (
        f"yakkan: error: --cluster: cannot reach a Dask scheduler at tcp://127.0.0.1:{port}: nothing listens on "
        "that port (connection refused)\n"
        f"  fix: start one with `dask scheduler` and a worker with `dask worker tcp://127.0.0.1:{port}`, or correct "
        "the address\n")  # fmt: skip
    assert _error(capsys, "--lang", "ja", "--cluster", "tcp://127.0.0.1:99999") == (
        "yakkan: エラー: --cluster: 'tcp://127.0.0.1:99999' はスケジューラのアドレスではない\n"
        "  修正: `dask scheduler` が表示するスケジューラのアドレスを指定してください（例: tcp://192.168.1.10:8786）\n")
    assert main(["mutate", "--cluster", "http://127.0.0.1:8786"]) == 2
    assert "'http://127.0.0.1:8786' is not a scheduler address" in capsys.readouterr().err


def test_a_server_that_is_not_a_scheduler_is_exit_2(capsys):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed: the test is over
                return
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    port = server.getsockname()[1]
    try:
        assert _error(capsys, "--cluster", f"tcp://127.0.0.1:{port}") == (
            f"yakkan: error: --cluster: tcp://127.0.0.1:{port} answers, but not as a Dask scheduler\n"
            "  fix: give the scheduler's address as printed by `dask scheduler`, e.g. tcp://192.168.1.10:8786\n")
    finally:
        server.close()


def test_a_scheduler_without_workers_is_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 1.0)
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0",
                      silence_logs=logging.ERROR) as empty:  # fmt: skip
        address = empty.scheduler_address
        assert _error(capsys, "--cluster", address) == (
            f"yakkan: error: --cluster: the Dask scheduler at {address} has no worker\n"
            f"  fix: start one: dask worker {address}\n")


def test_ctrl_c_on_the_cluster_is_exit_130_and_cancels_the_tasks(tmp_path, address):
    proc = subprocess.Popen([sys.executable, "-m", "yakkan", "simulate", "--customers", "50000", "--months", "60",
                             "--cluster", address, "--out", str(tmp_path / "out")], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=interruptible_as_from_a_terminal)  # fmt: skip
    with Client(address, set_as_default=False) as client:
        def tasks() -> int:
            return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))

        for _ in range(1500):  # until the run's chunks are on the cluster (a guard of 5 min, not a target)
            if tasks():
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.2)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the run never sent its chunks to the cluster")
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        text = err.decode("utf-8", "replace")
        assert proc.returncode == 130, text
        assert text == "yakkan: interrupted\n"
        for _ in range(100):  # the scheduler forgets the cancelled chunks
            if tasks() == 0:
                break
            time.sleep(0.2)
        assert tasks() == 0
    assert not (tmp_path / "out" / "report.json").exists()


def _fails(x: int) -> int:
    raise RuntimeError(f"no yakkan here ({x})")


def test_a_worker_that_fails_is_bad_input_naming_it(address):
    from yakkan.model.errors import InputError
    from yakkan.simulate.cluster import Cluster

    with Cluster(address) as on, pytest.raises(InputError) as exc:
        list(on.map(_fails, [1]))
    assert str(exc.value) == (
        f"--cluster: a worker of {address} failed: RuntimeError: no yakkan here (1)\n"
        "  fix: every worker needs Python 3.11 and the same yakkan as this machine (`pip install -e .` in the "
        "worker's environment), then `dask worker ADDRESS`")


def test_a_worker_with_another_yakkan_refuses_the_job(address):
    """The texts carry the sender's code version: a worker whose yakkan differs (it could
    give other results) refuses, and the run is bad input naming both versions."""
    import dataclasses

    from yakkan.model.errors import InputError
    from yakkan.simulate.cluster import Cluster, code_version

    texts = SpecTexts.read(Model.load(SPEC_PATH).spec, DEFAULT_PROFILES)
    assert texts.code == code_version() and len(texts.code) == 16
    other = dataclasses.replace(texts, code="0" * 16)
    with Cluster(address) as on, pytest.raises(InputError) as exc:
        list(on.map(remote_chunk, [(0, 5)], other, ("fast", 0, 12, "python")))
    assert str(exc.value).startswith(f"--cluster: the worker's yakkan ({texts.code}) is not the one that sent "
                                     "the job (0000000000000000)\n  fix: every worker needs Python 3.11")
