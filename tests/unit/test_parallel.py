"""Background tasks in forked workers (moscale.analysis.parallel).

The report pipeline starts independent model fits early in worker processes and collects them
later. What must hold: each key gives the result of its own task whoever computed it, errors come
back as the same exceptions, arguments reach the workers without being pickled, and with no
workers (or where the platform cannot fork) everything runs in this process.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from moscale.analysis.parallel import Background, available_workers, can_fork
from moscale.errors import DataError, UserError

needs_fork = pytest.mark.skipif(not can_fork(), reason="worker processes are forked on Linux only")


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _apply(fn, x):
    return fn(x), os.getpid()


def _die_in_a_worker(parent: int, x: int) -> tuple[int, int]:
    if os.getpid() != parent:
        os._exit(1)  # a worker killed from outside (out of memory, a signal)
    return x * x, os.getpid()


def _fail(kind: str):
    if kind == "user":
        raise DataError("item q3 has no answers", hint="drop q3", location="data.csv")
    raise np.linalg.LinAlgError("singular")


def test_without_workers_tasks_run_when_taken():
    bg = Background(workers=0)
    assert not bg.parallel
    bg.submit("a", _square, (3,))
    bg.start()
    assert not bg.running
    assert bg.take("a", _square, (3,)) == (9, os.getpid())
    # a key never submitted is computed on the spot as well
    assert bg.take("b", _square, (4,))[0] == 16
    bg.close()


@needs_fork
def test_workers_compute_submitted_tasks_and_results_follow_their_keys():
    bg = Background(workers=1)
    assert bg.parallel
    for x in range(6):
        bg.submit(("sq", x), _square, (x,))
    bg.start()
    assert bg.running
    # collected from the back, as the sections do: the worker takes the queue from the front
    got = {x: bg.take(("sq", x), _square, (x,)) for x in reversed(range(6))}
    bg.close()
    assert {x: v for x, (v, _) in got.items()} == {x: x * x for x in range(6)}
    # the first task is handed to the worker at once, so it ran in another process
    assert got[0][1] != os.getpid()
    assert not bg.running


@needs_fork
def test_arguments_reach_the_workers_without_pickling():
    """A lambda cannot be pickled: the worker still runs it, since tasks are registered before
    the fork and inherited (the data are never copied through a pipe)."""
    bg = Background(workers=1)
    bg.submit("lambda", _apply, (lambda x: x + 1, 41))
    bg.start()
    value, pid = bg.take("lambda", _apply, (lambda x: x + 1, 41))
    bg.close()
    assert value == 42 and pid != os.getpid()


@needs_fork
def test_errors_come_back_as_the_same_exceptions():
    bg = Background(workers=1)
    bg.submit("user", _fail, ("user",))
    bg.submit("linalg", _fail, ("linalg",))
    bg.start()
    with pytest.raises(DataError) as exc:
        bg.take("user", _fail, ("user",))
    assert isinstance(exc.value, UserError)
    assert exc.value.message == "item q3 has no answers"
    assert exc.value.hint == "drop q3" and exc.value.location == "data.csv"
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        bg.take("linalg", _fail, ("linalg",))
    bg.close()


@needs_fork
def test_a_dead_worker_means_the_task_runs_here():
    bg = Background(workers=1)
    args = (os.getpid(), 7)
    bg.submit("doomed", _die_in_a_worker, args)
    bg.start()
    assert bg.take("doomed", _die_in_a_worker, args) == (49, os.getpid())
    bg.close()


@needs_fork
def test_submitting_after_start_runs_in_this_process():
    bg = Background(workers=1)
    bg.submit("early", _square, (2,))
    bg.start()
    bg.submit("late", _square, (5,))  # workers were forked already: not theirs
    assert bg.take("late", _square, (5,)) == (25, os.getpid())
    assert bg.take("early", _square, (2,))[0] == 4
    bg.close()


def test_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOSCALE_WORKERS", "1")
    assert available_workers() == 1
    assert not Background().parallel  # one core in all: nothing beside this process
    monkeypatch.setenv("MOSCALE_WORKERS", "3")
    assert available_workers() == 3
    assert Background().workers == 2
    monkeypatch.setenv("MOSCALE_WORKERS", "many")
    assert available_workers() >= 1
    monkeypatch.delenv("MOSCALE_WORKERS")
    assert available_workers() >= 1


def test_no_fork_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not can_fork()
    assert not Background(workers=4).parallel
