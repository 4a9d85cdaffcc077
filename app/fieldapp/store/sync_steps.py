"""The store as the sync engine sees it: the outbox, photo uploads and downloads, the pull
cursor and the clock offset. The screens' intents are on `Store` (fieldapp.store)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, func, select

from fieldapp.store import evidence, syncstate
from fieldapp.store.core import StoreCore
from fieldapp.store.db import transaction
from fieldapp.store.tables import LocalBlob, Outbox
from fieldcore.protocol import MutationResult, PullResponse


class SyncSteps(StoreCore):
    def pending_count(self) -> int:
        with transaction(self.engine) as s:
            return s.exec(
                select(func.count()).select_from(Outbox).where(Outbox.state == "pending")
            ).one()

    def pending_batch(self, limit: int) -> list[Outbox]:
        with transaction(self.engine) as s:
            return syncstate.pending_batch(s, limit)

    def apply_results(self, results: list[MutationResult]) -> int:
        return self._tx(lambda s, now: syncstate.apply_results(s, results, now))

    def requeue_from(self, seq: int) -> None:
        """Mark acknowledged changes from `seq` on as pending again (see the engine)."""
        with transaction(self.engine) as s:
            for entry in s.exec(
                select(Outbox).where(
                    col(Outbox.seq) >= seq,
                    Outbox.state == "acked",
                )
            ).all():
                entry.state = "pending"
                s.add(entry)

    def blobs_to_upload(self) -> list[syncstate.BlobJob]:
        with transaction(self.engine) as s:
            return syncstate.blobs_to_upload(s)

    def blob_progress(self, sha256: str, upload_id: str, offset: int) -> None:
        with transaction(self.engine) as s:
            blob = s.get(LocalBlob, sha256)
            if blob is not None:
                blob.state, blob.upload_url, blob.offset = "uploading", upload_id, offset
                s.add(blob)

    def blob_failed(self, sha256: str, error: str) -> None:
        """The server refused these bytes for good; keep the file, show why."""
        with transaction(self.engine) as s:
            blob = s.get(LocalBlob, sha256)
            if blob is not None:
                blob.state, blob.error = "failed", error
                s.add(blob)

    def blob_uploaded(self, sha256: str) -> None:
        with transaction(self.engine) as s:
            syncstate.blob_uploaded(s, sha256)

    def downloads_wanted(self) -> list[evidence.DownloadJob]:
        with transaction(self.engine) as s:
            return evidence.wanted(s)

    def download_job(self, sha256: str) -> evidence.DownloadJob | None:
        with transaction(self.engine) as s:
            return evidence.job_for(s, sha256)

    def blob_downloaded(self, sha256: str, path: str, thumb_path: str, byte_size: int) -> None:
        self._tx(evidence.record, sha256, path, thumb_path, byte_size)

    def prune_downloads(self) -> list[str]:
        """Forget downloaded photos nothing refers to any more; their files to remove."""
        with transaction(self.engine) as s:
            return evidence.prune(s)

    def cursor(self) -> tuple[int, str | None]:
        with transaction(self.engine) as s:
            return int(syncstate.get_meta(s, "cursor", 0)), syncstate.get_meta(s, "epoch")

    def apply_pull_page(self, page: PullResponse) -> None:
        with transaction(self.engine) as s:
            syncstate.apply_pull_page(s, page)

    def clock_offset(self, server_time: datetime) -> None:
        """Remember how far this device's clock is from the server's (photos record it)."""
        offset = int((server_time - self.now()).total_seconds() * 1000)
        with transaction(self.engine) as s:
            syncstate.set_meta(s, "clock_offset_ms", offset)

    def clock_offset_ms(self) -> int | None:
        with transaction(self.engine) as s:
            offset: int | None = syncstate.get_meta(s, "clock_offset_ms")
            return offset

    def known_photo_hashes(self) -> set[str]:
        with transaction(self.engine) as s:
            return set(s.exec(select(LocalBlob.sha256)).all())

    def note_sync(self, error: str) -> None:
        with transaction(self.engine) as s:
            syncstate.set_meta(s, "last_error", error)
            if not error:
                syncstate.set_meta(s, "last_sync_at", self.now().isoformat())
