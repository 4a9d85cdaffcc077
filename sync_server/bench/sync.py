"""B1–B4: the phone's sync over a mobile-like link, each figure next to a baseline measured
in the same run through the same shaped link (sync_server/bench/link.py).

B1 cold sync (bench/sync_cold.py): the phone's first sync of a seeded dataset vs (a) a
   naive client (one request per record and per photo) and (b) a plain copy of the same
   photo bytes over one TCP connection — the physical limit of the link.
   With `--blob s3`, B1 runs a second time on a fresh phone with the same photos, against
   a server whose blobs go to an S3 store (moto's server on loopback: an emulator,
   bench/s3.py), and its time is given as a ratio to the local-disk B1 of the same run.
B2 incremental and B4 resume (bench/sync_warm.py): the phone B1 left, syncing again.
B3 concurrency (bench/concurrency.py): N devices pushing at once straight to the server
   (no proxy): p50/p99 and errors, next to one device pushing alone; on SQLite (one
   worker) and on PostgreSQL (`--pg-workers`, default 2), PostgreSQL as ratios to SQLite.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fieldapp.sync.engine import CHUNK
from sync_server.bench.common import machine, stderr
from sync_server.bench.concurrency import PG_WORKERS, b3_both
from sync_server.bench.link import LINKS, PROFILES
from sync_server.bench.shaping import Shape
from sync_server.bench.sync_cold import b1_cold
from sync_server.bench.sync_warm import b2_incremental, b4_resume
from sync_server.bench.syncdata import Dataset

BLOBS = ("local", "s3")  # where the server keeps photos in B1 (s3: besides local)
BUCKET, PREFIX = "mingcha-bench", "blobs"


def b1_on_s3(root: Path, data: Dataset, link: Shape, local: dict[str, Any]) -> dict[str, Any]:
    """B1's cold sync again, the server's photos in an S3 bucket: its time as a ratio to
    the local-disk B1 (`local`). Each B1 has its own plain copy beside it (`*_time_vs_copy`):
    on a shaped link they show whether the link or the server set the pace."""
    from sync_server.bench.s3 import S3Server

    store = S3Server(root, BUCKET)
    try:
        s3, phone = b1_cold(root / "s3", data, link, naive=False, blob_env=store.env(PREFIX))
        phone.close()
        objects = len(store.keys(PREFIX))
    finally:
        store.close()
    assert objects == s3["photos"], f"{objects} objects for {s3['photos']} photos"
    return {
        "store": "S3 API, moto's server on loopback: an emulator (bench/s3.py: no real "
        "latency, request rates, consistency or durability; one PUT per photo here)",
        "photos": s3["photos"],
        "objects_in_bucket": objects,
        "local_ours_s": local["ours_s"],
        "s3_ours_s": s3["ours_s"],
        "s3_vs_local": round(s3["ours_s"] / local["ours_s"], 3),
        "local_time_vs_copy": local["time_vs_copy"],
        "s3_time_vs_copy": s3["time_vs_copy"],
        "s3_ours_requests": s3["ours_requests"],
    }


def keep_logs(root: Path) -> None:
    """The servers' logs outlive a failed run (the temp dir does not): say where."""
    import shutil

    kept = Path(tempfile.gettempdir()) / "mingcha-bench-sync-logs"
    shutil.rmtree(kept, ignore_errors=True)
    for log in [*root.glob("**/server.log"), *root.glob("**/moto.log")]:
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
    blob: str = "local",
) -> dict[str, Any]:
    shape = PROFILES[link]
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-sync-") as tmp:
        root = Path(tmp)
        try:
            b1, phone = b1_cold(root, data, shape, naive)
            try:
                b2 = b2_incremental(phone, root, data)
                b4 = b4_resume(phone, root, max(data.max_photo, 3 * CHUNK))
            finally:
                phone.close()
            b1_s3 = b1_on_s3(root, data, shape, b1) if blob == "s3" else None
            b3 = b3_both(root, devices, pg_workers) if devices else "not run (--devices 0)"
        except BaseException:
            keep_logs(root)
            raise
    return {
        "bench": "sync",
        "link": f"{link}: {LINKS[link]} (sync_server/bench/link.py)",
        "dataset": vars(data),
        "B1_cold": b1,
        **({"B1_cold_s3": b1_s3} if b1_s3 else {}),
        "B2_incremental": b2,
        "B3_concurrency": b3,
        "B4_resume": b4,
        "machine": machine(),
    }
