"""Rows as the pull sends them: allow-listed columns only, JSON-ready values.

Internal columns (password hashes, device writers, audience flags) never leave the server;
a new column is not sent until it is added here.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sync_server.tables import (
    Finding,
    Photo,
    Rectification,
    ServerModel,
    Site,
    Subject,
    TemplateVersion,
    Visit,
    VisitTask,
)

SYNCED = ("seq", "field_seq", "deleted_at")
COLUMNS: dict[str, tuple[type[ServerModel], tuple[str, ...]]] = {
    "template": (
        TemplateVersion,
        (
            "key",
            "template_id",
            "version",
            "title",
            "body",
            "sha256",
            "published_at",
            "retired",
            "seq",
        ),
    ),
    "site": (
        Site,
        ("id", "code", "name", "type", "address", "lat", "lon", "region_id", "active", "seq"),
    ),
    "subject": (Subject, ("id", "site_id", "post", "name", "active", "seq")),
    "visit_task": (
        VisitTask,
        (
            "id",
            "site_id",
            "template_id",
            "mode",
            "kind",
            "window_start",
            "window_end",
            "assignee_id",
            "status",
            "visit_id",
            "note",
            "seq",
        ),
    ),
    "visit": (
        Visit,
        (
            "id",
            "site_id",
            "template_key",
            "mode",
            "kind",
            "task_id",
            "inspector_id",
            "status",
            "started_at",
            "finished_at",
            "submitted_at",
            "note",
            "lat",
            "lon",
            "ack_name",
            "ack_signature_sha256",
            "ack_at",
            "ack_refused",
            "return_comment",
            "void_reason",
            "reviewed_by",
            "reviewed_at",
            "published_at",
            "score",
            *SYNCED,
        ),
    ),
    "finding": (
        Finding,
        (
            "id",
            "visit_id",
            "item_code",
            "result",
            "count",
            "value",
            "note",
            "subject_id",
            "review_comment",
            *SYNCED,
        ),
    ),
    "photo": (
        Photo,
        (
            "id",
            "visit_id",
            "finding_id",
            "rectification_id",
            "sha256",
            "byte_size",
            "mime",
            "width",
            "height",
            "captured_at",
            "clock_offset_ms",
            "lat",
            "lon",
            "caption",
            "source",
            "exif_taken_at",
            "kind",
            "annotates_id",
            "annotates_sha256",
            "marks",
            "blob_present",
            "uploaded_by",
            "received_at",
            *SYNCED,
        ),
    ),
    "rectification": (
        Rectification,
        (
            "id",
            "visit_id",
            "finding_id",
            "site_id",
            "item_code",
            "subject_code",
            "severity",
            "due_date",
            "instructions",
            "status",
            "response_note",
            "responded_at",
            "verify_comment",
            "verified_at",
            "verified_by",
            "created_at",
            *SYNCED,
        ),
    ),
}


def to_wire(entity: str, row: Any) -> dict[str, Any]:
    data = {name: _value(getattr(row, name)) for name in COLUMNS[entity][1]}
    if entity == "template":
        data["body"] = json.loads(row.body)
    return data


def load_rows(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Serialized rows for (entity, id) keys, one query per entity."""
    by_entity: dict[str, list[str]] = defaultdict(list)
    for entity, entity_id in keys:
        by_entity[entity].append(entity_id)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, ids in by_entity.items():
        model, _ = COLUMNS[entity]
        (pk,) = sa.inspect(model).primary_key  # `key` for templates, `id` for the rest
        typed = ids if model is TemplateVersion else [uuid.UUID(i) for i in ids]
        for row in session.exec(select(model).where(pk.in_(typed))).all():
            out[(entity, str(getattr(row, pk.key)))] = to_wire(entity, row)
    return out


def _value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value
