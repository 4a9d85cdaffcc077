"""`mingcha COMMAND` imports only COMMAND's module: the map must name every command."""

from __future__ import annotations

import subprocess
import sys

import typer.main

import sync_server.cli as cli


def test_every_top_level_command_is_in_the_lazy_map() -> None:
    group = typer.main.get_group(cli.load())
    assert set(group.commands) == set(cli.COMMAND_MODULES)


def test_the_phone_app_command_does_not_import_the_server() -> None:
    probe = (
        "import sys; sys.argv = ['mingcha', 'app', '--help']\n"
        "import sync_server.cli as c\n"
        "try:\n    c.main()\nexcept SystemExit:\n    pass\n"
        "print('sync_server.main' in sys.modules, 'sync_server.cli.serve' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "Serve the inspector app" in out
    assert out.strip().splitlines()[-1] == "False False"
