"""One visit as a reviewer opens it from the queue (supervision/queue.py): the score's
categories with each item's text, finding and note, the evidence photos with their checks
(place, time, after-photos), the visit's conflicts and its score line. The console calls
this; no web imports. Opening an unpublished covert visit is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.checklist import MODES
from fieldcore.findings import answers_from_findings
from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scoring import score_raw
from sync_server.org.scope import reviewer_scope
from sync_server.photos.access import visit_evidence
from sync_server.supervision.evidence_checks import PhotoCheck, check_photo, distance_m
from sync_server.supervision.visit_results import headline
from sync_server.sync.effects import live_findings
from sync_server.tables import AuditLog, ConflictLog, Photo, Site, User, Visit, utcnow
from sync_server.templates.versions import get_template


@dataclass
class VisitDetail:
    visit: Visit
    site: Site
    categories: list[dict[str, Any]]  # the score's categories, items with text and note
    photos: list[PhotoCheck]
    visit_distance_m: float | None
    conflicts: list[ConflictLog] = field(default_factory=list)
    headline: list[str] = field(default_factory=list)  # score line(s): visit_results


def visit_detail(
    session: Session, user: User, visit_id: uuid.UUID, now: datetime | None = None
) -> VisitDetail:
    """Everything a reviewer checks on one visit. Opening an unpublished covert visit is
    audited (needs a write session). Raises DomainError: auth.forbidden, scope.denied
    (also for an id that does not exist: the same answer)."""
    scope = reviewer_scope(session, user)
    visit = session.get(Visit, visit_id)
    if visit is None or visit.deleted_at is not None or not scope.sees_site(visit.site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="visit", id=str(visit_id))
    site = session.get(Site, visit.site_id)
    assert site is not None  # a foreign key
    if visit.mode == "covert" and visit.status != "published":
        details = {"status": visit.status, "site": site.code}
        session.add(
            AuditLog(
                at=now or utcnow(),
                user_id=user.id,
                action="visit.view_covert",
                entity="visit",
                entity_id=str(visit.id),
                details=details,
            )
        )
    photos = session.exec(
        select(Photo).where(*visit_evidence(visit)).order_by(col(Photo.received_at), col(Photo.id))
    ).all()
    conflicts = session.exec(
        select(ConflictLog).where(ConflictLog.visit_id == visit.id).order_by(col(ConflictLog.id))
    ).all()
    return VisitDetail(
        visit=visit,
        site=site,
        categories=_categories(session, visit),
        photos=[check_photo(p, site, visit) for p in photos],
        visit_distance_m=distance_m(visit.lat, visit.lon, site.lat, site.lon),
        conflicts=list(conflicts),
        headline=headline(visit.score),
    )


def _categories(session: Session, visit: Visit) -> list[dict[str, Any]]:
    template = get_template(session, visit.template_key)
    findings = {f.item_code: f for f in live_findings(session, visit.id)}
    mode = one_of(visit.mode, MODES)
    score = visit.score or score_raw(
        template, answers_from_findings(findings.values(), template, mode), mode
    )
    score = score if isinstance(score, dict) else score.to_dict()
    texts = {i.code: i.text for c in template.categories for i in c.items}
    out = []
    for category in score["categories"]:
        items = []
        for item in category["items"]:
            finding = findings.get(item["code"])
            items.append(
                {
                    **item,
                    "text": texts.get(item["code"], ""),
                    "finding_id": finding.id if finding else None,
                    "note": finding.note if finding else "",
                    "review_comment": finding.review_comment if finding else "",
                }
            )
        out.append({**category, "items": items})
    return out
