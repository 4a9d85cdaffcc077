"""Rectifications (整改) from the console: the supervisor's list of corrective actions with
their due dates, one action with its before and after photos, and the follow-up — verify,
reopen with a reason, or schedule a re-inspection of the site.

Verify and reopen go through the phones' merge path (a per-user console device, as in
review_actions), so ownership, the allowed transitions and the pull change log are the
ones a supervisor's phone would get. No web or UI imports.
"""

from __future__ import annotations

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
MAX_ROWS = 500
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
    overdue: bool  # open or reopened and past its due date


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


def _row(rect: Rectification, site: Site, now: datetime) -> RectRow:
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
        overdue=is_overdue(rect.status, rect.due_date, now),
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
    limit: int = MAX_ROWS,
) -> list[RectRow]:
    """Rectifications at the sites the supervisor or admin covers, earliest due first.

    Raises DomainError: auth.forbidden (not a reviewer), request.invalid (status, limit)."""
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
        .where(Rectification.deleted_at.is_(None), _in_scope(scope))  # type: ignore[union-attr]
    )
    if status is not None:
        query = query.where(Rectification.status == status)
    if overdue_only:
        query = query.where(
            Rectification.status.in_(PENDING),  # type: ignore[attr-defined]
            Rectification.due_date < now.date(),
        )
    query = query.order_by(Rectification.due_date, Site.code, Rectification.item_code)  # type: ignore[arg-type]
    return [_row(rect, site, now) for rect, site in session.exec(query.limit(limit)).all()]


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
        row=_row(rect, site, now),
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
