"""The store's side of a sync: what to push, what the server answered, what it sent back.

Pull pages are applied in one transaction together with the new cursor, so a crash
replays the page (applying it is idempotent). Server values never overwrite a field with
a local edit the server has not acknowledged yet (per-field rebase, as WatermelonDB and
Replicache): they become the base under that edit (`outbox.rebase`), which a rejection
of the edit restores — the cursor has moved past them, so they would never come again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldapp.store.outbox import (
    ENTITY_TABLES,
    ROW_BASE,
    local_value,
    pending_fields,
    rebase,
    undo,
)
from fieldapp.store.tables import (
    Edited,
    LocalBlob,
    LocalModel,
    Meta,
    Outbox,
    PhotoRow,
    SiteRow,
    SubjectRow,
    TaskRow,
    TemplateRow,
)
from fieldcore.protocol import Change, MutationResult, PullResponse

CACHED: dict[str, type[LocalModel]] = {
    "template": TemplateRow,
    "site": SiteRow,
    "subject": SubjectRow,
    "visit_task": TaskRow,
    **ENTITY_TABLES,
}


def get_meta(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Meta, key)
    return row.value if row is not None else default


def set_meta(session: Session, key: str, value: Any) -> None:
    row = session.get(Meta, key) or Meta(key=key)
    row.value = value
    session.add(row)


def pending_batch(session: Session, limit: int = 500) -> list[Outbox]:
    return list(
        session.exec(
            select(Outbox).where(Outbox.state == "pending").order_by(col(Outbox.seq)).limit(limit)
        ).all()
    )


def apply_results(session: Session, results: list[MutationResult], now: datetime) -> int:
    """Mark each pushed entry acked or rejected; returns how many were rejected."""
    rejected = 0
    for result in results:
        entry = session.get(Outbox, result.seq)
        if entry is None or entry.state != "pending":
            continue  # answered before (a resend after a lost response)
        entry.done_at = now
        if result.status == "applied":
            entry.state = "acked"
            _note_seq(session, entry, result.entity_seq)
        else:
            rejected += 1
            entry.state, entry.code, entry.message = (
                "rejected",
                result.code or "",
                result.message or "",
            )
            undo(session, entry, entry.message or entry.code)
    return rejected


def _note_seq(session: Session, entry: Outbox, entity_seq: int | None) -> None:
    """The server now holds our value at `entity_seq`: our next edit is based on it."""
    row = session.get(ENTITY_TABLES[entry.entity], entry.entity_id)
    if row is None or entity_seq is None:
        return
    row.field_seq = {**row.field_seq, **dict.fromkeys(entry.fields, entity_seq)}
    row.sync_error = ""
    session.add(row)


def apply_pull_page(session: Session, page: PullResponse) -> None:
    """Apply one page of server changes and store the cursor with it."""
    if page.reset:
        _forget_pulled(session)
    for change in page.changes:
        _apply_change(session, change)
    set_meta(session, "cursor", page.next_cursor)
    set_meta(session, "epoch", page.epoch)


def _apply_change(session: Session, change: Change) -> None:
    model = CACHED[change.entity]
    key: Any = change.id if change.entity == "template" else uuid.UUID(change.id)
    row = session.get(model, key)
    local_edits = (
        pending_fields(session, change.entity, key) if change.entity in ENTITY_TABLES else set()
    )
    if change.deleted or change.data is None:
        if row is not None and not local_edits:
            if isinstance(row, Edited):
                row.deleted = True
                session.add(row)
            else:
                session.delete(row)
        elif row is not None:  # gone on the server unless a pending edit revives it
            rebase(session, change.entity, key, {ROW_BASE: True})
        return
    data = change.data
    if row is None:
        row = model(
            **{("id" if model is not TemplateRow else "key"): key, **_required(model, data)}
        )
    columns = model.__table__.columns.keys()
    held: dict[str, Any] = {}  # the server's values of fields with a pending local edit
    for name, value in data.items():
        if name not in columns or name in ("id", "key"):
            continue
        if name in local_edits:
            held[name] = local_value(model, name, value)
        else:
            setattr(row, name, local_value(model, name, value))
    if held:
        rebase(session, change.entity, key, held)
    if isinstance(row, SiteRow):
        row.search = " ".join((row.code, row.name, row.address)).lower()
    if isinstance(row, Edited) and not local_edits:
        row.deleted = data.get("deleted_at") is not None
    session.add(row)


def _required(model: type[LocalModel], data: dict[str, Any]) -> dict[str, Any]:
    """Values a new row must have at construction."""
    columns = model.__table__.columns
    return {
        name: local_value(model, name, data[name])
        for name, column in columns.items()
        if name in data and not column.nullable and name not in ("id", "key")
    }


def _forget_pulled(session: Session) -> None:
    """A reset: drop pulled copies that carry no unacknowledged local edit (those stay)."""
    pending = {
        (e.entity, e.entity_id)
        for e in session.exec(select(Outbox).where(Outbox.state == "pending")).all()
    }
    for entity, model in CACHED.items():
        for row in session.exec(select(model)).all():
            key = getattr(row, "id", None)
            if (entity, key) in pending or (isinstance(row, PhotoRow) and row.mine):
                continue
            session.delete(row)


def forget_account(session: Session) -> None:
    """Another account (or server) takes over this phone, and everything of the previous
    one has reached its server: drop its copies, its photo records and its change history.

    The next account must see nothing of the previous one, and its change numbering starts
    again at 1 for its own device id (the server refuses gaps). Photo files left without a
    row are removed by the orphan clean-up at the next start.
    """
    assert not session.exec(select(Outbox).where(Outbox.state == "pending")).first()
    models: list[type[LocalModel]] = [*CACHED.values(), LocalBlob, Outbox]
    for model in models:
        session.execute(sa.delete(model))
    set_meta(session, "cursor", 0)
    set_meta(session, "epoch", None)


@dataclass(frozen=True)
class BlobJob:
    sha256: str
    path: str
    byte_size: int
    upload_url: str
    offset: int


def blob_uploaded(session: Session, sha256: str) -> None:
    """The server holds these bytes from this phone: they are uploaded, and this phone's
    photos of them present — the server counts that change as this device's own and sends
    it to the other devices only (PROTOCOL.md, Pull)."""
    blob = session.get(LocalBlob, sha256)
    if blob is not None:
        blob.state, blob.offset = "uploaded", blob.byte_size
        session.add(blob)
    session.execute(
        sa.update(PhotoRow)
        .where(col(PhotoRow.sha256) == sha256, col(PhotoRow.mine).is_(True))
        .values(blob_present=True)
    )


def blobs_to_upload(session: Session) -> list[BlobJob]:
    """Photo files whose row the server has (acknowledged) but whose bytes it lacks."""
    acked = set(
        session.exec(
            select(Outbox.entity_id).where(
                Outbox.entity == "photo", Outbox.op == "upsert", Outbox.state == "acked"
            )
        ).all()
    )
    jobs = []
    for blob in session.exec(
        select(LocalBlob).where(col(LocalBlob.state).in_(("local", "uploading")))
    ).all():
        photos = session.exec(select(PhotoRow.id).where(PhotoRow.sha256 == blob.sha256)).all()
        if any(p in acked for p in photos):
            jobs.append(
                BlobJob(blob.sha256, blob.path, blob.byte_size, blob.upload_url, blob.offset)
            )
    return jobs
