"""Evidence checks a reviewer relies on, per photo: clock skew between a photo's capture
and its arrival; and the rules the phone warns with before submit (fieldcore/evidence.py,
one function for both): taken outside the visit's start–finish window, far from the site.
Also where it came from (camera or gallery) as the phone recorded it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldcore.annotation import shown_in_place, with_copies
from fieldcore.evidence import PhotoWarning, distance_m, far_from_site
from sync_server.photos.flags import warnings_of
from sync_server.tables import Photo, Site, Visit

__all__ = ["PhotoCheck", "check_photo", "distance_m"]

SKEW_LIMIT = timedelta(minutes=10)


@dataclass(frozen=True)
class PhotoCheck:
    photo_id: uuid.UUID
    sha256: str
    finding_id: uuid.UUID | None
    captured_at: datetime | None  # the device's clock
    captured_server_time: datetime | None  # captured_at + clock_offset
    received_at: datetime
    receipt_delay: timedelta | None  # received − captured (server time): offline is normal
    clock_skew: bool  # captured after receipt, or the device clock off by > SKEW_LIMIT
    distance_m: float | None  # from the site, when both positions are known
    far_from_site: bool
    blob_present: bool  # its author uploaded the bytes: only then may they be shown
    source: str | None = None  # camera | gallery; None: an older app did not say
    exif_taken_at: datetime | None = None  # the camera's own DateTimeOriginal
    outside_visit: bool = False  # taken outside the visit's window (fieldcore.evidence)
    warnings: tuple[PhotoWarning, ...] = ()  # the phone's own warnings, same rule
    annotates_id: uuid.UUID | None = None  # a marked-up copy (标注) of this original photo
    annotates_sha256: str | None = None


def check_photo(photo: Photo, site: Site, visit: Visit | None = None) -> PhotoCheck:
    adjusted = delay = None
    skew = False
    if photo.captured_at is not None:
        offset = timedelta(milliseconds=photo.clock_offset_ms or 0)
        adjusted = photo.captured_at + offset
        delay = photo.received_at - adjusted
        skew = delay < timedelta(0) or abs(offset) > SKEW_LIMIT
    distance = distance_m(photo.lat, photo.lon, site.lat, site.lon)
    warnings = warnings_of(photo, site, visit)
    return PhotoCheck(
        photo_id=photo.id,
        sha256=photo.sha256,
        finding_id=photo.finding_id,
        captured_at=photo.captured_at,
        captured_server_time=adjusted,
        received_at=photo.received_at,
        receipt_delay=delay,
        clock_skew=skew,
        distance_m=distance,
        far_from_site=far_from_site(distance),
        blob_present=photo.blob_present,
        source=photo.source,
        exif_taken_at=photo.exif_taken_at,
        outside_visit="outside_visit" in warnings,
        warnings=warnings,
        annotates_id=photo.annotates_id,
        annotates_sha256=photo.annotates_sha256,
    )


def shown_photos(photos: list[PhotoCheck], marked: bool) -> list[PhotoCheck]:
    """The visit's evidence photos as a reviewer pages through them: each original, or,
    when `marked`, its marked-up copy (标注) in its place where it has one. A copy is never
    an extra photo (fieldcore/annotation.py); one whose original is gone is not shown."""
    return shown_in_place(with_copies(photos, _id, _original), marked)


def _id(p: PhotoCheck) -> uuid.UUID:
    return p.photo_id


def _original(p: PhotoCheck) -> uuid.UUID | None:
    return p.annotates_id
