"""A stored photo's warnings, as the phone warned with them (fieldcore/evidence.py): the
one place the server turns a photo row, its site and its visit into the rule's facts, for
the console (supervision/evidence_checks.py) and the visit PDF (reports/visit_sheet.py)
alike. No web framework in here."""

from __future__ import annotations

from fieldcore.evidence import PhotoFacts, PhotoWarning, VisitFacts, photo_warnings
from sync_server.tables import Photo, Site, Visit


def warnings_of(photo: Photo, site: Site, visit: Visit | None) -> tuple[PhotoWarning, ...]:
    """Taken outside the visit's start–finish window (± the tolerance), far from the site;
    a photo not of a visit (an after-photo) has no window, only the place."""
    return photo_warnings(
        PhotoFacts(photo.captured_at, photo.exif_taken_at, photo.lat, photo.lon),
        VisitFacts(
            visit.started_at if visit else None,
            visit.finished_at if visit else None,
            site.lat,
            site.lon,
        ),
    )
