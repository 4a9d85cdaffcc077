"""Run syncs in the background of the UI: on demand, and automatically with backoff.

The engine is blocking (SQLite, httpx); it runs in a worker thread while the event loop
keeps the UI alive. Progress is handed back to the loop thread-safely, and listeners (the
sync badge, the sync screen) are told of every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.downloads import Media, fetch_photo
from fieldapp.sync.engine import SyncProgress, SyncReport, run_sync
from fieldapp.sync.errors import AuthExpired, SyncError

Listener = Callable[["SyncState"], None]


@dataclass
class SyncState:
    running: bool = False
    progress: SyncProgress = field(default_factory=SyncProgress)
    last_report: SyncReport | None = None
    error_code: str = ""
    error_message: str = ""
    needs_login: bool = False


class SyncRunner:
    def __init__(
        self,
        store: Store,
        make_client: Callable[[], SyncClient | None],
        media: Media | None = None,
    ) -> None:
        self.store = store
        self.make_client = make_client
        self.media = media  # where downloaded photos go (None: beside the database)
        self.state = SyncState()
        self.listeners: list[Listener] = []
        self._wake = asyncio.Event()
        self._failures = 0

    def notify(self) -> None:
        for listener in list(self.listeners):
            try:
                listener(self.state)
            except Exception:  # a gone screen must not stop the sync
                self.listeners.remove(listener)

    async def sync_now(self) -> SyncReport | None:
        """One sync, unless one is already running; errors end up in `state`."""
        if self.state.running:
            return None
        client = self.make_client()
        if client is None:
            self.state.needs_login = True
            self.notify()
            return None
        loop = asyncio.get_running_loop()
        self.state.running, self.state.error_code = True, ""
        self.notify()

        def progress(p: SyncProgress) -> None:
            snapshot = SyncProgress(**vars(p))
            loop.call_soon_threadsafe(self._on_progress, snapshot)

        try:
            report = await asyncio.to_thread(run_sync, self.store, client, progress, self.media)
            self.state.last_report, self._failures = report, 0
            return report
        except SyncError as exc:
            self._failures += 1
            self.state.error_code, self.state.error_message = exc.code, exc.message
            self.state.needs_login = isinstance(exc, AuthExpired)
            return None
        finally:
            await asyncio.to_thread(client.close)
            self.state.running = False
            self.notify()

    async def fetch_photo(self, sha256: str) -> bool:
        """One photo's bytes now, on request (not part of a sync); False when signed out.

        Raises:
            SyncError: offline, refused or corrupt (the caller shows why).
        """
        client = self.make_client()
        if client is None:
            return False
        media = self.media or Media.beside(self.store)
        try:
            return await asyncio.to_thread(fetch_photo, self.store, client, media, sha256)
        finally:
            await asyncio.to_thread(client.close)

    def _on_progress(self, p: SyncProgress) -> None:
        self.state.progress = p
        self.notify()

    def poke(self) -> None:
        """Something changed locally: sync soon."""
        self._wake.set()

    def next_delay(self) -> float:
        """30 s when healthy; after failures 2, 4, 8 … up to 300 s, with ±25 % jitter."""
        base = 30.0 if not self._failures else min(300.0, 2.0**self._failures)
        return base * random.uniform(0.75, 1.25)

    async def run_forever(self) -> None:
        """The automatic loop: sync when there is work, back off while offline."""
        while True:
            with contextlib.suppress(TimeoutError):  # woken early by poke(), or on schedule
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
            self._wake.clear()
            if not self.state.needs_login:
                await self.sync_now()
