"""`mingcha`: the one command-line entry point (serve, app, demo, score, bench, admin…).

Each command module adds its commands to the Typer app (`cli.base.app`) when imported.
`mingcha COMMAND` imports only the module that defines COMMAND: every module imported costs
start-up time (the server CLI's imports are ≈ 1.6 s of CPU that `mingcha app`, the phone,
never uses). `mingcha --help`, an unknown command, and `from sync_server.cli import app`
(tests, in process) load them all.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

# top-level command or group name → the module under sync_server.cli that defines it
COMMAND_MODULES = {
    "app": "phone",
    "bench": "bench",
    "db": "db",
    "demo": "demo",
    "export": "export",
    "regions": "org",
    "score": "score",
    "serve": "serve",
    "sites": "org",
    "tasks": "tasks",
    "templates": "templates",
    "user": "users",
}


def load(*modules: str) -> Any:
    """Import the given command modules (all when none are named); return the Typer app."""
    for module in modules or sorted(set(COMMAND_MODULES.values())):
        import_module(f"sync_server.cli.{module}")
    from sync_server.cli.base import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole CLI, as tests drive it through Typer's CliRunner
        return load()
    raise AttributeError(name)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    module = COMMAND_MODULES.get(command)
    app = load(module) if module else load()
    app()
