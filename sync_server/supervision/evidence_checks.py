"""Evidence checks a reviewer relies on: clock skew between a photo's capture and its
arrival, and distance from the site (haversine), per photo."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync_server.tables import Photo, Site

SKEW_LIMIT = timedelta(minutes=10)
DISTANCE_LIMIT_M = 500.0


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
    annotates_id: uuid.UUID | None = None  # a marked-up copy (标注) of this original photo
    annotates_sha256: str | None = None


def check_photo(photo: Photo, site: Site) -> PhotoCheck:
    adjusted = delay = None
    skew = False
    if photo.captured_at is not None:
        offset = timedelta(milliseconds=photo.clock_offset_ms or 0)
        adjusted = photo.captured_at + offset
        delay = photo.received_at - adjusted
        skew = delay < timedelta(0) or abs(offset) > SKEW_LIMIT
    distance = distance_m(photo.lat, photo.lon, site.lat, site.lon)
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
        far_from_site=distance is not None and distance > DISTANCE_LIMIT_M,
        blob_present=photo.blob_present,
        annotates_id=photo.annotates_id,
        annotates_sha256=photo.annotates_sha256,
    )


def shown_photos(photos: list[PhotoCheck], marked: bool) -> list[PhotoCheck]:
    """The visit's evidence photos as a reviewer pages through them: each original, or,
    when `marked`, its marked-up copy (标注) in its place where it has one. A copy is never
    an extra photo (fieldcore/annotation.py); one whose original is gone is not shown."""
    copies = {p.annotates_id: p for p in photos if p.annotates_id is not None}
    originals = [p for p in photos if p.annotates_id is None]
    return [copies.get(p.photo_id, p) if marked else p for p in originals]


def distance_m(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """Great-circle (haversine) distance in metres, None when a position is unknown."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))
