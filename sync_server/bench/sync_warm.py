"""B2 and B4: the phone that B1 left (bench/sync_cold.py) syncing again, warm.

B2 incremental: 50 edits + 10 photos after B1: local commit → server commit, and a
   supervisor's return → visible on the phone; both next to one bare round trip.
B4 resume: a photo upload cut by a connection reset half-way, then resumed: bytes sent on
   top of the photo's size, next to the chunk size (the goal is ≤ 1 chunk).
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from fieldapp.sync.engine import CHUNK, run_sync
from fieldapp.sync.errors import SyncError
from sync_server.bench.common import Timer
from sync_server.bench.merge import scored_items
from sync_server.bench.sync_cold import Phone
from sync_server.bench.syncdata import Central, Dataset, jpeg, store_photo


def round_trip(url: str) -> float:
    """Median of 5 bare GET /healthz through the link: the floor of any request."""
    times = []
    with httpx.Client(base_url=url) as http:
        for _ in range(5):
            with Timer() as t:
                http.get("/healthz").raise_for_status()
            times.append(t.seconds)
    return statistics.median(times)


def b2_incremental(phone: Phone, root: Path, data: Dataset) -> dict[str, Any]:
    """50 edits + 10 photos: commit → server commit; supervisor return → on the phone."""
    import random

    store, rng = phone.store, random.Random(7)
    visits, items = phone.visits[:10], scored_items()
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
