"""Who may export what, and the audit trail every export leaves.

A visit is readable by admins and supervisors in scope; by an inspector for their own
visits; by a site manager at their sites once published (the pull rules of sync/pull.py).
An unpublished covert (暗访) visit is for supervisors and admins only: anyone else in scope
gets `report.embargoed`; out of scope (or no such visit) is `scope.denied`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import REVIEWERS
from sync_server.org.scope import Scope, load_scope
from sync_server.tables import AuditLog, User, Visit, utcnow

REPORT_TZ = timezone(timedelta(hours=8), "CST")  # days and times on forms: China Standard Time
COUNTED = ("submitted", "resubmitted", "approved", "published")  # not draft, returned, voided


def load_actor(session: Session, username: str) -> tuple[User, Scope]:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise DomainError(ProblemCode.USER_NOT_FOUND, username, username=username)
    return user, load_scope(session, user)


def embargoed(scope: Scope, visit: Visit) -> bool:
    """In scope, but the result is not yet for this reader."""
    if scope.role in REVIEWERS or visit.status == "published":
        return False
    return scope.role == "site_manager" or visit.mode == "covert"


def may_read(scope: Scope, visit: Visit) -> bool:
    if not scope.sees_site(visit.site_id) or embargoed(scope, visit):
        return False
    return scope.role != "inspector" or visit.inspector_id == scope.user_id


def readable_visit(session: Session, scope: Scope, visit_id: uuid.UUID) -> Visit:
    """The visit, if this reader may export it.

    Raises:
        DomainError(scope.denied): no such visit, or not in the reader's scope.
        DomainError(report.embargoed): in scope but unpublished (covert: reviewers only).
    """
    visit = session.get(Visit, visit_id)
    if (
        visit is None
        or visit.deleted_at is not None
        or not scope.sees_site(visit.site_id)
        or (scope.role == "inspector" and visit.inspector_id != scope.user_id)
    ):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="visit", id=str(visit_id))
    if embargoed(scope, visit):
        raise DomainError(
            ProblemCode.REPORT_EMBARGOED, entity="visit", id=str(visit_id), mode=visit.mode
        )
    return visit


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants bounding the CST days first..last (inclusive)."""
    start = datetime.combine(first, time(0), REPORT_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0), REPORT_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def local(moment: datetime | None) -> str:
    return moment.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def audit(session: Session, user: User, entity: str, entity_id: str, **details: Any) -> AuditLog:
    """One `export` row: who, when, what (entity, ids or period, format, file)."""
    row = AuditLog(
        at=utcnow(),
        user_id=user.id,
        action="export",
        entity=entity,
        entity_id=entity_id[:80],
        details={"username": user.username, "role": user.role, **details},
    )
    session.add(row)
    return row
