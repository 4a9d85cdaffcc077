"""B1–B4: the phone's sync over a mobile-like link, each figure next to a baseline measured
in the same run through the same shaped link (sync_server/bench/link.py).

B1 cold sync: the phone's first sync of a seeded dataset vs (a) a naive client (one request
   per record and per photo) and (b) a plain copy of the same photo bytes over one TCP
   connection — the physical limit of the link.
B2 incremental: 50 edits + 10 photos after B1: local commit → server commit, and a
   supervisor's return → visible on the phone; both next to one bare round trip.
B3 concurrency: N devices pushing at once straight to the server (no proxy): p50/p99 and
   errors, next to one device pushing alone; on SQLite (one worker) and on PostgreSQL
   (`--pg-workers`, default 2), with PostgreSQL's figures as ratios to SQLite's.
B4 resume: a photo upload cut by a connection reset half-way, then resumed: bytes sent on
   top of the photo's size, next to the chunk size (the goal is ≤ 1 chunk).
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from fieldapp.sync.engine import CHUNK, run_sync
from fieldapp.sync.errors import SyncError
from sync_server.bench.common import Timer, machine, progress, stderr
from sync_server.bench.concurrency import PG_WORKERS, b3_both
from sync_server.bench.link import ShapedLink
from sync_server.bench.merge import _items
from sync_server.bench.shaping import Shape
from sync_server.bench.syncdata import (
    MB,
    Central,
    Counting,
    Dataset,
    Sink,
    fill,
    jpeg,
    naive_sync,
    photo_files,
    plain_copy,
    signed_in_phone,
    start_central,
    store_photo,
)

# one-way delay and bytes/s each way. mobile: 100 ms round trip, 10 Mbit/s up, 40 down
# (the profile); fast: the same latency at 100 Mbit/s both ways, so the full
# 3 GB dataset runs in under an hour (at 10 Mbit/s its three transfers take ~2.5 h)
PROFILES = {
    "mobile": Shape(delay=0.05, up_bps=10_000_000 // 8, down_bps=40_000_000 // 8),
    "fast": Shape(delay=0.05, up_bps=100_000_000 // 8, down_bps=100_000_000 // 8),
}
LINKS = {
    "mobile": "100 ms RTT, 10 Mbit/s up, 40 Mbit/s down",
    "fast": "100 ms RTT, 100 Mbit/s up and down",
}
PROFILE = {"link": PROFILES["mobile"]}  # the link in use (run() sets it)


def shaped(port: int) -> ShapedLink:
    shape = PROFILE["link"]
    return ShapedLink(port, shape.delay, shape.up_bps, shape.down_bps)


def round_trip(url: str) -> float:
    """Median of 5 bare GET /healthz through the link: the floor of any request."""
    times = []
    with httpx.Client(base_url=url) as http:
        for _ in range(5):
            with Timer() as t:
                http.get("/healthz").raise_for_status()
            times.append(t.seconds)
    return statistics.median(times)


def b1_cold(root: Path, data: Dataset, naive: bool = True) -> tuple[dict[str, Any], Phone]:
    ours = start_central(root / "ours")
    ours_proxy = shaped(ours.port)
    counter = Counting()
    url = f"http://127.0.0.1:{ours_proxy.port}"
    store, client = signed_in_phone(url, ours.password, root / "ours", counter)
    total = data.visits * max(1, data.findings // data.visits) + data.photos
    with progress("B1 dataset", total) as tick:
        photo_bytes, visits = fill(store, ours.site_id, data, root / "ours", tick)
    paths = [Path(path) for _, path in photo_files(store)]
    records = store.pending_count()

    # the naive client first: it only reads the phone's queue, which our sync then drains
    naive_run = b1_naive(root, store, records, len(paths)) if naive else None

    counter.requests, ours_proxy.bytes_up = 0, 0
    with progress("B1 our sync (MB)", round(photo_bytes / MB)) as tick, Timer() as ours_t:
        report = run_sync(store, client, _bytes_ticker(tick))
    assert report.ok and report.rejected == 0, report
    ours_requests, ours_bytes = counter.requests, ours_proxy.bytes_up

    sink = Sink()
    copy_proxy = shaped(sink.port)
    with progress("B1 plain copy", len(paths)) as tick, Timer() as copy_t:
        plain_copy(copy_proxy.port, paths, tick)
    copy_proxy.stop()
    sink.close()
    # one request per record and two per photo (create, bytes), after one sign-in: what the
    # naive client sends, counted exactly when it runs
    naive_requests = naive_run["naive_requests"] if naive_run else 1 + records + 2 * len(paths)
    result = {
        "records": records,
        "photos": len(paths),
        "photo_mb": round(photo_bytes / MB, 1),
        "ours_s": round(ours_t.seconds, 2),
        "ours_requests": ours_requests,
        "ours_mb_up": round(ours_bytes / MB, 1),
        **(naive_run or {"naive": "not run (--no-naive): its requests counted, not sent"}),
        "copy_s": round(copy_t.seconds, 2),
        "time_vs_copy": round(ours_t.seconds / copy_t.seconds, 3),
        "fewer_requests_than_naive": round(naive_requests / max(1, ours_requests), 1),
        "goal": "time_vs_copy <= 1.2; fewer_requests_than_naive >= 50",
    }
    return result, Phone(store, client, ours, ours_proxy, counter, url, visits)


def b1_naive(root: Path, store: Any, records: int, photos: int) -> dict[str, Any]:
    """The naive client (one request per record, two per photo) against a server of its own:
    it only reads the phone's queue, which our sync then drains."""
    naive = start_central(root / "naive")
    naive_proxy = shaped(naive.port)
    naive_counter = Counting()
    try:
        with progress("B1 naive client", records + photos) as tick, Timer() as naive_t:
            refused = naive_sync(
                store, naive, f"http://127.0.0.1:{naive_proxy.port}", naive_counter, tick
            )
    finally:
        naive_proxy.stop()
        naive.stop()
    return {
        "naive_s": round(naive_t.seconds, 2),
        "naive_requests": naive_counter.requests,
        "naive_refused": refused,
    }


