"""Alembic environment: migrates ServerModel.metadata on the engine given by the caller.

Run through `mingcha db upgrade` (sync_server/core/dbinit.py builds the Alembic config in code,
so the repository needs no alembic.ini).
"""

from __future__ import annotations

from alembic import context

from sync_server.tables import ServerModel

config = context.config
target_metadata = ServerModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
