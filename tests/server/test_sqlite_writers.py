"""SQLite writers of one process queue for their turn without holding a connection, and a
burst of them all commits (B3: 200 phones pushing at once)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from sync_server.core.config import Settings
from sync_server.core.db import make_engine, run_write, write_session


def _engine(tmp_path: Path) -> sa.Engine:
    engine = make_engine(Settings(data_dir=tmp_path / "server", console=False))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    return engine


def test_a_waiting_writer_holds_no_connection(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    entered, release = threading.Event(), threading.Event()

    def first() -> None:
        with write_session(engine) as s:
            s.execute(sa.text("UPDATE counter SET n = n + 1"))  # now it holds the file
            entered.set()
            release.wait(10)

    def second() -> None:
        with write_session(engine) as s:
            s.execute(sa.text("UPDATE counter SET n = n + 1"))

    a = threading.Thread(target=first)
    a.start()
    assert entered.wait(10)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.3)  # time for the second writer to start waiting (a wait, not a claim)
    try:
        assert b.is_alive()  # it waits for the first writer …
        pool = engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        assert pool.checkedout() == 1  # … without a connection of its own
    finally:
        release.set()
        a.join(10)
        b.join(10)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar_one() == 2


def test_a_burst_of_writers_all_commit_one_at_a_time(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    inside, overlap, errors = [0], [0], []

    def work(s: sa.orm.Session) -> None:
        inside[0] += 1
        overlap[0] = max(overlap[0], inside[0])
        n = s.execute(sa.text("SELECT n FROM counter")).scalar_one()
        time.sleep(0.002)  # a read-modify-write that would lose updates if writers overlapped
        s.execute(sa.text("UPDATE counter SET n = :n"), {"n": n + 1})
        inside[0] -= 1

    def writer() -> None:
        try:
            run_write(engine, work)
        except Exception as exc:  # collected: the assertion below names it
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert overlap[0] == 1
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar_one() == 60
