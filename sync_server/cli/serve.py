"""`mingcha serve`: the sync server with uvicorn (several workers behind one port)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sync_server.cli.base import app
from sync_server.cli.common import DataDir, database, settings_for
from sync_server.core.config import Settings

# How long an idle keep-alive connection stays open. It must outlast the clients' own idle
# expiry (httpx, which the phone app uses, drops idle connections after 5 s): if the server
# closes first, a request sent at that moment meets a closing socket and fails with
# "server disconnected" (client.offline on the phone; reproduced by pushing on connections
# idle for about 5 s). uvicorn's default is exactly 5 s.
KEEP_ALIVE_SECONDS = 75


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    data_dir: DataDir = None,
    keep_alive: Annotated[
        int, typer.Option(min=1, help="Seconds an idle connection is kept (> clients' 5 s).")
    ] = KEEP_ALIVE_SECONDS,
) -> None:
    """Run the sync server (upgrades the database first; /docs shows the API)."""
    import uvicorn

    settings = settings_for(data_dir)
    with database(data_dir):
        pass  # schema up to date before any worker starts
    photos = blob_store_reachable(settings)
    if data_dir:  # workers build their settings from the environment
        os.environ["MINGCHA_DATA_DIR"] = str(data_dir)
    where = settings.database_url.split("@")[-1] if settings.database_url else settings.data_dir
    print(
        f"明察 sync server: http://{host}:{port}/  API: http://{host}:{port}/docs  (data: {where})",
        flush=True,
    )
    print(f"photos: {photos}", flush=True)
    if settings.forwarded_allow_ips:
        print(f"client addresses from X-Forwarded-For of: {settings.forwarded_allow_ips}")
    uvicorn.run(
        "sync_server.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # The app applies MINGCHA_FORWARDED_ALLOW_IPS itself (sync_server/api/proxies.py), for
        # HTTP and the console's WebSocket alike; uvicorn's own rewrite would trust
        # 127.0.0.1 (or $FORWARDED_ALLOW_IPS) by default, so it stays off.
        proxy_headers=False,
        timeout_keep_alive=keep_alive,
    )


def blob_store_reachable(settings: Settings) -> str:
    """Where photos are kept; an object store that cannot be reached stops the start (a
    host that takes uploads it cannot store would answer 503 to every phone)."""
    from sync_server.photos.backends import S3Blobs, backend_for

    blobs = backend_for(settings)
    if isinstance(blobs, S3Blobs):
        try:
            blobs.check_bucket()
        except RuntimeError as exc:
            typer.echo(f"{exc}", err=True)
            raise typer.Exit(code=1) from None
    return blobs.describe()
