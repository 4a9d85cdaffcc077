"""Typed values of the fields a client may write through sync, one model per entity.

The phone builds mutations from these; the server validates every pushed `fields` object
with them before anything is applied. Which role may write which field is in workflow.py.
Every value that validates is storable on SQLite and PostgreSQL (fieldcore/bounds.py).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fieldcore.annotation import MarksJson, PhotoKind
from fieldcore.bounds import INT32_MAX, RecordDate, StorableText, UtcTime
from fieldcore.checklist import Mode
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import RectificationStatus, VisitStatus

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Note = Annotated[str, StorableText(4000)]
Name = Annotated[str, StorableText(120)]
Caption = Annotated[str, StorableText(500)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
TemplateKey = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*\.v[1-9][0-9]*$")]
ItemCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$", max_length=40)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class VisitFields(_Fields):
    site_id: uuid.UUID | None = None
    template_key: TemplateKey | None = None
    mode: Mode | None = None
    kind: Literal["routine", "surprise"] | None = None  # 例行 / 突击
    task_id: uuid.UUID | None = None
    started_at: UtcTime | None = None
    finished_at: UtcTime | None = None
    note: Note | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    ack_name: Name | None = None
    ack_signature_sha256: Sha256 | None = None
    ack_at: UtcTime | None = None
    ack_refused: bool | None = None
    status: VisitStatus | None = None
    return_comment: Note | None = None
    void_reason: Note | None = None


class FindingFields(_Fields):
    visit_id: uuid.UUID | None = None
    item_code: ItemCode | None = None
    result: Literal["pass", "fail", "na"] | None = None
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    value: (
        Annotated[Decimal, Field(allow_inf_nan=False, max_digits=14, decimal_places=4)] | None
    ) = None
    note: Note | None = None
    subject_id: uuid.UUID | None = None
    review_comment: Note | None = None


class PhotoFields(_Fields):
    visit_id: uuid.UUID | None = None
    finding_id: uuid.UUID | None = None
    rectification_id: uuid.UUID | None = None
    sha256: Sha256 | None = None
    byte_size: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None
    mime: Literal["image/jpeg"] | None = None
    width: Annotated[int, Field(ge=1, le=20_000)] | None = None
    height: Annotated[int, Field(ge=1, le=20_000)] | None = None
    captured_at: UtcTime | None = None
    clock_offset_ms: (
        Annotated[int, Field(ge=-10 * 365 * 86_400_000, le=10 * 365 * 86_400_000)] | None
    ) = None
    lat: Lat | None = None
    lon: Lon | None = None
    caption: Caption | None = None
    source: Literal["camera", "gallery"] | None = None  # fieldcore/evidence.py
    exif_taken_at: UtcTime | None = None  # the camera's DateTimeOriginal, as UTC
    # marked-up evidence: a derived copy naming the original it marks (fieldcore/annotation)
    kind: PhotoKind | None = None
    annotates_id: uuid.UUID | None = None
    annotates_sha256: Sha256 | None = None
    marks: MarksJson | None = None


class RectificationFields(_Fields):
    due_date: RecordDate | None = None
    instructions: Note | None = None
    verify_comment: Note | None = None
    status: RectificationStatus | None = None
    response_note: Note | None = None


RECORDS: dict[str, type[_Fields]] = {
    "visit": VisitFields,
    "finding": FindingFields,
    "photo": PhotoFields,
    "rectification": RectificationFields,
}


def parse_fields(
    entity: str, fields: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed values of the given fields, or the (field, problem) list of what is wrong."""
    try:
        model = RECORDS[entity].model_validate(fields)
    except ValidationError as exc:
        return {}, [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
    parsed = model.__dict__  # a model's field values (getattr per name costs more)
    return {name: parsed[name] for name in fields}, []


def checked_values(entity: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Typed values of a change's fields as they travel (`wire_value`), or the refusal
    both sides give: the server for every pushed mutation, the phone before it queues one.

    Raises:
        DomainError(sync.invalid_value): `details.field` (the first bad field) and
            `details.problems` (`[{"field", "message"}]`, every bad field).
    """
    values, problems = parse_fields(entity, fields)
    if problems:
        name, msg = problems[0]
        raise DomainError(
            ProblemCode.SYNC_INVALID_VALUE,
            f"{name}: {msg}",
            field=name,
            problems=[{"field": f, "message": p} for f, p in problems],
        )
    return values


def wire_value(value: object) -> object:
    """A field's value as a mutation carries it (JSON): ids and times as ISO text, decimals
    as exact text (never a float). `parse_fields` reads each back to the value it was."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
