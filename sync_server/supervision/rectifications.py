"""Rectifications (整改) as the console reads them: the supervisor's list of corrective
actions with their due dates (paged, filtered, with totals over every page) and one action
with its before and after photos. The follow-up that changes an action (verify, reopen,
re-inspect) is in sync_server.supervision.rectify. No web or UI imports.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.annotation import shown_in_place, with_copies
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import MANAGER_EDITABLE, rectification_overdue
from sync_server.org.scope import Scope, reviewer_scope
from sync_server.photos.access import visit_evidence
from sync_server.tables import Photo, Rectification, Site, User, Visit

STATUSES = ("open", "submitted", "verified", "reopened")
PAGE = 50  # rows per page of the list
MAX_ROWS = 500  # the most one page may ask for


@dataclass(frozen=True)
class RectRow:
    id: uuid.UUID
    visit_id: uuid.UUID
    site_code: str
    site_name: str
    item_code: str
    item_text: str
    severity: str
    due_date: date
    status: str
    overdue: bool  # open or reopened and past its due date (never when its visit is voided)
    voided: bool = False  # the visit that raised it was voided: nothing is owed


@dataclass(frozen=True)
class RectPage:
    rows: list[RectRow]
    next_cursor: str | None  # None: this was the last page


@dataclass(frozen=True)
class RectDetail:
    row: RectRow
    template_key: str
    mode: str
    response_note: str
    responded_at: datetime | None
    verify_comment: str
    verified_at: datetime | None
    before: list[str]  # sha256 of the finding's evidence photos (originals only)
    after: list[str]  # sha256 of the site manager's after-photos
    # of those, the ones whose author uploaded the bytes: only these may be shown (a row
    # only naming a hash makes nothing readable; PROTOCOL.md, Photos)
    readable: frozenset[str] = frozenset()
    # the same photos with each marked-up copy (标注) in its original's place: the view the
    # page opens on; never an extra photo (fieldcore/annotation.py)
    before_marked: list[str] | None = None

    @property
    def has_copies(self) -> bool:
        return self.before_marked is not None and self.before_marked != self.before


def _row(rect: Rectification, site: Site, now: datetime, voided: bool = False) -> RectRow:
    return RectRow(
        id=rect.id,
        visit_id=rect.visit_id,
        site_code=site.code,
        site_name=site.name,
        item_code=rect.item_code,
        item_text=rect.instructions,
        severity=rect.severity,
        due_date=rect.due_date,
        status=rect.status,
        overdue=not voided and rectification_overdue(rect.status, rect.due_date, now.date()),
        voided=voided,
    )


def _in_scope(scope: Scope) -> Any:
    if scope.site_ids is None:
        return sa.true()
    return col(Rectification.site_id).in_(scope.site_ids) if scope.site_ids else sa.false()


def rectification_list(
    session: Session,
    user: User,
    now: datetime,
    status: str | None = None,
    overdue_only: bool = False,
    cursor: str | None = None,
    limit: int = PAGE,
) -> RectPage:
    """One page of the rectifications at the sites the supervisor or admin covers, earliest
    due first (then by id, so the order is total and pages never overlap or skip a row).

    Actions raised by a visit that was later voided are left out: the void annuls the
    inspection, so the site owes nothing for it any more. A supervisor reads this list as
    the work still owed; listing them would have them chase managers for void findings
    and count them as overdue. The voided visit itself stays in the review queue (已作废)
    for the record, and an action's own page still opens and says its visit was voided.

    Raises DomainError: auth.forbidden (not a reviewer), request.invalid (status, limit,
    cursor)."""
    scope = reviewer_scope(session, user)
    if status is not None and status not in STATUSES:
        raise DomainError(
            ProblemCode.REQUEST_INVALID, f"status must be one of {', '.join(STATUSES)}"
        )
    if not 1 <= limit <= MAX_ROWS:
        raise DomainError(ProblemCode.REQUEST_INVALID, f"limit must be 1..{MAX_ROWS}")
    query = (
        select(Rectification, Site)
        .join(Site, col(Site.id) == Rectification.site_id)
        .where(*_listed(scope, now, status, overdue_only))
    )
    if cursor:
        due, last_id = _decode(cursor)
        key = sa.tuple_(Rectification.due_date, Rectification.id)
        due_param = sa.bindparam(None, due, type_=Rectification.__table__.c.due_date.type)
        query = query.where(key > sa.tuple_(due_param, _id_param(last_id)))
    query = query.order_by(col(Rectification.due_date), col(Rectification.id))
    found = session.exec(query.limit(limit + 1)).all()
    rows = [_row(rect, site, now) for rect, site in found[:limit]]
    more = len(found) > limit
    return RectPage(rows, _encode(rows[-1]) if more else None)


def rectification_totals(
    session: Session, user: User, now: datetime, status: str | None, overdue_only: bool
) -> tuple[int, int]:
    """(listed, of those overdue) for the same filters as rectification_list, all pages."""
    scope = reviewer_scope(session, user)
    listed = _listed(scope, now, status, overdue_only)
    count = sa.select(sa.func.count()).select_from(Rectification)
    total = session.execute(count.where(*listed)).scalar_one()
    late = session.execute(count.where(*listed, *_overdue(now))).scalar_one()
    return int(total), int(late)


def _overdue(now: datetime) -> list[Any]:
    """fieldcore.workflow.rectification_overdue, in SQL."""
    status, due = col(Rectification.status), col(Rectification.due_date)
    return [status.in_(MANAGER_EDITABLE), due < now.date()]


def _listed(scope: Scope, now: datetime, status: str | None, overdue_only: bool) -> list[Any]:
    voided = sa.select(col(Visit.id)).where(col(Visit.status) == "voided")
    out = [
        col(Rectification.deleted_at).is_(None),
        _in_scope(scope),
        col(Rectification.visit_id).not_in(voided),
    ]
    if status is not None:
        out.append(Rectification.status == status)
    if overdue_only:
        out += _overdue(now)
    return out


def _id_param(value: uuid.UUID) -> Any:
    return sa.bindparam(None, value, type_=Rectification.__table__.c.id.type)


def _encode(row: RectRow) -> str:
    raw = json.dumps([row.due_date.isoformat(), str(row.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        due, last = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return date.fromisoformat(due), uuid.UUID(last)
    except (ValueError, TypeError) as exc:
        raise DomainError(ProblemCode.REQUEST_INVALID, "bad cursor", field="cursor") from exc


def visible_rectification(session: Session, scope: Scope, rect_id: uuid.UUID) -> Rectification:
    """The rectification, or scope.denied alike for an unknown id and another region's."""
    rect = session.get(Rectification, rect_id)
    if rect is None or rect.deleted_at is not None or not scope.sees_site(rect.site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="rectification", id=str(rect_id))
    return rect


