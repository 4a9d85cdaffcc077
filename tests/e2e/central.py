"""Reading what landed: the central SQLite database and blob folder of a `mingcha serve`
data directory, and the phone's own database (both opened read-only, beside the running
processes)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sync_server.photos.store import PhotoStore
from sync_server.tables import Finding, Photo, Visit


class Central:
    def __init__(self, data_dir: Path) -> None:
        self.engine = sa.create_engine(f"sqlite:///{data_dir / 'central.db'}")
        self.blobs = PhotoStore(data_dir / "blobs")

    def visits(self) -> list[Visit]:
        with Session(self.engine) as s:
            return list(s.exec(select(Visit)).all())

    def findings(self, visit: Visit) -> list[Finding]:
        with Session(self.engine) as s:
            return list(s.exec(select(Finding).where(Finding.visit_id == visit.id)).all())

    def photos(self, visit: Visit) -> list[Photo]:
        with Session(self.engine) as s:
            return list(s.exec(select(Photo).where(Photo.visit_id == visit.id)).all())

    def blob_sha256(self, sha: str) -> str | None:
        """The sha256 of the stored bytes (None when the bytes never arrived)."""
        data = self.blobs.read(sha)
        return hashlib.sha256(data).hexdigest() if data is not None else None

    def close(self) -> None:
        self.engine.dispose()


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def integrity_ok(db: Path) -> bool:
    return rows(db, "PRAGMA integrity_check") == [("ok",)]
