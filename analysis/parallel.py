"""Run independent analyses on the machine's cores.

An invariance ladder per dimension, for example, is a set of model fits that share nothing; on a
two-core laptop running them beside the rest of the analysis halves the wait. Tasks run in forked
worker processes (the parent's imports and data come for free, nothing is re-read), so this is
used only on Linux, where forking a process that has loaded numpy is safe; elsewhere, with one
core, or with ``MOSCALE_WORKERS=1``, the tasks run one after the other in this process. Results
are the same either way: the tasks are deterministic and each is collected by its key.

:class:`Background` lets the report pipeline start work early (a section's ``prefetch``) and
collect it when the section is built; a task that no worker has started by then is run by the
collecting process itself.

A :class:`~moscale.errors.UserError` raised by a task is raised again in the parent (with its
message, hint and location), so callers handle failures as in a sequential loop.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import sys
import warnings
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from moscale.errors import UserError

__all__ = ["Background", "available_workers", "can_fork"]

T = TypeVar("T")


def available_workers() -> int:
    """Cores this process may use, or ``MOSCALE_WORKERS`` when set (at least 1)."""
    env = os.environ.get("MOSCALE_WORKERS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes are forked here (Linux only: forking after numpy, matplotlib
    or Accelerate have started is unsafe on macOS, and Windows cannot fork)."""
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


def _call(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    # runs in the worker: a UserError travels back as its parts (exceptions with keyword
    # arguments do not unpickle)
    try:
        return "ok", fn(*args)
    except UserError as exc:
        return "user_error", (type(exc), exc.message, exc.hint, exc.location)


def _rebuild(payload: tuple) -> UserError:
    cls, message, hint, location = payload
    try:
        return cls(message, hint=hint, location=location)
    except TypeError:
        return UserError(message, hint=hint, location=location)


# Tasks registered before the workers are forked: a worker finds its task here (inherited
# memory), so large arguments such as the data are never pickled.
_TASKS: dict[int, tuple[Callable[..., Any], tuple]] = {}
_TOKENS = itertools.count(1)

_INHERITED_STREAMS: list[Any] = []


def _worker_init() -> None:
    # A thread of the parent (a progress display) may have held the lock of stdout or stderr
    # at the moment of the fork; that lock is never released in the worker, and the worker
    # flushes its streams on exit. Workers print nothing: they get streams of their own (the
    # inherited ones are kept referenced so that no finaliser flushes them). The report
    # carries its own warnings, so Python warnings are not shown from workers either.
    _INHERITED_STREAMS.extend([sys.stdout, sys.stderr])
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    warnings.simplefilter("ignore")


def _run_registered(token: int) -> tuple[str, Any]:
    fn, args = _TASKS[token]
    return _call(fn, args)


class Background:
    """Tasks started early and collected later, by key.

    Tasks are :meth:`submit`-ted (a section's ``prefetch``), then :meth:`start` forks the
    workers, which inherit the tasks and their arguments; :meth:`take` collects a result, or
    computes it here if it was never submitted or no worker has started it yet.

    Parameters
    ----------
    workers
        Worker processes beside this one (default: the available cores less one, since this
        process goes on with the rest of the work). With 0, or where :func:`can_fork` is false,
        nothing runs in the background: :meth:`take` runs each task when it is collected.

    Examples
    --------
    >>> bg = Background(workers=0)
    >>> bg.submit("square", pow, (3, 2))
    >>> bg.start()
    >>> bg.take("square", pow, (3, 2))
    9
    >>> bg.close()
    """

    def __init__(self, workers: int | None = None):
        self.workers = max(0, available_workers() - 1 if workers is None else workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Hashable, tuple[Callable[..., Any], tuple]] = {}
        self._jobs: dict[Hashable, Future] = {}
        self._tokens: list[int] = []
        self._started = False

    @property
    def parallel(self) -> bool:
        """Whether tasks can run in worker processes here."""
        return self.workers > 0 and can_fork()

    @property
    def running(self) -> bool:
        """Whether workers have been started (and tasks given to them)."""
        return self._pool is not None

    def submit(self, key: Hashable, fn: Callable[..., Any], args: tuple) -> None:
        """Register ``fn(*args)`` under ``key`` for the workers :meth:`start` launches (no-op
        once started, for a key already submitted, or when nothing runs in the background)."""
        if self.parallel and not self._started and key not in self._pending:
            self._pending[key] = (fn, args)

    def start(self) -> None:
        """Fork the workers and hand them the submitted tasks, in submission order."""
        if self._started:
            return
        self._started = True
        if not self._pending:
            return
        keys = list(self._pending)
        tokens = [next(_TOKENS) for _ in keys]
        _TASKS.update(zip(tokens, self._pending.values(), strict=True))
        self._tokens = tokens
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(keys)),
            mp_context=mp.get_context("fork"),
            initializer=_worker_init,
        )
        with warnings.catch_warnings():
            # Python >= 3.12 warns when a process with threads forks; the workers touch no
            # lock another thread could hold (see _worker_init)
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            for key, token in zip(keys, tokens, strict=True):
                self._jobs[key] = self._pool.submit(_run_registered, token)

    def take(self, key: Hashable, fn: Callable[..., T], args: tuple) -> T:
        """The result of task ``key``: from its worker, or computed here. A
        :class:`~moscale.errors.UserError` of the task is raised here."""
        self._pending.pop(key, None)
        job = self._jobs.pop(key, None)
        if job is None or job.cancel():
            return fn(*args)
        try:
            status, value = job.result()
        except BrokenProcessPool:
            # the worker died (e.g. killed for memory): compute it here rather than fail
            return fn(*args)
        if status != "ok":
            raise _rebuild(value)
        return value

    def close(self) -> None:
        """Stop the workers (tasks not collected are dropped)."""
        self._pending.clear()
        self._jobs.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for token in self._tokens:
            _TASKS.pop(token, None)
        self._tokens = []
