"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from fieldcore.protocol import SCHEMA_VERSION
from sync_server import upkeep
from sync_server.api import admin, admin_accounts, auth, downloads, photos, problems, sync
from sync_server.api.limits import BodyLimit
from sync_server.api.proxies import TrustedProxies
from sync_server.console import console_lifespan, mount_console
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.org.scope import ScopeCache
from sync_server.photos.store import PhotoStore
from sync_server.tables import utcnow

DESCRIPTION = """明察 sync server: phones push their offline work as numbered mutations and pull
what changed in their scope; photos travel separately as content-addressed, resumable uploads.
Every error is `{"code", "message", "details"}` with a stable code. See PROTOCOL.md."""


def _flet_web_installed() -> bool:
    return importlib.util.find_spec("flet_web") is not None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Housekeeping now and on a schedule (upkeep.py); start the console's
    session manager when the console is served; keep the start-up heap out of the
    garbage collector's full passes while serving (see `serving_heap`)."""
    with serving_heap():
        async with _serving(app):
            yield


@contextlib.contextmanager
def serving_heap() -> Iterator[None]:
    """Move everything alive at start-up (modules, schemas, mappers: hundreds of thousands of
    objects) to the collector's permanent generation while the app serves.

    A push keeps thousands of new ORM rows alive until it commits, which makes CPython run
    full collections often, and each full pass walked that whole start-up heap: measured as
    about a quarter of the push path's CPU (issue 15). Frozen objects are still freed by
    reference counting; only cycles among them wait until `unfreeze` at shut-down.

    The young generation is also collected less often (SERVING_GC_THRESHOLDS). With
    CPython's default (a pass every 700 new objects) 200 phones pushing at once kept
    the requests in flight — tens of thousands of live objects — under repeated passes:
    18–24 % of the server's CPU in that burst went to the collector (0.44 s a burst, three
    full passes of 0.09–0.16 s each; B3, 2026-12-04), 2–3 % with these thresholds. A
    request's objects are freed by reference counting as it ends; the collector only
    finds cycles, which now wait a little longer (at most ≈ 20,000 new objects).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# (young, middle, old): a young pass every 20,000 new container objects instead of 700,
# a middle pass every 20 young ones, a full pass every 20 middle ones (see serving_heap)
SERVING_GC_THRESHOLDS = (20_000, 20, 20)


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    await upkeep.purge_once(state.engine, state.photos, state.settings, state.clock())
    task = asyncio.create_task(
        upkeep.purge_forever(state.engine, state.photos, state.settings, state.clock)
    )
    try:
        if state.console_enabled:
            async with console_lifespan(app):
                yield
        else:
            yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    settings = settings or Settings()
    console = settings.console and _flet_web_installed()
    app = FastAPI(
        lifespan=lifespan,
        title="明察 Mingcha sync server",
        version=f"schema {SCHEMA_VERSION}",
        description=DESCRIPTION,
    )
    app.state.settings = settings
    app.state.console_enabled = console
    app.state.engine = make_engine(settings)
    app.state.clock = clock
    app.state.scopes = ScopeCache()  # per app: per database (api/deps.current_actor)
    problems.install(app)
    app.state.photos = PhotoStore.from_settings(settings)
    app.include_router(auth.router)
    app.include_router(sync.router)
    app.include_router(photos.router)
    app.include_router(downloads.router)
    app.include_router(admin.router)
    app.include_router(admin_accounts.router)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str | int]:
        """Liveness probe for load balancers (with the answering worker's process id)."""
        return {"status": "ok", "pid": os.getpid()}

    if console:
        mount_console(app)  # last: its catch-all static files must not shadow the API
    problems.document_problems(app)
    app.add_middleware(BodyLimit, settings=settings)
    # outermost: everything inside, the sign-in throttle too, sees the real client address
    app.add_middleware(TrustedProxies, settings=settings)
    return app
