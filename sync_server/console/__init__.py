"""The supervisor console: a Flet web app served by `mingcha serve` under /console.

It runs in the server process and reads the central database through the server's own
domain modules (review, scheduling, reports) — never over HTTP — with every view scoped to
the signed-in supervisor or admin. `app` is its Flet entry point; `services` its way into
the domain, `shell` what every screen gets, `routes` which screen each route shows,
`screens/` the screens.

The server imports this package whether or not flet-web (and flet-charts, both of the
server extra) is installed — create_app serves the console only when it is — so the Flet
side (flet-web, the console app and its screens) is imported when the console is mounted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from sync_server.console.services import ConsoleServices
from sync_server.templates.catalog import checklist_dir

MOUNT = "/console"


def mount_console(app: FastAPI) -> None:
    """Serve the console under /console (offline assets, no CDN, bundled CJK font).

    The CJK font is the Flutter engine's default font. In no-CDN mode Flet's font manifest
    lists one file as the family "Roboto" (assets/fonts/roboto.woff2, looked up in our
    assets dir before flet-web's own); the engine loads it before the first frame and
    draws with it every character that no font a text names has.
    assets/assets/fonts/roboto.woff2 links to assets/fonts/NotoSansSC-Subset.otf, so that
    default covers Chinese (tests/server/test_console_fonts.py).

    It has to: for ≈ 0.1–0.3 s after Flet sets the page's theme, Flutter lays text out
    without the theme's font (Chinese added 50 ms after the theme still missed it, 300 ms
    after did not). With the real Roboto as default, every page's first screen sent its
    Chinese to Flutter's font fallback, which in no-CDN mode asks the server for Noto Sans
    SC slices it does not have: 5–7 requests per page, all 404, then a relayout of every
    text. Registering the font by name instead (page.fonts) cannot help: that loads it
    only after the session has started, and then clears the engine's font caches and lays
    every text out again. Now a page loads the font once, before it draws anything, and
    asks for no font it does not have (the e2e tests fail a page that does:
    tests/e2e/pages.py fonts_asked_for).
    """
    import flet_web.fastapi as flet_fastapi  # optional: see the module docstring

    from sync_server.console.app import make_console  # Flet and flet-charts

    app.mount(
        MOUNT,
        flet_fastapi.app(
            make_console(ConsoleServices(app.state)),
            assets_dir=str(checklist_dir().parent),  # assets/: fonts/ for Chinese
            no_cdn=True,
            app_name="明察 督察台",
        ),
    )


@asynccontextmanager
async def console_lifespan(app: Any) -> AsyncIterator[None]:
    """Flet's session manager, which a mounted sub-app cannot start by itself."""
    import flet_web.fastapi as flet_fastapi  # optional: see the module docstring

    await flet_fastapi.app_manager.start()
    try:
        yield
    finally:
        await flet_fastapi.app_manager.shutdown()
