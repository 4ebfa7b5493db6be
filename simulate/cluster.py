"""`--cluster ADDRESS`: a map over independent pieces of work on a Dask distributed cluster.

A portfolio (`simulate.runner`) is a map over customer chunks and a mutation sweep
(`verify.mutate`) a map over mutant ids, each followed by a merge that does not depend on
the order of the results, so a cluster gives the same report as one process. What the
workers need is sent as text, never as pickled objects or paths (they need not share the
file system): `SpecTexts` holds the spec, what loading it reads (the `examples:` and
`witness:` scenarios it names, its terms text) and the profiles; a worker writes them to
a private temporary folder and loads them with the same checked loaders as a local run.

    texts = SpecTexts.read(spec, profiles_path)
    with Cluster("tcp://10.0.0.5:8786") as cluster:
        for item, result in cluster.map(work, items, texts, *more):  # work(texts, *more, item)
            ...

Every worker needs the same yakkan installed (the functions are sent by name, not by
value); the texts carry a hash of the sender's source (`code_version`), and a worker whose
yakkan differs refuses the job rather than give another result. A bad address, a
scheduler that cannot be reached within CONNECT_TIMEOUT seconds or that has no worker,
and a worker that cannot run yakkan are bad input (exit 2); the timeout only decides
whether a run starts, never a verdict or a figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError

DISTRIBUTED = "2026.8.0"  # the version pinned in pyproject.toml
CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler and find a worker
ADDRESS_HINT = "give the scheduler's address as printed by `dask scheduler`, e.g. tcp://192.168.1.10:8786"
_ADDRESS = re.compile(r"(?:(tcp)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})")


def check_address(address: str, reach: bool = False) -> str:
    """`address` (tcp://HOST:PORT or HOST:PORT; TLS would need certificates) in full, or an
    InputError; with `reach`, also asked whether it is a Dask scheduler (before a long
    load: a wrong address is reported within seconds)."""
    m = _ADDRESS.fullmatch(address.strip())
    if m is None or not 0 < int(m.group(3)) < 65536:
        raise InputError(f"'{address}' is not a scheduler address", where="--cluster", hint=ADDRESS_HINT)
    full = address.strip() if m.group(1) else f"tcp://{address.strip()}"
    if reach:
        _distributed()
        _probe(full, CONNECT_TIMEOUT)
    return full


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("--cluster needs the Python package distributed, which is not installed",
                         hint=f"pip install 'distributed=={DISTRIBUTED}' (the version pyproject.toml pins)",
                         ) from None  # fmt: skip
    return distributed


# -- what the workers are sent ---------------------------------------------------------------


@dataclass(frozen=True)
class SpecTexts:
    """A spec and what loading it reads, as texts: (file name, text), the names relative to
    the folder that holds them all (the spec, the scenarios it names, its terms text, its
    proof hints)."""

    spec_name: str
    files: tuple[tuple[str, str], ...]
    profiles: tuple[str, str] | None = None  # (file name, text)
    code: str = ""  # the sender's `code_version()`: a worker whose yakkan differs refuses the job

    @classmethod
    def read(cls, spec: Any, profiles_path: str | Path | None = None) -> SpecTexts:
        """The texts of a loaded `spec` (its file, the scenarios it names, its terms text)
        and of a profiles file, read again by the checked reader (size-limited UTF-8)."""
        import os

        from yakkan.model.errors import SpecError
        from yakkan.model.limits import read_input_text
        from yakkan.verify.hints import HINTS_FILE

        from .profiles import ProfileError

        path = Path(spec.path).resolve()
        named = [*(p.witness for p in spec.properties.values() if p.witness), *spec.examples]
        hints = [path.parent / HINTS_FILE] if (path.parent / HINTS_FILE).is_file() else []  # (what a check starts from)
        paths = list(dict.fromkeys([path, *(path.parent / n for n in named), Path(spec.terms_path), *hints]))
        base = Path(os.path.commonpath([p.parent for p in paths]))
        files = tuple((p.relative_to(base).as_posix(), read_input_text(p, SpecError)) for p in paths)
        profiles = None
        if profiles_path is not None:
            profiles = (Path(profiles_path).name, read_input_text(profiles_path, ProfileError))
        return cls(path.relative_to(base).as_posix(), files, profiles, code_version())

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name, text in (*self.files, *([self.profiles] if self.profiles else [])):
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()

    @contextlib.contextmanager
    def written(self) -> Iterator[tuple[Path, Path | None]]:
        """The texts as files in a new private folder: (spec path, profiles path or None);
        the folder is removed on leaving."""
        with tempfile.TemporaryDirectory(prefix="yakkan-cluster-") as tmp:
            yield self.write(Path(tmp))

    def load_kept(self, load: Callable[[Path, Path | None], Any]) -> Any:
        """`load(spec path, profiles path)` on the texts written to a private folder that is
        kept as long as what `load` returns (a verifier reads the spec's scenarios later)."""
        tmp = tempfile.mkdtemp(prefix="yakkan-cluster-")
        try:
            out = load(*self.write(Path(tmp)))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        weakref.finalize(out, shutil.rmtree, tmp, True)
        return out

    def write(self, folder: Path) -> tuple[Path, Path | None]:
        """The texts as files under `folder`: (spec path, profiles path or None); an
        InputError if this machine's yakkan is not the sender's (the results could differ)."""
        if self.code != code_version():
            raise InputError(f"the worker's yakkan ({code_version()}) is not the one that sent the job "
                             f"({self.code})", where="--cluster", hint=WORKER_HINT)  # fmt: skip
        root = folder / "spec"
        for name, text in self.files:
            target = _inside(root, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        profiles = None
        if self.profiles is not None:
            profiles = _inside(folder / "profiles", self.profiles[0])
            profiles.parent.mkdir(parents=True, exist_ok=True)
            profiles.write_text(self.profiles[1], encoding="utf-8")
        return root / self.spec_name, profiles


@functools.cache
def code_version() -> str:
    """A hash of yakkan's source that decides a result (the model, the simulator, the
    verifier and the terms parser): a worker runs a job only with the sender's."""
    import importlib

    h = hashlib.sha256()
    for package in ("model", "simulate", "verify", "terms"):
        folder = Path(importlib.import_module(f"yakkan.{package}").__file__ or "").parent
        for f in sorted(folder.glob("*.py")):
            h.update(f"{package}/{f.name}".encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _inside(root: Path, name: str) -> Path:
    parts = name.split("/")
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative file name: {name!r}")
    return root.joinpath(*parts)


class WorkerCache:
    """What a worker process loaded from texts, by key (the texts' digest and the job's
    parameters), kept for the tasks of the same job that follow. Each thread of a worker
    has its own: a job's objects are not shared between threads (a mutation context edits
    its document in place; the tests run one thread per worker process)."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.threads: dict[int, dict[Any, Any]] = {}
        self.lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        with self.lock:
            items = self.threads.setdefault(threading.get_ident(), {})
        if key not in items:
            while len(items) >= self.size:
                items.pop(next(iter(items)))
            items[key] = load()
        return items[key]

    def held(self) -> list[Any]:
        """The keys held, in all threads."""
        with self.lock:
            return [k for items in self.threads.values() for k in items]


# -- the connection --------------------------------------------------------------------------


class Cluster:
    """A connection to a Dask scheduler (a context manager); `map` runs work on its workers."""

    def __init__(self, address: str, timeout: float | None = None) -> None:
        self.address = check_address(address)
        self.timeout = CONNECT_TIMEOUT if timeout is None else timeout
        self.client: Any = None

    def __enter__(self) -> Cluster:
        Client = _distributed().Client
        _probe(self.address, self.timeout)

        with _quiet():
            try:
                self.client = Client(self.address, timeout=self.timeout, set_as_default=False)
            except Exception:  # noqa: BLE001 - whatever the connection raised, the same message
                raise _unreachable(self.address, "the client could not connect") from None
            try:
                self.client.wait_for_workers(1, timeout=self.timeout)
            except Exception:  # noqa: BLE001
                self.close()
                raise InputError(f"the Dask scheduler at {self.address} has no worker", where="--cluster",
                                 hint=f"start one: dask worker {self.address}") from None  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            with _quiet(), contextlib.suppress(Exception):
                self.client.close(timeout=self.timeout)
            self.client = None

    @property
    def threads(self) -> int:
        """The workers' threads: tasks that run at once."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def map(self, work: Callable[..., Any], items: Sequence[Any], *shared: Any) -> Iterator[tuple[Any, Any]]:
        """(item, work(*shared, item)) for every item, in the order they finish. `shared`
        is sent to each worker once. Leaving early (Ctrl-C) cancels what has not run."""
        from distributed import as_completed

        client = self.client
        sent = [client.scatter(s, broadcast=True, hash=False) for s in shared]
        futures = client.map(work, *[[f] * len(items) for f in sent], list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in as_completed(futures, loop=client.loop):
                try:
                    result = future.result()
                except InputError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a worker that cannot run yakkan
                    raise InputError(f"a worker of {self.address} failed: {type(exc).__name__}: {exc}",
                                     where="--cluster", hint=WORKER_HINT) from None  # fmt: skip
                yield items[index[future.key]], result
                future.release()
        finally:
            with _quiet(), contextlib.suppress(Exception):
                client.cancel(futures + sent)


WORKER_HINT = ("every worker needs Python 3.11 and the same yakkan as this machine (`pip install -e .` "
               "in the worker's environment), then `dask worker ADDRESS`")  # fmt: skip


def _unreachable(address: str, reason: str) -> InputError:
    return InputError(f"cannot reach a Dask scheduler at {address}: {reason}", where="--cluster",
                      hint=f"start one with `dask scheduler` and a worker with `dask worker {address}`, "
                           "or correct the address")  # fmt: skip


def _probe(address: str, timeout: float) -> None:
    """Ask `address` who it is before a client connects: nothing there, or something that is
    not a Dask scheduler, is an InputError within `timeout` seconds (a client would retry
    until its own timeout, and fail with a traceback on a stranger's answer)."""
    import errno
    import socket

    from distributed.comm import connect

    m = _ADDRESS.fullmatch(address)
    assert m is not None
    host, port = m.group(2).strip("[]"), int(m.group(3))
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror:
        raise _unreachable(address, "unknown host") from None
    except ConnectionRefusedError:
        raise _unreachable(address, "nothing listens on that port (connection refused)") from None
    except TimeoutError:
        raise _unreachable(address, f"no answer within {timeout:g} s") from None
    except OSError as exc:
        reasons = {errno.ENETUNREACH: "the network is unreachable", errno.EHOSTUNREACH: "the host is unreachable"}
        raise _unreachable(address, reasons.get(exc.errno or 0, "the connection failed")) from None

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    with _quiet():
        try:
            answer = asyncio.run(asyncio.wait_for(identity(), timeout + 1))
        except Exception:  # noqa: BLE001 - timed out, or garbage back (a web server): not a scheduler
            answer = None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise InputError(f"{address} answers, but not as a Dask scheduler", where="--cluster", hint=ADDRESS_HINT)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Distributed's own log lines (a refused connection, a closing client) kept off the
    terminal: the outcome is reported once, as yakkan's message."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
