"""The server's own SQLModel registry and column helpers (the phone has a separate one)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ServerModel(SQLModel, registry=registry()):
    """Base of every central-database table; `ServerModel.metadata` is what Alembic manages."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite (which forgets the zone) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def when(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def json_col(default: Any = None) -> Any:
    factory = (lambda: dict(default)) if isinstance(default, dict) else None
    kw: dict[str, Any] = {"sa_type": sa.JSON}
    if factory is not None:
        kw["default_factory"] = factory
    else:
        kw["default"] = default
    return Field(**kw)


class Synced(ServerModel):
    """Columns of rows written through sync: per-field seq and writer, and a tombstone.

    `field_seq[f]` is the seq of the last accepted write to field f and `field_by[f]` the
    device that wrote it; together they detect (and log) a concurrent overwrite.
    """

    seq: int = Field(default=0, sa_type=sa.BigInteger, description="Seq of the last change")
    field_seq: dict[str, int] = json_col({})
    field_by: dict[str, str] = json_col({})
    deleted_at: datetime | None = when()
