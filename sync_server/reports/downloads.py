"""Finished export files waiting to be downloaded: DATA_DIR/exports/<token>/<filename>.

The server keeps no state between requests apart from the database and the data directory,
so a file made by one uvicorn worker must be servable by any other: the token is the
directory's name, and it carries its own expiry (`<unix seconds>-<random>`). The random
part (192 bits) makes the link a short-lived capability — the console session that made it
is not an HTTP session the download could check. An export is written under
exports/partial/ and renamed into place when complete, so a half-written file is never
served. Expired directories are removed whenever a file is published or fetched, so nothing
needs a timer.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fieldcore.problems import DomainError, ProblemCode

TTL = timedelta(minutes=15)
STALE_PARTIAL = timedelta(days=1)
TOKEN = re.compile(r"^(\d{10,12})-([A-Za-z0-9_-]{32})$")
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}
_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps Chinese; slashes, spaces and quotes go


def safe_filename(name: str) -> str:
    """A name fit for a directory entry and a header: no path parts, no odd characters."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "export"
    return cleaned[:120]


@dataclass(frozen=True)
class Slot:
    token: str  # the random part of the download token to come
    path: Path  # where the export writes its file

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Stored:
    path: Path
    media_type: str


class DownloadStore:
    def __init__(self, root: Path, ttl: timedelta = TTL) -> None:
        self.root, self.ttl = root, ttl
        self.partial = root / "partial"  # exports still being written; never served

    @classmethod
    def under(cls, data_dir: Path) -> DownloadStore:
        """The store every worker sharing this data directory agrees on."""
        return cls(data_dir / "exports")

    def reserve(self, filename: str) -> Slot:
        """A fresh private directory for one file that is about to be written."""
        folder = self.partial / secrets.token_urlsafe(24)
        folder.mkdir(parents=True)
        return Slot(folder.name, folder / safe_filename(filename))

    def publish(self, slot: Slot, now: datetime) -> str:
        """Make a finished file downloadable until now + ttl; its token.

        The clock starts when the file is complete, however long the export took."""
        self.sweep(now)
        expires = int((now + self.ttl).timestamp())
        token = f"{expires:010d}-{slot.token}"
        slot.path.parent.rename(self.root / token)  # atomic: a reader sees all or nothing
        return token

    def discard(self, slot: Slot) -> None:
        """Drop a slot whose export failed (nothing half-written is ever served)."""
        shutil.rmtree(slot.path.parent, ignore_errors=True)

    def find(self, token: str, now: datetime) -> Stored:
        """The file behind a token.

        Raises:
            DomainError(request.not_found): malformed, unknown or expired token — one
            answer for all three, so a probe learns nothing.
        """
        self.sweep(now)
        match = TOKEN.match(token)
        if match is None or int(match.group(1)) <= now.timestamp():
            raise DomainError(ProblemCode.REQUEST_NOT_FOUND, entity="download")
        folder = self.root / token
        files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
        if len(files) != 1:
            raise DomainError(ProblemCode.REQUEST_NOT_FOUND, entity="download")
        path = files[0]
        media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return Stored(path, media)

    def sweep(self, now: datetime) -> int:
        """Remove expired downloads, and partial ones a crashed export left a day ago."""
        if not self.root.is_dir():
            return 0
        removed = 0
        for folder in self.root.iterdir():
            match = TOKEN.match(folder.name)
            if match is None or int(match.group(1)) > now.timestamp():
                continue
            # another worker may be removing it at the same moment: ignore errors
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        if self.partial.is_dir():
            stale = time.time() - STALE_PARTIAL.total_seconds()  # file times are wall-clock
            for folder in self.partial.iterdir():
                with contextlib.suppress(OSError):
                    if folder.stat().st_mtime < stale:
                        shutil.rmtree(folder, ignore_errors=True)
        return removed
