"""Rectifications (整改) decided from the console: verify, reopen with a reason, or schedule
a re-inspection of the site. (Reading them — the list, totals and one action with its before
and after photos — is sync_server.supervision.rectifications.)

Verify and reopen go through the phones' merge path (a per-user console device, as in
sync_server.supervision.actions), so ownership, the allowed transitions and the pull change
log are the ones a supervisor's phone would get. No web or UI imports.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.org.scope import reviewer_scope
from sync_server.supervision.actions import push_from_console
from sync_server.supervision.rectifications import visible_rectification
from sync_server.supervision.scheduling import Window, create_task
from sync_server.tables import Site, TemplateVersion, User, Visit, VisitTask

MAX_REINSPECT_DAYS = 90


def _decide(
    session: Session, user: User, rect_id: uuid.UUID, fields: dict[str, Any], now: datetime
) -> None:
    """Push one rectification mutation from the user's console device, all or nothing."""
    scope = reviewer_scope(session, user)
    rect = visible_rectification(session, scope, rect_id)
    if rect.status != "submitted":  # only an answered action is verified or reopened
        raise DomainError(
            ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
            f"{rect.status} → {fields['status']}",
            old=rect.status,
            new=fields["status"],
        )
    push_from_console(session, user, scope, [("rectification", rect_id, fields)], now)


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
    rect = visible_rectification(session, scope, rect_id)
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
