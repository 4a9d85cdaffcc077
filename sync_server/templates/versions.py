"""Checklist templates as versioned server data: publish once, read many times.

A published version is immutable: publishing the same key with the same bytes is a no-op,
with different bytes an error (publish `<id>.v<version+1>` instead). Phones pull templates;
a visit stays pinned to the version it started with.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import sqlalchemy as sa
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
    """The parsed template of a published version: parsed once per process (by key and
    digest: a published version never changes, a database restored from elsewhere may hold
    another under the same key), looked up once per session (a push asks for it once per
    finding) by its digest alone — not its body, which only a parse reads."""
    known: dict[str, Template] = session.info.setdefault("templates", {})
    if key not in known:
        digest = session.execute(_digest_query(), {"key": key}).scalar_one_or_none()
        if digest is None:
            raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, key, key=key)
        parsed = _PARSED.get((key, digest))
        if parsed is None:
            row = session.get(TemplateVersion, key)
            assert row is not None  # published versions are never deleted
            if len(_PARSED) >= 256:  # many databases in one process (tests): start afresh
                _PARSED.clear()
            parsed = _PARSED[(key, digest)] = parse_template(row.body, f"{key}.json")
        known[key] = parsed
    return known[key]


# parsed templates by (key, sha256): one per published version, few per organisation
_PARSED: dict[tuple[str, str], Template] = {}


@cache
def _digest_query() -> Any:
    return sa.select(col(TemplateVersion.sha256)).where(
        col(TemplateVersion.key) == sa.bindparam("key")
    )


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
