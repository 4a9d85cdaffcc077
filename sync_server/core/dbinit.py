"""Create or upgrade the central database (Alembic) and seed its bookkeeping rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.tables import ServerMeta, SyncCounter

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, then make sure the counter, epoch and
    scope version rows exist."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    with Session(engine) as session, session.begin():
        if session.get(SyncCounter, 1) is None:
            session.add(SyncCounter(id=1, value=0))
        if session.get(ServerMeta, "epoch") is None:
            session.add(ServerMeta(key="epoch", value=uuid.uuid4().hex))
        if session.get(ServerMeta, "scope_version") is None:  # bumped by triggers (0012)
            session.add(ServerMeta(key="scope_version", value="1"))


def head_revision() -> str:
    """The revision the migrations end at (one head: a branched history is an error)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def upgraded_database(settings: Settings) -> Iterator[sa.Engine]:
    """The central database of `settings`, upgraded to the current schema first (the
    operator commands and the benchmarks' servers open it so)."""
    engine = make_engine(settings)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
