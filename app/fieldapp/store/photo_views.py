"""Photos as the phone's screens show them: thumbnails (bytes: web mode needs bytes, not
paths), the full-size file, and a corrective action's before/after photos."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from fieldapp.store import evidence
from fieldapp.store.tables import LocalBlob, PhotoRow, RectificationRow, SiteRow
from fieldcore.annotation import with_copies


def thumbnails(session: Session, hashes: list[str]) -> dict[str, bytes]:
    """Thumbnail bytes of photos on this device (taken here or downloaded evidence)."""
    out: dict[str, bytes] = {}
    for sha in hashes:
        blob = session.get(LocalBlob, sha)
        path = Path(blob.thumb_path or blob.path) if blob else None
        if path is not None and path.exists():
            out[sha] = path.read_bytes()
    return out


@dataclass(frozen=True)
class Thumb:
    sha256: str
    data: bytes  # thumbnail JPEG (web mode needs bytes, not paths)


@dataclass
class RectView:
    row: RectificationRow
    site_name: str
    site_code: str
    before: list[Thumb]  # the inspector's evidence of the deducted item (整改前), originals
    after: list[Thumb]  # the site manager's after-photos (整改后)
    before_waiting: int  # evidence photos whose bytes have not reached this phone yet
    # `before` with each marked-up copy (标注) in its original's place, where the copy's
    # bytes are here: what the screen opens on; never an extra photo
    before_marked: list[Thumb] = field(default_factory=list)
    has_copies: bool = False  # some evidence photo has a marked-up copy: offer the switch


def rectification_view(session: Session, rect_id: uuid.UUID) -> RectView:
    row = session.get(RectificationRow, rect_id)
    if row is None:
        raise LookupError(rect_id)
    site = session.get(SiteRow, row.site_id)
    after = session.exec(
        select(PhotoRow.sha256)
        .where(PhotoRow.rectification_id == rect_id, col(PhotoRow.deleted).is_(False))
        .order_by(col(PhotoRow.captured_at))
    ).all()
    pairs = with_copies(evidence.evidence_photos(session, row), _id, _original)
    copies = [c.sha256 for _, c in pairs if c is not None]
    before = list(dict.fromkeys(p.sha256 for p, _ in pairs))
    thumbs = thumbnails(session, [*before, *copies, *after])
    marked = [c.sha256 if c is not None and c.sha256 in thumbs else p.sha256 for p, c in pairs]
    return RectView(
        row,
        site.name if site else "?",
        site.code if site else "",
        [Thumb(h, thumbs[h]) for h in before if h in thumbs],
        [Thumb(h, thumbs[h]) for h in dict.fromkeys(after) if h in thumbs],
        sum(1 for h in before if h not in thumbs),
        [Thumb(h, thumbs[h]) for h in dict.fromkeys(marked) if h in thumbs],
        bool(copies),
    )


def _id(photo: PhotoRow) -> uuid.UUID:
    return photo.id


def _original(photo: PhotoRow) -> uuid.UUID | None:
    return photo.annotates_id


def photo_file(session: Session, sha256: str) -> bytes | None:
    """The full-size photo on this phone (taken here or downloaded), or None."""
    blob = session.get(LocalBlob, sha256)
    path = Path(blob.path) if blob else None
    return path.read_bytes() if path is not None and path.exists() else None
