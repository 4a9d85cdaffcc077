"""Last time at hand, from what the phone already pulled for its scope.

Gathers the earlier visits at the current visit's site (their findings and evidence photos)
as plain rows for `fieldcore.history.item_history`, which decides what counts. Nothing is
downloaded here: a previous photo's thumbnail is shown when its bytes are already on the
phone (taken here, or fetched before); the others are counted as waiting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from fieldapp.store.photo_views import thumbnails
from fieldapp.store.tables import FindingRow, PhotoRow, TemplateRow, VisitRow
from fieldapp.store.work import template_of
from fieldcore.annotation import counts_as_evidence
from fieldcore.history import COUNTED, ItemHistory, PastFinding, PastVisit, item_history


@dataclass
class LastTime:
    """Per item code: the previous result and the repeat flag; thumbnails by sha256."""

    hints: dict[str, ItemHistory] = field(default_factory=dict)
    thumbs: dict[str, bytes] = field(default_factory=dict)

    @property
    def repeats(self) -> list[str]:
        return [code for code, hint in self.hints.items() if hint.repeat]


def template_id_of(session: Session, template_key: str) -> str:
    row = session.get(TemplateRow, template_key)
    return row.template_id if row else template_key.rsplit(".v", 1)[0]


def past_visits(session: Session, visit: VisitRow) -> list[PastVisit]:
    """The other handed-in visits at this visit's site, any template, with their findings."""
    rows = session.exec(
        select(VisitRow).where(
            VisitRow.site_id == visit.site_id,
            VisitRow.id != visit.id,
            col(VisitRow.deleted).is_(False),
            col(VisitRow.status).in_(COUNTED),
        )
    ).all()
    out = []
    for v in rows:
        when = v.started_at or v.submitted_at or v.updated_at
        if when is None:
            continue  # no date to order it by (never seen from the server)
        out.append(
            PastVisit(
                str(v.id),
                template_id_of(session, v.template_key),
                v.status,
                when,
                _findings(session, v.id),
            )
        )
    return out


def _findings(session: Session, visit_id: uuid.UUID) -> dict[str, PastFinding]:
    findings = session.exec(
        select(FindingRow).where(
            FindingRow.visit_id == visit_id, col(FindingRow.deleted).is_(False)
        )
    ).all()
    photos: dict[uuid.UUID, list[str]] = {}
    for finding_id, sha, kind in session.exec(
        select(PhotoRow.finding_id, PhotoRow.sha256, PhotoRow.kind)
        .where(
            PhotoRow.visit_id == visit_id,
            col(PhotoRow.rectification_id).is_(None),
            col(PhotoRow.deleted).is_(False),
        )
        .order_by(col(PhotoRow.captured_at))
    ).all():
        if finding_id is not None and counts_as_evidence(kind):  # originals, not 标注 copies
            photos.setdefault(finding_id, []).append(sha)
    return {
        f.item_code: PastFinding(f.result, f.note, tuple(photos.get(f.id, ()))) for f in findings
    }


def last_time(session: Session, visit_id: uuid.UUID) -> LastTime:
    visit = session.get(VisitRow, visit_id)
    if visit is None:
        raise LookupError(visit_id)
    template = template_of(session, visit.template_key)
    codes = [item.code for category in template.categories for item in category.items]
    template_id = template_id_of(session, visit.template_key)
    hints = item_history(past_visits(session, visit), template_id, str(visit.id), codes)
    shown = [sha for hint in hints.values() for sha in hint.photos]
    return LastTime(hints, thumbnails(session, shown))
