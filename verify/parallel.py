"""Work split over the cores by forking (the verifier's shared preparation).

Each item after the first is computed in a forked child and its result pickled back; the
parent computes the first meanwhile, then keeps a child on every core until none is left.
The results are the same, in the same order, whatever the number of cores (one core, or no
``fork``: everything in this process, in order). Each child is a `Later`: one value
computed in a forked child while the parent goes on (the fast path's premises, beside the
parent's one solver, are one too).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Forked:
    """A daemonic forked child and this process's end of a pipe to it (`pipe`: None once
    closed, or when no child was forked)."""

    _proc: Any = None
    pipe: Any = None

    def _fork(self, target: Callable[..., None], first: Any, duplex: bool) -> None:
        """``target(first, the child's end of the pipe)`` in a forked child."""
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.pipe, theirs = ctx.Pipe(duplex=duplex)
        self._proc = ctx.Process(target=target, args=(first, theirs), daemon=True)
        # the objects made so far frozen across the fork (the `gc` module's advice for a fork
        # without exec): the child's collections never walk the heap it inherits (nor copy
        # its pages by touching them); this process's are given back to it at once
        gc.freeze()
        try:
            self._proc.start()
        finally:
            gc.unfreeze()
        theirs.close()

    def close(self) -> None:
        """The child stopped (killed if it still runs) and its pipe closed."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join()
            self.pipe.close()
            self._proc = None
            self.pipe = None


class Later(_Forked, Generic[R]):
    """``fn()`` computed in a forked child while this process goes on; `result` waits for
    it. Where no child may be forked (no ``fork``, a daemonic solver process, or ``fork``
    False), `result` computes it in this process: the same value either way. (`pipe` is
    ready when the result is; `close` stops the child, `result` not asked.)"""

    def __init__(self, fn: Callable[[], R], fork: bool = True) -> None:
        import multiprocessing as mp

        self._fn = fn
        if fork and hasattr(os, "fork") and not mp.current_process().daemon:
            self._fork(_child, fn, duplex=False)

    def result(self, pause: Callable[[], None] | None = None) -> R:
        """The value of ``fn()`` (its exception raised here, as the one-process path raises
        it), ``pause()`` called every 50 ms while the child computes it."""
        if self.pipe is None:
            return self._fn()
        from multiprocessing.connection import wait

        try:
            while not wait([self.pipe], timeout=0.05):
                if pause is not None:
                    pause()
            ok, value = pickle.loads(self.pipe.recv_bytes())  # (our own child's, never input)
        except EOFError:
            ok, value = False, RuntimeError("a worker process ended without a result")
        finally:
            self.close()
        if not ok:
            raise value
        return value


def forked_map(fn: Callable[[T], R], items: Sequence[T], jobs: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, up to ``jobs`` (default: the cores) at a time."""
    import multiprocessing as mp
    from functools import partial

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    # a solver process (daemonic) may not fork: it computes in order
    if jobs == 1 or not hasattr(os, "fork") or len(items) < 2 or mp.current_process().daemon:
        return [fn(x) for x in items]

    from multiprocessing.connection import wait

    out: list[Any] = [None] * len(items)
    todo = list(range(1, len(items)))
    running: dict[Any, tuple[int, Later[R]]] = {}  # a child's end of its pipe -> (item, child)

    def start(most: int) -> None:
        while todo and len(running) < most:
            i = todo.pop(0)
            child = Later(partial(fn, items[i]))
            running[child.pipe] = (i, child)

    try:
        start(jobs - 1)  # while the parent computes the first item
        out[0] = fn(items[0])
        start(jobs)
        while running:
            for pipe in wait(list(running)):
                i, child = running.pop(pipe)
                out[i] = child.result()
            start(jobs)  # a core freed: the next item
    finally:
        for _, child in running.values():
            child.close()
    return out


class Worker(_Forked, Generic[T, R]):
    """A forked process that computes ``work(item)`` for one item after another, as the
    parent gives them (`give`), until it is closed: one fork for many items, so the
    pages of its parent's heap are copied once, not once per item (`_each`'s solver
    processes). ``work`` must not depend on what the process computed before: each of the
    verifier's checks starts in a Z3 context of its own.

    An item may be given before the last one is answered: it waits in the pipe and the
    worker starts it as soon as it has sent the answer before it, without waiting for its
    parent to read that answer (a parent busy in a solver query of its own reads it late)."""

    def __init__(self, work: Callable[[T], R]) -> None:
        self._fork(_serve, work, duplex=True)  # (`pipe` ready when its answer is)
        self.items: list[T] = []  # given and not answered, in order: the first is being computed
        self.since = 0.0  # when the first of them started (time.monotonic), as far as the parent knows

    @property
    def item(self) -> T | None:
        """The item it computes (None: idle)."""
        return self.items[0] if self.items else None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def give(self, item: T) -> None:
        if not self.items:
            self.since = time.monotonic()
        self.items.append(item)
        self.pipe.send(item)

    def answer(self) -> R:
        """The value of ``work(item)`` (the next item given, if any, is then computed);
        EOFError when the process ended without one (the exception it died of is on its
        stderr)."""
        value = self.pipe.recv()
        self.items.pop(0)
        self.since = time.monotonic()
        return value


def _serve(work: Callable[[Any], Any], pipe: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent kills its workers
    try:
        while True:
            try:
                item = pipe.recv()
            except EOFError:  # the parent closed its end
                return
            pipe.send(work(item))
    finally:
        pipe.close()


def _child(fn: Callable[[], Any], send: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent kills its children
    try:
        try:
            payload = pickle.dumps((True, fn()), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - raised again by the parent
            try:
                payload = pickle.dumps((False, exc))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        send.send_bytes(payload)
    finally:
        send.close()
