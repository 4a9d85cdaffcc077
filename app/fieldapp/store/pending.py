"""What has not left the phone yet: the count that guards an account or server switch
(UnsyncedWork) and the sync screen's totals, last sync and rejected changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from fieldapp.store.syncstate import get_meta
from fieldapp.store.tables import SETTLED, LocalBlob, Outbox


class UnsyncedWork(Exception):
    def __init__(self, count: int, username: str) -> None:
        self.count, self.username = count, username
        super().__init__(f"{count} unsynced changes of {username}")


def _pending_records(session: Session) -> int:
    """Changes in the outbox not yet accepted or rejected by the server."""
    return int(
        session.exec(
            select(func.count()).select_from(Outbox).where(Outbox.state == "pending")
        ).one()
    )


def unsynced_count(session: Session) -> int:
    """Records and photo files still to send (a switch of account or server would lose them)."""
    files = session.exec(
        select(func.count()).select_from(LocalBlob).where(col(LocalBlob.state).not_in(SETTLED))
    ).one()
    return _pending_records(session) + int(files)


@dataclass(frozen=True)
class SyncStatus:
    pending_records: int
    pending_photos: int
    pending_photo_bytes: int
    last_sync_at: str | None
    last_error: str
    rejected: list[dict[str, Any]]


def sync_status(session: Session) -> SyncStatus:
    blobs = session.exec(select(LocalBlob).where(col(LocalBlob.state).not_in(SETTLED))).all()
    rejected = [
        {
            "seq": e.seq,
            "entity": e.entity,
            "id": str(e.entity_id),
            "code": e.code,
            "message": e.message,
            "at": e.done_at.isoformat() if e.done_at else "",
        }
        for e in session.exec(
            select(Outbox)
            .where(Outbox.state == "rejected")
            .order_by(col(Outbox.seq).desc())
            .limit(50)
        ).all()
    ]
    return SyncStatus(
        _pending_records(session),
        len(blobs),
        sum(b.byte_size - b.offset for b in blobs),
        get_meta(session, "last_sync_at"),
        get_meta(session, "last_error", ""),
        rejected,
    )
