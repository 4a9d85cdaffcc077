"""The photo warnings of a visit on the phone, before submit: the same rule the console
flags with (fieldcore.evidence.photo_warnings), applied to what the phone holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fieldapp.store.tables import PhotoRow
from fieldapp.store.visit_view import VisitView
from fieldcore.evidence import PhotoFacts, PhotoWarning, VisitFacts, photo_warnings


@dataclass(frozen=True)
class PhotoFlag:
    item_code: str | None  # None: a visit-level photo
    photo_id: uuid.UUID
    warnings: tuple[PhotoWarning, ...]


def visit_facts(view: VisitView) -> VisitFacts:
    site = view.site
    return VisitFacts(
        view.visit.started_at,
        view.visit.finished_at,
        site.lat if site else None,
        site.lon if site else None,
    )


def warnings_of(photo: PhotoRow, visit: VisitFacts) -> tuple[PhotoWarning, ...]:
    facts = PhotoFacts(photo.captured_at, photo.exif_taken_at, photo.lat, photo.lon)
    return photo_warnings(facts, visit)


def photo_flags(view: VisitView) -> list[PhotoFlag]:
    """Every photo of the visit that has a warning, in the template's item order (then
    the visit-level photos)."""
    visit = visit_facts(view)
    code_of = {f.id: code for code, f in view.findings.items()}
    order = {code: n for n, code in enumerate(view.template.items_by_code)}
    flags: list[PhotoFlag] = []
    for finding_id, photos in view.photos.items():
        code = code_of.get(finding_id) if finding_id is not None else None
        for photo in photos:
            found = warnings_of(photo, visit)
            if found:
                flags.append(PhotoFlag(code, photo.id, found))
    return sorted(flags, key=lambda f: order.get(f.item_code or "", len(order)))


def item_warnings(view: VisitView, item_code: str) -> tuple[PhotoWarning, ...]:
    """The distinct warnings of one item's photos (shown on its card)."""
    finding = view.findings.get(item_code)
    if finding is None:
        return ()
    visit = visit_facts(view)
    found: dict[PhotoWarning, None] = {}
    for photo in view.photos.get(finding.id, []):
        found.update(dict.fromkeys(warnings_of(photo, visit)))
    return tuple(found)
