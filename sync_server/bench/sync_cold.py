"""B1 cold sync: the phone's first sync of a seeded dataset through a shaped link, next to
(a) a naive client (one request per record and per photo) and (b) a plain copy of the same
photo bytes over one TCP connection through the same link — the physical limit of it.

The phone it leaves behind (`Phone`) goes on to B2 and B4 (bench/sync_warm.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fieldapp.sync.engine import run_sync
from sync_server.bench.common import Timer, progress
from sync_server.bench.link import ShapedLink
from sync_server.bench.shaping import Shape
from sync_server.bench.syncdata import (
    MB,
    Central,
    Counting,
    Dataset,
    Sink,
    fill,
    naive_sync,
    photo_files,
    plain_copy,
    signed_in_phone,
    start_central,
)


class Phone:
    """The B1 phone after its cold sync, kept for B2 and B4."""

    def __init__(
        self,
        store: Any,
        client: Any,
        central: Central,
        proxy: ShapedLink,
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


def b1_cold(
    root: Path,
    data: Dataset,
    link: Shape,
    naive: bool = True,
    blob_env: dict[str, str] | None = None,
) -> tuple[dict[str, Any], Phone]:
    """B1 in `root`; the server keeps photos where `blob_env` says (none: its data dir)."""
    ours = start_central(root / "ours", blob_env=blob_env)
    ours_proxy = ShapedLink(ours.port, link)
    counter = Counting()
    url = f"http://127.0.0.1:{ours_proxy.port}"
    store, client = signed_in_phone(url, ours.password, root / "ours", counter)
    total = data.visits * max(1, data.findings // data.visits) + data.photos
    with progress("B1 dataset", total) as tick:
        photo_bytes, visits = fill(store, ours.site_id, data, root / "ours", tick)
    paths = [Path(path) for _, path in photo_files(store)]
    records = store.pending_count()

    # the naive client first: it only reads the phone's queue, which our sync then drains
    naive_run = b1_naive(root, store, records, len(paths), link) if naive else None

    counter.requests, ours_proxy.bytes_up = 0, 0
    with progress("B1 our sync (MB)", round(photo_bytes / MB)) as tick, Timer() as ours_t:
        report = run_sync(store, client, _bytes_ticker(tick))
    assert report.ok and report.rejected == 0, report
    ours_requests, ours_bytes = counter.requests, ours_proxy.bytes_up

    sink = Sink()
    copy_proxy = ShapedLink(sink.port, link)
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


def b1_naive(root: Path, store: Any, records: int, photos: int, link: Shape) -> dict[str, Any]:
    """The naive client (one request per record, two per photo) against a server of its own:
    it only reads the phone's queue, which our sync then drains."""
    naive = start_central(root / "naive")
    naive_proxy = ShapedLink(naive.port, link)
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


def _bytes_ticker(tick: Any) -> Any:
    done = [0]

    def on_progress(p: Any) -> None:
        if p.phase == "upload" and p.bytes_done // MB > done[0]:
            tick(p.bytes_done // MB - done[0])
            done[0] = p.bytes_done // MB

    return on_progress
