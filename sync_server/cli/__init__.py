"""`mingcha`: the one command-line entry point (serve, app, demo, score, bench, admin…)."""

from __future__ import annotations

# each module adds its commands to the Typer app when imported
import sync_server.cli.bench
import sync_server.cli.db
import sync_server.cli.demo
import sync_server.cli.export
import sync_server.cli.org
import sync_server.cli.phone
import sync_server.cli.score
import sync_server.cli.serve
import sync_server.cli.tasks
import sync_server.cli.templates
import sync_server.cli.users  # noqa: F401
from sync_server.cli.base import app


def main() -> None:
    app()
