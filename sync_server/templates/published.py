"""The published checklist versions as the template editor sees them: the version phones
are served of each template, and a version's JSON that a draft's changes are shown
against. Authors only (drafts.require_author); functions run in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.tables import TemplateVersion, User
from sync_server.templates.drafts import require_author
from sync_server.templates.versions import latest_templates


@dataclass(frozen=True)
class Published:
    """The newest published version of a template, for the editor's list."""

    key: str
    template_id: str
    version: int
    title: str
    published_by: str
    published_at: datetime


def list_published(session: Session, user: User) -> list[Published]:
    """The version phones are served of each template (versions.latest_templates)."""
    require_author(user)
    return [
        Published(r.key, r.template_id, r.version, r.title, r.published_by, r.published_at)
        for r in latest_templates(session)
    ]


def published_body(session: Session, user: User, key: str) -> dict[str, Any]:
    """A published version's JSON (what a draft's diff compares against)."""
    require_author(user)
    row = session.get(TemplateVersion, key)
    if row is None:
        raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, key, key=key)
    body: dict[str, Any] = json.loads(row.body)
    return body
