"""`mingcha db …`: create or upgrade the central database (Alembic)."""

from __future__ import annotations

import typer

from sync_server.cli.base import app
from sync_server.cli.common import DataDir, database
from sync_server.core import dbinit

db_app = typer.Typer(help="The central database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(data_dir: DataDir = None) -> None:
    """Create the database or bring it to the newest schema."""
    with database(data_dir) as engine:
        print(f"schema at {dbinit.current_revision(engine)} ({engine.url.render_as_string()})")


@db_app.command("current")
def current(data_dir: DataDir = None) -> None:
    """Show the schema revision of the database."""
    from sync_server.cli.common import settings_for
    from sync_server.core.db import make_engine

    engine = make_engine(settings_for(data_dir))
    try:
        print(dbinit.current_revision(engine) or "empty (run: mingcha db upgrade)")
    finally:
        engine.dispose()
