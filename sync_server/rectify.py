"""Rectifications (整改) from the console: the supervisor's list of corrective actions with
their due dates, one action with its before and after photos, and the follow-up — verify,
reopen with a reason, or schedule a re-inspection of the site.

Verify and reopen go through the phones' merge path (a per-user console device, as in
review_actions), so ownership, the allowed transitions and the pull change log are the
ones a supervisor's phone would get. No web or UI imports.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation, PushRequest
from sync_server.merge import apply_push
from sync_server.merge.fields import Actor
from sync_server.review import reviewer_scope
from sync_server.review_actions import console_device
from sync_server.scheduling import Window, create_task
from sync_server.scope import Scope
from sync_server.tables import (
    Photo,
    Rectification,
    Site,
    TemplateVersion,
    User,
    Visit,
    VisitTask,
)

STATUSES = ("open", "submitted", "verified", "reopened")
PENDING = ("open", "reopened")  # the site manager still owes an answer
PAGE = 50  # rows per page of the list
MAX_ROWS = 500  # the most one page may ask for
MAX_REINSPECT_DAYS = 90


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
    before: list[str]  # sha256 of the finding's evidence photos
    after: list[str]  # sha256 of the site manager's after-photos


def is_overdue(status: str, due: date, now: datetime) -> bool:
    return status in PENDING and now.date() > due


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
        overdue=not voided and is_overdue(rect.status, rect.due_date, now),
        voided=voided,
    )


def _in_scope(scope: Scope) -> Any:
    if scope.site_ids is None:
        return sa.true()
    return Rectification.site_id.in_(scope.site_ids) if scope.site_ids else sa.false()  # type: ignore[attr-defined]


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
        .join(Site, Site.id == Rectification.site_id)  # type: ignore[arg-type]
        .where(*_listed(scope, now, status, overdue_only))
    )
    if cursor:
        due, last_id = _decode(cursor)
        key = sa.tuple_(Rectification.due_date, Rectification.id)
        due_param = sa.bindparam(None, due, type_=Rectification.__table__.c.due_date.type)  # type: ignore[attr-defined]
        query = query.where(key > sa.tuple_(due_param, _id_param(last_id)))
    query = query.order_by(Rectification.due_date, Rectification.id)  # type: ignore[arg-type]
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
    return [Rectification.status.in_(PENDING), Rectification.due_date < now.date()]  # type: ignore[attr-defined]


def _listed(scope: Scope, now: datetime, status: str | None, overdue_only: bool) -> list[Any]:
    voided = sa.select(Visit.id).where(Visit.status == "voided")
    out = [
        Rectification.deleted_at.is_(None),  # type: ignore[union-attr]
        _in_scope(scope),
        Rectification.visit_id.not_in(voided),  # type: ignore[attr-defined]
    ]
    if status is not None:
        out.append(Rectification.status == status)
    if overdue_only:
        out += _overdue(now)
    return out


def _id_param(value: uuid.UUID) -> Any:
    return sa.bindparam(None, value, type_=Rectification.__table__.c.id.type)  # type: ignore[attr-defined]


def _encode(row: RectRow) -> str:
    raw = json.dumps([row.due_date.isoformat(), str(row.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        due, last = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return date.fromisoformat(due), uuid.UUID(last)
    except (ValueError, TypeError) as exc:
        raise DomainError(ProblemCode.REQUEST_INVALID, "bad cursor", field="cursor") from exc


def _visible(session: Session, scope: Scope, rect_id: uuid.UUID) -> Rectification:
    """The rectification, or scope.denied alike for an unknown id and another region's."""
    rect = session.get(Rectification, rect_id)
    if rect is None or rect.deleted_at is not None or not scope.sees_site(rect.site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="rectification", id=str(rect_id))
    return rect


def _shas(session: Session, *where: Any) -> list[str]:
    rows = session.exec(
        select(Photo.sha256)
        .where(*where, Photo.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Photo.received_at, Photo.id)  # type: ignore[arg-type]
    ).all()
    return list(dict.fromkeys(rows))  # one entry per blob, in the order received


