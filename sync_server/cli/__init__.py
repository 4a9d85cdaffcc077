"""`mingcha`: the one command-line entry point (score, templates, demo, app, bench, …)."""

from __future__ import annotations

# each module adds its commands to the Typer app when imported
import sync_server.cli.bench
import sync_server.cli.demo
import sync_server.cli.phone
import sync_server.cli.score
import sync_server.cli.templates  # noqa: F401
from sync_server.cli.base import app


def main() -> None:
    app()
