"""The whole review loop with people on both ends, in Chromium against the real processes:
the inspector's phone, the supervisor's console and the site manager's own phone.

明查 visit with a photographed failure → returned with a per-item comment → fixed on the
phone and resubmitted → approved and published (通报) → the corrective action (整改) is
answered on the manager's phone with an after-photo → verified in the console. And a 暗访
(covert) result stays out of the manager's sight until it is published.

Every phone is its own app process: the browser tabs of one process share its store and
signed-in account (fieldapp.ui.services.AppServices), as one phone would.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from sync_server.bench.field import evidence_jpeg
from sync_server.bench.procs import Proc, phone_app, url_of
from sync_server.tables import Photo, Rectification, Visit
from tests.e2e.central import Central, rows
from tests.e2e.conftest import Stack
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS, SLOW, PhoneUI
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import action, open_console, sign_in

pytestmark = pytest.mark.timeout(420)
SITE = "S001 明珠路便利店"  # the demo site manager's (钱大明's) only site
COMMENT = "1.1 照片不清楚,请补充说明"
ITEM_COMMENT = "请写明迟到人数和时间"
FIX_NOTE = "两人迟到约15分钟,已当场提醒"
ANSWER = "已重新排班,增设早班签到"


@pytest.fixture
def manager_phone(stack: Stack) -> Iterator[Proc]:
    """The site manager's phone: a second app process with its own data directory."""
    app = phone_app(
        stack.root / "manager-phone", url_of(stack.server), stack.root, name="manager-app"
    )
    app.start()
    try:
        yield app
    finally:
        app.stop()


