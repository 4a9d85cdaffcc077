"""`mingcha bench field`: the inspector's work in Chromium at 390 × 844 against real
`mingcha serve` + `mingcha app` processes (issue 16 §1).

- taps from the home screen to "submitted" for a 明查 of the store-patrol checklist (45
  items) with 5 failures, each with a photo, a count on one, a note on two, a signed
  acknowledgement (per step, with the scroll distance);
- every interactive target's size on each screen (sign-in, home, new visit, checklist,
  finish, sync, rectification) and what overflows at text scale 1.3, with screenshots;
- a 150-item checklist against a 15-item one: open and mark-one as ratios.

The e2e test tests/e2e/test_field_budgets.py holds the counts to their budgets; times
appear here only, as ratios.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from sync_server.bench import field_long
from sync_server.bench.browser import SLOW
from sync_server.bench.common import machine
from sync_server.bench.field_flow import (
    Failure,
    FieldPhone,
    Screen,
    Tally,
    inspect,
    look_at_sync,
    sign_in,
)
from sync_server.bench.procs import Proc, demo_server, phone_app, url_of

TAP_BUDGET = 35
TASK = "明珠路便利店"  # the demo inspector's store-patrol task at S001
TASK_BUTTON = re.compile(r"明珠路便利店[\s\S]*窗口明查暗访检查表")
SITE = "S001"
ACK = "钱大明"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
LONG = (15, 150)

# Targets smaller than 48 × 48 CSS px that are so by design, with the reason (by label).
ALLOWED_SMALL: dict[str, str] = {
    # A Checkbox with a height squeezes and stretches its label (seen at text scale 1.3),
    # and no theme setting in Flet 1.0.5 pads it: in a browser (a desktop to Flutter) the
    # whole labelled row is 40 px high; on a phone Flutter pads it to 48 by itself.
    "负责人拒绝签认": "40 px high, 358 px wide in a browser; Flutter pads it to 48 on a phone",
}


def failures() -> list[Failure]:
    """Five store-patrol failures that need a photo: a count on one, a note on two."""
    return [
        Failure("1.1", evidence_jpeg(1), note="两人迟到", count=2),
        Failure("1.3", evidence_jpeg(2), note="柜台无人"),
        Failure("1.6", evidence_jpeg(3)),
        Failure("2.1", evidence_jpeg(4)),
        Failure("2.2", evidence_jpeg(5)),
    ]


def evidence_jpeg(seed: int) -> bytes:
    """A camera-like photo (noise, so each one has its own sha256)."""
    from PIL import Image

    rnd = random.Random(seed)
    image = Image.effect_noise((1600, 1200), 40 + seed).convert("RGB")
    image.paste((rnd.randrange(256), 80, 80), (0, 0, 400, 300))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed_server(data_dir: Path, long_sizes: tuple[int, ...] = ()) -> Path:
    """A server data dir with the demo organisation (and the bench's long checklists)."""
    from sync_server.core.config import Settings
    from sync_server.core.db import write_session
    from sync_server.core.dbinit import upgraded_database
    from sync_server.org import demo_data

    data_dir.mkdir(parents=True)
    settings = Settings(data_dir=data_dir, console=False)
    with upgraded_database(settings) as engine, write_session(engine) as session:
        demo_data.seed(session, datetime.now(UTC))
    if long_sizes:
        field_long.add_long_tasks(data_dir, long_sizes, SITE, "inspector")
    return data_dir


@contextmanager
def running(seeded: Path, root: Path) -> Iterator[tuple[Proc, Proc]]:
    """`mingcha serve` on a copy of `seeded` and one `mingcha app`, stopped after."""
    server = demo_server(seeded, root / "server", root)
    server.start()
    app = phone_app(root / "phone", url_of(server), root)
    try:
        app.start()
        yield server, app
    finally:
        app.stop()
        server.stop()


def publish_for_manager(server_dir: Path) -> None:
    """The supervisor approves and publishes the submitted visit through the server's own
    review service (SQLite WAL: another process may write): its failures become the site
    manager's corrective actions."""
    from sqlmodel import select

    from sync_server.core.config import Settings
    from sync_server.core.db import make_engine, write_session
    from sync_server.supervision import actions
    from sync_server.tables import User, Visit

    engine = make_engine(Settings(data_dir=server_dir, console=False))
    try:
        with write_session(engine) as s:
            boss = s.exec(select(User).where(User.username == "supervisor")).one()
            [visit] = s.exec(select(Visit).where(Visit.status == "submitted")).all()
            actions.act(s, boss, visit.id, "approve", datetime.now(UTC))
        with write_session(engine) as s:
            boss = s.exec(select(User).where(User.username == "supervisor")).one()
            actions.act(s, boss, visit.id, "publish", datetime.now(UTC))
    finally:
        engine.dispose()


def walk(browser: Browser, app_url: str, shots: Path) -> FieldPhone:
    """The measured walk on one phone: sign-in, the counted visit, the sync screen. The
    phone's page stays open for the caller (who closes it)."""
    phone = FieldPhone(browser, app_url, shots, "field")
    phone.look("sign-in")
    sign_in(phone, "inspector", "inspect-2026")
    expect(phone.page.get_by_text("门店/窗口明查暗访检查表").first).to_be_visible(timeout=SLOW)
    inspect(phone, TASK_BUTTON, failures(), ACK)
    expect(phone.badge()).to_contain_text("已全部同步", timeout=60_000)
    look_at_sync(phone)
    return phone


def look_at_rectification(phone: FieldPhone, server_dir: Path) -> Screen:
    """The supervisor publishes the visit; sign out, sign in as the site manager, open
    the first corrective action."""
    publish_for_manager(server_dir)
    phone.page.get_by_role("button", name="Show menu").click()
    phone.page.get_by_role("menuitem", name="退出登录").click()
    expect(phone.page.get_by_label("用户名")).to_be_visible(timeout=SLOW)
    sign_in(phone, "manager", "manage-2026")
    tile = phone.page.get_by_role("button", name=f"{TASK} · ", exact=False).first
    expect(tile).to_be_visible(timeout=60_000)
    phone.look("home-site-manager")
    tile.click()
    expect(phone.tagged("rect")).to_be_visible(timeout=SLOW)
    return phone.look("rectification")


def summary(tally: Tally) -> dict[str, Any]:
    """The figures of a walk: taps per step against the budget, targets and overflow."""
    small = [
        {**t, "screen": s.name, "reason": ALLOWED_SMALL.get(t["label"], "")}
        for s in tally.screens
        for t in s.small
    ]
    return {
        "taps": tally.taps,
        "tap_budget": TAP_BUDGET,
        "taps_per_step": tally.steps,
        "scroll_px_per_step": {k: v for k, v in tally.scroll_px.items() if v},
        "scroll_px": sum(tally.scroll_px.values()),
        "screens": [s.name for s in tally.screens],
        "targets_checked": sum(s.targets for s in tally.screens),
        "small_targets": small,
        "small_targets_unlisted": [t for t in small if not t["reason"]],
        "overflow_at_1_3": [{**o, "screen": s.name} for s in tally.screens for o in s.overflow],
        "screenshots": [name for s in tally.screens for name in s.shots],
    }


def run(shots: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("no chromium on PATH (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="bench-field-") as tmp:
        root = Path(tmp)
        seeded = seed_server(root / "seeded", LONG)
        with running(seeded, root) as (_, app), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                phone = walk(browser, url_of(app), shots)
                try:
                    long = long_lists(phone, url_of(app))
                    look_at_rectification(phone, root / "server")
                finally:
                    phone.close()
            finally:
                browser.close()
        figures = {**summary(phone.tally), "long_checklists": long}
    return {"machine": machine(), "viewport": "390x844", "text_scale_checked": 1.3, **figures}


def long_lists(phone: FieldPhone, app_url: str) -> dict[str, Any]:
    """Open and mark-one on the 15- and the 150-item checklist, as the inspector (the
    page reloaded, so that the byte count sees the app's WebSocket from its start)."""
    sent = field_long.Bytes(phone)
    phone.open(app_url)
    expect(phone.badge()).to_be_visible(timeout=SLOW)
    small, large = (field_long.measure(phone, n, sent) for n in LONG)
    return field_long.ratios(small, large)
