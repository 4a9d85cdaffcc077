"""The photos on the visit PDF's form, as plain values (layout: pdf_layout.py, assembly:
pdf.py; the rest of the form: visit_sheet.py).

Photos are laid out as cells that hold the original and its marked-up copy (标注, a
photo row naming the original: fieldcore/annotation.py), if any; the grid shows the copy,
and the hash appendix lists both, the copy naming its original's row. Each original is
flagged with its source and the phone's own photo warnings; the signature of the
acknowledgement is the photo row whose hash the visit names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldcore.evidence import source_text, warning_text
from sync_server.photos.flags import warnings_of
from sync_server.reports.data import VisitReport
from sync_server.tables import Photo


@dataclass(frozen=True)
class PhotoCell:
    original: Photo
    annotated: Photo | None = None  # its marked-up copy, shown in its place
    flags: tuple[str, ...] = ()  # the original's source and warnings (`photo_flags`)

    @property
    def shown(self) -> Photo:
        return self.annotated or self.original


def photo_flags(report: VisitReport, photo: Photo) -> tuple[str, ...]:
    """What the console and the phone say beside a photo: where it came from (camera or
    gallery, fieldcore.evidence.source_text), then each warning of the phone's own rule
    (taken outside the visit's window ± the tolerance, far from the site). A marked-up
    copy is judged by its original, the evidence of record."""
    warnings = warnings_of(photo, report.site, report.visit)
    source = f"{source_text(photo.source)} {source_text(photo.source, 'en')}"
    return (source, *(f"! {warning_text(w)}" for w in warnings))


def signature(report: VisitReport) -> Photo | None:
    """The acknowledgement's signature: the photo row the phone saved for it
    (Visit.ack_signature_sha256 names its hash)."""
    sha = report.visit.ack_signature_sha256
    return next((p for p in report.photos if p.sha256 == sha), None) if sha else None


def appendix_photos(report: VisitReport) -> list[Photo]:
    """Every photo of the visit for the hash appendix: evidence in the checklist's item
    order, then the rest (the signature, photos of the visit as a whole); a marked-up copy
    right after its original."""
    order = {item.code: i for i, (_, item) in enumerate(report.template.iter_items())}
    by_finding = {f.id: order.get(code, len(order)) for code, f in report.findings.items()}
    last = len(order) + 1
    originals = sorted(
        (p for p in report.photos if p.annotates_id is None),
        key=lambda p: by_finding.get(p.finding_id, last) if p.finding_id else last,
    )
    copies = report.annotations
    listed = [q for p in originals for q in (p, copies.get(p.id)) if q is not None]
    return listed + [p for p in report.photos if p not in listed]  # a copy of a deleted one


def photo_use(report: VisitReport, photo: Photo, numbers: dict[Any, int] | None = None) -> str:
    """What a photo of the visit is for, in the hash appendix; a marked-up copy names its
    original's number there (`numbers`: photo id → its row number)."""
    if photo.sha256 == report.visit.ack_signature_sha256 and not photo.finding_id:
        return "签名 Signature"
    code = next((c for c, f in report.findings.items() if f.id == photo.finding_id), None)
    if photo.annotates_id is not None:
        of = (numbers or {}).get(photo.annotates_id)
        return f"{code or ''} 标注 Marked-up" + (f" of No. {of}" if of else "")
    return f"{code} 证据 Evidence" if code else "现场 Visit"