def console_shot(page: Page, label: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # a frame after the last change, for the picture
    page.screenshot(path=str(ARTIFACTS / f"review-loop-console-{label}.png"))


def the_visit(central: Central) -> Visit:
    [visit] = central.visits()
    return visit


def open_from_queue(page: Page, status: str) -> None:
    """Back to a freshly loaded queue and into the (only) visit, once it shows `status`."""
    back = page.get_by_label("返回队列 Back to the queue")
    if back.count():
        back.first.click()
    queue = page.locator('[flt-semantics-identifier="queue"]')
    expect(queue).to_contain_text(SITE, timeout=SLOW)
    expect(queue).to_contain_text(status, timeout=SLOW)
    page.get_by_role("cell", name=SITE).click()
    expect(page.locator('[flt-semantics-identifier="visit-score"]')).to_be_visible(timeout=SLOW)


def approve_and_publish(page: Page) -> None:
    action(page, "approve")
    publish = page.locator('[flt-semantics-identifier="action-publish"]')
    expect(publish).to_be_visible(timeout=SLOW)
    action(page, "publish")
    expect(publish).to_have_count(0, timeout=SLOW)  # published: only void is left


def test_returned_fixed_published_and_its_corrective_action_verified_across_three_screens(
    browser: Browser, stack: Stack, manager_phone: Proc
) -> None:
    # 1. The inspector: a 明查 visit at S001 with 1.1 failed and photographed, synced.
    inspector = PhoneUI(browser, stack.app_url, "loop-inspector")
    inspector.sign_in("inspector", "inspect-2026")
    inspector.open_task("明珠路便利店")
    inspector.start_visit()
    inspector.fail_with_photo("1.1", evidence_jpeg(11))
    inspector.pass_the_rest()
    inspector.finish()
    inspector.acknowledge("钱大明")
    inspector.submit()
    inspector.wait_synced()
    central = Central(stack.server_dir)
    try:
        assert the_visit(central).status == "submitted"

        # 2. The supervisor returns it with a comment on the visit and one on item 1.1.
        console = open_console(browser, url_of(stack.server))
        sign_in(console, "supervisor", "review-2026")
        open_from_queue(console, "已提交")
        type_into(console, console.get_by_label("意见 / 理由 Comment or reason"), COMMENT)
        type_into(console, console.get_by_label("1.1 逐项意见"), ITEM_COMMENT)
        action(console, "return")
        expect(console.get_by_text(f"退回意见:{COMMENT}")).to_be_visible(timeout=SLOW)
        assert the_visit(central).status == "returned"

        # 3. The phone shows it returned, with both comments; the inspector adds the
        #    missing detail as the item's note and resubmits.
        inspector.sync_round(stack.phone_db)
        returned = inspector.page.get_by_role("group", name="被退回,待修改")
        expect(returned).to_be_visible(timeout=SLOW)
        # the tile reads as one button: site, template, time, status chip, the comment
        told = re.compile(f"明珠路便利店.*被退回.*退回原因:{re.escape(COMMENT)}", re.S)
        expect(returned.get_by_role("button", name=told)).to_be_visible()
        inspector.shot("returned-on-home")
        returned.get_by_role("button", name=told).click()
        expect(inspector.tagged("score")).to_be_visible(timeout=SLOW)
        # the item's card reads as one node: its text, verdict, count and the comment
        commented = re.compile(f"1\\.1 营业员.*督察意见:{re.escape(ITEM_COMMENT)}", re.S)
        expect(inspector.page.get_by_role("button", name=commented)).to_be_visible(timeout=SLOW)
        expect(inspector.page.get_by_text(f"退回原因:{COMMENT}")).to_be_visible()
        inspector.shot("returned-item-comment")
        inspector.add_note("1.1", FIX_NOTE)
        wait_for_rows(
            stack.phone_db, "SELECT note FROM finding WHERE item_code = '1.1'", [(FIX_NOTE,)]
        )
        inspector.finish()
        inspector.submit()
        inspector.wait_synced()
        visit = the_visit(central)
        assert visit.status == "resubmitted"
        [fixed] = [f for f in central.findings(visit) if f.item_code == "1.1"]
        assert fixed.note == FIX_NOTE and fixed.result == "fail"

        # 4. Approved and published: 1.1 becomes a corrective action for the shop.
        open_from_queue(console, "已重新提交")
        approve_and_publish(console)
        assert the_visit(central).status == "published"
        [rect] = rectifications(central, visit.id)
        assert rect.item_code == "1.1" and rect.status == "open"

        # 5. The site manager, on their own phone, answers it with an after-photo.
        manager = PhoneUI(browser, url_of(manager_phone), "loop-manager")
        manager.sign_in("manager", "manage-2026")
        tile = re.compile("明珠路便利店 · 1.1")
        expect(manager.page.get_by_role("button", name=tile)).to_be_visible(timeout=SLOW)
        manager.shot("action-on-home")
        manager.answer_rectification(tile, ANSWER, evidence_jpeg(12))
        manager_db = stack.root / "manager-phone" / "mingcha.db"
        manager.sync_round(manager_db)
        manager.shot("answered-synced")
        assert rectifications(central, visit.id)[0].status == "submitted"
        # the manager saw what was wrong: the inspector's photo of 1.1 (fetched after the
        # pull, kept as a download, never sent back) beside their own after-photo
        evidence = {p.sha256 for p in evidence_photos(central, fixed.id)}
        downloaded = "SELECT sha256 FROM local_blob WHERE state = 'downloaded'"
        assert evidence and {r[0] for r in rows(manager_db, downloaded)} == evidence
        manager.page.get_by_role("button", name=tile).first.click()
        expect(manager.tagged("rect-before")).to_be_visible(timeout=SLOW)
        for side in ("整改前", "整改后"):  # one photo each side, under its label
            group = manager.page.get_by_role("group", name=side, exact=True)
            expect(group.get_by_role("img")).to_have_count(1, timeout=SLOW)
        manager.shot("before-and-after")

        # 6. The supervisor sees before, after and the answer, and verifies it.
        console.get_by_label("返回队列 Back to the queue").first.click()
        console.locator('[flt-semantics-identifier="open-rectifications"]').get_by_role(
            "button"
        ).click()
        listed = console.locator('[flt-semantics-identifier="rectifications"]')
        expect(listed).to_contain_text("已回复", timeout=SLOW)
        listed.get_by_role("cell").filter(has_text="1.1").first.click()
        expect(console.locator('[flt-semantics-identifier="rect-response"]')).to_contain_text(
            ANSWER, timeout=SLOW
        )
        expect(console.get_by_text("整改前 Before")).to_be_visible()
        expect(console.get_by_text("整改后 After")).to_be_visible()
        photos = console.get_by_role("button", name=re.compile("照片 Photo"))
        expect(photos).to_have_count(2, timeout=SLOW)  # one thumbnail each side
        expect(console.get_by_text("照片未上传", exact=False)).to_have_count(0)
        console_shot(console, "before-after")
        type_into(
            console, console.get_by_label("验证意见 / 重新整改理由 Comment or reason"), "复查属实"
        )
        console.locator('[flt-semantics-identifier="rect-verify"]').get_by_role("button").click()
        expect(console.locator('[flt-semantics-identifier="rect-verify"]')).to_have_count(
            0, timeout=SLOW
        )
        [done] = rectifications(central, visit.id)
        assert done.status == "verified" and done.response_note == ANSWER
        [after] = after_photos(central, done.id)
        assert after.blob_present and central.blob_sha256(after.sha256) == after.sha256
        local = {r[0] for r in rows(manager_db, "SELECT sha256 FROM photo")}
        assert after.sha256 in local  # the very photo the manager took
    finally:
        central.close()


def test_covert_result_reaches_the_site_manager_only_once_published(
    browser: Browser, stack: Stack
) -> None:
    base = url_of(stack.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        visit_id = inspector.submitted_visit("S001", ["1.2", "1.5"], mode="covert")
    manager = PhoneUI(browser, stack.app_url, "covert-manager")
    manager.sign_in("manager", "manage-2026")
    manager.sync_round(stack.phone_db)
    manager.sync_round(stack.phone_db)  # twice: the second surely began after the push
    manager.page.wait_for_timeout(500)
    manager.shot("covert-unpublished")
    words = manager.page.locator("flt-semantics-host").inner_text()
    assert "整改任务" in words  # the manager's home is showing…
    assert "1.2" not in words and "1.5" not in words  # …and nothing of the covert visit
    assert rows(stack.phone_db, "SELECT count(*) FROM visit") == [(0,)]
    assert rows(stack.phone_db, "SELECT count(*) FROM finding") == [(0,)]
    assert not api_mentions(base, visit_id)

    console = open_console(browser, base)
    sign_in(console, "supervisor", "review-2026")
    open_from_queue(console, "已提交")
    action(console, "approve")
    expect(console.locator('[flt-semantics-identifier="action-publish"]')).to_be_visible(
        timeout=SLOW
    )
    central = Central(stack.server_dir)
    try:  # approved: its corrective actions exist, and still the manager cannot see them
        assert sorted(r.item_code for r in rectifications(central, visit_id)) == ["1.2", "1.5"]
    finally:
        central.close()
    assert not api_mentions(base, visit_id)
    action(console, "publish")
    expect(console.locator('[flt-semantics-identifier="action-publish"]')).to_have_count(
        0, timeout=SLOW
    )

    assert api_mentions(base, visit_id) == {"visit", "finding", "rectification"}
    manager.sync_round(stack.phone_db)
    for code in ("1.2", "1.5"):
        expect(
            manager.page.get_by_role("button", name=re.compile(f"明珠路便利店 · {re.escape(code)}"))
        ).to_be_visible(timeout=SLOW)
    manager.shot("covert-published")
    hexid = visit_id.hex  # the phone keeps uuids as 32 hex digits
    assert rows(stack.phone_db, f"SELECT status FROM visit WHERE id = '{hexid}'") == [
        ("published",)
    ]


def api_mentions(base: str, visit_id: uuid.UUID) -> set[str]:
    """Which kinds of rows about the visit the site manager can pull over the API."""
    with HttpPhone(base, "manager", "manage-2026") as manager:
        changes = manager.changes()
    about = set()
    for c in changes:
        data = c.get("data") or {}
        if c["id"] == str(visit_id) or data.get("visit_id") == str(visit_id):
            about.add(c["entity"])
    return about


def rectifications(central: Central, visit_id: uuid.UUID) -> list[Rectification]:
    with Session(central.engine) as s:
        return list(s.exec(select(Rectification).where(Rectification.visit_id == visit_id)))


def evidence_photos(central: Central, finding_id: uuid.UUID) -> list[Photo]:
    with Session(central.engine) as s:
        return list(s.exec(select(Photo).where(Photo.finding_id == finding_id)))


def after_photos(central: Central, rect_id: uuid.UUID) -> list[Photo]:
    with Session(central.engine) as s:
        return list(s.exec(select(Photo).where(Photo.rectification_id == rect_id)))


def wait_for_rows(
    db: Path, sql: str, expected: list[tuple[object, ...]], timeout_s: float = 30
) -> None:
    """Poll the phone database until a query answers `expected` (work saved off the UI)."""
    deadline = time.monotonic() + timeout_s
    while (found := rows(db, sql)) != expected:
        assert time.monotonic() < deadline, f"{sql} → {found}, expected {expected}"
        time.sleep(0.2)
