"""The audit row every administrative change writes (table: tables/work.py AuditLog), and
who may make such changes.

An actor is a signed-in account (a `User`) or the operator at the server's shell
(`OPERATOR`: `mingcha user …`), who holds the database itself and so acts as an admin;
the audit row then names "cli" and no account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.tables import AuditLog


class Actor(Protocol):
    @property
    def id(self) -> uuid.UUID | None: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class Operator:
    """The operator of the `mingcha` command line."""

    id: uuid.UUID | None = None
    username: str = "cli"
    role: str = "admin"
    active: bool = True


OPERATOR = Operator()


def require_admin(user: Actor) -> None:
    """Only an active admin administers the organisation (the role matrix: api/ADMIN.md)."""
    if user.role != "admin" or not user.active:
        raise DomainError(
            ProblemCode.AUTH_FORBIDDEN, "organisation changes are made by admins", role=user.role
        )


def audit(
    session: Session, by: Actor, action: str, entity: str, entity_id: str, **details: Any
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
