"""The one visit an inspector has open: its findings, photos (originals and their marked-up
copies), subjects, live score and what evidence is still missing, read in one go for the
checklist, item and photo screens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from fieldapp.store import photo_views
from fieldapp.store.tables import FindingRow, PhotoRow, SiteRow, SubjectRow, VisitRow
from fieldapp.store.work import local_score, missing_photos
from fieldcore.annotation import counts_as_evidence
from fieldcore.checklist import Template
from fieldcore.scorecard import ScoreCard


@dataclass
class VisitView:
    visit: VisitRow
    site: SiteRow | None
    template: Template
    findings: dict[str, FindingRow]
    photos: dict[uuid.UUID | None, list[PhotoRow]]
    subjects: list[SubjectRow]
    card: ScoreCard
    missing_photos: list[str]
    thumbs: dict[str, bytes] = field(default_factory=dict)  # sha256 → thumbnail JPEG
    # marked-up copies (标注): original photo id → its derived copy; `photos` holds originals
    annotations: dict[uuid.UUID, PhotoRow] = field(default_factory=dict)


def visit_view(session: Session, visit_id: uuid.UUID) -> VisitView:
    visit = session.get(VisitRow, visit_id)
    if visit is None:
        raise LookupError(visit_id)
    template, card = local_score(session, visit)
    findings = {
        f.item_code: f
        for f in session.exec(
            select(FindingRow).where(
                FindingRow.visit_id == visit_id, col(FindingRow.deleted).is_(False)
            )
        ).all()
    }
    photos: dict[uuid.UUID | None, list[PhotoRow]] = {}
    derived: dict[uuid.UUID, PhotoRow] = {}
    for p in session.exec(
        select(PhotoRow)
        .where(PhotoRow.visit_id == visit_id, col(PhotoRow.deleted).is_(False))
        .order_by(col(PhotoRow.captured_at))
    ).all():
        if counts_as_evidence(p.kind):
            photos.setdefault(p.finding_id, []).append(p)
        elif p.annotates_id is not None:
            derived[p.annotates_id] = p
    subjects = list(
        session.exec(
            select(SubjectRow).where(
                SubjectRow.site_id == visit.site_id, col(SubjectRow.active).is_(True)
            )
        ).all()
    )
    return VisitView(
        visit,
        session.get(SiteRow, visit.site_id),
        template,
        findings,
        photos,
        subjects,
        card,
        missing_photos(session, visit, template),
        photo_views.thumbnails(
            session,
            [p.sha256 for ps in [*photos.values(), derived.values()] for p in ps],
        ),
        derived,
    )
