"""Disk used by unfinished uploads: capped per user, freed when bytes are refused, purged
when abandoned.

Temp files live in `blobs/tmp/<upload id hex>` on the host that received the chunks,
whichever backend holds the finished blobs (photos.backends). Three things keep them from piling up:

* a cap on the declared lengths of one user's unfinished, unexpired uploads
  (`Settings.upload_quota`): a new upload beyond it is refused `upload.quota_exceeded`
  before anything is stored. Per user, not per device: a device id is whatever a client
  states at sign-in, so a per-device cap would multiply with every sign-in of one
  account; the account is what is trusted. Declared lengths, not bytes received, so
  opening many uploads and filling them afterwards cannot pass it.
* an upload whose bytes were refused after they arrived (not a JPEG, too many pixels) is
  deleted at once, row and file: the same bytes will always be refused, and an upload
  left with its offset at the full length would be reported `partial` and resent forever.
* `purge` (run by `upkeep` at start-up and on a schedule) deletes expired unfinished
  uploads, and temp files that no unfinished upload owns (a crash between a row's delete
  and its file's, a request for an unknown upload racing a purge).

Every step is safe with several server processes at once: rows are deleted by condition
(a second deleter deletes nothing), files with `missing_ok`, and one process purges at a
time (a non-blocking lock on `tmp/.purge.lock`; the others skip that round). Hosts sharing
one database each purge their own temp files; an expired row is deleted by whichever host
purges first, its file by the host that has it (as an orphan, past the grace period).
No web framework in here.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import read_session, write_session
from sync_server.org.scope import Actor
from sync_server.photos.store import PhotoStore
from sync_server.tables import Upload, User

TEMP_NAME = re.compile(r"^[0-9a-f]{32}$")  # PhotoStore.temp_path: an upload id's hex
# A temp file is created by the first chunk of an upload whose row already exists, so a
# file without a row is garbage once it is older than any request still writing it.
ORPHAN_GRACE_SECONDS = 3600


def check_quota(
    session: Session, settings: Settings, actor: Actor, length: int, now: datetime
) -> None:
    """Refuse a new upload of `length` bytes that would take the caller's unfinished
    uploads beyond `upload_quota`.

    Raises:
        DomainError(upload.quota_exceeded): with `quota` and `in_use` (bytes).
    """
    # one user's uploads are opened one at a time (PostgreSQL: this row lock; SQLite has
    # one writer anyway), so two concurrent opens cannot both fit in the same space
    session.exec(select(User.id).where(User.id == actor.user_id).with_for_update()).first()
    in_use = session.exec(
        select(sa.func.coalesce(sa.func.sum(Upload.length), 0)).where(
            Upload.user_id == actor.user_id,
            col(Upload.completed_at).is_(None),
            Upload.expires_at > now,
        )
    ).one()
    if int(in_use) + length > settings.upload_quota:
        raise DomainError(
            ProblemCode.UPLOAD_QUOTA_EXCEEDED, quota=settings.upload_quota, in_use=int(in_use)
        )


def forget_refused(engine: sa.Engine, store: PhotoStore, upload_id: uuid.UUID) -> None:
    """Delete an upload whose bytes were refused: its row, then its file (a crash in
    between leaves an orphan file, which `purge` removes; never a row without bytes
    that `missing` would report)."""
    with write_session(engine) as session:
        session.exec(sa.delete(Upload).where(col(Upload.id) == upload_id))
    store.discard(upload_id)


@dataclass(frozen=True)
class Purged:
    expired: int  # unfinished uploads past their expiry: rows and files deleted
    orphans: int  # temp files without an unfinished upload, deleted
    skipped: bool = False  # another process was purging


def purge(engine: sa.Engine, store: PhotoStore, now: datetime) -> Purged:
    """Delete abandoned uploads and orphan temp files (one process at a time)."""
    tmp = store.temp_dir
    tmp.mkdir(parents=True, exist_ok=True)
    with open(tmp / ".purge.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Purged(0, 0, skipped=True)
        try:
            expired = purge_expired_uploads(engine, store, now)
            return Purged(expired, purge_orphan_files(engine, store))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def purge_expired_uploads(engine: sa.Engine, store: PhotoStore, now: datetime) -> int:
    """Unfinished uploads past their expiry: rows deleted, then their files."""
    expired = (col(Upload.completed_at).is_(None)) & (col(Upload.expires_at) <= now)
    with write_session(engine) as session:
        ids = list(session.exec(select(Upload.id).where(expired)).all())
        if ids:
            session.exec(sa.delete(Upload).where(col(Upload.id).in_(ids), expired))
    for upload_id in ids:
        store.discard(upload_id)
    return len(ids)


def purge_orphan_files(engine: sa.Engine, store: PhotoStore) -> int:
    """Temp files older than the grace period that no unfinished upload owns."""
    tmp = store.temp_dir
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    candidates: set[uuid.UUID] = set()
    with os.scandir(tmp) as entries:
        for entry in entries:
            if TEMP_NAME.match(entry.name) and entry.is_file() and entry.stat().st_mtime < cutoff:
                candidates.add(uuid.UUID(hex=entry.name))
    if not candidates:
        return 0
    with read_session(engine) as session:
        owned = set(
            session.exec(
                select(Upload.id).where(
                    col(Upload.id).in_(list(candidates)),
                    col(Upload.completed_at).is_(None),
                )
            ).all()
        )
    for upload_id in candidates - owned:
        store.discard(upload_id)
    return len(candidates - owned)
