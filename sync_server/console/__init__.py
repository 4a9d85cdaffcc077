"""The supervisor console: a Flet web app served by `mingcha serve` under /console.

It runs in the server process and reads the central database through the server's own
services (review, scheduling, reports) — never over HTTP — with every view scoped to the
signed-in supervisor or admin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

MOUNT = "/console"


def mount_console(app: FastAPI) -> None:
    """Serve the console under /console (offline assets, no CDN, bundled CJK font)."""
    import flet_web.fastapi as flet_fastapi

    from sync_server.console.app import make_console
    from sync_server.templates.catalog import checklist_dir

    app.mount(
        MOUNT,
        flet_fastapi.app(
            make_console(app.state),
            assets_dir=str(checklist_dir().parent),  # assets/: fonts/ for Chinese
            no_cdn=True,
            app_name="明察 督察台",
        ),
    )


@asynccontextmanager
async def console_lifespan(app: Any) -> AsyncIterator[None]:
    """Flet's session manager, which a mounted sub-app cannot start by itself."""
    import flet_web.fastapi as flet_fastapi

    await flet_fastapi.app_manager.start()
    try:
        yield
    finally:
        await flet_fastapi.app_manager.shutdown()
