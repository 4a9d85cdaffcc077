"""Marked-up evidence (标注) on this phone: the derived copy's row, linked to its original.

The original photo row, its file and its sha256 are never written here: the annotation is
a new photo row (kind "annotation") naming the original's id and hash, with the marks as
data, queued like any photo. The rules are fieldcore/annotation.py's, checked before the
row is queued — the same the server applies when it arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from fieldapp.store.capture import CapturedPhoto, attach_photo, delete_photo
from fieldapp.store.tables import LocalBlob, PhotoRow
from fieldcore.annotation import (
    ANNOTATION,
    Mark,
    Original,
    check_annotation,
    counts_as_evidence,
    marks_json,
)
from fieldcore.evidence import as_source

THIS_PHONE = "this phone"  # the author of every photo taken here (`PhotoRow.mine`)


@dataclass(frozen=True)
class Source:
    """An original to mark: its row and where its bytes are on this phone."""

    row: PhotoRow
    path: Path


def source(session: Session, photo_id: uuid.UUID) -> Source:
    """The original photo and its file, for rendering the derived copy.

    Raises:
        LookupError: no such live photo, or its bytes are not on this phone.
    """
    row = session.get(PhotoRow, photo_id)
    blob = session.get(LocalBlob, row.sha256) if row is not None else None
    if row is None or row.deleted or blob is None or not Path(blob.path).exists():
        raise LookupError(photo_id)
    return Source(row, Path(blob.path))


def attach_annotation(
    session: Session,
    now: datetime,
    original_id: uuid.UUID,
    derived: CapturedPhoto,
    marks: list[Mark],
) -> PhotoRow:
    """Record the derived copy (its file already on disk) as an annotation of the original.

    Raises:
        DomainError: photo.annotation_invalid (fieldcore.annotation's rules), or
            workflow.locked / scope.denied when the visit may not take photos any more.
    """
    row = session.get(PhotoRow, original_id)
    original = None
    if row is not None and not row.deleted:
        original = Original(
            sha256=row.sha256,
            kind=row.kind,
            author=THIS_PHONE if row.mine else "someone else",
            parent=(row.visit_id, row.finding_id, row.rectification_id),
            width=row.width,
            height=row.height,
        )
    check_annotation(
        original,
        annotates_sha256=row.sha256 if row is not None else "",
        author=THIS_PHONE,
        parent=(row.visit_id, row.finding_id, row.rectification_id) if row else (None,) * 3,
        marks=marks,
    )
    assert row is not None  # check_annotation refused a missing original
    for earlier in annotations_of(session, [row.id]).values():
        delete_photo(session, now, earlier.id)  # one marked-up copy per original: the last
    # the copy is judged by where its original came from (camera-only items, fieldcore
    # .evidence): marking up a camera shot does not make it a gallery picture
    derived = replace(derived, source=as_source(row.source), exif_taken_at=row.exif_taken_at)
    return attach_photo(
        session,
        now,
        derived,
        row.visit_id,
        row.finding_id,
        row.rectification_id,
        caption=row.caption,
        annotation={
            "kind": ANNOTATION,
            "annotates_id": row.id,
            "annotates_sha256": row.sha256,
            "marks": marks_json(marks),
        },
    )


def annotations_of(session: Session, photo_ids: list[uuid.UUID]) -> dict[uuid.UUID, PhotoRow]:
    """The live annotation of each of these photos (original id → derived row); saving a
    new one deletes the one before, so there is at most one."""
    rows = session.exec(
        select(PhotoRow).where(
            col(PhotoRow.annotates_id).in_(photo_ids),
            col(PhotoRow.deleted).is_(False),
        )
    ).all()
    return {r.annotates_id: r for r in rows if r.annotates_id is not None}


def is_original(row: PhotoRow) -> bool:
    return counts_as_evidence(row.kind)
