"""Pushes waiting for the SQLite writer share one transaction, each all-or-nothing
(core/groupcommit.py), and a push through the app while others wait is answered exactly
as it would be alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from sync_server.core import groupcommit
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, writer_lock
from sync_server.core.groupcommit import queued, run_grouped
from tests.server.test_push_resend import results_bytes
from tests.server.world import World


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[sa.Engine]:
    """A SQLite database of one table, for run_grouped itself."""
    engine = make_engine(Settings(data_dir=tmp_path / "server", console=False))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE note (name TEXT PRIMARY KEY)")
    yield engine
    engine.dispose()


def _insert(name: str, seen: dict[str, Session]) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        seen[name] = session  # jobs of one group run in one session (one transaction)
        session.execute(sa.text("INSERT INTO note VALUES (:n)"), {"n": name})
        return name

    return work


def _names(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM note")}


class _Callers:
    """Threads calling run_grouped, their results and exceptions kept by name."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.results: dict[str, Any] = {}
        self.threads: list[threading.Thread] = []

    def start(self, name: str, work: Callable[[Session], Any], weight: int = 1) -> None:
        def call() -> None:
            try:
                self.results[name] = run_grouped(self.engine, work, weight)
            except Exception as exc:  # the caller's own exception, kept for the assertions
                self.results[name] = exc

        thread = threading.Thread(target=call)
        self.threads.append(thread)
        thread.start()

    def wait_queued(self, n: int) -> None:
        deadline = time.monotonic() + 10
        while queued(self.engine) < n:
            assert time.monotonic() < deadline, f"{queued(self.engine)} queued, expected {n}"
            time.sleep(0.005)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(20)
        assert not any(t.is_alive() for t in self.threads)


class _Holder:
    """The first job: holds the writer until the others are queued behind it."""

    def __init__(self, seen: dict[str, Session]) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.insert = _insert("first", seen)

    def __call__(self, session: Session) -> str:
        self.entered.set()  # its group was taken: what is queued now waits for the next
        assert self.release.wait(10)
        return self.insert(session)

    def start(self, callers: _Callers) -> None:
        callers.start("first", self)
        assert self.entered.wait(10)


def test_work_that_waited_shares_one_transaction(scratch: sa.Engine) -> None:
    seen: dict[str, Session] = {}
    holder, callers = _Holder(seen), _Callers(scratch)
    holder.start(callers)
    for name in ("b", "c", "d"):
        callers.start(name, _insert(name, seen))
    callers.wait_queued(3)
    holder.release.set()
    callers.join()
    assert callers.results == {"first": "first", "b": "b", "c": "c", "d": "d"}
    assert seen["b"] is seen["c"] is seen["d"]  # one group …
    assert seen["first"] is not seen["b"]  # … after the one that held the writer
    assert _names(scratch) == {"first", "b", "c", "d"}


def test_a_failing_job_is_undone_alone(scratch: sa.Engine) -> None:
    seen: dict[str, Session] = {}
    holder = _Holder(seen)

    def fails(session: Session) -> str:
        seen["bad"] = session
        session.execute(sa.text("INSERT INTO note VALUES ('bad')"))
        raise ValueError("refused half-way")

    callers = _Callers(scratch)
    holder.start(callers)
    callers.start("b", _insert("b", seen))
    callers.wait_queued(1)
    callers.start("bad", fails)
    callers.wait_queued(2)
    callers.start("c", _insert("c", seen))
    callers.wait_queued(3)
    holder.release.set()
    callers.join()
    assert seen["b"] is seen["bad"] is seen["c"]
    assert isinstance(callers.results["bad"], ValueError)
    assert callers.results["b"] == "b" and callers.results["c"] == "c"
    assert _names(scratch) == {"first", "b", "c"}  # its row went with its savepoint


