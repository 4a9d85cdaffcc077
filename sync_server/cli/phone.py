"""`mingcha app`: the inspector app in web mode on this machine (the Python side and its
SQLite stay local, exactly as on a phone)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync_server.cli.base import app


@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8550,
    server: Annotated[str, typer.Option(help="Sync server URL (prefilled at sign-in).")] = "",
    data_dir: Annotated[Path | None, typer.Option(help="The app's local data.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the inspector app in web mode (offline assets, no CDN)."""
    import flet as ft

    from fieldapp.config import AppConfig
    from fieldapp.ui.app import make_main

    config = AppConfig.from_env(str(data_dir) if data_dir else None, server or None)
    print(f"明察 app: http://{host}:{port}/  (data: {config.data_dir})", flush=True)
    ft.run(
        make_main(config),
        view=ft.AppView.WEB_BROWSER,
        host=host,
        port=port,
        no_cdn=True,
        assets_dir=str(config.assets_dir),
    )
