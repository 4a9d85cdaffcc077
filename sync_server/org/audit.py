"""The audit row every administrative change writes (table: tables/work.py AuditLog)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.tables import AuditLog, User


def require_admin(user: User) -> None:
    """Only an active admin administers the organisation (the role matrix: api/ADMIN.md)."""
    if user.role != "admin" or not user.active:
        raise DomainError(
            ProblemCode.AUTH_FORBIDDEN, "organisation changes are made by admins", role=user.role
        )


def audit(
    session: Session, by: User, action: str, entity: str, entity_id: str, **details: Any
) -> None:
    """Record who changed what; `details` holds the values before and after."""
    session.add(
        AuditLog(
            user_id=by.id,
            action=action[:40],
            entity=entity[:40],
            entity_id=entity_id[:80],
            details={"username": by.username, **details},
        )
    )
