"""Wire schemas of the sync protocol (push, pull, login), shared by phone and server.

Documented in sync_server/PROTOCOL.md. Every /v1 request states its schema version in the
`Mingcha-Schema` header; the server serves a window of versions and answers others with
426 and problem `sync.schema_unsupported`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from fieldcore.bounds import INT64_MAX, StorableText
from fieldcore.workflow import Role

SCHEMA_VERSION = 1
SCHEMA_HEADER = "Mingcha-Schema"
MAX_MUTATIONS_PER_PUSH = 1000  # hard protocol limit; servers may set a lower one
Entity = Literal["visit", "finding", "photo", "rectification"]
Op = Literal["upsert", "delete"]
MutationStatus = Literal["applied", "rejected"]
MUTATION_STATUSES: tuple[MutationStatus, ...] = get_args(MutationStatus)
PulledEntity = Literal[
    "template",
    "site",
    "subject",
    "visit_task",
    "visit",
    "finding",
    "photo",
    "rectification",
]
PULLED_ENTITIES: tuple[PulledEntity, ...] = get_args(PulledEntity)


class _Wire(BaseModel):
    """What a client sends: a key the server does not know is a mistake, refused."""

    model_config = ConfigDict(extra="forbid")


class _Answer(BaseModel):
    """What the server answers: a phone ignores keys it does not know, so a server may add
    fields to an answer without breaking the phones already in the field."""

    model_config = ConfigDict(extra="ignore")


class Mutation(_Wire):
    """One local change, numbered per device; applied exactly once by the server."""

    seq: Annotated[
        int, Field(ge=1, le=INT64_MAX, description="Per-device mutation number, 1, 2, 3 …")
    ]
    entity: Entity
    id: uuid.UUID
    op: Op = "upsert"
    # Any JSON here: each value is checked against the entity's record (fieldcore/records.py)
    # when the mutation is applied, so a bad value is that mutation's rejection, consumed,
    # not a refusal of the whole push that would block the phone's queue.
    fields: dict[str, Any] = Field(default_factory=dict)
    base_seq: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Per field: the server seq of the value this edit was based on "
        "(0 when the device never saw one). Used to log overwritten concurrent edits.",
    )


class PushRequest(_Wire):
    mutations: list[Mutation] = Field(max_length=MAX_MUTATIONS_PER_PUSH)


class MutationResult(_Answer):
    seq: int
    status: MutationStatus
    code: str | None = Field(None, description="Problem code of a rejection")
    message: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    entity_seq: int | None = Field(None, description="The row's server seq after this change")


class PushResponse(_Answer):
    last_mutation_seq: int = Field(description="Highest mutation seq applied for this device")
    results: list[MutationResult]
    server_time: datetime


class Change(_Answer):
    entity: PulledEntity
    id: str
    seq: int
    deleted: bool = False
    data: dict[str, Any] | None = Field(None, description="The row; None for a tombstone")


class PullResponse(_Answer):
    changes: list[Change]
    next_cursor: int
    has_more: bool
    reset: bool = Field(
        False,
        description="The client must drop what it pulled before (keeping its unpushed "
        "edits) and apply this page as the start of a fresh download: the cursor was too "
        "old, the caller's scope changed or the server database was replaced.",
    )
    epoch: str = Field(description="Send back as `epoch` on the next pull")
    server_time: datetime


class LoginRequest(_Wire):
    username: Annotated[str, StorableText(64, min_length=1)]
    password: Annotated[str, StorableText(256, min_length=1)]
    device_id: uuid.UUID
    device_name: Annotated[str, StorableText(120)] = ""


class UserInfo(_Answer):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role


class LoginResponse(_Answer):
    token: str
    expires_at: datetime
    device_id: uuid.UUID
    last_mutation_seq: int = Field(description="Resume the outbox after this seq")
    user: UserInfo
    server_time: datetime
    schema_versions: tuple[int, int]


# ---- photos (PROTOCOL.md, Photos): the answers the phone reads ---------------------------
SHA256_HEX = r"^[0-9a-f]{64}$"


class MissingResponse(_Answer):
    missing: list[str] = Field(
        description="To upload: not here yet, or (for your own photos) not uploaded by you; "
        "bytes someone else uploaded are never readable through your own photo row"
    )
    present: list[str] = Field(
        description="Readable by you: uploaded by you, or by the author of a photo you may see"
    )
    unknown: list[str] = Field(description="Not referenced by any photo you may see")
    partial: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Of `missing`: bytes already in from your unfinished uploads (resume there)",
    )


class PartResult(_Answer):
    sha256: str
    status: Literal["stored", "present", "failed"]
    code: str | None = Field(None, description="Why a part failed (a problem code); null if not")
    message: str | None = Field(None, description="The failure in words; null if not failed")
    details: dict[str, Any] = Field(default_factory=dict)


class PackResponse(_Answer):
    results: list[PartResult] = Field(description="One per part, in the pack's order")


class UploadInfo(_Answer):
    id: uuid.UUID
    sha256: Annotated[str, Field(pattern=SHA256_HEX)]
    offset: Annotated[int, Field(ge=0)]
    length: Annotated[int, Field(ge=1)]
    expires_at: str
    complete: bool


class ProblemAnswer(BaseModel):
    """An error answer as a client reads it (`{code, message, details}`); extra keys are
    ignored so a server may add some."""

    code: Annotated[str, Field(min_length=1, max_length=200)]
    message: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
