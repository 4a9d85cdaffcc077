"""B-merge: push-path throughput on SQLite next to a raw batched insert of the same rows.

Both sides write the same visits and findings into the same schema on the same machine in
the same run. The push side goes through the real server path in process — HTTP request,
JSON validation, auth, scope, ownership, template validation, change log, stored results,
one transaction per 500 mutations; the raw side is `executemany` of the finished rows in
500-row transactions. The ratio is the figure of merit (goal ≥ 0.4). The same ratio in this
process's CPU time (`cpu_ratio`) is given beside it: on a shared, busy machine it varies
less than the wall-clock one.
"""

from __future__ import annotations

import contextlib
import gc
import json
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from fieldcore.workflow import finding_id
from sync_server.bench.common import Timer, machine, progress
from sync_server.core import dbinit
from sync_server.core.changeset import ChangeSet
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, write_session
from sync_server.main import create_app, serving_heap
from sync_server.org import admin
from sync_server.tables import Finding, Visit, VisitSubjectResult
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.versions import publish_template

BATCH = 500
TEMPLATE = "store-patrol.v1"


def seed_bench_db(data_dir: Path, database_url: str | None = None) -> tuple[Settings, str, str]:
    """A bench database: region B1, site B-001, the inspector `bench` and the template.
    Returns (settings, site id, the inspector's password)."""
    settings = (  # no URL: MINGCHA_DATABASE_URL, else the data directory's SQLite file
        Settings(data_dir=data_dir, console=False, database_url=database_url)
        if database_url
        else Settings(data_dir=data_dir, console=False)
    )
    engine = make_engine(settings)
    dbinit.upgrade(engine)
    with write_session(engine) as s:
        changes = ChangeSet(s)
        admin.add_region(s, "B1", "基准区")
        site = admin.add_site(s, changes, "B-001", "基准门店", "store", "B1")
        user = admin.add_user(s, "bench", "inspector", "bench-password")
        admin.assign(s, user, regions=["B1"])
        publish_template(
            s, changes, (checklist_dir() / f"{TEMPLATE}.json").read_bytes(), f"{TEMPLATE}.json"
        )
        changes.assign_seqs()
        site_id = str(site.id)
    engine.dispose()
    return settings, site_id, "bench-password"


