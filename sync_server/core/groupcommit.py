"""Group commit: pushes waiting for the one SQLite writer share its next transaction.

SQLite commits with an fsync (`synchronous=FULL`: an acknowledged push survives power
loss) and admits one writer at a time. When 200 phones push at once (B3), each push waits
for the writer in turn and pays its own commit — its fsync (≈ 1–3 ms on this machine's
disk, more on many a server's), its session and transaction set-up — while holding the
writer, so the last phone waited for 200 of them. Here the thread that gets the writer
runs every push queued by then (up to MAX_WEIGHT mutations) in one transaction, each in a
savepoint of its own, and commits once:
- each push stays all-or-nothing: one that fails is rolled back to its savepoint and its
  caller gets its exception; the others of the group go on;
- a failed COMMIT fails every push of the group and none of them landed — their phones
  resend, as after any failed push (exactly-once: merge/__init__.py);
- a push alone (no one waiting) runs as `run_write` would, with no wait added: grouping
  only collects what is already queued.
A push that waited for the writer sees the pushes before it as a push after a commit
would: they ran first, in the same transaction. Measured (B3, bench/RESULTS.md): +13 %
mutations/s with 200 phones at once; the burst there is CPU-bound, not fsync-bound.
PostgreSQL has many writers and groups its own WAL flushes; there the work runs as
`run_write` runs it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.db import (
    is_sqlite,
    is_transient,
    run_write,
    write_session,
    writer_key,
    writer_lock,
)

T = TypeVar("T")
# mutations per group: bounds how long the first push of a group waits for the last
# (≈ 0.1 ms a mutation: a group of 2,000 commits within about 0.2 s)
MAX_WEIGHT = 2000


@dataclass(eq=False)
class _Job(Generic[T]):
    work: Callable[[Session], T]
    weight: int
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class _Queue:
    def __init__(self) -> None:
        self.jobs: deque[_Job[Any]] = deque()
        self.guard = threading.Lock()

    def add(self, job: _Job[Any]) -> None:
        with self.guard:
            self.jobs.append(job)

    def take_group(self) -> list[_Job[Any]]:
        """The oldest jobs, at least one, up to MAX_WEIGHT in all."""
        group: list[_Job[Any]] = []
        weight = 0
        with self.guard:
            while self.jobs and (not group or weight + self.jobs[0].weight <= MAX_WEIGHT):
                job = self.jobs.popleft()
                weight += job.weight
                group.append(job)
        return group


_QUEUES: dict[str, _Queue] = {}
_QUEUES_GUARD = threading.Lock()


def _queue_for(engine: sa.Engine) -> _Queue:
    with _QUEUES_GUARD:
        return _QUEUES.setdefault(writer_key(engine), _Queue())


def queued(engine: sa.Engine) -> int:
    """Jobs waiting for the writer (tests wait on it)."""
    return len(_queue_for(engine).jobs)


def run_grouped(
    engine: sa.Engine, work: Callable[[Session], T], weight: int = 1, attempts: int = 3
) -> T:
    """Run `work` in a write transaction it may share with other waiting work (see module
    docstring); `weight` is its size (a push's mutations). Returns its result or raises its
    exception, as `run_write` would.

    Raises:
        DomainError(server.unavailable): the database stayed busy after `attempts`.
    """
    if not is_sqlite(engine):
        return run_write(engine, work, attempts)
    queue = _queue_for(engine)
    job: _Job[T] = _Job(work, max(1, weight))
    queue.add(job)
    with writer_lock(engine):
        while not job.done:  # FIFO: groups of older jobs first, then one holding this one
            _run_group(engine, queue.take_group(), attempts)
    if job.error is not None:
        raise job.error
    result: T = job.result
    return result


def _run_group(engine: sa.Engine, group: list[_Job[Any]], attempts: int) -> None:
    try:
        if len(group) == 1:  # no one waited: exactly run_write, no savepoint to pay for
            _run_alone(engine, group[0], attempts)
            return
        for attempt in range(attempts):
            try:
                _commit_group(engine, group)
                return
            except sa.exc.DBAPIError as exc:  # BEGIN or COMMIT: no job's work landed
                if not is_transient(exc):
                    _fail(group, exc)
                    return
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        _fail(group, DomainError(ProblemCode.SERVER_UNAVAILABLE, "database busy", retry_after=1))
    except BaseException as exc:  # a job's thread must never wait for an answer forever
        _fail([j for j in group if not j.done], exc)
        raise
    finally:
        for job in group:
            job.done = True


def _run_alone(engine: sa.Engine, job: _Job[Any], attempts: int) -> None:
    try:
        job.result = run_write(engine, job.work, attempts)
    except Exception as exc:
        job.error = exc


def _commit_group(engine: sa.Engine, group: list[_Job[Any]]) -> None:
    for job in group:  # a retried group starts afresh
        job.result, job.error = None, None
    with write_session(engine) as session:
        for job in group:
            try:
                with session.begin_nested():
                    job.result = job.work(session)
                    session.flush()  # its statements fail here, inside its savepoint
            except Exception as exc:
                job.error = exc


def _fail(group: list[_Job[Any]], exc: BaseException) -> None:
    for job in group:
        job.result, job.error = None, exc
