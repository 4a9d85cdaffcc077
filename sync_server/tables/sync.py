"""Sync bookkeeping: the change feed, SQLite's seq counter, idempotency, conflicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from sync_server.tables.base import ServerModel, UTCDateTime, utcnow


class ChangeLog(ServerModel, table=True):
    """One row per synced entity; its seq is bumped on every change (like a changes feed).

    The audience columns let a pull filter by scope without loading rows: `site_id` for
    site-bound data, `owner_id` for an inspector's own visits or a task's assignee,
    `published` (site managers see only published results) and `covert` (暗访 tasks).
    `device_id` names the device whose pushes alone made every change of the row so far
    (None once anything else changed it: the server's effects, the console, another
    device); pull does not send such a row back to that device, which has it already.
    """

    __tablename__ = "change_log"

    entity: str = Field(primary_key=True, max_length=20)
    entity_id: str = Field(primary_key=True, max_length=80)
    seq: int = Field(sa_type=sa.BigInteger, unique=True, index=True)
    site_id: uuid.UUID | None = Field(default=None, index=True)
    owner_id: uuid.UUID | None = Field(default=None, index=True)
    published: bool = False
    covert: bool = False
    deleted: bool = False
    device_id: uuid.UUID | None = None


class SyncCounter(ServerModel, table=True):
    """SQLite's source of seqs (its one writer keeps them in commit order). PostgreSQL
    draws them from the sequence `change_seq` instead (core/seqs.py); the row stays, unused
    there, and gives that sequence its start on upgrade."""

    __tablename__ = "sync_counter"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class ServerMeta(ServerModel, table=True):
    __tablename__ = "server_meta"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class PushResultRow(ServerModel, table=True):
    """The stored answers to one push's new mutations, seqs `first_seq`..`last_seq` of a
    device: a resend gets exactly the same results (sync/merge/results.py).

    One row per push, not per mutation: `results[i]` answers seq `first_seq + i`, an
    applied one as its entity seq (a number, or null when it changed nothing), any other as
    the object `{status, code, message, details, entity_seq}`.
    """

    __tablename__ = "push_result"

    device_id: uuid.UUID = Field(primary_key=True)
    first_seq: int = Field(primary_key=True, sa_type=sa.BigInteger)
    last_seq: int = Field(sa_type=sa.BigInteger)
    results: list[Any] = Field(sa_type=sa.JSON)
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConflictLog(ServerModel, table=True):
    """A value overwritten by a concurrent edit (per-field last-arrival-wins), kept for audit."""

    __tablename__ = "conflict_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    entity: str = Field(max_length=20)
    entity_id: str = Field(max_length=80, index=True)
    visit_id: uuid.UUID | None = Field(default=None, index=True)
    field: str = Field(max_length=40)
    overwritten_value: Any = Field(default=None, sa_type=sa.JSON)
    overwritten_seq: int = Field(sa_type=sa.BigInteger)
    winning_value: Any = Field(default=None, sa_type=sa.JSON)
    base_seq: int = Field(sa_type=sa.BigInteger)
    seq: int = Field(sa_type=sa.BigInteger)
    device_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
