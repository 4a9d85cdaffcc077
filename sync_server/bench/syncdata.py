"""The sync benches' fixed, seeded world: a real `mingcha serve` subprocess, a phone store
holding visits, findings and camera-sized JPEGs, and the two baselines the phone's sync is
measured against (a naive one-request-per-thing client and a plain byte copy).
"""

from __future__ import annotations

import io
import random
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from fieldapp.store import Store
from fieldapp.store.capture import CapturedPhoto
from fieldapp.sync.client import SyncClient
from fieldapp.sync.engine import run_sync
from fieldcore.protocol import Mutation, PushRequest
from sync_server.bench.loopback import LoopbackServer
from sync_server.bench.merge import TEMPLATE, scored_items, seed_bench_db
from sync_server.bench.procs import Proc, free_port

MB = 1024 * 1024
END = b"\n--END--\n"  # the plain copy's last bytes: the sink answers when it sees them


@dataclass(frozen=True)
class Dataset:
    visits: int = 200
    findings: int = 10_000
    photos: int = 2_000
    min_photo: int = MB // 5  # 0.2 MB
    max_photo: int = 3 * MB
    seed: int = 2026


@dataclass
class Central:
    """A central server subprocess on its own data dir, with the bench inspector's login."""

    proc: Proc
    port: int
    site_id: uuid.UUID
    password: str
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.stop()


def start_central(
    root: Path,
    database_url: str | None = None,
    workers: int = 1,
    blob_env: dict[str, str] | None = None,
) -> Central:
    """A seeded server on SQLite in `root`/data, or on `database_url` (PostgreSQL), with
    `workers` uvicorn worker processes behind its port (`mingcha serve --workers`); its
    photos in `root`/data/blobs, or where `blob_env`'s MINGCHA_BLOB_URL… settings say."""
    root.mkdir(parents=True, exist_ok=True)
    settings, site_id, password = seed_bench_db(root / "data", database_url)
    port = free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(settings.data_dir)]
    args += ["--workers", str(workers)]
    env = {"MINGCHA_DATABASE_URL": database_url} if database_url else {}
    env.update(blob_env or {})
    proc = Proc("server", args, f"http://127.0.0.1:{port}/healthz", root, env)
    proc.start(timeout=90 * workers)  # each worker imports the app anew (slow on a busy box)
    return Central(proc, port, uuid.UUID(site_id), password, settings.data_dir)


class Counting:
    """Requests an httpx client sent (an event hook), for the request-count ratios."""

    def __init__(self) -> None:
        self.requests = 0

    def hook(self, request: httpx.Request) -> None:
        self.requests += 1


def client_for(url: str, counter: Counting | None = None) -> SyncClient:
    hooks: dict[str, list[Callable[..., Any]]] = {"request": [counter.hook]} if counter else {}
    return SyncClient(url, http=httpx.Client(base_url=url, timeout=120, event_hooks=hooks))


def jpeg(rng: random.Random, size: int) -> tuple[bytes, int, int]:
    """A noise JPEG of about `size` bytes (noise does not compress, like a busy photo)."""
    side = max(64, int((size / 0.76) ** 0.5))  # ≈0.76 bytes per pixel at quality 85
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue(), side, side


def signed_in_phone(
    url: str, password: str, root: Path, counter: Counting | None = None
) -> tuple[Store, SyncClient]:
    store = Store(root / "phone" / "mingcha.db")
    client = client_for(url, counter)
    store.enroll(url, client.login("bench", password, store.device_id()))
    report = run_sync(store, client)  # the templates and sites a phone needs to work
    assert report.ok, report
    return store, client


