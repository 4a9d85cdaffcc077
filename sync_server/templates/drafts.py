"""Template drafts: author and fix a checklist on the server, then publish it as a version.

A draft is a working copy of a template version: started from the newest published
version of a template (it will publish as the next version number), from a new template
id (version 1), or from a parsed Template (an uploaded workbook: `draft_from_template`).
Edits are kept server-side, whole body per save, until published.

Concurrent editors: each save names the revision it was based on. A save based on an old
revision is refused (template.draft_stale) and changes nothing; the refusal carries who
changed which fields since, from the draft's history, so the editor can show it instead
of overwriting it. Publishing validates with fieldcore.template_loader (every problem at
once, each with its JSON path) and goes through versions.publish_template: a new immutable
version that phones pull; visits stay pinned to the version they started with.

Only supervisors and admins author templates (fieldcore.workflow.REVIEWERS); every save,
publish and discard leaves an audit_log row. Functions run in the caller's transaction.
The published versions the editor lists and diffs a draft against: published.py.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.checklist import SLUG, Template
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import TemplateError
from fieldcore.workflow import REVIEWERS
from sync_server.core.changeset import ChangeSet
from sync_server.tables import AuditLog, TemplateDraft, TemplateVersion, User, utcnow
from sync_server.templates import draft_edit as edit
from sync_server.templates.diff import changed_fields
from sync_server.templates.preview import check_body, source_name, template_text
from sync_server.templates.versions import newest_version, publish_template

OPEN = "open"


@dataclass(frozen=True)
class DraftView:
    """A draft as the editor shows it (plain values: safe outside the session)."""

    id: uuid.UUID
    template_id: str
    version: int
    base_key: str | None
    body: dict[str, Any]
    revision: int
    status: str
    updated_by: str
    updated_at: datetime
    published_key: str | None

    @property
    def key(self) -> str:
        return f"{self.template_id}.v{self.version}"


def require_author(user: User) -> None:
    """Only an active supervisor or admin may author checklist templates."""
    if user.role not in REVIEWERS or not user.active:
        raise DomainError(
            ProblemCode.AUTH_FORBIDDEN,
            "templates are edited by supervisors and admins",
            role=user.role,
        )


def list_drafts(session: Session, user: User) -> list[DraftView]:
    """Open drafts, the most recently changed first."""
    require_author(user)
    rows = session.exec(
        select(TemplateDraft)
        .where(TemplateDraft.status == OPEN)
        .order_by(col(TemplateDraft.updated_at).desc())
    ).all()
    return [_view(r) for r in rows]


def get_draft(session: Session, user: User, draft_id: uuid.UUID) -> DraftView:
    require_author(user)
    return _view(_row(session, draft_id))


def start_draft(session: Session, user: User, template_id: str) -> DraftView:
    """The open draft of a published template, or a new one copying its newest version
    (so two editors of one template meet in one draft, where revisions guard them)."""
    require_author(user)
    existing = session.exec(
        select(TemplateDraft)
        .where(TemplateDraft.template_id == template_id, TemplateDraft.status == OPEN)
        .order_by(col(TemplateDraft.updated_at).desc())
    ).first()
    if existing is not None:
        return _view(existing)
    latest = newest_version(session, template_id)
    if latest is None:
        raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, template_id, key=template_id)
    body = json.loads(latest.body)
    body["version"] = latest.version + 1
    return _create(session, user, body, latest.key)


def new_template_draft(session: Session, user: User, template_id: str, title: str) -> DraftView:
    """A draft of a template that does not exist yet (version 1), with one category and
    one item to fill in; its scoring defaults are marked assumed (自定)."""
    require_author(user)
    template_id = template_id.strip()
    if not re.fullmatch(SLUG, template_id):
        raise DomainError(
            ProblemCode.REQUEST_INVALID, "模板编号只能用小写字母、数字和连字符", field="template_id"
        )
    taken = (
        newest_version(session, template_id) is not None
        or session.exec(
            select(TemplateDraft).where(TemplateDraft.template_id == template_id)
        ).first()
    )
    if taken:
        raise DomainError(
            ProblemCode.REQUEST_INVALID, f"模板 {template_id} 已存在", field="template_id"
        )
    approver = user.display_name or user.username
    body = edit.new_body(template_id, title.strip() or template_id, approver, utcnow().date())
    edit.add_category(body)
    return _create(session, user, body, None)


def draft_from_template(session: Session, user: User, template: Template) -> DraftView:
    """A new draft holding a parsed template (e.g. read from an uploaded workbook). It
    publishes as the next free version when its own is already published."""
    require_author(user)
    body = edit.numbers_as_json(template.model_dump(mode="json", exclude_none=True))
    latest = newest_version(session, template.id)
    if latest is not None and template.version <= latest.version:
        body["version"] = latest.version + 1
    return _create(session, user, body, latest.key if latest else None)


def save_draft(
    session: Session, user: User, draft_id: uuid.UUID, base_revision: int, body: dict[str, Any]
) -> DraftView:
    """Store the edited body as the next revision (nothing changes if nothing changed).

    Raises:
        DomainError(template.draft_stale): someone saved since `base_revision`; details
            `revision` (current) and `changes` ([{revision, by, at, fields}]).
        DomainError(template.draft_closed): the draft was published or discarded.
    """
    require_author(user)
    row = _editable(session, draft_id, base_revision)
    body = {**body, "id": row.template_id, "version": row.version}  # the key is the draft's
    fields = changed_fields(row.body, body)
    if not fields:
        return _view(row)
    now = utcnow()
    row.revision += 1
    row.body = json.loads(json.dumps(body))  # a fresh JSON value: no shared lists
    row.history = [
        *row.history,
        {"revision": row.revision, "by": _name(user), "at": now.isoformat(), "fields": fields},
    ]
    row.updated_by, row.updated_at = _name(user), now
    _audit(session, user, "template_draft.save", row, revision=row.revision, fields=fields)
    return _view(row)


def publish_draft(
    session: Session, user: User, draft_id: uuid.UUID, base_revision: int
) -> TemplateVersion:
    """Validate the draft as saved at `base_revision` and publish it as a new version.

    Raises:
        TemplateError: every problem, each with its JSON path; nothing is published.
        DomainError: template.draft_stale, template.draft_closed, template.version_exists.
    """
    require_author(user)
    row = _editable(session, draft_id, base_revision)
    template, problems = check_body(row.body)
    if template is None:
        raise TemplateError(source_name(row.body), problems)
    changes = ChangeSet(session)
    version, _ = publish_template(
        session, changes, template_text(row.body), source_name(row.body), by=_name(user)
    )
    changes.assign_seqs()
    row.status, row.published_key, row.published_at = "published", version.key, utcnow()
    _audit(session, user, "template.publish", row, key=version.key, base=row.base_key)
    return version


def discard_draft(session: Session, user: User, draft_id: uuid.UUID, base_revision: int) -> None:
    require_author(user)
    row = _editable(session, draft_id, base_revision)
    row.status, row.updated_by, row.updated_at = "discarded", _name(user), utcnow()
    _audit(session, user, "template_draft.discard", row, revision=row.revision)


# ---- helpers -----------------------------------------------------------------------------
def _row(session: Session, draft_id: uuid.UUID) -> TemplateDraft:
    row = session.get(TemplateDraft, draft_id)
    if row is None:
        raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, f"draft {draft_id}", id=str(draft_id))
    return row


def _editable(session: Session, draft_id: uuid.UUID, base_revision: int) -> TemplateDraft:
    row = _row(session, draft_id)
    if row.status != OPEN:
        raise DomainError(ProblemCode.TEMPLATE_DRAFT_CLOSED, row.status, status=row.status)
    if base_revision != row.revision:
        since = [h for h in row.history if h["revision"] > base_revision]
        raise DomainError(
            ProblemCode.TEMPLATE_DRAFT_STALE,
            f"based on revision {base_revision}, the draft is at {row.revision}",
            revision=row.revision,
            changes=since,
        )
    return row


def _create(session: Session, user: User, body: dict[str, Any], base_key: str | None) -> DraftView:
    row = TemplateDraft(
        template_id=str(body["id"]),
        version=int(body["version"]),
        base_key=base_key,
        body=body,
        created_by=_name(user),
        updated_by=_name(user),
        history=[{"revision": 1, "by": _name(user), "at": utcnow().isoformat(), "fields": []}],
    )
    session.add(row)
    session.flush()
    _audit(session, user, "template_draft.create", row, base=base_key)
    return _view(row)


def _audit(session: Session, user: User, action: str, row: TemplateDraft, **details: Any) -> None:
    details = {"template": f"{row.template_id}.v{row.version}", **details}
    session.add(
        AuditLog(
            user_id=user.id,
            action=action,
            entity="template_draft",
            entity_id=str(row.id),
            details=details,
        )
    )


def _name(user: User) -> str:
    return user.username


def _view(row: TemplateDraft) -> DraftView:
    return DraftView(
        id=row.id,
        template_id=row.template_id,
        version=row.version,
        base_key=row.base_key,
        body=json.loads(json.dumps(row.body)),
        revision=row.revision,
        status=row.status,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        published_key=row.published_key,
    )
