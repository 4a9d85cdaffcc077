"""Checklist templates as versioned server data: publish once, read many times.

A published version is immutable: publishing the same key with the same bytes is a no-op,
with different bytes an error (publish `<id>.v<version+1>` instead). Phones pull templates;
a visit stays pinned to the version it started with.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlmodel import Session, col, select

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import parse_template
from sync_server.core.changeset import ChangeSet
from sync_server.tables import TemplateVersion


def publish_template(
    session: Session, changes: ChangeSet, text: bytes, source: str, by: str = ""
) -> tuple[TemplateVersion, bool]:
    """Validate and store a template file; returns (row, newly published?).

    Raises:
        TemplateError: the file is invalid.
        DomainError(template.version_exists): this version exists with other content.
    """
    template = parse_template(text, source)
    digest = hashlib.sha256(text).hexdigest()
    row = session.get(TemplateVersion, template.key)
    if row is not None:
        if row.sha256 != digest:
            raise DomainError(ProblemCode.TEMPLATE_VERSION_EXISTS, template.key, key=template.key)
        return row, False
    row = TemplateVersion(
        key=template.key,
        template_id=template.id,
        version=template.version,
        title=template.title,
        body=text.decode("utf-8"),
        sha256=digest,
        published_by=by,
    )
    session.add(row)
    changes.touch(row)
    return row, True


def get_template(session: Session, key: str) -> Template:
    """The parsed template of a published version: parsed once per process, looked up
    once per session (a push asks for it once per finding)."""
    known: dict[str, Template] = session.info.setdefault("templates", {})
    if key not in known:
        row = session.get(TemplateVersion, key)
        if row is None:
            raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, key, key=key)
        known[key] = _parse(row.key, row.sha256, row.body)
    return known[key]


def newest_version(session: Session, template_id: str) -> TemplateVersion | None:
    """The highest published version of a template, retired or not (the number a new
    draft or upload of it must exceed), or None when it was never published."""
    return session.exec(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template_id)
        .order_by(col(TemplateVersion.version).desc())
    ).first()


def latest_templates(session: Session) -> list[TemplateVersion]:
    rows = session.exec(
        select(TemplateVersion)
        .where(col(TemplateVersion.retired).is_(False))
        .order_by(col(TemplateVersion.template_id), col(TemplateVersion.version))
    ).all()
    latest: dict[str, TemplateVersion] = {}
    for row in rows:
        latest[row.template_id] = row
    return list(latest.values())


@lru_cache(maxsize=256)
def _parse(key: str, sha256: str, body: str) -> Template:
    return parse_template(body, f"{key}.json")
