"""The phone's own tables (a registry separate from the server's).

Server-owned rows (templates, sites, subjects, tasks) are a cache of what was pulled.
Rows the user edits (visits, findings, photos, rectifications) also carry `field_seq`, the
server seq each field was last seen at — sent back as `base_seq` with the next edit.
`outbox` holds every local change until the server acknowledges it; `local_blob` every
photo file until its bytes are uploaded. Nothing unsynced is ever deleted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import AutoString, Field, SQLModel

from fieldcore.checklist import Mode
from fieldcore.protocol import Entity, Op


class LocalModel(SQLModel, registry=registry()):
    """Base of every table in the phone's database."""

    if TYPE_CHECKING:  # set on every table=True subclass, but SQLModel does not declare it
        __table__: ClassVar[sa.Table]


class UTCTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes (SQLite itself keeps no time zone)."""

    impl = sa.DateTime()
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None) if value else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def _when(index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCTime, index=index)


def _json(default: Any = None) -> Any:
    if isinstance(default, dict):
        return Field(default_factory=dict, sa_type=sa.JSON)
    return Field(default=default, sa_type=sa.JSON)


class Meta(LocalModel, table=True):
    """Small settings and sync state: device id, server, cursor, epoch, clock offset…"""

    key: str = Field(primary_key=True)
    value: Any = _json()


class TemplateRow(LocalModel, table=True):
    __tablename__ = "template"

    key: str = Field(primary_key=True)
    template_id: str = Field(index=True)
    version: int
    title: str
    body: Any = _json()
    retired: bool = False


class SiteRow(LocalModel, table=True):
    __tablename__ = "site"

    id: uuid.UUID = Field(primary_key=True)
    code: str = Field(index=True)
    name: str = Field(index=True)
    type: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    active: bool = True
    search: str = Field(default="", description="code, name and address, lower-cased")
    last_used_at: datetime | None = _when(index=True)


class SubjectRow(LocalModel, table=True):
    __tablename__ = "subject"

    id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    post: str
    name: str = ""
    active: bool = True


class TaskRow(LocalModel, table=True):
    __tablename__ = "task"

    id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    template_id: str
    mode: Mode = Field(sa_type=AutoString)
    kind: str = "routine"
    window_start: datetime | None = _when()
    window_end: datetime | None = _when()
    status: str = "open"
    visit_id: uuid.UUID | None = None
    note: str = ""


class Edited(LocalModel):
    """Columns of rows the user edits offline."""

    field_seq: dict[str, int] = _json({})
    deleted: bool = False
    sync_error: str = Field(default="", description="Last rejection, shown to the user")


class VisitRow(Edited, table=True):
    __tablename__ = "visit"

    id: uuid.UUID = Field(primary_key=True)
    site_id: uuid.UUID = Field(index=True)
    template_key: str
    mode: Mode = Field(sa_type=AutoString)
    kind: str = "routine"
    task_id: uuid.UUID | None = None
    status: str = Field(default="draft", index=True)
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    submitted_at: datetime | None = _when()
    note: str = ""
    lat: float | None = None
    lon: float | None = None
    ack_name: str = ""
    ack_signature_sha256: str | None = None
    ack_at: datetime | None = _when()
    ack_refused: bool = False
    return_comment: str = ""
    void_reason: str = ""
    score: Any = _json()  # the server's scorecard, once submitted
    updated_at: datetime | None = _when()


class FindingRow(Edited, table=True):
    __tablename__ = "finding"
    __table_args__ = (sa.UniqueConstraint("visit_id", "item_code"),)

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(index=True)
    item_code: str
    result: str | None = None
    count: int | None = None
    value: Decimal | None = Field(default=None, max_digits=14, decimal_places=4)
    note: str = ""
    subject_id: uuid.UUID | None = None
    review_comment: str = ""


class PhotoRow(Edited, table=True):
    __tablename__ = "photo"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID | None = Field(default=None, index=True)
    finding_id: uuid.UUID | None = Field(default=None, index=True)
    rectification_id: uuid.UUID | None = Field(default=None, index=True)
    sha256: str = Field(index=True)
    byte_size: int
    mime: str = "image/jpeg"
    width: int | None = None
    height: int | None = None
    captured_at: datetime | None = _when()
    clock_offset_ms: int | None = None
    lat: float | None = None
    lon: float | None = None
    caption: str = ""
    blob_present: bool = False
    mine: bool = True  # taken on this device (its bytes are in local_blob)
    # camera | gallery and the picture's own EXIF time (fieldcore/evidence.py); last, as
    # migration 0002 appends them
    source: str | None = None
    exif_taken_at: datetime | None = _when()
    # marked-up evidence (fieldcore/annotation.py; migration 0003 added these at the end)
    kind: str = Field(default="evidence", sa_column_kwargs={"server_default": "evidence"})
    annotates_id: uuid.UUID | None = Field(default=None, index=True)
    annotates_sha256: str | None = None
    marks: str | None = None


class RectificationRow(Edited, table=True):
    __tablename__ = "rectification"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(index=True)
    finding_id: uuid.UUID
    site_id: uuid.UUID = Field(index=True)
    item_code: str
    subject_code: str = ""
    severity: str = "minor"
    due_date: str = ""
    instructions: str = ""
    status: str = Field(default="open", index=True)
    response_note: str = ""
    verify_comment: str = ""


class Outbox(LocalModel, table=True):
    """One local change, in order; its seq is the mutation seq the server sees."""

    seq: int | None = Field(default=None, primary_key=True)
    entity: Entity = Field(sa_type=AutoString)
    entity_id: uuid.UUID = Field(index=True)
    op: Op = Field(default="upsert", sa_type=AutoString)
    fields: dict[str, Any] = _json({})
    base_seq: dict[str, int] = _json({})
    prev: dict[str, Any] = _json({})  # local values before this change (undo on rejection)
    state: str = Field(default="pending", index=True)  # pending | acked | rejected
    code: str = ""
    message: str = ""
    created_at: datetime = Field(sa_type=UTCTime)
    done_at: datetime | None = _when()


DOWNLOADED = "downloaded"  # a local_blob fetched from the server (store/evidence.py)
SETTLED = ("uploaded", DOWNLOADED)  # local_blob states with nothing left to send


class LocalBlob(LocalModel, table=True):
    """A photo file on this device, until (and after) its bytes reach the server — or,
    in state `downloaded`, another phone's evidence photo fetched from the server."""

    __tablename__ = "local_blob"

    sha256: str = Field(primary_key=True)
    path: str
    thumb_path: str = ""
    byte_size: int
    state: str = Field(default="local", index=True)  # local|uploading|uploaded|failed|downloaded
    upload_url: str = ""
    offset: int = 0
    error: str = ""
    created_at: datetime = Field(sa_type=UTCTime)
