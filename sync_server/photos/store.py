"""Photo bytes on disk, addressed by their sha256: `root/ab/cd/<sha256>`.

Paths are built only from a validated hex digest, never from a client's file name. A blob
becomes visible only whole: the upload's temp file is fsynced, renamed into place and the
directory fsynced. Disk errors surface as `server.storage_failed` (503, retry later).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from fieldcore.problems import DomainError, ProblemCode

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def valid_sha(sha256: str) -> bool:
    return bool(SHA256.fullmatch(sha256))


def storage_failed(exc: OSError) -> DomainError:
    return DomainError(
        ProblemCode.SERVER_STORAGE_FAILED, errno.errorcode.get(exc.errno or 0, ""), retry_after=30
    )


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not valid_sha(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return valid_sha(sha256) and self.path(sha256).is_file()

    def intact(self, sha256: str) -> bool:
        """The blob is in place and its bytes hash to its name."""
        if not self.exists(sha256):
            return False
        sha = hashlib.sha256()
        with open(self.path(sha256), "rb") as f:
            for block in iter(lambda: f.read(1024 * 1024), b""):
                sha.update(block)
        return sha.hexdigest() == sha256

    def temp_path(self, upload_id: uuid.UUID) -> Path:
        return self.root / "tmp" / upload_id.hex

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
        """Move a verified temp file into place (idempotent if the blob exists)."""
        target = self.path(sha256)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = self.temp_path(upload_id)
            with open(temp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(temp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise storage_failed(exc) from exc

    def discard(self, upload_id: uuid.UUID) -> None:
        self.temp_path(upload_id).unlink(missing_ok=True)

    def free_bytes(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        stats = os.statvfs(self.root)
        return stats.f_bavail * stats.f_frsize


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
