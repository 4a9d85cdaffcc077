"""B-console: supervisor console queries on a large SQLite central database.

A temporary database is filled with fully-formed rows by `executemany` (not through
HTTP): 500 sites in 2 regions, store-patrol visits of 45 findings (39 when covert) with
their stored score, percent and grade, submitted over a year, statuses submitted /
approved / published. Then each operation runs `REPS` times (after one warm-up), each in
a fresh session, as a supervisor covering both regions (the scope filter lists all 500
sites): the review queue's first page (default sort), a filtered queue page 3 (region +
mode + six months) through its cursors, a random visit's detail and a random site's trend.
The baseline, measured the same way in the same run, is `session.get(Visit, id)` of a
random visit; ratios are p95 / baseline p95. Goal: every p95 under 50 ms.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.scoring import score_raw
from fieldcore.workflow import finding_id
from sync_server.bench.common import machine, progress
from sync_server.core import dbinit
from sync_server.core.changeset import ChangeSet
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, write_session
from sync_server.org import admin
from sync_server.supervision.dashboards import site_trend
from sync_server.supervision.queue import PageRequest, QueueFilters, review_queue
from sync_server.supervision.visit_detail import visit_detail
from sync_server.tables import Finding, Site, User, Visit
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.versions import get_template, publish_template

TEMPLATE = "store-patrol.v1"
SITES, INSPECTORS, REPS, CHUNK = 500, 20, 50, 20_000
GOAL_P95_MS = 50.0
YEAR_END = datetime(2026, 12, 1, tzinfo=UTC)
OPERATIONS = ("queue_first_page", "queue_filtered_page3", "visit_detail", "site_trend")


def _setup(settings: Settings) -> tuple[sa.Engine, list[uuid.UUID], list[uuid.UUID]]:
    engine = make_engine(settings)
    dbinit.upgrade(engine)
    quick = mock.patch.object(admin, "hash_password", lambda _: "x")  # argon2 is slow
    with quick, write_session(engine) as s:
        changes = ChangeSet(s)
        admin.add_region(s, "CA", "基准甲区")
        admin.add_region(s, "CB", "基准乙区")
        sites = [
            admin.add_site(s, changes, f"C-{n:04d}", f"基准门店{n}", "store", ("CA", "CB")[n % 2])
            for n in range(SITES)
        ]
        inspectors = []
        for n in range(INSPECTORS):
            user = admin.add_user(
                s, f"insp{n}", "inspector", "bench-password", display_name=f"检查员{n}"
            )
            admin.assign(s, user, regions=[("CA", "CB")[n % 2]])
            inspectors.append(user)
        sup = admin.add_user(s, "sup", "supervisor", "bench-password")
        admin.assign(s, sup, regions=["CA", "CB"])
        body = (checklist_dir() / f"{TEMPLATE}.json").read_bytes()
        publish_template(s, changes, body, f"{TEMPLATE}.json")
        changes.assign_seqs()
        s.flush()
        site_ids, inspector_ids = [x.id for x in sites], [x.id for x in inspectors]
    return engine, site_ids, inspector_ids


def _patterns(engine: sa.Engine) -> list[tuple[str, dict[str, dict[str, Any]], dict[str, Any]]]:
    """A few (mode, answers, score) combinations, scored by the real engine."""
    with Session(engine) as s:
        template = get_template(s, TEMPLATE)
    items = [(i.code, i.deduction.kind, i.covert_ok) for _, i in template.iter_items()]
    out = []
    for k in range(24):
        mode = "covert" if k % 5 == 4 else "overt"
        answers: dict[str, dict[str, Any]] = {}
        for n, (code, kind, covert_ok) in enumerate(items):
            if mode == "covert" and not covert_ok:
                continue
            fail = kind != "veto" and (n * 7 + k * 3) % 11 < (k % 4)
            answers[code] = {"result": "pass"}
            if fail:
                answers[code] = {"result": "fail"}
                if kind == "per_occurrence":
                    answers[code]["count"] = 1 + k % 3
        card = score_raw(template, answers, mode)  # type: ignore[arg-type]
        out.append((mode, answers, json.loads(json.dumps(card.to_dict(), default=str))))
    return out


def _fill(
    engine: sa.Engine, sites: list[uuid.UUID], inspectors: list[uuid.UUID], findings: int
) -> tuple[list[uuid.UUID], int]:
    rng = random.Random(1)
    patterns = _patterns(engine)
    visit_ids: list[uuid.UUID] = []
    made = 0
    visit_table, finding_table = Visit.__table__, Finding.__table__
    by_region: dict[int, list[uuid.UUID]] = {0: inspectors[0::2], 1: inspectors[1::2]}
    with progress("fill findings", findings) as advance:
        while made < findings:
            visits: list[dict[str, Any]] = []
            rows: list[dict[str, Any]] = []
            while made < findings and len(rows) < CHUNK:
                n = rng.randrange(SITES)
                mode, answers, score = patterns[rng.randrange(len(patterns))]
                at = YEAR_END - timedelta(seconds=rng.randrange(365 * 86400))
                status = rng.choice(("submitted", "approved", "approved", "published", "published"))
                vid = uuid.uuid4()
                visit_ids.append(vid)
                reviewed = at + timedelta(days=1) if status != "submitted" else None
                visits.append(
                    {
                        "id": vid,
                        "site_id": sites[n],
                        "template_key": TEMPLATE,
                        "mode": mode,
                        "kind": "routine",
                        "inspector_id": rng.choice(by_region[n % 2]),
                        "status": status,
                        "started_at": at - timedelta(hours=1),
                        "finished_at": at - timedelta(minutes=5),
                        "submitted_at": at,
                        "note": "",
                        "lat": None,
                        "lon": None,
                        "ack_name": "店长",
                        "ack_refused": False,
                        "return_comment": "",
                        "void_reason": "",
                        "reviewed_at": reviewed,
                        "published_at": reviewed if status == "published" else None,
                        "score": score,
                        "score_percent": Decimal(str(score["percent"])),
                        "score_grade": score["grade"],
                        "created_at": at - timedelta(hours=1),
                        "seq": 0,
                        "field_seq": {},
                        "field_by": {},
                    }
                )
                for code, answer in answers.items():
                    rows.append(
                        {
                            "id": finding_id(vid, code),
                            "visit_id": vid,
                            "item_code": code,
                            "result": answer["result"],
                            "count": answer.get("count"),
                            "note": "不符合" if answer["result"] == "fail" else "",
                            "review_comment": "",
                            "seq": 0,
                            "field_seq": {},
                            "field_by": {},
                        }
                    )
                made += len(answers)
            with engine.begin() as conn:
                conn.execute(sa.insert(visit_table), visits)
                conn.execute(sa.insert(finding_table), rows)
            advance(len(rows))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return visit_ids, made


def _percentiles(samples: list[float]) -> tuple[float, float]:
    xs = sorted(samples)
    p50 = xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
    return round(p50 * 1000, 3), round(xs[math.ceil(0.95 * len(xs)) - 1] * 1000, 3)


def _measure(engine: sa.Engine, call: Callable[[Session], Any], reps: int) -> tuple[float, float]:
    samples = []
    for n in range(reps + 1):  # the first is a warm-up
        with Session(engine) as s:
            start = time.perf_counter()
            call(s)
            elapsed = time.perf_counter() - start
            s.rollback()  # visit_detail audits covert views: keep the database as built
        if n:
            samples.append(elapsed)
    return _percentiles(samples)


def run(findings: int = 1_000_000, reps: int = REPS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "server", console=False)
        started = time.perf_counter()
        engine, sites, inspectors = _setup(settings)
        visit_ids, made = _fill(engine, sites, inspectors, findings)
        build_s = time.perf_counter() - started
        with Session(engine) as s:
            sup = s.exec(select(User).where(User.username == "sup")).one()
            s.expunge(sup)
        rng = random.Random(2)
        filters = QueueFilters(
            region="CA",
            mode="overt",
            submitted_from=YEAR_END - timedelta(days=183),
            submitted_to=YEAR_END,
        )
        with Session(engine) as s:
            cursor: str | None = None
            for _ in range(2):
                cursor = review_queue(s, sup, filters, page=PageRequest(cursor)).next_cursor
        page3 = PageRequest(cursor)
        calls: dict[str, Callable[[Session], Any]] = {
            "baseline_get": lambda s: s.get(Visit, rng.choice(visit_ids)),
            "queue_first_page": lambda s: review_queue(s, sup),
            "queue_filtered_page3": lambda s: review_queue(s, sup, filters, page=page3),
            "visit_detail": lambda s: visit_detail(s, sup, rng.choice(visit_ids)),
            "site_trend": lambda s: site_trend(s, sup, rng.choice(sites)),
        }
        with Session(engine) as s:  # reported: at full size page 3 is a full page of 50
            page3_rows = len(review_queue(s, sup, filters, page=page3).rows)
            assert s.exec(select(sa.func.count()).select_from(Site)).one() == SITES
        timings = {}
        with progress("measure", len(calls)) as advance:
            for name, call in calls.items():
                timings[name] = _measure(engine, call, reps)
                advance()
        engine.dispose()
    base50, base95 = timings.pop("baseline_get")
    result: dict[str, Any] = {
        "bench": "console",
        "database": "sqlite (WAL, file in a temp dir)",
        "findings": made,
        "visits": len(visit_ids),
        "sites": SITES,
        "regions": 2,
        "repetitions": reps,
        "build_s": round(build_s, 1),
        "filtered_page3_rows": page3_rows if cursor else 0,
        "baseline_get_p50_ms": base50,
        "baseline_get_p95_ms": base95,
    }
    for name in OPERATIONS:
        p50, p95 = timings[name]
        result[f"{name}_p50_ms"] = p50
        result[f"{name}_p95_ms"] = p95
        result[f"{name}_ratio_p95"] = round(p95 / base95, 1)
    result["goal_p95_ms"] = GOAL_P95_MS
    result["goal_met"] = all(timings[n][1] < GOAL_P95_MS for n in OPERATIONS)
    result["machine"] = machine()
    return result