def test_a_failed_commit_fails_every_job_of_the_group(scratch: sa.Engine) -> None:
    seen: dict[str, Session] = {}
    holder = _Holder(seen)
    callers = _Callers(scratch)
    holder.start(callers)
    callers.start("b", _insert("b", seen))
    callers.start("c", _insert("c", seen))
    callers.wait_queued(2)
    commits = [0]

    @event.listens_for(scratch, "commit")
    def refuse_second(conn: Any) -> None:
        commits[0] += 1
        if commits[0] == 2:  # the group's, after the first job's own
            raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    holder.release.set()
    callers.join()
    event.remove(scratch, "commit", refuse_second)
    assert callers.results["first"] == "first"
    assert isinstance(callers.results["b"], sa.exc.OperationalError)
    assert isinstance(callers.results["c"], sa.exc.OperationalError)
    assert _names(scratch) == {"first"}  # neither landed: their phones resend


def test_a_group_holds_at_most_max_weight(scratch: sa.Engine, monkeypatch: Any) -> None:
    monkeypatch.setattr(groupcommit, "MAX_WEIGHT", 100)
    seen: dict[str, Session] = {}
    holder = _Holder(seen)
    callers = _Callers(scratch)
    holder.start(callers)
    for n, name in enumerate(("b", "c", "d")):
        callers.start(name, _insert(name, seen), weight=60)
        callers.wait_queued(n + 1)
    holder.release.set()
    callers.join()
    assert len({id(seen[n]) for n in ("b", "c", "d")}) == 3  # 60 + 60 > 100: one each
    assert _names(scratch) == {"first", "b", "c", "d"}


def test_work_alone_runs_at_once(scratch: sa.Engine) -> None:
    seen: dict[str, Session] = {}
    assert run_grouped(scratch, _insert("solo", seen)) == "solo"

    def refused(session: Session) -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError):
        run_grouped(scratch, refused)
    assert _names(scratch) == {"solo"}
    assert queued(scratch) == 0


def test_pushes_grouped_through_the_app_are_answered_as_alone(world: World) -> None:
    """Three phones push while the writer is held, so their pushes run as one group; one
    of them skips a seq (refused whole: sync.mutation_gap). Each push is answered as it
    would be alone, the refused one changed nothing, and each resend answers byte for byte
    as the first time."""
    engine = world.client.app.state.engine  # type: ignore[attr-defined]
    if engine.dialect.name != "sqlite":
        pytest.skip(
            "group commit is SQLite's one writer; PostgreSQL pushes run as run_write, side "
            "by side (tests/server/test_commit_order.py races them)"
        )
    phones, batches = [], []
    for user, site in (("insp1", "S1"), ("insp1", "S2"), ("insp2", "S3")):
        phone = world.phone(user)
        visit_id, visit = phone.new_visit(world.site(site))
        phones.append(phone)
        batches.append([visit, phone.answer(visit_id, "1.1", "fail", count=2)])
    gap = batches[1][1] | {"seq": batches[1][1]["seq"] + 5}
    answers: dict[int, Any] = {}

    def push(n: int) -> None:
        answers[n] = phones[n].push_raw([gap] if n == 1 else batches[n])

    threads = [threading.Thread(target=push, args=(n,)) for n in range(3)]
    with writer_lock(engine):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while queued(engine) < 3:
            assert time.monotonic() < deadline, f"{queued(engine)} of 3 pushes queued"
            time.sleep(0.005)
    for thread in threads:
        thread.join(20)
    assert answers[1].status_code == 409 and answers[1].json()["code"] == "sync.mutation_gap"
    for n in (0, 2):
        results = answers[n].json()["results"]
        assert [r["status"] for r in results] == ["applied", "applied"], results
        again = phones[n].push_raw(batches[n])
        assert results_bytes(again) == results_bytes(answers[n])
    seqs = [r["entity_seq"] for n in (0, 2) for r in answers[n].json()["results"]]
    assert len(set(seqs)) == 4  # one counter, taken in turn inside the one transaction
    assert [r["status"] for r in phones[1].push(*batches[1])] == ["applied", "applied"]