def fill(
    store: Store, site_id: uuid.UUID, data: Dataset, root: Path, tick: Callable[[], None]
) -> tuple[int, list[uuid.UUID]]:
    """Visits with their findings and photos in the phone's store: (photo bytes, visit ids)."""
    rng, items = random.Random(data.seed), scored_items()
    per_visit = max(1, data.findings // data.visits)
    blob_dir = root / "phone" / "blobs"
    blob_dir.mkdir(parents=True, exist_ok=True)
    photo_bytes, visits = 0, []
    for v in range(data.visits):
        visit = store.start_visit(site_id, TEMPLATE, "overt")
        visits.append(visit.id)
        for n in range(per_visit):  # past the template's 45 items: an edit of an earlier one
            store.record_answer(visit.id, items[n % len(items)], "pass", note=f"V{v}第{n}条")
            tick()
    for p in range(data.photos):
        raw, w, h = jpeg(rng, rng.randint(data.min_photo, data.max_photo))
        photo_bytes += len(raw)
        photo = store_photo(blob_dir, raw, w, h)
        store.attach_photo(photo, visit_id=visits[p % len(visits)])
        tick()
    return photo_bytes, visits


def store_photo(blob_dir: Path, raw: bytes, w: int, h: int) -> CapturedPhoto:
    import hashlib

    sha = hashlib.sha256(raw).hexdigest()
    path = blob_dir / f"{sha}.jpg"
    path.write_bytes(raw)
    return CapturedPhoto(sha, str(path), str(path), len(raw), w, h, datetime.now(UTC), 0)


def naive_sync(
    store: Store, central: Central, url: str, counter: Counting, tick: Callable[[], None]
) -> int:
    """The baseline a first attempt writes: every record its own push, every photo sent
    whole in one upload (create + one PATCH). Reads the phone's queue, changes nothing in it.
    Returns how many mutations the server refused (must be 0 for a fair comparison)."""
    client = client_for(url, counter)
    client.login("bench", central.password, uuid.uuid4())
    refused: list[str] = []
    for seq, entry in enumerate(store.pending_batch(10**9), start=1):
        fields = dict(entry.fields)
        if "site_id" in fields:  # the same site on the naive client's own server
            fields["site_id"] = str(central.site_id)
        m = Mutation(
            seq=seq,
            entity=entry.entity,
            id=entry.entity_id,
            op=entry.op,
            fields=fields,
            base_seq=entry.base_seq,
        )
        result = client.push(PushRequest(mutations=[m])).results[0]
        if result.status != "applied":
            refused.append(f"{entry.entity}: {result.code} {result.message}")
        tick()
    if refused:
        raise AssertionError(f"naive client refused {len(refused)}: {refused[:3]}")
    for sha256, path in photo_files(store):
        created = client.create_upload(sha256, Path(path).stat().st_size)
        client.upload_chunk(str(created.id), 0, Path(path).read_bytes())
        tick()
    client.close()
    return len(refused)


def photo_files(store: Store) -> list[tuple[str, str]]:
    """(sha256, path) of every photo file the phone holds."""
    from sqlmodel import Session, select

    from fieldapp.store.tables import LocalBlob

    with Session(store.engine) as s:
        return [(b.sha256, b.path) for b in s.exec(select(LocalBlob)).all()]


class Sink(LoopbackServer):
    """A TCP server that reads everything sent to it, then answers one byte: the far end of
    the plain-copy baseline."""

    def __init__(self) -> None:
        self.received = 0
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        tail = b""  # the end marker may arrive split across reads
        while chunk := conn.recv(256 * 1024):
            self.received += len(chunk)
            tail = (tail + chunk)[-len(END) :]
            if tail == END:
                conn.sendall(b"k")
                break


def plain_copy(port: int, payloads: list[bytes] | list[Path], tick: Callable[[], None]) -> int:
    """Send every payload over one TCP connection to `port`, wait for the sink's answer."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as conn:
        for p in payloads:
            data = p.read_bytes() if isinstance(p, Path) else p
            conn.sendall(data)
            sent += len(data)
            tick()
        conn.sendall(END)
        conn.recv(1)
    return sent
