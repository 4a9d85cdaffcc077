"""Open the phone's SQLite database: WAL, synchronous=FULL, foreign keys, migrations.

FULL because an inspector who saw "saved" must find it after a power loss too (in WAL
mode NORMAL may roll back the last commits then; sync-design §2.2). Every user action is
one short transaction, so the cost is small (mingcha bench store measures it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from fieldapp.store.migrations import migrate


def open_db(path: Path) -> sa.Engine:
    """The engine for the database file at `path`, migrated to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # BEGIN is emitted below, IMMEDIATE for writes
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the UI and sync threads both write

    migrate(engine)
    return engine


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[Session]:
    """One atomic unit of work: committed on success, rolled back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
