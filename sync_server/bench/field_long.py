"""Long checklists in the browser: open a 150-item checklist vs a 15-item one, and mark one
item on each, as ratios measured in the same run (with the bytes the server sent the
browser for one mark: a mark that rebuilt the whole list would send the whole list).

The two checklists are generated for the bench only (`bench-long-N`, never shipped): the
store-patrol template's items repeated under fresh codes, in categories of 15.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import WebSocket, expect

from sync_server.bench.browser import SLOW
from sync_server.bench.field_flow import FieldPhone
from sync_server.templates.catalog import checklist_dir

BASE = "store-patrol.v2.json"
PER_CATEGORY = 15
MARKS = 5  # marks timed per checklist (fail, then clear again), the median kept


def title(n: int) -> str:
    return f"测试长表{n}项"


def long_template(n: int) -> bytes:
    """A valid template of `n` items: the base template's items repeated under new codes."""
    base = json.loads((checklist_dir() / BASE).read_text(encoding="utf-8"))
    items = [i for c in base["categories"] for i in c["items"] if i["deduction"]["kind"] == "fixed"]
    categories = []
    for c in range(0, (n + PER_CATEGORY - 1) // PER_CATEGORY):
        size = min(PER_CATEGORY, n - c * PER_CATEGORY)
        cat = dict(base["categories"][c % len(base["categories"])])
        cat["code"] = str(c + 1)
        cat["items"] = [
            {**items[(c * PER_CATEGORY + k) % len(items)], "code": f"{c + 1}.{k + 1}"}
            for k in range(size)
        ]
        categories.append(cat)
    body = {
        **base,
        "id": f"bench-long-{n}",
        "version": 1,
        "title": title(n),
        "title_en": f"Bench long checklist, {n} items (not a product checklist)",
        "categories": categories,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def add_long_tasks(data_dir: Path, sizes: tuple[int, ...], site: str, assignee: str) -> None:
    """Publish the generated templates on the (stopped) server and assign one task each."""
    from sqlmodel import select

    from sync_server.core.changeset import ChangeSet
    from sync_server.core.config import Settings
    from sync_server.core.db import write_session
    from sync_server.core.dbinit import upgraded_database
    from sync_server.supervision import scheduling
    from sync_server.tables import User
    from sync_server.templates.versions import publish_template

    now = datetime.now(UTC)
    with upgraded_database(Settings(data_dir=data_dir, console=False)) as engine:
        with write_session(engine) as session:
            changes = ChangeSet(session)
            for n in sizes:
                publish_template(
                    session, changes, long_template(n), f"bench-long-{n}.json", by="bench"
                )
            changes.assign_seqs()
        with write_session(engine) as session:
            boss = session.exec(select(User).where(User.username == "admin")).one()
            window = scheduling.Window(now, now + timedelta(days=7))
            for n in sizes:
                scheduling.create_task(
                    session, boss, site, f"bench-long-{n}", "overt", assignee, window
                )


class Bytes:
    """What the server sent the page over its WebSocket since `reset`."""

    def __init__(self, phone: FieldPhone) -> None:
        self.total = 0
        phone.page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.total += len(payload)


def measure(phone: FieldPhone, n: int, sent: Bytes) -> dict[str, Any]:
    """Open the task's checklist (the first open builds the visit), then re-open it from
    the drafts twice; mark item 1.1 failed and clear it again MARKS times."""
    phone.page.get_by_role("button", name=re.compile(title(n))).first.click()
    expect(phone.tagged("start-visit")).to_be_visible(timeout=SLOW)
    opens = [_timed_open(phone, phone.button("开始"))]
    for _ in range(2):
        back_home(phone)
        draft = phone.page.get_by_role("button", name=re.compile(title(n))).last
        opens.append(_timed_open(phone, draft))
    verdict = phone.tagged("item-1.1")
    marks, bytes_per_mark = [], []
    for k in range(MARKS * 2):
        before, sent_before = phone.tagged("score").inner_text(), sent.total
        start = time.perf_counter()
        verdict.get_by_role("button", name="不合格", exact=True).click()
        expect(phone.tagged("score")).not_to_have_text(before, timeout=SLOW)
        if k % 2 == 0:  # the fail; the clear after it only restores the list
            marks.append(time.perf_counter() - start)
            phone.page.wait_for_timeout(300)  # the rest of the answer's frames
            bytes_per_mark.append(sent.total - sent_before)
    back_home(phone)
    return {
        "items": n,
        "open_s": round(statistics.median(opens), 3),
        "open_runs_s": [round(x, 3) for x in opens],
        "mark_s": round(statistics.median(marks), 3),
        "mark_runs_s": [round(x, 3) for x in marks],
        "bytes_per_mark": int(statistics.median(bytes_per_mark)),
    }


def back_home(phone: FieldPhone) -> None:
    """Browser back until the home screen (the checklist came through the new-visit one)."""
    for _ in range(3):
        phone.page.go_back()
        try:
            expect(phone.badge()).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            continue
    expect(phone.badge()).to_be_visible(timeout=SLOW)


def _timed_open(phone: FieldPhone, target: Any) -> float:
    start = time.perf_counter()
    target.click()
    expect(phone.tagged("item-1.1")).to_be_visible(timeout=SLOW)
    expect(phone.tagged("score")).to_be_visible(timeout=SLOW)
    return time.perf_counter() - start


def ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    return {
        "small": small,
        "large": large,
        "open_ratio": round(large["open_s"] / small["open_s"], 2),
        "mark_ratio": round(large["mark_s"] / small["mark_s"], 2),
        "mark_bytes_ratio": round(large["bytes_per_mark"] / max(1, small["bytes_per_mark"]), 2),
        "goal": "open_ratio ≤ 2; mark_ratio ≈ 1 (marking one item does not rebuild the list)",
    }
