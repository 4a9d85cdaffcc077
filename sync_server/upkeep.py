"""Housekeeping the server runs by itself: purge abandoned uploads (upload_space.purge)
once at start-up, then every `upload_purge_interval` seconds.

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

from sync_server import upload_space
from sync_server.photostore import PhotoStore

log = logging.getLogger("mingcha.server")
Sleep = Callable[[float], Awaitable[None]]


async def purge_once(engine: sa.Engine, store: PhotoStore, now: datetime) -> None:
    """One purge in a worker thread (it touches the database and the disk)."""
    try:
        done = await asyncio.to_thread(upload_space.purge, engine, store, now)
    except Exception:  # a broken round must not end the loop or the server
        log.exception("purging abandoned uploads failed")
        return
    if done.expired or done.orphans:
        log.info("purged %d expired uploads, %d orphan temp files", done.expired, done.orphans)


async def purge_forever(
    engine: sa.Engine,
    store: PhotoStore,
    clock: Callable[[], datetime],
    interval: float,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Purge every `interval` seconds until cancelled (the first one after a sleep: the
    lifespan has just purged at start-up)."""
    while True:
        await sleep(interval)
        await purge_once(engine, store, clock())