class Phone:
    """The B1 phone after its cold sync, kept for B2 and B4."""

    def __init__(
        self,
        store: Any,
        client: Any,
        central: Central,
        proxy: Any,
        counter: Counting,
        url: str,
        visits: list[uuid.UUID],
    ) -> None:
        self.store, self.client, self.central = store, client, central
        self.proxy, self.counter, self.url, self.visits = proxy, counter, url, visits

    def close(self) -> None:
        self.client.close()
        self.store.close()
        self.proxy.stop()
        self.central.stop()


def _bytes_ticker(tick: Any) -> Any:
    done = [0]

    def on_progress(p: Any) -> None:
        if p.phase == "upload" and p.bytes_done // MB > done[0]:
            tick(p.bytes_done // MB - done[0])
            done[0] = p.bytes_done // MB

    return on_progress


def b2_incremental(phone: Phone, root: Path, data: Dataset) -> dict[str, Any]:
    """50 edits + 10 photos: commit → server commit; supervisor return → on the phone."""
    import random

    store, rng = phone.store, random.Random(7)
    visits, items = phone.visits[:10], _items()
    for n in range(50):  # a changed note on a passed item: a real edit, no photo required
        store.record_answer(visits[n % len(visits)], items[n % len(items)], "pass", note=f"改{n}")
    blob_dir = root / "ours" / "phone" / "blobs"
    for n in range(10):
        raw, w, h = jpeg(rng, rng.randint(data.min_photo, data.max_photo))
        store.attach_photo(store_photo(blob_dir, raw, w, h), visit_id=visits[n % len(visits)])
    store.pass_unanswered(visits[0])  # "the rest pass", as an inspector would finish
    store.submit_visit(visits[0])  # so that a supervisor can return it
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def on_progress(p: Any) -> None:
        if p.phase in ("upload", "pull") and "push" not in marks:
            marks["push"] = time.perf_counter() - start
        # the pull runs alongside the photo upload, which is shown while it lasts
        if p.phase not in ("push", "upload") and "upload" not in marks:
            marks["upload"] = time.perf_counter() - start

    report = run_sync(store, phone.client, on_progress)
    assert report.ok and report.rejected == 0, report
    visit_id = visits[0]
    supervisor_returns(phone.central, visit_id)
    with Timer() as seen:
        run_sync(store, phone.client)
    status = store.visit_view(visit_id).visit.status
    assert status == "returned", f"the return did not reach the phone ({status})"
    rtt = round_trip(phone.url)
    return {
        "edits": 50,
        "photos": 10,
        "rtt_ms": round(rtt * 1000, 1),
        "edits_to_server_ms": round(marks["push"] * 1000, 1),
        "photos_to_server_ms": round(marks.get("upload", marks["push"]) * 1000, 1),
        "return_to_phone_ms": round(seen.seconds * 1000, 1),
        "edits_in_rtts": round(marks["push"] / rtt, 1),
        "return_in_rtts": round(seen.seconds / rtt, 1),
    }


def supervisor_returns(central: Central, visit_id: uuid.UUID) -> None:
    """A supervisor returns the submitted visit through the server's own review service,
    writing to the running server's database (SQLite WAL: another process may write)."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from sync_server.core.config import Settings
    from sync_server.core.db import make_engine, write_session
    from sync_server.org import admin
    from sync_server.supervision import actions
    from sync_server.tables import User

    engine = make_engine(Settings(data_dir=central.data_dir, console=False))
    with write_session(engine) as s:
        boss = s.exec(select(User).where(User.username == "bench-boss")).first()
        if boss is None:
            boss = admin.add_user(s, "bench-boss", "supervisor", "bench-boss-password")
            admin.assign(s, boss, regions=["B1"])
            s.flush()
        actions.act(s, boss, visit_id, "return", datetime.now(UTC), "请补充说明")
    engine.dispose()


def b4_resume(phone: Phone, root: Path, size: int) -> dict[str, Any]:
    """Bytes a cut photo upload costs on top of an uncut one of about `size` bytes (at
    least three chunks, so that the cut lands after a chunk was acknowledged)."""
    import random

    rng, blob_dir = random.Random(11), root / "ours" / "phone" / "blobs"
    visit = phone.visits[1]

    def one_photo() -> int:
        raw, w, h = jpeg(rng, size)
        phone.store.attach_photo(store_photo(blob_dir, raw, w, h), visit_id=visit)
        return len(raw)

    size = one_photo()
    before = phone.proxy.bytes_up
    run_sync(phone.store, phone.client)
    clean = phone.proxy.bytes_up - before

    size2 = one_photo()
    before = phone.proxy.bytes_up
    phone.client.http.close()  # a new connection, which the link will cut half-way
    # one connection for all: the pull, which runs beside the upload, waits for the pack,
    # so the planned cut (on the next connection) lands in the pack
    one = httpx.Limits(max_connections=1)
    phone.client.http = httpx.Client(base_url=phone.url, timeout=120, limits=one)
    phone.proxy.cut_up_after = size2 // 2
    try:
        run_sync(phone.store, phone.client)
        raise AssertionError("the cut did not interrupt the upload")
    except SyncError:
        pass
    phone.client.http.close()  # the pull's connection may still be open beside the cut one
    phone.client.http = httpx.Client(base_url=phone.url, timeout=120)
    report = run_sync(phone.store, phone.client)
    assert report.ok and not phone.store.blobs_to_upload(), report
    cut = phone.proxy.bytes_up - before
    extra = cut - clean - (size2 - size)
    return {
        "photo_bytes": size2,
        "chunk_bytes": CHUNK,
        "clean_upload_bytes": clean,
        "cut_upload_bytes": cut,
        "extra_bytes": extra,
        "extra_in_chunks": round(extra / CHUNK, 2),
        "goal": "extra_in_chunks <= 1",
    }


def keep_logs(root: Path) -> None:
    """The servers' logs outlive a failed run (the temp dir does not): say where."""
    import shutil

    kept = Path(tempfile.gettempdir()) / "mingcha-bench-sync-logs"
    shutil.rmtree(kept, ignore_errors=True)
    for log in root.glob("**/server.log"):
        target = kept / log.parent.name / log.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, target)
    stderr.print(f"bench sync failed; server logs kept in {kept}")


def run(
    data: Dataset,
    devices: int = 200,
    link: str = "mobile",
    pg_workers: int = PG_WORKERS,
    naive: bool = True,
) -> dict[str, Any]:
    PROFILE["link"] = PROFILES[link]
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-sync-") as tmp:
        root = Path(tmp)
        try:
            b1, phone = b1_cold(root, data, naive)
            try:
                b2 = b2_incremental(phone, root, data)
                b4 = b4_resume(phone, root, max(data.max_photo, 3 * CHUNK))
            finally:
                phone.close()
            b3 = b3_both(root, devices, pg_workers) if devices else "not run (--devices 0)"
        except BaseException:
            keep_logs(root)
            raise
    return {
        "bench": "sync",
        "link": f"{link}: {LINKS[link]} (sync_server/bench/link.py)",
        "dataset": vars(data),
        "B1_cold": b1,
        "B2_incremental": b2,
        "B3_concurrency": b3,
        "B4_resume": b4,
        "machine": machine(),
    }
