"""Migration 0003_blob_holders on a database written by the old server: who proved they
hold which bytes is rebuilt from completed uploads (or, for bytes that never came through
an upload, from the earliest photo row); `blob_present` then says what the new rule says;
after-photos leave the visit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sync_server.core import dbinit
from sync_server.tables import Blob, BlobHolder, Photo, Upload, User
from tests.serverkit import PG_URL, _postgres_url

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _photo(sha: str, author: uuid.UUID, minutes: int, **links: Any) -> Photo:
    return Photo(
        id=uuid.uuid4(),
        sha256=sha,
        byte_size=10,
        uploaded_by=author,
        blob_present=True,  # what the old server said to everyone
        received_at=T0 + timedelta(minutes=minutes),
        **links,
    )


def write_old(conn: sa.Connection, rows: list[Any]) -> None:
    """Insert today's model objects into the old schema: only the columns it already had
    (a later migration's columns do not exist there yet), with today's column types."""
    model = type(rows[0])
    old = sa.Table(model.__tablename__, sa.MetaData(), autoload_with=conn)
    kept = [c for c in model.__table__.columns if c.name in old.c]
    table = sa.Table(old.name, sa.MetaData(), *(c._copy() for c in kept))
    conn.execute(sa.insert(table), [{c.name: getattr(r, c.name) for c in kept} for r in rows])


@contextmanager
def old_database(dialect: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """An empty database at revision 0001 (the old server's schema)."""
    url = f"sqlite:///{tmp_path / 'old.db'}" if dialect == "sqlite" else _postgres_url()
    engine = sa.create_engine(url)
    try:
        dbinit.upgrade(engine, "0001")
        yield engine
    finally:
        engine.dispose()
        if dialect == "postgres":
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {url.rsplit('%3D', 1)[1]} CASCADE")
            admin.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_holders_are_backfilled_and_blob_present_follows_them(dialect: str, tmp_path: Path) -> None:
    with old_database(dialect, tmp_path) as engine:
        _check_backfill(engine)


def _check_backfill(engine: sa.Engine) -> None:
    owner, thief, demo, later, mgr = (uuid.uuid4() for _ in range(5))
    uploaded, seeded = "a" * 64, "b" * 64
    visit, rect = uuid.uuid4(), uuid.uuid4()
    after = _photo("c" * 64, mgr, 9, visit_id=visit, rectification_id=rect)
    after_id = after.id
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # rows without their visit and rectification
            conn.exec_driver_sql("SET session_replication_role = replica")
        people = (owner, thief, demo, later, mgr)
        write_old(
            conn,
            [User(id=u, username=u.hex[:8], role="inspector", password_hash="x") for u in people],
        )
        write_old(conn, [Blob(sha256=uploaded, byte_size=10), Blob(sha256=seeded, byte_size=10)])
        done = Upload(sha256=uploaded, length=10, user_id=owner, expires_at=T0, completed_at=T0)
        write_old(conn, [done])
        write_old(
            conn, [Upload(sha256=uploaded, length=10, user_id=thief, expires_at=T0)]
        )  # unfinished
        write_old(
            conn,
            [
                _photo(uploaded, owner, 1),
                _photo(uploaded, thief, 2),  # pushed the hash, never the bytes
                _photo(seeded, demo, 3),  # demo data: bytes placed, no upload row
                _photo(seeded, later, 4),
                after,
            ],
        )
    dbinit.upgrade(engine)
    with Session(engine) as s:
        holders = {(h.sha256, h.user_id) for h in s.exec(select(BlobHolder)).all()}
        assert holders == {(uploaded, owner), (seeded, demo)}
        present = {(p.sha256, p.uploaded_by): p.blob_present for p in s.exec(select(Photo))}
        assert present == {
            (uploaded, owner): True,
            (uploaded, thief): False,
            (seeded, demo): True,
            (seeded, later): False,
            ("c" * 64, mgr): False,
        }
        moved = s.get(Photo, after_id)
        assert moved is not None
        assert (moved.visit_id, moved.rectification_id) == (None, rect)
