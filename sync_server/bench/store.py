"""B-store: user actions/s on the phone's local store next to raw single-row commits.

The store side is the real intent: `Store.record_answer` on a draft visit of a shipped
template, pulled by a real first sync from the in-process server, as a phone gets it.
Each action is one transaction writing the finding, the visit's updated_at and one outbox
entry. The raw side is sqlite3 in the same directory under the same PRAGMAs (WAL,
synchronous=FULL, BEGIN IMMEDIATE): one single-row INSERT and COMMIT per action, so the
ratio shows what the store adds on top of the durable commit it cannot avoid.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.engine import run_sync
from sync_server.bench.common import Timer, machine, progress

# the same organisation and answerable items as the merge bench (one region, site B-001,
# inspector "bench", store-patrol.v1 published)
from sync_server.bench.merge import TEMPLATE, scored_items, seed_bench_db
from sync_server.main import create_app


class OutboxMismatch(AssertionError):
    """The store did not queue exactly one outbox entry per action."""


def signed_in_store(data_dir: Path) -> tuple[Store, uuid.UUID]:
    """A phone store after sign-in and a first sync, holding one draft visit."""
    settings, site_id, password = seed_bench_db(data_dir / "server")
    app = create_app(settings)
    with TestClient(app) as http:
        store = Store(data_dir / "phone" / "mingcha.db")
        client = SyncClient("http://testserver", http=http)  # type: ignore[arg-type]
        store.enroll("http://testserver", client.login("bench", password, store.device_id()))
        report = run_sync(store, client)
        assert report.ok, report
    app.state.engine.dispose()
    visit = store.start_visit(uuid.UUID(site_id), TEMPLATE, "overt")
    return store, visit.id


def store_rate(store: Store, visit_id: uuid.UUID, actions: int) -> tuple[float, int]:
    """Actions/s of record_answer, and how many outbox entries they queued."""
    items = scored_items()
    before = store.pending_count()
    with progress("store actions", actions) as advance, Timer() as t:
        for n in range(actions):
            # a verdict with a new note every time: each call is a real change (an
            # unchanged answer queues nothing), first per item a creation, then an edit
            store.record_answer(visit_id, items[n % len(items)], "pass", note=f"第{n}条记录")
            advance()
    return actions / t.seconds, store.pending_count() - before


def raw_rate(path: Path, actions: int) -> float:
    """sqlite3, one single-row INSERT + COMMIT per action, under the store's PRAGMAs."""
    conn = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT, as the store
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE change (seq INTEGER PRIMARY KEY, entity_id TEXT, fields TEXT,"
            " created_at TEXT)"
        )
        entity = str(uuid.uuid4())
        with progress("raw commits", actions) as advance, Timer() as t:
            for n in range(actions):
                fields = json.dumps({"result": "pass", "note": f"第{n}条记录"}, ensure_ascii=False)
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO change (entity_id, fields, created_at) VALUES (?, ?, ?)",
                    (entity, fields, "2026-12-01T09:00:00+00:00"),
                )
                conn.execute("COMMIT")
                advance()
    finally:
        conn.close()
    return actions / t.seconds


def run(actions: int = 2000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-") as tmp:
        store, visit_id = signed_in_store(Path(tmp))
        try:
            intent, queued = store_rate(store, visit_id, actions)
        finally:
            store.close()
        raw = raw_rate(Path(tmp) / "phone" / "raw.db", actions)
    if queued != actions:
        raise OutboxMismatch(f"{actions} actions queued {queued} outbox entries")
    # the ratio is computed from the reported rates, so a reader can check it
    intent, raw = round(intent, 1), round(raw, 1)
    return {
        "bench": "store",
        "database": f"sqlite {sqlite3.sqlite_version}, WAL, synchronous=FULL",
        "actions": actions,
        "intent": "Store.record_answer",
        "store_actions_per_s": intent,
        "raw_commits_per_s": raw,
        "ratio": round(intent / raw, 3),
        "outbox_added": queued,
        "outbox_check": "ok",
        "machine": machine(),
    }
