"""Workbooks in and out of the console: an uploaded .xlsx becomes a draft, a published
version goes out as one (the layout: assets/checklists/XLSX.md).

An upload keeps the version its workbook names (设置 版本): a version that is already
published, or older than the newest published one, is refused (template.version_exists),
and so is one that already has an open draft (template.draft_exists) — the author then
changes 版本 in the workbook or works in that draft, rather than getting a silently
renumbered copy. Functions run in the caller's transaction.
"""

from __future__ import annotations

from sqlmodel import Session, select

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from sync_server.tables import AuditLog, TemplateDraft, User
from sync_server.templates import drafts
from sync_server.templates.versions import get_template, newest_version

MAX_UPLOAD_BYTES = 5_000_000  # a checklist workbook is well under 1 MB


def draft_from_upload(session: Session, user: User, template: Template) -> drafts.DraftView:
    """A new draft holding an uploaded workbook's template, at the workbook's own version.

    Raises:
        DomainError: template.version_exists (that version, or a newer one, is published;
            details `key`, `latest`), template.draft_exists (an open draft of that version;
            details `key`, `draft`), auth.forbidden.
    """
    drafts.require_author(user)
    latest = newest_version(session, template.id)
    if latest is not None and template.version <= latest.version:
        raise DomainError(
            ProblemCode.TEMPLATE_VERSION_EXISTS,
            f"{template.key}:已发布到 {latest.key},请把工作簿 设置 的 版本 改为 "
            f"{latest.version + 1} (already published up to {latest.key})",
            key=template.key,
            latest=latest.key,
        )
    open_draft = session.exec(
        select(TemplateDraft).where(
            TemplateDraft.template_id == template.id,
            TemplateDraft.version == template.version,
            TemplateDraft.status == drafts.OPEN,
        )
    ).first()
    if open_draft is not None:
        raise DomainError(
            ProblemCode.TEMPLATE_DRAFT_EXISTS,
            f"{template.key}:草稿由 {open_draft.updated_by} 编辑中 (an open draft exists)",
            key=template.key,
            draft=str(open_draft.id),
        )
    return drafts.draft_from_template(session, user, template)


def published_for_workbook(session: Session, user: User, key: str) -> Template:
    """A published version to write as a workbook; the export leaves an audit row.

    Raises:
        DomainError: template.not_found, auth.forbidden.
    """
    drafts.require_author(user)
    template = get_template(session, key)
    session.add(
        AuditLog(
            user_id=user.id,
            action="template.export_workbook",
            entity="template",
            entity_id=key,
            details={"template": key},
        )
    )
    return template
