"""A statement marked UNPREPARED (core/db.py) is never prepared by psycopg, so PostgreSQL plans
it each time for the tables as they are then, never keeping a generic plan made while a
table was small (a sequential scan that grows with the table: sync/merge/context.py). The
push's row look-ups are marked so; any other statement is prepared as before."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from sync_server.core.db import UNPREPARED
from sync_server.sync.merge.context import _by_ids
from sync_server.tables import Finding

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(engine: sa.Engine) -> sa.Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no prepared plans kept across statements")
    return engine


def prepared(session: Session, marker: str) -> int:
    query = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %(m)s"
    count: int = session.connection().exec_driver_sql(query, {"m": f"%{marker}%"}).scalar_one()
    return count


def test_a_statement_marked_unprepared_is_never_prepared(pg: sa.Engine) -> None:
    plain = sa.text("SELECT 1 AS plain_marker")
    marked = sa.text("SELECT 1 AS marked_marker").execution_options(**UNPREPARED)
    with Session(pg) as s:
        for _ in range(8):  # psycopg prepares a statement on its 6th run
            s.execute(plain).one()
            s.execute(marked).one()
        assert prepared(s, "plain_marker") == 1
        assert prepared(s, "marked_marker") == 0


def test_the_push_looks_rows_up_unprepared(pg: sa.Engine) -> None:
    query = _by_ids(Finding, "postgresql")
    with Session(pg) as s:
        for _ in range(8):
            assert s.exec(query, params={"ids": [uuid.uuid4(), uuid.uuid4()]}).all() == []
        assert prepared(s, "FROM finding") == 0
