"""The server side of a chaos run: `mingcha serve` as a subprocess on a SQLite data dir
that can be SIGKILLed and restarted in place, its token store and blob folder as the
faults need them, and what the central database says (read beside the running server).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sync_server.bench.procs import Proc, free_port
from sync_server.core.config import Settings
from sync_server.photos.backends import S3Blobs
from sync_server.photos.store import PhotoStore
from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import Blob, Device, Finding, Photo, Visit
from tests import leaks
from tests.s3kit import refuse_puts


class Server:
    """One central server process; `kill()` is SIGKILL, `ensure_up()` restarts it on the
    same data dir (same port, so the proxy in front of it need not change)."""

    def __init__(
        self, seeded: Path, data_dir: Path, log_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        shutil.copytree(seeded, data_dir)
        self.data_dir, self.port = data_dir, free_port()
        self.env = dict(env or {})  # MINGCHA_* settings kept across restarts (the blob store)
        args = ["serve", "--port", str(self.port), "--data-dir", str(data_dir)]
        probe = f"http://127.0.0.1:{self.port}/healthz"
        self.proc = Proc("server", args, probe, log_dir, env=self.env)
        self.kills = self.restarts = 0
        self._lock = threading.Lock()
        self.engine = sa.create_engine(
            f"sqlite:///{data_dir / 'central.db'}", connect_args={"timeout": 30}
        )
        settings: dict[str, Any] = {
            k.removeprefix("MINGCHA_").lower(): v for k, v in self.env.items()
        }
        self.blobs = PhotoStore.from_settings(Settings(data_dir=data_dir, **settings))
        leaks.SHARED_PROCESSES.append(self.pids)  # restarted mid-test, kept across tests

    @property
    def backend(self) -> str:
        """Where finished blobs go: "s3" or "local"."""
        return "s3" if isinstance(self.blobs.blobs, S3Blobs) else "local"

    def pids(self) -> list[int]:
        return [self.proc.proc.pid] if self.proc.proc is not None else []

    def ensure_up(self) -> None:
        with self._lock:
            if self.proc.proc is None or self.proc.proc.poll() is not None:
                self.proc.proc = None
                self.proc.start()
                self.restarts += 1

    def kill(self) -> None:
        """SIGKILL now, whatever the server is doing (no clean-up, no checkpoint)."""
        with self._lock:
            if self.proc.proc is not None and self.proc.proc.poll() is None:
                self.proc.kill()
                self.kills += 1

    def restart_with(self, **env: str) -> None:
        """SIGKILL and start again with these MINGCHA_* settings on top of the inherited
        ones (an upgraded server, e.g. MINGCHA_SCHEMA_MIN); later restarts after a kill
        keep them, as a deployed config would. No arguments: back to the defaults."""
        self.kill()
        self.proc.env = {**self.env, **env}
        self.ensure_up()

    def close(self) -> None:
        self.refuse_blobs(False)
        self.proc.stop()
        self.engine.dispose()
        leaks.SHARED_PROCESSES.remove(self.pids)

    # ---- faults that live in the server's data ---------------------------------------
    def expire_token(self, device_id: uuid.UUID) -> None:
        """The device's token runs out now (as `token_days` later would): the server's next
        authenticated answer is 401 auth.token_expired."""
        with Session(self.engine) as s, s.begin():
            device = s.get(Device, device_id)
            if device is not None:
                device.token_expires_at = datetime.now(UTC) - timedelta(seconds=1)

    def refuse_blobs(self, refuse: bool) -> bool:
        """Make the blob store refuse new blobs (False: accept them again), the way each
        backend refuses in production. Returns False where this machine cannot.

        * local: the blob folder and its temp folder refuse new files and renames
          (`chattr +i`, which binds root too, unlike a read-only mode): EPERM, as a disk
          remounted read-only or a revoked permission gives.
        * S3: the bucket refuses PutObject under this server's prefix (a bucket policy
          denying it): the store answers 403 to each PUT, as a real bucket does when a
          policy or a revoked key forbids the write. Reads and HEADs still work, and the
          server's own temp files on its disk are untouched: only the store says no."""
        if isinstance(self.blobs.blobs, S3Blobs):  # (not self.backend: mypy narrows this)
            blobs = self.blobs.blobs
            refuse_puts(blobs.client, blobs.bucket, blobs.prefix, refuse)
            return True
        root, tmp = self.blobs.root, self.blobs.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        flag = "+i" if refuse else "-i"
        try:
            done = subprocess.run(["chattr", flag, str(tmp), str(root)], capture_output=True)
        except FileNotFoundError:  # no e2fsprogs: this fault is left out
            return False
        return done.returncode == 0

    # ---- what the central database holds ---------------------------------------------
    def snapshot(self, device_id: uuid.UUID) -> Central:
        with Session(self.engine) as s:
            device = s.get(Device, device_id)
            return Central(
                last_seq=device.last_mutation_seq if device else 0,
                results={
                    seq: r.status for (_, seq), r in all_stored_results(s, [device_id]).items()
                },
                visits={v.id: v for v in s.exec(select(Visit)).all()},
                findings={f.id: f for f in s.exec(select(Finding)).all()},
                photos={p.id: p for p in s.exec(select(Photo)).all()},
                blobs={b.sha256 for b in s.exec(select(Blob)).all()},
            )

    def blob_digest(self, sha256: str) -> str | None:
        data = self.blobs.read(sha256)
        return hashlib.sha256(data).hexdigest() if data is not None else None

    def integrity(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())


@dataclass
class Central:
    last_seq: int
    results: dict[int, str]
    visits: dict[uuid.UUID, Visit]
    findings: dict[uuid.UUID, Finding]
    photos: dict[uuid.UUID, Photo]
    blobs: set[str]


class KillOnBlobRename:
    """SIGKILL the server the instant an upload's temp file is renamed into the blob store
    (inotify IN_MOVED_FROM on blobs/tmp), or with an object store, deleted after its PUT
    (IN_DELETE) — between the store getting the blob and the database commit that records
    it, the narrowest window of an upload. Linux only (ctypes inotify)."""

    IN_MOVED_FROM = 0x40
    IN_DELETE = 0x200

    def __init__(self, server: Server) -> None:
        import ctypes
        import os

        self.server, self.fired = server, threading.Event()
        libc = ctypes.CDLL(None, use_errno=True)
        tmp = server.blobs.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        mask = self.IN_DELETE if isinstance(server.blobs.blobs, S3Blobs) else self.IN_MOVED_FROM
        if self.fd < 0 or libc.inotify_add_watch(self.fd, bytes(tmp), mask) < 0:
            raise OSError(ctypes.get_errno(), "inotify")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import os
        import select as sel

        while not self._stop.is_set():
            ready, _, _ = sel.select([self.fd], [], [], 0.1)
            if ready:
                os.read(self.fd, 4096)
                self.server.kill()
                self.fired.set()
                return

    def close(self) -> None:
        import os

        self._stop.set()
        self._thread.join(5)
        os.close(self.fd)
