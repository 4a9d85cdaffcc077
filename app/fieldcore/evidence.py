"""What makes a photo credible evidence, one rule for phone and console.

Where a photo may come from: an item marked `camera_only`, or any item of a template marked
`covert_camera_only` during a 暗访 visit, takes only photos shot with the app's camera —
never one picked from the gallery, so a staged or old picture cannot pass as evidence. A
photo records its `source`; one without it (sent by an app older than this rule) cannot
show it was shot on the spot and counts as not from the camera.

When and where it was taken: a photo shot (EXIF DateTimeOriginal, else the moment the app
took it in) outside the visit's start–finish window, give or take `TIME_TOLERANCE`, or
further than `DISTANCE_LIMIT_M` from the site, is flagged. Flags are warnings: the
inspector may still submit, and the reviewer sees them beside the photo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from fieldcore.checklist import Item, Mode, Template
from fieldcore.problems import DomainError, ProblemCode

PhotoSource = Literal["camera", "gallery"]
PHOTO_SOURCES: tuple[PhotoSource, ...] = get_args(PhotoSource)

# A photo may be taken a little before the visit is started in the app (the inspector
# shoots the entrance first) or just after it is finished: 10 minutes either side.
TIME_TOLERANCE = timedelta(minutes=10)
DISTANCE_LIMIT_M = 500.0  # further than this from the site's recorded position

PhotoWarning = Literal["outside_visit", "far_from_site"]
WARNING_TEXTS: dict[PhotoWarning, tuple[str, str]] = {
    "outside_visit": (
        "拍摄时间不在本次检查时间内",
        "Taken outside this visit's start–finish time",
    ),
    "far_from_site": (
        f"拍摄地点距场所超过 {DISTANCE_LIMIT_M:.0f} 米",
        f"Taken more than {DISTANCE_LIMIT_M:.0f} m from the site",
    ),
}

SOURCE_TEXTS: dict[PhotoSource | None, tuple[str, str]] = {
    "camera": ("现场拍摄", "camera"),
    "gallery": ("相册选取", "from the gallery"),
    None: ("来源未记录", "source not recorded"),  # an app older than the rule: not the camera
}


def as_source(value: str | None) -> PhotoSource | None:
    """A stored source read back as the wire's value (None: unknown or not recorded)."""
    return value if value in PHOTO_SOURCES else None


def camera_required(template: Template, item: Item | None, mode: Mode | str) -> bool:
    """Whether a photo of `item` (None: a visit-level photo) must come from the camera."""
    if item is not None and item.camera_only:
        return True
    return mode == "covert" and template.covert_camera_only


def allowed_sources(
    template: Template, item: Item | None, mode: Mode | str
) -> tuple[PhotoSource, ...]:
    """The sources a photo of this item may come from in this mode."""
    return ("camera",) if camera_required(template, item, mode) else PHOTO_SOURCES


def check_photo_source(
    template: Template, item: Item | None, mode: Mode | str, source: str | None
) -> None:
    """Refuse a photo from a source the item does not allow in this mode (a photo that
    does not say where it came from is fine unless the camera is required).

    Raises:
        DomainError(photo.camera_required): `details.item` (None for a visit-level photo)
            and `details.source` (as sent, "unknown" when the photo did not say).
    """
    if camera_required(template, item, mode) and source != "camera":
        raise DomainError(
            ProblemCode.PHOTO_CAMERA_REQUIRED,
            item.code if item is not None else "",
            item=item.code if item is not None else None,
            source=source or "unknown",
        )


def photo_time(captured_at: datetime | None, exif_taken_at: datetime | None) -> datetime | None:
    """When the picture was taken: the camera's own record (EXIF) when it has one, else
    the moment the app took it in."""
    return exif_taken_at if exif_taken_at is not None else captured_at


def outside_visit(
    taken_at: datetime | None, started_at: datetime | None, finished_at: datetime | None
) -> bool:
    """Taken before the visit started or after it finished, beyond TIME_TOLERANCE (an
    unfinished visit has no end yet; an unknown time is not flagged)."""
    if taken_at is None or started_at is None:
        return False
    if taken_at < started_at - TIME_TOLERANCE:
        return True
    return finished_at is not None and taken_at > finished_at + TIME_TOLERANCE


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


def far_from_site(distance: float | None) -> bool:
    return distance is not None and distance > DISTANCE_LIMIT_M


@dataclass(frozen=True)
class PhotoFacts:
    """What a photo says of itself, as phone and server both hold it."""

    captured_at: datetime | None  # when the app took it in (device clock)
    exif_taken_at: datetime | None = None  # the camera's DateTimeOriginal, as UTC
    lat: float | None = None  # where it was taken: EXIF GPS, else the phone's position
    lon: float | None = None


@dataclass(frozen=True)
class VisitFacts:
    """The visit's window (device clock, like the photo's times) and its site's position."""

    started_at: datetime | None
    finished_at: datetime | None
    site_lat: float | None = None
    site_lon: float | None = None


def photo_warnings(photo: PhotoFacts, visit: VisitFacts) -> tuple[PhotoWarning, ...]:
    """The warnings of one photo, in a fixed order (time, then place)."""
    found: list[PhotoWarning] = []
    taken = photo_time(photo.captured_at, photo.exif_taken_at)
    if outside_visit(taken, visit.started_at, visit.finished_at):
        found.append("outside_visit")
    if far_from_site(distance_m(photo.lat, photo.lon, visit.site_lat, visit.site_lon)):
        found.append("far_from_site")
    return tuple(found)


def source_text(source: str | None, lang: str = "zh") -> str:
    """Where a photo came from, in words (an unknown value reads as not recorded)."""
    zh, en = SOURCE_TEXTS[as_source(source)]
    return en if lang == "en" else zh


def warning_text(warning: PhotoWarning, lang: str = "zh") -> str:
    zh, en = WARNING_TEXTS[warning]
    return en if lang == "en" else zh
