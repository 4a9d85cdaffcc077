"""What a sync reports while it runs (SyncProgress) and when it ends (SyncReport): plain
data shared by the engine and its upload and download steps."""

from __future__ import annotations

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
