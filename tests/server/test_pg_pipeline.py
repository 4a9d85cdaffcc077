"""Statements sent as one batch (`core.db.pipeline`, psycopg's pipeline mode on PostgreSQL)
all take effect, and a statement the database refuses raises the same SQLAlchemy exception
as when it runs alone: the push tells poison values (`sync.invalid_value`) and transient
deadlocks from bugs by those exception types (merge/poison.py, db.run_write)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from sync_server.core.db import pipeline, write_session
from sync_server.sync.merge.poison import is_bad_value
from tests.serverkit import scratch_table

pytestmark = pytest.mark.postgres  # the dialect matters: the batch exists on PostgreSQL only

TABLE = sa.table("pipelined", sa.column("id", sa.Integer), sa.column("n", sa.Integer))


@pytest.fixture
def table(engine: sa.Engine) -> Iterator[sa.Engine]:
    with scratch_table(engine, "pipelined", "id INTEGER PRIMARY KEY, n INTEGER") as made:
        yield made


@pytest.fixture
def pg_table(table: sa.Engine) -> sa.Engine:
    if table.dialect.name != "postgresql":
        pytest.skip("SQLite has no batch: each statement raises where it runs, as ever")
    return table


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM pipelined").scalar_one())


def test_every_statement_of_a_batch_takes_effect(table: sa.Engine) -> None:
    with write_session(table) as s, pipeline(s):
        s.execute(sa.insert(TABLE), {"id": 1, "n": 1})
        s.execute(sa.insert(TABLE), [{"id": i, "n": i} for i in range(2, 40)])
        s.execute(sa.update(TABLE).where(TABLE.c.id == 1).values(n=100))
    with table.connect() as conn:
        rows = {r.id: r.n for r in conn.execute(sa.select(TABLE.c.id, TABLE.c.n))}
    assert rows == {1: 100, **{i: i for i in range(2, 40)}}


def test_a_refused_value_raises_the_usual_data_error(pg_table: sa.Engine) -> None:
    with pytest.raises(sa.exc.DataError) as caught, write_session(pg_table) as s, pipeline(s):
        s.execute(sa.insert(TABLE), [{"id": 1, "n": 1}, {"id": 2, "n": 2**40}])
    assert is_bad_value(caught.value)  # a poison value, rejected as that mutation's result
    assert _count(pg_table) == 0  # the transaction did nothing


def test_a_broken_constraint_raises_the_usual_integrity_error(pg_table: sa.Engine) -> None:
    refused = pytest.raises(sa.exc.IntegrityError)
    with refused as caught, write_session(pg_table) as s, pipeline(s):
        s.execute(sa.insert(TABLE), [{"id": 1, "n": 1}, {"id": 1, "n": 2}])
    assert not is_bad_value(caught.value)  # a server failure or a bug, never consumed
    assert _count(pg_table) == 0
