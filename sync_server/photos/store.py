"""Photo bytes addressed by their sha256: finished blobs in a backend (photos.backends: this
host's `root/ab/cd/<sha256>`, or an S3-compatible store shared by several hosts), unfinished
uploads in temp files `root/tmp/<upload id hex>` on this host's disk.

Names are built only from a validated hex digest, never from a client's file name. A blob
becomes visible only whole and verified: the upload's temp file is fsynced, hashed,
checked, and then handed to the backend (a rename into place, or one PUT). Disk or store
errors surface as `server.storage_failed` (503, retry later).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from fieldcore.problems import DomainError
from sync_server.core.config import Settings
from sync_server.photos.backends import BlobBackend, LocalBlobs, backend_for, disk_failed

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def valid_sha(sha256: str) -> bool:
    return bool(SHA256.fullmatch(sha256))


def storage_failed(exc: OSError) -> DomainError:
    return disk_failed(exc)


class PhotoStore:
    """`root`: this host's directory for temp uploads (`root/tmp`) and, with the default
    backend, the blobs themselves."""

    def __init__(self, root: Path, blobs: BlobBackend | None = None) -> None:
        self.root = root
        self.blobs: BlobBackend = blobs if blobs is not None else LocalBlobs(root)

    @classmethod
    def from_settings(cls, settings: Settings) -> PhotoStore:
        return cls(settings.blobs_path, backend_for(settings))

    @property
    def temp_dir(self) -> Path:
        return self.root / "tmp"

    def exists(self, sha256: str) -> bool:
        return valid_sha(sha256) and self.blobs.exists(sha256)

    def size(self, sha256: str) -> int | None:
        return self.blobs.size(sha256) if valid_sha(sha256) else None

    def read(self, sha256: str) -> bytes | None:
        """The whole blob, or None when it is not stored."""
        return self.blobs.read(sha256) if valid_sha(sha256) else None

    def stream(self, sha256: str) -> tuple[int, Iterator[bytes]] | None:
        return self.blobs.stream(sha256) if valid_sha(sha256) else None

    def local_path(self, sha256: str) -> Path | None:
        return self.blobs.local_path(sha256) if valid_sha(sha256) else None

    def read_intact(self, sha256: str) -> bytes | None:
        """The stored blob's bytes when they are in place and hash to their name."""
        data = self.read(sha256)
        if data is None or hashlib.sha256(data).hexdigest() != sha256:
            return None
        return data

    def temp_path(self, upload_id: uuid.UUID) -> Path:
        return self.temp_dir / upload_id.hex

    @contextmanager
    def locked_temp(self, upload_id: uuid.UUID) -> Iterator[IO[bytes]]:
        """The upload's temp file, opened for update under an exclusive lock, so two
        server processes never append to one upload at the same time."""
        path = self.temp_path(upload_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(path, "a+b")  # noqa: SIM115  (closed below, after unlocking)
        except OSError as exc:
            raise storage_failed(exc) from exc
        try:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield f
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()

    def digest(self, upload_id: uuid.UUID) -> str:
        sha = hashlib.sha256()
        with open(self.temp_path(upload_id), "rb") as f:
            for block in iter(lambda: f.read(1024 * 1024), b""):
                sha.update(block)
        return sha.hexdigest()

    def commit(self, upload_id: uuid.UUID, sha256: str) -> None:
        """Hand a verified temp file to the backend (harmless if the blob exists)."""
        if not valid_sha(sha256):
            raise ValueError("not a sha256 hex digest")
        self.blobs.put(sha256, self.temp_path(upload_id))

    def discard(self, upload_id: uuid.UUID) -> None:
        self.temp_path(upload_id).unlink(missing_ok=True)

    def free_bytes(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        stats = os.statvfs(self.root)
        return stats.f_bavail * stats.f_frsize
