"""What all sessions of one app process share: the store and the background sync.

A phone has one session; in web mode every browser tab is a session of the same process
and data directory, so they must not each open a store or run a sync loop. The app makes
one `AppServices` per process; tests make their own, with their own `connect` (a client
bound to an in-process server) and without the automatic sync loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from fieldapp.config import AppConfig
from fieldapp.photos import clean_orphans
from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.downloads import Media
from fieldapp.sync.runner import SyncRunner

ClientFactory = Callable[[str, str], SyncClient]  # (server url, token) → client


class AppServices:
    def __init__(
        self, config: AppConfig, connect: ClientFactory = SyncClient, auto_sync: bool = True
    ) -> None:
        self.config = config
        self.connect = connect
        self.auto_sync = auto_sync  # sync in the background, with backoff (off: on demand)
        self._store: Store | None = None
        self._sync: SyncRunner | None = None
        self._loop: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        """Open the store and start the sync, once (the first session does it)."""
        async with self._starting:
            if self._store is not None:
                return
            store = await asyncio.to_thread(Store, self.config.db_path)
            # photo files a crash left without a row go before anything else runs
            await asyncio.to_thread(clean_orphans, self.config.blob_dir, store.known_photo_hashes())
            media = Media(self.config.blob_dir, self.config.thumb_dir)
            self._sync = SyncRunner(store, self.signed_in_client, media)
            self._store = store
            if self.auto_sync:
                self._loop = asyncio.get_running_loop().create_task(self._sync.run_forever())

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("AppServices.start() has not run")
        return self._store

    @property
    def sync(self) -> SyncRunner:
        if self._sync is None:
            raise RuntimeError("AppServices.start() has not run")
        return self._sync

    def signed_in_client(self) -> SyncClient | None:
        """A client for the signed-in account, or None when nobody is signed in."""
        identity = self._store.identity() if self._store else None
        if not identity or not identity.get("token"):
            return None
        return self.connect(identity["server"], identity["token"])

    async def close(self) -> None:
        """Stop the sync loop and close the store (end of the process, or of a test)."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        if self._store is not None:
            self._store.close()
            self._store = self._sync = None
