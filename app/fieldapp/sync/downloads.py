"""After a pull: fetch the evidence photos of the open corrective actions (整改前).

A site manager must see what the inspector photographed to fix it, and those photos were
taken on another phone. Each one is fetched by its sha256 into a temp file, hashed while it
arrives, checked to decode, and only then renamed to its content address and recorded
(`Store.blob_downloaded`). So a dropped connection or a corrupted transfer leaves nothing
but a temp file the orphan clean-up removes, and the next sync simply tries again. Photos
already here with the right hash are not fetched again.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from fieldapp.photos import PhotoError, adopt_download, blob_path, make_thumbnail
from fieldapp.store import Store
from fieldapp.store.evidence import DownloadJob
from fieldapp.sync.client import SyncClient
from fieldapp.sync.errors import Rejected, SyncError
from fieldapp.sync.progress import SyncProgress, SyncReport

CORRUPT = "client.download_corrupt"
NOT_FOUND = "blob.not_found"  # not uploaded yet, or no longer ours to see: try next time


@dataclass(frozen=True)
class Media:
    """Where photo files and their thumbnails live on this phone (AppConfig's dirs)."""

    blob_dir: Path
    thumb_dir: Path

    @classmethod
    def beside(cls, store: Store) -> Media:
        """The app's layout relative to its database (data_dir/photos, as AppConfig)."""
        return cls(store.path.parent / "photos", store.path.parent / "thumbs")


class CorruptDownload(Exception):
    """What arrived is not the photo asked for (wrong hash, too long, not an image)."""


def fetch_evidence(
    store: Store,
    client: SyncClient,
    media: Media,
    report: SyncReport,
    progress: SyncProgress,
    notify: Callable[[SyncProgress], None],
) -> None:
    """Remove downloads nothing refers to any more, then fetch what the open actions lack."""
    for name in store.prune_downloads():
        Path(name).unlink(missing_ok=True)
    identity = store.identity() or {}
    if identity.get("user", {}).get("role") != "site_manager":
        return  # inspectors and reviewers have their own or the console's copies
    todo = [job for job in store.downloads_wanted() if not _already_here(store, job, media)]
    if not todo:
        return
    progress.phase, progress.bytes_total, progress.bytes_done = (
        "download",
        sum(j.byte_size for j in todo),
        0,
    )
    progress.records_done, progress.records_total = 0, len(todo)
    notify(progress)
    for job in todo:
        base = progress.bytes_done
        try:
            _fetch_one(store, client, media, job, progress, notify)
        except CorruptDownload as exc:
            report.errors.append(f"{CORRUPT}: {exc}")
        except Rejected as exc:
            if exc.code != NOT_FOUND:
                report.errors.append(exc.code)
        else:
            report.photos_downloaded += 1
            report.downloaded_bytes += job.byte_size
        progress.bytes_done = base + job.byte_size  # done with it, either way
        progress.records_done += 1
        notify(progress)


def fetch_photo(store: Store, client: SyncClient, media: Media, sha256: str) -> bool:
    """One photo's bytes, on the inspector's request (上次's photo on a checklist item):
    whether they are on this phone now. Nothing else is fetched.

    Raises:
        SyncError: offline, refused (blob.not_found: not uploaded yet), or corrupt.
    """

    job = store.download_job(sha256)
    if job is None:
        return store.thumbnail(sha256) is not None  # taken here, or nothing to fetch
    if _already_here(store, job, media):
        return True
    try:
        _fetch_one(store, client, media, job, SyncProgress(), lambda p: None)
    except CorruptDownload as exc:
        raise SyncError(CORRUPT, str(exc)) from None
    return True


def _already_here(store: Store, job: DownloadJob, media: Media) -> bool:
    """An earlier download whose file still has the right hash (its thumbnail remade if the
    cache was cleared); anything else is fetched again."""
    if not job.path or not Path(job.path).exists() or _sha256(Path(job.path)) != job.sha256:
        return False
    if not job.thumb_path or not Path(job.thumb_path).exists():
        try:
            thumb = make_thumbnail(Path(job.path), job.sha256, media.thumb_dir)
        except PhotoError:
            return False
        store.blob_downloaded(job.sha256, job.path, str(thumb), job.byte_size)
    return True


def _fetch_one(
    store: Store,
    client: SyncClient,
    media: Media,
    job: DownloadJob,
    progress: SyncProgress,
    notify: Callable[[SyncProgress], None],
) -> None:
    target = blob_path(media.blob_dir, job.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{uuid.uuid4().hex}.tmp")  # the orphan clean-up removes these
    base, size, digest = progress.bytes_done, 0, hashlib.sha256()
    try:
        with open(tmp, "wb") as f, closing(client.download(job.sha256)) as chunks:
            for chunk in chunks:
                size += len(chunk)
                if size > job.byte_size:  # a server must not fill the phone's disk
                    raise CorruptDownload(f"more than the photo's {job.byte_size} bytes")
                digest.update(chunk)
                f.write(chunk)
                progress.bytes_done = base + size
                notify(progress)
            f.flush()
            os.fsync(f.fileno())
        if digest.hexdigest() != job.sha256:
            raise CorruptDownload(f"sha256 {digest.hexdigest()[:12]}… is not {job.sha256[:12]}…")
        try:
            path, thumb = adopt_download(tmp, job.sha256, media.blob_dir, media.thumb_dir)
        except PhotoError as exc:
            raise CorruptDownload(str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)  # gone already when adopted
    store.blob_downloaded(job.sha256, str(path), str(thumb), size)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
