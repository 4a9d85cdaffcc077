"""Housekeeping the server runs by itself, once at start-up, then every
`upload_purge_interval` seconds: purge abandoned uploads (upload_space.purge) and forget
sign-in attempts too old to count (login_throttle.forget_old).

Each uvicorn worker runs this loop in its own process; `upload_space.purge` lets one of
them work at a time and the rest skip that round, so N workers cost one purge, not N.
A failing round is logged and the loop goes on: housekeeping never stops the server.
No web framework in here: the app's lifespan (main.py) starts and cancels the task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import sqlalchemy as sa

from sync_server.core.config import Settings
from sync_server.org import login_throttle
from sync_server.photos import upload_space
from sync_server.photos.store import PhotoStore

log = logging.getLogger("mingcha.server")
Sleep = Callable[[float], Awaitable[None]]


async def purge_once(
    engine: sa.Engine, store: PhotoStore, settings: Settings, now: datetime
) -> None:
    """One round in worker threads (they touch the database and the disk); each chore
    fails alone."""
    try:
        done = await asyncio.to_thread(upload_space.purge, engine, store, now)
    except Exception:  # a broken round must not end the loop or the server
        log.exception("purging abandoned uploads failed")
    else:
        if done.expired or done.orphans:
            log.info("purged %d expired uploads, %d orphan temp files", done.expired, done.orphans)
    try:
        forgotten = await asyncio.to_thread(login_throttle.forget_old, engine, settings, now)
    except Exception:
        log.exception("forgetting old sign-in attempts failed")
    else:
        if forgotten:
            log.info("forgot %d old sign-in attempts", forgotten)


async def purge_forever(
    engine: sa.Engine,
    store: PhotoStore,
    settings: Settings,
    clock: Callable[[], datetime],
    sleep: Sleep = asyncio.sleep,
) -> None:
    """A round every `upload_purge_interval` seconds until cancelled (the first one after
    a sleep: the lifespan has just run one at start-up)."""
    while True:
        await sleep(settings.upload_purge_interval)
        await purge_once(engine, store, settings, clock())
