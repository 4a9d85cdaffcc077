"""Evidence photos fetched from the server: what a site manager must see to fix an item.

A corrective action (整改) shows the inspector's photos of the deducted item it was raised
from (整改前). Those photos were taken on another phone, so after a pull this phone fetches
their bytes and keeps them as `local_blob` rows in state `downloaded`: never uploaded,
never counted as unsynced work, and — being rows — never removed by the orphan clean-up
while a photo row still refers to them. Rows no photo refers to any more are dropped here,
their files removed by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldapp.store.tables import DOWNLOADED, LocalBlob, PhotoRow, RectificationRow

OPEN_ACTIONS = ("open", "reopened", "submitted")  # not yet verified: still being worked on


@dataclass(frozen=True)
class DownloadJob:
    sha256: str
    byte_size: int  # what the photo row says: more bytes than this are refused
    path: str  # the file of an earlier download ("" when there is none yet)
    thumb_path: str


def evidence_photos(session: Session, rect: RectificationRow) -> list[PhotoRow]:
    """The inspector's photos of the item an action was raised from, oldest first."""
    return list(
        session.exec(
            select(PhotoRow)
            .where(
                PhotoRow.finding_id == rect.finding_id,
                col(PhotoRow.rectification_id).is_(None),
                col(PhotoRow.deleted).is_(False),
            )
            .order_by(col(PhotoRow.captured_at))
        ).all()
    )


def wanted(session: Session) -> list[DownloadJob]:
    """Evidence of the open actions whose bytes the server has and this phone may lack.

    Photos taken on this phone (a row in any other state) are never fetched or touched.
    Earlier downloads are listed too, with their file, for the caller to verify.
    """
    actions = session.exec(
        select(RectificationRow).where(
            col(RectificationRow.deleted).is_(False),
            col(RectificationRow.status).in_(OPEN_ACTIONS),
        )
    ).all()
    jobs: dict[str, DownloadJob] = {}
    for rect in actions:
        for photo in evidence_photos(session, rect):
            if not photo.blob_present or photo.sha256 in jobs:
                continue  # the inspector's phone has not uploaded it yet: next time
            blob = session.get(LocalBlob, photo.sha256)
            if blob is not None and blob.state != DOWNLOADED:
                continue
            jobs[photo.sha256] = DownloadJob(
                photo.sha256,
                photo.byte_size,
                blob.path if blob else "",
                blob.thumb_path if blob else "",
            )
    return list(jobs.values())


def job_for(session: Session, sha256: str) -> DownloadJob | None:
    """One photo the inspector asked for (a previous visit's, see store/history.py): None
    when no live photo row has it, the server has no bytes yet, or it was taken here."""
    photo = session.exec(
        select(PhotoRow).where(
            PhotoRow.sha256 == sha256,
            col(PhotoRow.deleted).is_(False),
            col(PhotoRow.blob_present).is_(True),
        )
    ).first()
    blob = session.get(LocalBlob, sha256)
    if photo is None or (blob is not None and blob.state != DOWNLOADED):
        return None
    return DownloadJob(
        sha256, photo.byte_size, blob.path if blob else "", blob.thumb_path if blob else ""
    )


def record(
    session: Session, now: datetime, sha256: str, path: str, thumb_path: str, byte_size: int
) -> None:
    """A verified download (file and thumbnail already in place) becomes a local blob."""
    blob = session.get(LocalBlob, sha256)
    if blob is not None and blob.state != DOWNLOADED:
        return  # this phone's own photo with the same bytes: it stays an upload
    blob = blob or LocalBlob(sha256=sha256, path=path, byte_size=byte_size, created_at=now)
    blob.path, blob.thumb_path, blob.byte_size = path, thumb_path, byte_size
    blob.state, blob.offset, blob.error = DOWNLOADED, byte_size, ""
    session.add(blob)


def prune(session: Session) -> list[str]:
    """Drop downloaded blobs no live photo row refers to; returns their files to remove."""
    referenced = select(PhotoRow.sha256).where(col(PhotoRow.deleted).is_(False))
    stale = session.exec(
        select(LocalBlob).where(
            LocalBlob.state == DOWNLOADED,
            col(LocalBlob.sha256).not_in(referenced),
        )
    ).all()
    files = [p for blob in stale for p in (blob.path, blob.thumb_path) if p]
    if stale:
        session.execute(
            sa.delete(LocalBlob).where(col(LocalBlob.sha256).in_([b.sha256 for b in stale]))
        )
    return files
