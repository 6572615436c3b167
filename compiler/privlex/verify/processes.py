"""Independent pieces of solver work shared out to forked processes, for the wall clock.

Describing the changes of a diff is most of its time, and each change is
described on its own (covering.py), so a diff hands its changes to a
`Workers` once it has found them all. The workers are forked: they inherit
the encoded programs, which are z3 terms and cannot be pickled. That is
safe only while no z3 thread runs in the parent, and none does between
questions: z3 joins its timer threads before a fork (`pthread_atfork`), and
the workers are started from the one thread that asks questions, between
two of them. A task and a result are plain data, pickled across.

The workers start when the last task is in, not at the first: forked in
the middle of finding the changes, they described some changes otherwise
than this process does (the five-edit benchmark diff: 2 of 73 changes,
other, as exact regions; the inherited state that does it was not pinned
down); forked after it, they describe every change as this process would.

The workers ignore Ctrl-C (the parent handles it and ends them), leave when
the parent's end of their pipe closes, and are ended and reaped however the
parent leaves the `with` block: neither an error nor an interrupt leaves a
process behind or prints a worker's traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from .solve import SolverTimeout

Task = TypeVar("Task")
Result = TypeVar("Result")

# The default number of processes: one per core this process may use, at most this many (each
# holds its own copy of the solver's memory as it writes to it).
MOST_JOBS = 4


def default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MOST_JOBS))


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class WorkerFailed(RuntimeError):
    """A worker raised something other than a solver timeout, or died: the message says what in one
    line, `details` holds the worker's traceback."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class Workers(Generic[Task, Result]):
    """`work(task)` for each task submitted, in up to `jobs` forked processes; the results in the
    order of submission.

    `work` must give the same result for a task whichever process runs it
    and whatever it ran before, so that the caller's results do not depend
    on `jobs`. The processes start when the results are asked for, with
    every task in (a single task is done here); with one job, or without
    `fork`, every task is done here.
    """

    def __init__(self, work: Callable[[Task], Result], jobs: int) -> None:
        self.work = work
        self.jobs = jobs if can_fork() else 1
        self.tasks: list[Task] = []
        self.results: dict[int, Result] = {}
        self.waiting: list[int] = []  # submitted, not handed to a worker yet
        self.processes: list[tuple[Any, Connection]] = []
        self.busy: dict[Connection, int] = {}

    def __enter__(self) -> Workers[Task, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        for process, conn in self.processes:
            conn.close()
            if process.is_alive():
                process.terminate()
            process.join()
        self.processes = []

    def submit(self, task: Task) -> None:
        self.tasks.append(task)
        self.waiting.append(len(self.tasks) - 1)
        if self.processes:
            self._collect(block=False)

    def gather(self) -> list[Result]:
        """Every task's result, in the order submitted."""
        if self.jobs > 1 and not self.processes and len(self.waiting) >= 2:
            self._start()
        if not self.processes:
            for index in self.waiting:
                self.results[index] = self.work(self.tasks[index])
            self.waiting = []
        while len(self.results) < len(self.tasks):
            self._collect(block=True)
        return [self.results[index] for index in range(len(self.tasks))]

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        for _ in range(min(self.jobs, len(self.waiting))):
            ours, theirs = context.Pipe()
            inherited = [conn for _, conn in self.processes] + [ours]
            process = context.Process(target=_serve, args=(self.work, theirs, inherited), daemon=True)
            process.start()
            theirs.close()
            self.processes.append((process, ours))

    def _hand_out(self) -> None:
        for _, conn in self.processes:
            if conn not in self.busy and self.waiting:
                index = self.waiting.pop(0)
                conn.send(self.tasks[index])
                self.busy[conn] = index

    def _collect(self, block: bool) -> None:
        """Read the results that are back (waiting for one if `block`), and hand out waiting tasks."""
        self._hand_out()
        owner = {process.sentinel: (process, conn) for process, conn in self.processes if conn in self.busy}
        ready = wait([*self.busy, *owner], timeout=None if block else 0)
        for conn in [r for r in ready if isinstance(r, Connection)]:
            index = self.busy.pop(conn)
            process = next(p for p, c in self.processes if c is conn)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):  # it died before answering
                process.join(1)
                raise WorkerFailed(_died(process)) from None
            if status == "timeout":
                raise SolverTimeout(payload)
            if status == "error":
                raise WorkerFailed(payload.strip().splitlines()[-1], payload)
            self.results[index] = payload
        for sentinel in [r for r in ready if not isinstance(r, Connection)]:
            process, conn = owner[sentinel]
            if conn in self.busy and not conn.poll():
                raise WorkerFailed(_died(process))
        self._hand_out()


def _died(process: Any) -> str:
    return f"a worker process ended unexpectedly (exit code {process.exitcode})"


def _serve(work: Callable[[Any], Any], conn: Connection, inherited: list[Connection]) -> None:
    """A worker: do tasks until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in inherited:  # the parent's ends: held here, they would keep the pipes open after the parent left
        other.close()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", work(task))
        except SolverTimeout as exc:
            answer = ("timeout", exc.seconds)
        except Exception:
            answer = ("error", traceback.format_exc())
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return
