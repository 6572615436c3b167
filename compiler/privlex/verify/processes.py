"""Independent pieces of solver work shared out to forked processes, for the wall clock.

Describing the changes of a diff is most of its time, and each change is
described on its own (covering.py), so a diff shares them out. The workers
are forked: they inherit the encoded programs, which are z3 terms and cannot
be pickled. That is safe only while no z3 thread runs in the parent, and
none does between questions: z3 joins its timer threads before a fork
(`pthread_atfork`), and the workers are started from the one thread that
asks questions, between two of them. A task is an index into work both
sides already hold; a result is plain data, pickled back.

The workers ignore Ctrl-C (the parent handles it and ends them), leave when
the parent's end of their pipe closes, and are ended and reaped however the
parent leaves `run_all`: neither an error nor an interrupt leaves a process
behind or prints a worker's traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from .solve import SolverTimeout

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


def run_all(work: Callable[[int], Result], count: int, jobs: int) -> list[Result]:
    """`[work(0), ..., work(count - 1)]`, in up to `jobs` forked processes (in this one if 1 or not possible).

    `work` must give the same result for an index whichever process runs it
    and whatever it ran before: the caller's results may not depend on `jobs`.
    """
    jobs = min(jobs, count)
    if jobs <= 1 or not can_fork():
        return [work(index) for index in range(count)]
    context = multiprocessing.get_context("fork")
    workers: list[tuple[Any, Connection]] = []
    try:
        for _ in range(jobs):
            ours, theirs = context.Pipe()
            inherited = [conn for _, conn in workers] + [ours]
            process = context.Process(target=_serve, args=(work, theirs, inherited), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, ours))
        return _share_out(workers, count)
    finally:
        for process, conn in workers:
            conn.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _share_out(workers: list[tuple[Any, Connection]], count: int) -> list[Any]:
    """Hand each free worker the next index until every result is back."""
    results: dict[int, Any] = {}
    waiting = iter(range(count))
    busy: dict[Connection, int] = {}

    def hand(conn: Connection) -> None:
        index = next(waiting, None)
        if index is not None:
            conn.send(index)
            busy[conn] = index

    owner = {process.sentinel: (process, conn) for process, conn in workers}
    process_of = {conn: process for process, conn in workers}
    for _, conn in workers:
        hand(conn)
    while len(results) < count:
        ready = wait([*busy, *(s for s, (_, conn) in owner.items() if conn in busy)])
        for conn in [r for r in ready if isinstance(r, Connection)]:
            index = busy.pop(conn)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):  # it died before answering
                process_of[conn].join(1)
                raise WorkerFailed(_died(process_of[conn])) from None
            if status == "timeout":
                raise SolverTimeout(payload)
            if status == "error":
                raise WorkerFailed(payload.strip().splitlines()[-1], payload)
            results[index] = payload
            hand(conn)
        for sentinel in [r for r in ready if not isinstance(r, Connection)]:
            process, conn = owner[sentinel]
            if conn in busy and not conn.poll():
                raise WorkerFailed(_died(process))
    return [results[index] for index in range(count)]


def _died(process: Any) -> str:
    return f"a worker process ended unexpectedly (exit code {process.exitcode})"


def _serve(work: Callable[[int], Any], conn: Connection, inherited: list[Connection]) -> None:
    """A worker: answer indices until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in inherited:  # the parent's ends: held here, they would keep the pipes open after the parent left
        other.close()
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", work(index))
        except SolverTimeout as exc:
            answer = ("timeout", exc.seconds)
        except Exception:
            answer = ("error", traceback.format_exc())
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return
