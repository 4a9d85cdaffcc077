"""B3: many phones pushing at the same moment, straight to a real server subprocess (no
shaped link: this measures the server), next to one phone pushing alone.

Run on SQLite with one worker (the embedded default; one writer per file, so more workers
only queue on its lock) and on PostgreSQL, the production database, with `mingcha serve
--workers N` (default 2): production runs several workers there, so the figure of merit is
PostgreSQL's p99 over SQLite's, measured in the same run (goal ≤ 1), and one push alone on
each (goal ≤ 1.5).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from fieldapp.sync.errors import SyncError
from sync_server.bench.common import Timer, machine, progress
from sync_server.bench.syncdata import client_for, start_central

PG_WORKERS = 2
ALONE = 10  # pushes by one phone at a time, each by a device of its own


def run(devices: int, pg_workers: int = PG_WORKERS) -> dict[str, Any]:
    """`mingcha bench concurrency`: B3 alone, in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-b3-") as tmp:
        b3 = b3_both(Path(tmp), devices, pg_workers)
    return {"bench": "concurrency", "B3_concurrency": b3, "machine": machine()}


def b3_both(root: Path, devices: int, pg_workers: int = PG_WORKERS) -> dict[str, Any]:
    """B3 on SQLite (one worker) and on PostgreSQL (`pg_workers`) when one answers, with
    PostgreSQL's figures as ratios to SQLite's."""
    sqlite = b3_concurrency(root / "b3", devices)
    out: dict[str, Any] = {"sqlite": sqlite}
    url, why = pg_schema()
    if url is None:
        out["postgresql"] = f"not run: {why}"
        return out
    try:
        pg = out["postgresql"] = b3_concurrency(root / "b3-pg", devices, url, pg_workers)
    finally:
        drop_schema(url)
    out["postgresql_vs_sqlite"] = {
        "p99": round(pg["p99_ms"] / sqlite["p99_ms"], 2),
        "p50": round(pg["p50_ms"] / sqlite["p50_ms"], 2),
        "alone": round(pg["alone_p50_ms"] / sqlite["alone_p50_ms"], 2),
        "goal": f"p99 <= 1 with {pg_workers} PostgreSQL workers vs 1 SQLite; alone <= 1.5",
    }
    return out


def pg_schema() -> tuple[str | None, str]:
    """A fresh schema in the test PostgreSQL (MINGCHA_TEST_POSTGRES), or why there is none."""
    import os

    import sqlalchemy as sa

    base = os.environ.get(
        "MINGCHA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"mingcha_bench_{uuid.uuid4().hex[:8]}"
    try:
        engine = sa.create_engine(base, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
    except Exception as exc:  # no server, no driver, no rights: say which
        return None, f"PostgreSQL not reachable at {base}: {type(exc).__name__}"
    return f"{base}?options=-csearch_path%3D{schema}", ""


def drop_schema(url: str) -> None:
    import sqlalchemy as sa

    base, schema = url.split("?", 1)[0], url.rsplit("%3D", 1)[1]
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def b3_concurrency(
    root: Path, devices: int, database_url: str | None = None, workers: int = 1
) -> dict[str, Any]:
    """`devices` phones each push one visit (46 mutations) at the same moment, straight to
    the server (`workers` processes); the baseline is the same push by one phone alone."""
    from sync_server.bench.merge import mutations

    central = start_central(root, database_url, workers)
    try:
        with progress("B3 sign-ins", devices + ALONE) as tick:
            clients = []
            for _ in range(devices + ALONE):
                c = client_for(central.url)
                c.login("bench", central.password, uuid.uuid4())
                clients.append(c)
                tick()
        alone = [_timed_push(c, str(central.site_id)) for c in clients[:ALONE]]
        latencies, errors = [], []
        released: list[float] = []  # when the last phone reached the barrier: all go
        barrier = threading.Barrier(devices, action=lambda: released.append(time.perf_counter()))

        def push(c: Any) -> None:
            barrier.wait()
            try:
                latencies.append(_timed_push(c, str(central.site_id)))
            except SyncError as exc:  # code and message: a count alone hides the cause
                errors.append(f"{exc.code}: {exc.message}")

        threads = [threading.Thread(target=push, args=(c,)) for c in clients[ALONE:]]
        with progress("B3 concurrent pushes", 1) as tick:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            finished = time.perf_counter()
            tick()
        pids = {_worker_pid(c) for c in clients}
        for c in clients:
            c.close()
    finally:
        central.stop()
    if errors:  # the server's side of each failure, for the run's record
        print(f"B3 errors: {errors}\n--- server log ---\n{central.proc.tail()}", flush=True)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    base = statistics.median(alone)
    each = len(mutations(str(central.site_id), 1))
    # mutations per second with every phone pushing at once, next to one phone alone
    together = len(latencies) * each / (finished - released[0])
    return {
        "database": "postgresql" if database_url else "sqlite",
        "workers": workers,
        "workers_that_answered": len(pids),
        "devices": devices,
        "mutations_each": each,
        "alone_p50_ms": round(base * 1000, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "errors": len(errors),
        "error_codes": sorted(set(errors)),
        "p99_vs_alone": round(q[98] / base, 1),
        "alone_mutations_per_s": round(each / base),
        "together_mutations_per_s": round(together),
        "throughput_vs_alone": round(together / (each / base), 2),
        "goal": "p99 < 1 s, 0 errors, throughput_vs_alone ≥ 0.9 (SQLite)",
    }


def _worker_pid(client: Any) -> int:
    """The worker behind this client's kept-alive connection (/healthz names its pid): with
    several workers, the run says how many took part."""
    pid: int = client.http.get("/healthz").json()["pid"]
    return pid


def _timed_push(client: Any, site_id: str) -> float:
    from fieldcore.protocol import PushRequest
    from sync_server.bench.merge import mutations

    request = PushRequest.model_validate({"mutations": mutations(site_id, 1)})
    with Timer() as t:
        response = client.push(request)
    assert all(r.status == "applied" for r in response.results), response.results[:3]
    return t.seconds
