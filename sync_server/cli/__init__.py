"""`mingcha`: the one command-line entry point (score, templates, demo; later serve, app, bench)."""

from __future__ import annotations

from sync_server.cli import bench, demo, score, templates  # noqa: F401  (each module adds its commands)
from sync_server.cli.base import app


def main() -> None:
    app()
