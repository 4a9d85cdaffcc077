"""What the sync screen lists: each visit with changes still to send, and each photo file
with how far its upload got (so an inspector sees exactly what has not left the phone)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from fieldapp.store.tables import (
    SETTLED,
    Edited,
    FindingRow,
    LocalBlob,
    Outbox,
    PhotoRow,
    SiteRow,
    VisitRow,
)


@dataclass(frozen=True)
class PendingVisit:
    visit_id: uuid.UUID
    label: str  # site name, or only its code for a covert visit
    status: str
    pending: int  # changes not yet acknowledged by the server


@dataclass(frozen=True)
class PendingPhoto:
    sha256: str
    byte_size: int
    sent: int  # bytes the server has confirmed (the resume offset)
    state: str  # local | uploading
    error: str
    visit_label: str


def _visit_of(session: Session, entity: str, entity_id: uuid.UUID) -> uuid.UUID | None:
    if entity == "visit":
        return entity_id
    parents: dict[str, type[Edited]] = {"finding": FindingRow, "photo": PhotoRow}
    row = session.get(parents.get(entity, VisitRow), entity_id)
    return getattr(row, "visit_id", None)


def _label(session: Session, visit: VisitRow | None) -> str:
    if visit is None:
        return "—"
    site = session.get(SiteRow, visit.site_id)
    if site is None:
        return "?"
    return site.code if visit.mode == "covert" else f"{site.code} {site.name}"


def pending_visits(session: Session) -> list[PendingVisit]:
    counts: Counter[uuid.UUID] = Counter()
    for entity, entity_id in session.exec(
        select(Outbox.entity, Outbox.entity_id).where(Outbox.state == "pending")
    ).all():
        visit_id = _visit_of(session, entity, entity_id)
        if visit_id is not None:
            counts[visit_id] += 1
    out = []
    for visit_id, n in counts.most_common():
        visit = session.get(VisitRow, visit_id)
        status = visit.status if visit else "?"
        out.append(PendingVisit(visit_id, _label(session, visit), status, n))
    return out


def pending_photos(session: Session) -> list[PendingPhoto]:
    out = []
    blobs = session.exec(
        select(LocalBlob)
        .where(col(LocalBlob.state).not_in(SETTLED))
        .order_by(col(LocalBlob.created_at))
    ).all()
    for blob in blobs:
        photo = session.exec(select(PhotoRow).where(PhotoRow.sha256 == blob.sha256)).first()
        visit = session.get(VisitRow, photo.visit_id) if photo and photo.visit_id else None
        out.append(
            PendingPhoto(
                blob.sha256,
                blob.byte_size,
                blob.offset,
                blob.state,
                blob.error,
                _label(session, visit),
            )
        )
    return out