def rectification_detail(
    session: Session, user: User, rect_id: uuid.UUID, now: datetime
) -> RectDetail:
    """One rectification with its before/after photos and the site manager's answer.

    Raises DomainError: auth.forbidden, scope.denied (unknown or outside the scope)."""
    scope = reviewer_scope(session, user)
    rect = _visible(session, scope, rect_id)
    site = session.get(Site, rect.site_id)
    visit = session.get(Visit, rect.visit_id)
    assert site is not None and visit is not None  # foreign keys
    return RectDetail(
        row=_row(rect, site, now, voided=visit.status == "voided"),
        template_key=visit.template_key,
        mode=visit.mode,
        response_note=rect.response_note,
        responded_at=rect.responded_at,
        verify_comment=rect.verify_comment,
        verified_at=rect.verified_at,
        before=_shas(session, Photo.finding_id == rect.finding_id),
        after=_shas(session, Photo.rectification_id == rect.id),
    )


def _decide(
    session: Session, user: User, rect_id: uuid.UUID, fields: dict[str, Any], now: datetime
) -> None:
    """Push one rectification mutation from the user's console device, all or nothing."""
    scope = reviewer_scope(session, user)
    rect = _visible(session, scope, rect_id)
    if rect.status != "submitted":  # only an answered action is verified or reopened
        raise DomainError(
            ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
            f"{rect.status} → {fields['status']}",
            old=rect.status,
            new=fields["status"],
        )
    device = console_device(session, user, now)
    actor = Actor(user.id, user.role, device.id, scope)  # type: ignore[arg-type]
    mutation = Mutation(
        seq=device.last_mutation_seq + 1,
        entity="rectification",
        id=rect_id,
        fields=fields,
    )
    with session.begin_nested():
        response = apply_push(session, actor, PushRequest(mutations=[mutation]), now)
        refused = [r for r in response.results if r.status != "applied"]
        if refused:
            first = refused[0]
            raise DomainError(ProblemCode(first.code), first.message or "", **first.details)


def verify(
    session: Session, user: User, rect_id: uuid.UUID, now: datetime, comment: str = ""
) -> None:
    """Accept the site manager's answer (submitted → verified).

    Raises DomainError: auth.forbidden, scope.denied, workflow.transition_not_allowed."""
    fields: dict[str, Any] = {"status": "verified"}
    if comment.strip():
        fields["verify_comment"] = comment.strip()
    _decide(session, user, rect_id, fields, now)


def reopen(session: Session, user: User, rect_id: uuid.UUID, reason: str, now: datetime) -> None:
    """Send the action back to the site manager (submitted → reopened) with the reason,
    which the manager's phone pulls as verify_comment.

    Raises DomainError: request.invalid (no reason), auth.forbidden, scope.denied,
        workflow.transition_not_allowed."""
    reviewer_scope(session, user)  # a site manager learns auth.forbidden, not request.invalid
    if not reason.strip():
        raise DomainError(ProblemCode.REQUEST_INVALID, "reopen needs a reason", field="reason")
    fields = {"status": "reopened", "verify_comment": reason.strip()}
    _decide(session, user, rect_id, fields, now)


def reinspect(
    session: Session,
    user: User,
    rect_id: uuid.UUID,
    assignee_username: str,
    days: int,
    now: datetime,
) -> VisitTask:
    """An overt follow-up visit task at the action's site with the visit's template,
    due within `days`, for an inspector covering the site.

    Raises DomainError: auth.forbidden, scope.denied, request.invalid (days, assignee),
        user.not_found, template.not_found, answers.mode_not_allowed."""
    scope = reviewer_scope(session, user)
    rect = _visible(session, scope, rect_id)
    if not 1 <= days <= MAX_REINSPECT_DAYS:
        raise DomainError(
            ProblemCode.REQUEST_INVALID, f"days must be 1..{MAX_REINSPECT_DAYS}", field="days"
        )
    visit = session.get(Visit, rect.visit_id)
    site = session.get(Site, rect.site_id)
    assert visit is not None and site is not None  # foreign keys
    template = session.exec(
        select(TemplateVersion).where(TemplateVersion.key == visit.template_key)
    ).one()
    note = f"整改复查 {rect.item_code} {rect.instructions}"[:1000]
    return create_task(
        session,
        user,
        site.code,
        template.template_id,
        "overt",
        assignee_username,
        Window(now, now + timedelta(days=days)),
        kind="followup",
        note=note,
    )