def _shas(session: Session, *where: Any) -> tuple[list[str], set[str]]:
    """(every sha256 in the order received, one entry per blob; those whose row's author
    uploaded the bytes)."""
    rows = session.exec(
        select(Photo.sha256, Photo.blob_present)
        .where(*where, col(Photo.deleted_at).is_(None))
        .order_by(col(Photo.received_at), col(Photo.id))
    ).all()
    return list(dict.fromkeys(sha for sha, _ in rows)), {sha for sha, ok in rows if ok}


def _before(
    session: Session, rect: Rectification, visit: Visit
) -> tuple[list[str], list[str], set[str]]:
    """(the originals, the same with each marked-up copy in its original's place, the
    readable ones): the inspector's evidence of the item, never an after-photo."""
    rows = session.exec(
        select(Photo.id, Photo.sha256, Photo.blob_present, Photo.annotates_id)
        .where(
            Photo.finding_id == rect.finding_id,
            *visit_evidence(visit),
        )
        .order_by(col(Photo.received_at), col(Photo.id))
    ).all()
    pairs = with_copies(rows, lambda r: r[0], lambda r: r[3])
    originals = [r[1] for r in shown_in_place(pairs, marked=False)]
    marked = [r[1] for r in shown_in_place(pairs, marked=True)]
    readable = {r[1] for r in rows if r[2]}
    return list(dict.fromkeys(originals)), list(dict.fromkeys(marked)), readable


def rectification_detail(
    session: Session, user: User, rect_id: uuid.UUID, now: datetime
) -> RectDetail:
    """One rectification with its before/after photos and the site manager's answer.

    Raises DomainError: auth.forbidden, scope.denied (unknown or outside the scope)."""
    scope = reviewer_scope(session, user)
    rect = visible_rectification(session, scope, rect_id)
    site = session.get(Site, rect.site_id)
    visit = session.get(Visit, rect.visit_id)
    assert site is not None and visit is not None  # foreign keys
    before, before_marked, before_ok = _before(session, rect, visit)
    after, after_ok = _shas(session, Photo.rectification_id == rect.id)
    return RectDetail(
        row=_row(rect, site, now, voided=visit.status == "voided"),
        template_key=visit.template_key,
        mode=visit.mode,
        response_note=rect.response_note,
        responded_at=rect.responded_at,
        verify_comment=rect.verify_comment,
        verified_at=rect.verified_at,
        before=before,
        after=after,
        readable=frozenset(before_ok | after_ok),
        before_marked=before_marked,
    )
