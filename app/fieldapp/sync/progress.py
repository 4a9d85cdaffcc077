"""What a sync reports while it runs (SyncProgress) and when it ends (SyncReport): plain
data shared by the engine and its upload and download steps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fieldapp.sync.errors import SyncError


@dataclass
class SyncProgress:
    phase: str = "idle"  # push | upload | pull | download | done
    records_done: int = 0
    records_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    uploaded_bytes: int = 0
    photos_uploaded: int = 0
    pulled: int = 0
    photos_downloaded: int = 0
    downloaded_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    # an error that stops one phase but not the sync (upload.quota_exceeded): raised once
    # the pull and downloads are done, so the phone still learns what changed
    held_back: SyncError | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class Shown:
    """The one progress a sync shows while its records and its photo bytes move at once:
    the records' steps (push, pull, download) report on `records`, the photo uploads on
    `photos`, each from its own thread. Shown is the push while records go up, then the
    upload while bytes are on their way (the pull runs meanwhile, unseen: it is short),
    then the records' step again; the listener is called from one thread at a time."""

    def __init__(self, notify: Callable[[SyncProgress], None]) -> None:
        self.records, self.photos = SyncProgress(), SyncProgress()
        self._notify = notify
        self._lock = threading.Lock()

    def show(self, _changed: SyncProgress | None = None) -> None:
        with self._lock:
            self._notify(self.view())

    def view(self) -> SyncProgress:
        r, p = self.records, self.photos
        if p.phase == "upload" and r.phase != "push":
            bytes_moved = {"bytes_done": p.bytes_done, "bytes_total": p.bytes_total}
            return SyncProgress("upload", r.records_done, r.records_total, **bytes_moved)
        return SyncProgress(**vars(r))
