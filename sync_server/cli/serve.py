"""`mingcha serve`: the sync server with uvicorn (several workers behind one port)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sync_server.cli.base import app
from sync_server.cli.common import DataDir, database, settings_for


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Run the sync server (upgrades the database first; /docs shows the API)."""
    import uvicorn

    settings = settings_for(data_dir)
    with database(data_dir):
        pass  # schema up to date before any worker starts
    if data_dir:  # workers build their settings from the environment
        os.environ["MINGCHA_DATA_DIR"] = str(data_dir)
    where = settings.database_url.split("@")[-1] if settings.database_url else settings.data_dir
    print(
        f"明察 sync server: http://{host}:{port}/  API: http://{host}:{port}/docs  (data: {where})",
        flush=True,
    )
    uvicorn.run(
        "sync_server.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )
