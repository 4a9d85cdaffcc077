"""Evidence photos taken on this phone: recorded with their file already on disk, one
transaction per action (rows + outbox), refused where the server would refuse them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.store.outbox import record
from fieldapp.store.rectification import editable_rectification
from fieldapp.store.syncstate import get_meta
from fieldapp.store.tables import DOWNLOADED, FindingRow, LocalBlob, PhotoRow, VisitRow
from fieldapp.store.work import editable_visit, template_of
from fieldcore.evidence import PhotoSource, check_photo_source
from fieldcore.workflow import Role, check_photo_parent


@dataclass(frozen=True)
class CapturedPhoto:
    """A photo already written (fsynced) to the device by fieldapp.photos."""

    sha256: str
    path: str
    thumb_path: str
    byte_size: int
    width: int
    height: int
    captured_at: datetime
    clock_offset_ms: int | None
    lat: float | None = None
    lon: float | None = None
    exif_taken_at: datetime | None = None  # the picture's own DateTimeOriginal, as UTC
    source: PhotoSource | None = None  # camera | gallery; None: not an inspector's shot


def attach_photo(
    session: Session,
    now: datetime,
    photo: CapturedPhoto,
    visit_id: uuid.UUID | None = None,
    finding_id_: uuid.UUID | None = None,
    rectification_id: uuid.UUID | None = None,
    caption: str = "",
    annotation: dict[str, Any] | None = None,
) -> PhotoRow:
    """Record a captured photo (its file is already on disk) and queue its row.

    `annotation`: the link fields of a marked-up copy (store/annotations.py checks them).

    Raises:
        DomainError: workflow.locked or scope.denied when its visit or rectification may
            not take photos any more (the server's rule).
    """
    if visit_id is not None:
        editable_visit(session, visit_id)
    if rectification_id is not None:
        editable_rectification(session, rectification_id)
    finding = session.get(FindingRow, finding_id_) if finding_id_ is not None else None
    check_photo_parent(  # the server's rule, refused here at once instead of at sync
        signed_in_role(session),
        visit_id=visit_id,
        finding_id=finding_id_,
        finding_visit_id=finding.visit_id if finding is not None else None,
        rectification_id=rectification_id,
    )
    blob = session.get(LocalBlob, photo.sha256)
    if blob is not None and blob.state == DOWNLOADED:
        session.delete(blob)  # the same bytes fetched earlier: now this phone's own, to upload
        session.flush()
        blob = None
    if blob is None:
        session.add(
            LocalBlob(
                sha256=photo.sha256,
                path=photo.path,
                thumb_path=photo.thumb_path,
                byte_size=photo.byte_size,
                created_at=now,
            )
        )
    if visit_id is not None:  # the server's rule: camera-only evidence (fieldcore.evidence)
        _check_source(session, visit_id, finding, photo.source)
    row = PhotoRow(id=uuid.uuid4(), sha256=photo.sha256, byte_size=photo.byte_size)
    fields: dict[str, Any] = {
        "sha256": photo.sha256,
        "byte_size": photo.byte_size,
        "mime": "image/jpeg",
        "width": photo.width,
        "height": photo.height,
        "captured_at": photo.captured_at,
        "clock_offset_ms": photo.clock_offset_ms,
        "lat": photo.lat,
        "lon": photo.lon,
        "caption": caption,
        "source": photo.source,
        "exif_taken_at": photo.exif_taken_at,
        **(annotation or {}),
    }
    for name, value in (
        ("visit_id", visit_id),
        ("finding_id", finding_id_),
        ("rectification_id", rectification_id),
    ):
        if value is not None:
            fields[name] = value
    record(
        session,
        "photo",
        row,
        {k: v for k, v in fields.items() if v is not None},
        now,
        creating=True,
    )
    return row


def _check_source(
    session: Session, visit_id: uuid.UUID, finding: FindingRow | None, source: str | None
) -> None:
    """Raises DomainError(photo.camera_required) where the server would refuse the photo."""
    visit = session.get(VisitRow, visit_id)
    if visit is None:
        return
    template = template_of(session, visit.template_key)
    found = template.items_by_code.get(finding.item_code) if finding is not None else None
    check_photo_source(template, found[1] if found else None, visit.mode, source)


def signed_in_role(session: Session) -> Role:
    """The role of the account this phone is enrolled for (inspector before any sign-in:
    a phone without an account only ever holds an inspector's local drafts)."""
    identity = get_meta(session, "identity") or {}
    role: Role = identity.get("user", {}).get("role", "inspector")
    return role


def delete_photo(session: Session, now: datetime, photo_id: uuid.UUID) -> None:
    row = session.get(PhotoRow, photo_id)
    if row is None or row.deleted:
        return
    if row.visit_id is not None:
        editable_visit(session, row.visit_id)
    if row.rectification_id is not None:
        editable_rectification(session, row.rectification_id)
    record(session, "photo", row, {}, now, op="delete")
    row.deleted = True
    for derived in session.exec(  # its marked-up copies go with it (fieldcore/annotation)
        select(PhotoRow).where(PhotoRow.annotates_id == photo_id, col(PhotoRow.deleted).is_(False))
    ).all():
        record(session, "photo", derived, {}, now, op="delete")
        derived.deleted = True
