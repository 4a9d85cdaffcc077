"""PostgreSQL connections the server closes (a restart, `pg_terminate_backend`) never leave a
request half-applied, and where running it again is safe it is not answered with an error
(core/db.py): a closed pooled connection is replaced at checkout without a round trip, a
transaction whose connection is lost before its COMMIT runs again on a new one, and a
loss during the COMMIT is answered server.unavailable. The backends are ended for real with
`pg_terminate_backend`, only those of the test's own engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, run_write
from sync_server.tables import ChangeLog, Device, Finding, Visit
from tests.server.world import World
from tests.serverkit import PG_URL, scratch_table

pytestmark = pytest.mark.postgres  # connections to a server that can drop them

TABLE = sa.table("dropped", sa.column("id", sa.Integer))


@pytest.fixture
def pg(engine: sa.Engine) -> sa.Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in the process: there is no connection to lose")
    return engine


@pytest.fixture
def admin() -> Iterator[sa.Engine]:
    """A connection of its own, to end the engine's backends with."""
    other = sa.create_engine(PG_URL)
    yield other
    other.dispose()


@pytest.fixture
def table(pg: sa.Engine) -> Iterator[sa.Engine]:
    with scratch_table(pg, "dropped", "id INTEGER PRIMARY KEY") as made:
        yield made


def terminate(admin: sa.Engine, pid: int) -> None:
    """End that backend and wait until it is gone (PostgreSQL ≥ 14)."""
    with admin.connect() as conn:
        ended = conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        assert ended.scalar_one()


def backend_pid(connection: Any) -> int:
    pid: int = connection.info.backend_pid  # a psycopg connection
    return pid


def failed_statements(engine: sa.Engine) -> list[str]:
    failed: list[str] = []
    sa.event.listen(engine, "handle_error", lambda ctx: failed.append(str(ctx.statement)))
    return failed


def ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(TABLE.c.id).order_by(TABLE.c.id)).scalars())


def test_a_pooled_connection_the_server_closed_is_replaced_before_any_statement(
    world: World, pg: sa.Engine, admin: sa.Engine
) -> None:
    phone = world.phone("insp1")
    site = world.site("S1")
    used: set[int] = set()
    sa.event.listen(pg, "checkout", lambda conn, *_: used.add(backend_pid(conn)))
    _, create = phone.new_visit(site)
    assert phone.push(create)[0]["status"] == "applied"
    for pid in used:  # idle in the pool now
        terminate(admin, pid)
    killed, failed = set(used), failed_statements(pg)
    used.clear()
    _, create2 = phone.new_visit(site)
    assert phone.push(create2)[0]["status"] == "applied"
    assert phone.pull()["changes"]  # a read on a new connection too
    assert used and not used & killed  # every connection was a new one
    assert failed == []  # found closed at checkout: no statement met the dead connection


def test_a_pooled_connection_closed_on_this_side_is_replaced_too(pg: sa.Engine) -> None:
    with pg.connect() as conn:
        closed = conn.connection.driver_connection
    assert closed is not None
    closed.close()  # resting in the pool: no socket left to look at
    failed = failed_statements(pg)
    with pg.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
        assert conn.connection.driver_connection is not closed
    assert failed == []


@pytest.mark.parametrize(
    "lost_at",
    ["SELECT take_change_seqs", "INSERT INTO change_log"],  # alone, and in the pipeline
)
def test_a_push_whose_connection_is_lost_before_commit_is_applied_once(
    world: World, pg: sa.Engine, admin: sa.Engine, lost_at: str
) -> None:
    phone = world.phone("insp1")
    site = world.site("S1")
    visit, create = phone.new_visit(site)
    answer = phone.answer(visit, "1.1")
    lost: list[int] = []

    def end_backend_once(conn: sa.Connection, _c: Any, statement: str, *_: Any) -> None:
        if statement.startswith(lost_at) and not lost:
            lost.append(backend_pid(conn.connection.driver_connection))
            terminate(admin, lost[0])  # the statement now goes to a closed connection

    sa.event.listen(pg, "before_cursor_execute", end_backend_once)
    failed = failed_statements(pg)
    results = phone.push(create, answer)  # 200: the transaction ran again
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert lost and failed  # the connection really was lost mid-push
    with Session(pg) as s:
        assert s.exec(select(func.count()).select_from(Visit)).one() == 1
        assert s.exec(select(func.count()).select_from(Finding)).one() == 1
        logs = s.exec(select(ChangeLog.entity_id).where(ChangeLog.entity == "visit")).all()
        assert logs == [str(visit)]
        assert s.get_one(Device, phone.device_id).last_mutation_seq == phone.seq
    assert phone.push(create, answer) == results  # a resend is answered as applied, once


def test_a_write_lost_before_commit_runs_again_on_a_new_connection(
    table: sa.Engine, admin: sa.Engine
) -> None:
    runs: list[int] = []

    def work(session: Session) -> str:
        session.execute(sa.insert(TABLE), {"id": 1})
        pid = backend_pid(session.connection().connection.driver_connection)
        runs.append(pid)
        if len(runs) == 1:
            terminate(admin, pid)
        session.execute(sa.insert(TABLE), {"id": 2})
        return "done"

    assert run_write(table, work) == "done"
    assert len(runs) == 2 and runs[0] != runs[1]
    assert ids(table) == [1, 2]  # once each: the first run was rolled back with its backend


def test_a_connection_lost_during_commit_is_answered_unavailable_and_nothing_half_done(
    table: sa.Engine, admin: sa.Engine
) -> None:
    def end_backend(conn: sa.Connection) -> None:
        terminate(admin, backend_pid(conn.connection.driver_connection))

    sa.event.listen(table, "commit", end_backend)  # before the COMMIT is sent
    with pytest.raises(DomainError) as caught:
        run_write(table, lambda s: s.execute(sa.insert(TABLE), [{"id": 1}, {"id": 2}]))
    sa.event.remove(table, "commit", end_backend)
    assert caught.value.code == ProblemCode.SERVER_UNAVAILABLE  # not retried: it may have landed
    assert ids(table) == []  # here it had not: all or nothing
    assert run_write(table, lambda s: s.execute(sa.insert(TABLE), {"id": 3})) is not None
    assert ids(table) == [3]


def test_the_pool_is_sized_by_the_settings(pg: sa.Engine) -> None:
    settings = Settings(database_url=str(pg.url), db_pool_size=3, db_max_overflow=1)
    engine = make_engine(settings)
    pool: Any = engine.pool
    try:
        held = [engine.connect() for _ in range(4)]
        assert (pool.size(), pool.overflow(), pool.checkedout()) == (3, 1, 4)
        for conn in held:
            conn.close()
        assert pool.checkedin() == 3  # the overflow connection is closed, the pool's kept
    finally:
        engine.dispose()