def scored_items() -> list[str]:
    """The codes of the bench template's items that count toward its score."""
    body = json.loads((checklist_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    return [
        i["code"]
        for c in body["categories"]
        for i in c["items"]
        if i["deduction"]["kind"] in ("fixed", "per_occurrence", "zero_category", "veto")
    ]


def mutations(site_id: str, visits: int) -> list[dict[str, Any]]:
    items, out, seq = scored_items(), [], 0
    for _ in range(visits):
        visit_id = uuid.uuid4()
        seq += 1
        out.append(
            {
                "seq": seq,
                "entity": "visit",
                "id": str(visit_id),
                "fields": {
                    "site_id": site_id,
                    "template_key": TEMPLATE,
                    "mode": "overt",
                    "note": "基准",
                },
            }
        )
        for n, code in enumerate(items):
            seq += 1
            fields = {"visit_id": str(visit_id), "item_code": code, "result": "pass", "note": ""}
            if n % 7 == 0:
                fields.update(result="fail", note="不符合")
            out.append(
                {
                    "seq": seq,
                    "entity": "finding",
                    "id": str(finding_id(visit_id, code)),
                    "fields": fields,
                }
            )
    return out


def timed_push(settings: Settings, password: str, muts: list[dict[str, Any]]) -> Timer:
    """The pushes through the app, timed from the request bytes to the answer bytes.

    The bodies are encoded before the timer starts and the answers decoded and checked
    after it stops: that JSON is the phone's work (its queue is encoded at its own pace),
    as the raw side's rows are built before its timer — the figure is the server's."""
    app = create_app(settings)
    headers = {SCHEMA_HEADER: str(SCHEMA_VERSION), "Content-Type": "application/json"}
    bodies = [
        json.dumps({"mutations": muts[i : i + BATCH]}).encode() for i in range(0, len(muts), BATCH)
    ]
    answers: list[tuple[int, bytes]] = []
    with TestClient(app) as client:
        r = client.post(
            "/v1/auth/login",
            headers=headers,
            json={"username": "bench", "password": password, "device_id": str(uuid.uuid4())},
        )
        headers["Authorization"] = f"Bearer {r.json()['token']}"
        with progress("push", len(muts)) as advance, Timer() as t:
            for body in bodies:
                r = client.post("/v1/sync/push", headers=headers, content=body)
                answers.append((r.status_code, r.content))
                advance(BATCH)
    app.state.engine.dispose()
    for status, content in answers:
        assert status == 200, content[:500]
        bad = [x for x in json.loads(content)["results"] if x["status"] != "applied"]
        assert not bad, bad[:3]
    return t


def timed_raw_insert(settings: Settings, muts: list[dict[str, Any]], inspector: str) -> Timer:
    """executemany of the same visit and finding rows, 500 per transaction."""
    engine = make_engine(settings)
    visits = [
        {
            "id": uuid.UUID(m["id"]),
            "site_id": uuid.UUID(m["fields"]["site_id"]),
            "template_key": TEMPLATE,
            "mode": "overt",
            "kind": "routine",
            "inspector_id": uuid.UUID(inspector),
            "status": "draft",
            "note": "基准",
        }
        for m in muts
        if m["entity"] == "visit"
    ]
    findings = [
        {
            "id": uuid.UUID(m["id"]),
            "visit_id": uuid.UUID(m["fields"]["visit_id"]),
            "item_code": m["fields"]["item_code"],
            "result": m["fields"]["result"],
            "note": m["fields"]["note"],
        }
        for m in muts
        if m["entity"] == "finding"
    ]
    with engine.begin() as conn:  # start from the same empty tables the push side saw
        conn.execute(sa.delete(Finding))
        conn.execute(sa.delete(VisitSubjectResult))  # per-subject results refer to visits
        conn.execute(sa.delete(Visit))
    rows = [(Visit, v) for v in visits] + [(Finding, f) for f in findings]
    with _heap_as_the_server_has_it(), progress("raw insert", len(rows)) as advance, Timer() as t:
        for i in range(0, len(rows), BATCH):
            chunk = rows[i : i + BATCH]
            with write_session(engine) as s:
                for model in (Visit, Finding):
                    batch = [r for m, r in chunk if m is model]
                    if batch:
                        s.execute(sa.insert(model), batch)
            advance(len(chunk))
    engine.dispose()
    return t


@contextlib.contextmanager
def _heap_as_the_server_has_it() -> Iterator[None]:
    """The baseline runs with the start-up heap frozen, as the push side does inside the
    server (sync_server.main freezes it): otherwise the collector's full passes over the
    heap the app left unfrozen at shut-down fall on the raw side or not depending on where
    its gen-2 counter stands, and the ratio measured the collector, not the push path
    (0.14–0.37 in pairs of runs of the same tree). The collector's thresholds are the
    server's too (`serving_heap`)."""
    gc.collect()
    with serving_heap():
        yield


def run(visits: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-") as tmp:
        settings, site_id, password = seed_bench_db(Path(tmp) / "server")
        muts = mutations(site_id, visits)
        push = timed_push(settings, password, muts)
        engine = make_engine(settings)
        with engine.connect() as conn:
            inspector = str(conn.execute(sa.text("SELECT id FROM app_user")).scalar_one())
        engine.dispose()
        raw = timed_raw_insert(settings, muts, uuid.UUID(inspector).hex and inspector)
    n = len(muts)  # the raw side writes as many rows as there are mutations
    return {
        "bench": "merge",
        "database": "sqlite",
        "mutations": len(muts),
        "batch": BATCH,
        "push_mutations_per_s": round(n / push.seconds),
        "raw_rows_per_s": round(n / raw.seconds),
        "ratio": round(raw.seconds / push.seconds, 3),
        "push_cpu_us_per_mutation": round(push.cpu_seconds / n * 1e6, 1),
        "raw_cpu_us_per_row": round(raw.cpu_seconds / n * 1e6, 1),
        "cpu_ratio": round(raw.cpu_seconds / push.cpu_seconds, 3),
        "goal_ratio": 0.4,
        "machine": machine(),
    }
