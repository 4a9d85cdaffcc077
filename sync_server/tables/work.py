"""Inspection work: templates, tasks, visits, findings, photos, rectifications, blobs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from sync_server.tables.base import (
    ServerModel,
    Synced,
    UTCDateTime,
    fk,
    json_col,
    utcnow,
    uuid_pk,
    when,
)


class TemplateVersion(ServerModel, table=True):
    """A published checklist template version; immutable once published."""

    __tablename__ = "template"

    key: str = Field(primary_key=True, max_length=80)  # "<id>.v<version>"
    template_id: str = Field(max_length=64, index=True)
    version: int
    title: str = Field(max_length=500)
    body: str = Field(sa_type=sa.Text, description="The template JSON as published")
    sha256: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by: str = Field(default="", max_length=64)
    retired: bool = False
    seq: int = Field(default=0, sa_type=sa.BigInteger)


class VisitTask(ServerModel, table=True):
    """A visit a supervisor asks for: site, template, mode, time window, assignee."""

    __tablename__ = "visit_task"

    id: uuid.UUID = uuid_pk()
    site_id: uuid.UUID = fk("site.id", index=True)
    template_id: str = Field(max_length=64)
    mode: str = Field(max_length=10)
    kind: str = Field(default="routine", max_length=10)
    window_start: datetime = Field(sa_type=UTCDateTime)
    window_end: datetime = Field(sa_type=UTCDateTime)
    assignee_id: uuid.UUID = fk("app_user.id", index=True)
    created_by: uuid.UUID | None = fk("app_user.id", default=None)
    status: str = Field(default="open", max_length=12)
    visit_id: uuid.UUID | None = None
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    seq: int = Field(default=0, sa_type=sa.BigInteger)


class Visit(Synced, table=True):
    id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = fk("site.id", index=True)
    template_key: str = fk("template.key", max_length=80)
    mode: str = Field(max_length=10)
    kind: str = Field(default="routine", max_length=10)
    task_id: uuid.UUID | None = fk("visit_task.id", default=None)
    inspector_id: uuid.UUID = fk("app_user.id", index=True)
    status: str = Field(default="draft", max_length=12, index=True)
    started_at: datetime | None = when()
    finished_at: datetime | None = when()
    submitted_at: datetime | None = when(index=True)
    note: str = Field(default="", max_length=4000)
    lat: float | None = None
    lon: float | None = None
    ack_name: str = Field(default="", max_length=120)
    ack_signature_sha256: str | None = Field(default=None, max_length=64)
    ack_at: datetime | None = when()
    ack_refused: bool = False
    return_comment: str = Field(default="", max_length=4000)
    void_reason: str = Field(default="", max_length=4000)
    reviewed_by: uuid.UUID | None = None
    reviewed_at: datetime | None = when()
    published_at: datetime | None = when()
    score: dict[str, Any] | None = json_col()
    score_percent: Decimal | None = Field(default=None, max_digits=5, decimal_places=1, index=True)
    score_grade: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VisitSubjectResult(ServerModel, table=True):
    """One subject's (post's) result in a scored visit of a per-subject template
    (scoring.per_subject): what the engine's SubjectScore says, so dashboards and reports
    can count and average per post in SQL. Derived from Visit.score by
    sync.effects.score_visit and replaced whenever the visit is scored again; server-only
    (phones read the score JSON)."""

    __tablename__ = "visit_subject_result"

    visit_id: uuid.UUID = fk("visit.id", primary_key=True)
    subject_code: str = Field(primary_key=True, max_length=64, index=True)
    title: str = Field(default="", max_length=500)
    position: int = 0  # the subject's place in the template's list of subjects
    score: Decimal = Field(max_digits=10, decimal_places=2)
    max: Decimal = Field(max_digits=10, decimal_places=2)
    percent: Decimal | None = Field(default=None, max_digits=5, decimal_places=1)
    grade: str | None = Field(default=None, max_length=40)
    passed: bool | None = None
    veto: bool = False


class Finding(Synced, table=True):
    __table_args__ = (sa.UniqueConstraint("visit_id", "item_code"),)

    id: uuid.UUID = Field(primary_key=True)  # fieldcore.workflow.finding_id(visit, item)
    visit_id: uuid.UUID = fk("visit.id", index=True)
    item_code: str = Field(max_length=40)
    result: str | None = Field(default=None, max_length=4)
    count: int | None = None
    value: Decimal | None = Field(default=None, max_digits=14, decimal_places=4)
    note: str = Field(default="", max_length=4000)
    subject_id: uuid.UUID | None = fk("subject.id", default=None)
    review_comment: str = Field(default="", max_length=4000)


class Photo(Synced, table=True):
    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID | None = fk("visit.id", default=None, index=True)
    finding_id: uuid.UUID | None = fk("finding.id", default=None, index=True)
    rectification_id: uuid.UUID | None = fk("rectification.id", default=None, index=True)
    sha256: str = Field(max_length=64, index=True)
    byte_size: int
    mime: str = Field(default="image/jpeg", max_length=40)
    width: int | None = None
    height: int | None = None
    captured_at: datetime | None = when()
    clock_offset_ms: int | None = Field(default=None, sa_type=sa.BigInteger)  # ±10 years
    lat: float | None = None
    lon: float | None = None
    caption: str = Field(default="", max_length=500)
    source: str | None = Field(default=None, max_length=10)  # camera | gallery (evidence.py)
    exif_taken_at: datetime | None = when()  # the camera's own DateTimeOriginal, UTC
    # marked-up evidence (fieldcore/annotation.py): a derived copy names the photo it marks
    # and that photo's hash; `marks` (canonical JSON) re-renders it. The original stays.
    kind: str = Field(default="evidence", max_length=12)
    annotates_id: uuid.UUID | None = Field(default=None, index=True)
    annotates_sha256: str | None = Field(default=None, max_length=64)
    marks: str | None = Field(default=None, sa_type=sa.Text)
    blob_present: bool = False
    uploaded_by: uuid.UUID = fk("app_user.id")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Rectification(Synced, table=True):
    """A corrective action (整改) raised from a deducted item when the visit is approved."""

    id: uuid.UUID = uuid_pk()
    visit_id: uuid.UUID = fk("visit.id", index=True)
    finding_id: uuid.UUID = fk("finding.id", unique=True)
    site_id: uuid.UUID = fk("site.id", index=True)
    item_code: str = Field(max_length=40)
    subject_code: str = Field(default="", max_length=64)
    severity: str = Field(default="minor", max_length=10)
    due_date: date
    instructions: str = Field(default="", max_length=4000)
    status: str = Field(default="open", max_length=10, index=True)
    response_note: str = Field(default="", max_length=4000)
    responded_at: datetime | None = when()
    verify_comment: str = Field(default="", max_length=4000)
    verified_at: datetime | None = when()
    verified_by: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Blob(ServerModel, table=True):
    """Photo bytes present in the blob store, addressed by their sha256."""

    sha256: str = Field(primary_key=True, max_length=64)
    byte_size: int
    mime: str = Field(default="image/jpeg", max_length=40)
    width: int | None = None
    height: int | None = None
    stored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BlobHolder(ServerModel, table=True):
    """Who has proven they hold a blob's bytes: their own upload of them hashed right.

    Knowing a sha256 proves nothing (pull shows hashes); reading bytes needs this proof
    or a visible photo whose author has it (PROTOCOL.md, Photos: who may read bytes).
    """

    __tablename__ = "blob_holder"
    sha256: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = fk("app_user.id", primary_key=True)
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Upload(ServerModel, table=True):
    """A resumable (tus-style) upload session for one blob."""

    id: uuid.UUID = uuid_pk()
    sha256: str = Field(max_length=64, index=True)
    length: int
    offset: int = 0
    user_id: uuid.UUID = fk("app_user.id")
    device_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = when()


class AuditLog(ServerModel, table=True):
    """Who read or exported what (confidential results, 001:L174) and admin actions."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: uuid.UUID | None = None
    action: str = Field(max_length=40)
    entity: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=80)
    details: dict[str, Any] = json_col({})
