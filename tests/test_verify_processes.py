"""Work shared out to forked processes (privlex.verify.processes): results in order, and nothing left behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("z3")

from privlex.verify.processes import WorkerFailed, Workers, can_fork, default_jobs  # noqa: E402
from privlex.verify.solve import SolverTimeout  # noqa: E402

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def no_worker_left() -> bool:
    return not multiprocessing.active_children()


def run_all(work: Callable[[int], Any], count: int, jobs: int) -> list[Any]:
    with Workers(work, jobs) as workers:
        for index in range(count):
            workers.submit(index)
        return workers.gather()


# Eight workers only in the full run: with two and three the quick run shares the tasks out among processes too.
@pytest.mark.parametrize("jobs", [1, 2, 3, pytest.param(8, marks=pytest.mark.slow)])
def test_results_come_back_in_order(jobs: int) -> None:
    inherited = [f"value {i}" for i in range(11)]  # held before the fork, never pickled

    def work(index: int) -> tuple[str, int]:
        return inherited[index], os.getpid()

    results = run_all(work, len(inherited), jobs)
    assert [value for value, _ in results] == inherited
    assert (os.getpid() in {pid for _, pid in results}) == (jobs == 1)
    assert no_worker_left()


def test_one_task_or_none_is_done_here() -> None:
    assert run_all(lambda index: index, 0, 4) == []
    assert run_all(lambda index: (index, os.getpid()), 1, 4) == [(0, os.getpid())]


def test_no_more_processes_than_tasks() -> None:
    with Workers(lambda task: task, 4) as workers:
        for task in range(2):
            workers.submit(task)
        assert workers.gather() == [0, 1]
        assert len(workers.processes) == 2


def test_the_workers_start_with_every_task_in_and_take_more() -> None:
    with Workers(lambda task: task * 2, 2) as workers:
        for task in range(3):
            workers.submit(task)
        assert workers.processes == []  # not forked while the caller still works
        first = workers.gather()
        assert len(workers.processes) == 2
        workers.submit(10)
        assert workers.gather() == [*first, 20] == [0, 2, 4, 20]
    assert no_worker_left()


def test_a_worker_error_is_one_line_and_ends_every_worker() -> None:
    def work(index: int) -> int:
        if index == 3:
            raise ValueError("no such region")
        return index

    with pytest.raises(WorkerFailed, match="^ValueError: no such region$") as failed:
        run_all(work, 8, 2)
    assert "Traceback" in failed.value.details
    assert no_worker_left()


def test_a_solver_timeout_in_a_worker_is_a_solver_timeout() -> None:
    def work(index: int) -> int:
        if index == 1:
            raise SolverTimeout(2.5)
        return index

    with pytest.raises(SolverTimeout) as timed_out:
        run_all(work, 4, 2)
    assert timed_out.value.seconds == 2.5
    assert no_worker_left()


def test_a_worker_that_dies_is_reported() -> None:
    def work(index: int) -> int:
        if index == 2:
            os._exit(3)
        return index

    with pytest.raises(WorkerFailed, match="ended unexpectedly"):
        run_all(work, 6, 2)
    assert no_worker_left()


def test_ctrl_c_ends_the_workers_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    parent = os.getpid()

    def work(index: int) -> int:
        if index == 0:
            # Ctrl-C reaches the whole process group; here, the parent and this worker.
            os.kill(parent, signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return index

    with pytest.raises(KeyboardInterrupt):
        run_all(work, 4, 2)
    assert no_worker_left()
    assert "Traceback" not in capfd.readouterr().err


def test_default_jobs_is_a_few_cores() -> None:
    assert 1 <= default_jobs() <= 4
