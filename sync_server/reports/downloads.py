"""Finished export files waiting to be downloaded: DATA_DIR/exports/<token>/<filename>.

The server keeps no state between requests apart from the database and the data directory,
so a file made by one uvicorn worker must be servable by any other: the token is the
directory's name, and it carries its own expiry (`<unix seconds>-<random>`, 192 random bits).
The token alone is not enough to fetch the file: the directory also records its owner (the
user who made the export, in `.owner`), and a fetch must prove it comes from that user —
by the owner's bearer token, or by a one-time ticket the owner's console session asked for.
A ticket is a file `.tickets/<random>` holding the owner's id; redeeming it unlinks the
file, which only one request on any worker can do, so a ticket is used once without any
in-memory state. An export is written under exports/partial/ and renamed into place when
complete, so a half-written file is never served. Expired directories (and their tickets)
are removed whenever a file is published or fetched, so nothing needs a timer.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fieldcore.problems import DomainError, ProblemCode

TTL = timedelta(minutes=15)
STALE_PARTIAL = timedelta(days=1)
TOKEN = re.compile(r"^(\d{10,12})-([A-Za-z0-9_-]{32})$")
TICKET = re.compile(r"^[A-Za-z0-9_-]{32}$")
OWNER_FILE = ".owner"  # names starting with "." are never export files (safe_filename)
TICKETS_DIR = ".tickets"
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
    owner: uuid.UUID | None  # None: a directory without an owner is served to nobody


def not_found() -> DomainError:
    """The one answer for a link that is unknown, expired, malformed or not the caller's."""
    return DomainError(ProblemCode.REQUEST_NOT_FOUND, entity="download")


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

    def publish(self, slot: Slot, now: datetime, owner: uuid.UUID) -> str:
        """Make a finished file downloadable by `owner` until now + ttl; its token.

        The clock starts when the file is complete, however long the export took."""
        self.sweep(now)
        (slot.path.parent / OWNER_FILE).write_text(str(owner))
        expires = int((now + self.ttl).timestamp())
        token = f"{expires:010d}-{slot.token}"
        slot.path.parent.rename(self.root / token)  # atomic: a reader sees all or nothing
        return token

    def discard(self, slot: Slot) -> None:
        """Drop a slot whose export failed (nothing half-written is ever served)."""
        shutil.rmtree(slot.path.parent, ignore_errors=True)

    def find(self, token: str, now: datetime) -> Stored:
        """The file behind a token (not yet checked against the caller).

        Raises:
            DomainError(request.not_found): malformed, unknown or expired token — one
            answer for all three, so a probe learns nothing.
        """
        self.sweep(now)
        folder = self._folder(token, now)
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        if len(files) != 1:
            raise not_found()
        path = files[0]
        media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return Stored(path, media, _read_owner(folder / OWNER_FILE))

    def grant(self, token: str, owner: uuid.UUID, now: datetime) -> str:
        """A one-time ticket with which `owner` may fetch this link once (e.g. from a new
        browser tab, which carries no bearer token). It lives as long as the link.

        Raises:
            DomainError(request.not_found): no such live link, or not owner's.
        """
        folder = self._folder(token, now)
        if _read_owner(folder / OWNER_FILE) != owner:
            raise not_found()
        tickets = folder / TICKETS_DIR
        tickets.mkdir(exist_ok=True)
        ticket = secrets.token_urlsafe(24)
        (tickets / ticket).write_text(str(owner))
        return ticket

    def redeem(self, token: str, ticket: str, now: datetime) -> uuid.UUID | None:
        """The user a ticket was granted to, consuming it; None if it is not (or no
        longer) valid. Unlinking decides: of two requests racing with one ticket, on any
        workers, exactly one gets the user."""
        if TICKET.match(ticket) is None:
            return None
        try:
            path = self._folder(token, now) / TICKETS_DIR / ticket
            owner = _read_owner(path)
            path.unlink()
        except (DomainError, OSError):
            return None
        return owner

    def _folder(self, token: str, now: datetime) -> Path:
        match = TOKEN.match(token)
        if match is None or int(match.group(1)) <= now.timestamp():
            raise not_found()
        folder = self.root / token
        if not folder.is_dir():
            raise not_found()
        return folder

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


def _read_owner(path: Path) -> uuid.UUID | None:
    try:
        return uuid.UUID(path.read_text().strip())
    except (OSError, ValueError):
        return None
