"""The supervisor console in Chromium against a real `mingcha serve`, with a phone pushing
over real HTTP: review queue → return with per-item comments → the phone sees them and
resubmits → approve (rectifications raised) → publish (the shop's manager now sees it)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.bench.procs import url_of
from sync_server.tables import Rectification, Visit
from sync_server.templates.catalog import resolve_template
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.server.images import jpeg

pytestmark = pytest.mark.timeout(300)


def open_console(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + "console/")
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=30_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("input", state="attached", timeout=30_000)
    return page


def sign_in(page: Page, username: str, password: str) -> None:
    type_into(page, page.get_by_label("用户名 Username"), username)
    type_into(page, page.locator("input").nth(1), password)  # lost first key seen in CI
    page.get_by_role("button", name="登录 Sign in").click()


def action(page: Page, name: str) -> None:
    page.locator(f'[flt-semantics-identifier="action-{name}"]').get_by_role("button").click()


def status_of(central: Central, visit_id: object) -> str:
    with Session(central.engine) as s:
        row = s.get(Visit, visit_id)
        assert row is not None
        return row.status


def test_console_returns_approves_and_publishes_a_visit_the_phone_fixed(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        review_round_trip(browser, served, inspector)


def review_round_trip(browser: Browser, served: Served, inspector: HttpPhone) -> None:
    base = url_of(served.server)
    visit_id = inspector.submitted_visit("S001", ["1.2", "1.5"])
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    queue = page.locator('[flt-semantics-identifier="queue"]')
    expect(queue).to_contain_text("S001 明珠路便利店", timeout=30_000)
    expect(queue).to_contain_text("已提交")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-01-queue.png"))
    page.get_by_role("cell", name="S001 明珠路便利店").click()
    expect(page.locator('[flt-semantics-identifier="visit-score"]')).to_contain_text("得分 96/100")
    type_into(page, page.get_by_label("意见 / 理由 Comment or reason"), "1.2 请补充说明")
    type_into(page, page.get_by_label("1.2 逐项意见"), "设备故障需拍照")
    action(page, "return")
    expect(page.get_by_text("退回意见:1.2 请补充说明")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "console-02-returned.png"))

    central = Central(served.server_dir)
    try:
        assert status_of(central, visit_id) == "returned"
        pulled = inspector.changes()
        comments = {c["data"].get("review_comment") for c in pulled if c["entity"] == "finding"}
        assert "设备故障需拍照" in comments  # the per-item comment reaches the phone
        inspector.push(("visit", visit_id, {"status": "resubmitted"}))

        page.get_by_label("返回队列 Back to the queue").first.click()  # a fresh queue
        expect(queue).to_contain_text("已重新提交", timeout=30_000)
        page.get_by_role("cell", name="S001 明珠路便利店").click()
        action(page, "approve")
        expect(page.locator('[flt-semantics-identifier="action-publish"]')).to_be_visible(
            timeout=30_000
        )
        assert status_of(central, visit_id) == "approved"
        with Session(central.engine) as s:
            rects = s.exec(select(Rectification).where(Rectification.visit_id == visit_id)).all()
            assert sorted(r.item_code for r in rects) == ["1.2", "1.5"]
        action(page, "publish")
        expect(page.locator('[flt-semantics-identifier="action-publish"]')).to_have_count(
            0, timeout=30_000
        )  # published: only void is left
        assert status_of(central, visit_id) == "published"
        page.get_by_label("返回队列 Back to the queue").first.click()
        page.locator('[flt-semantics-identifier="open-rectifications"]').get_by_role(
            "button"
        ).click()  # the two deductions are now corrective actions to follow
        actions = page.locator('[flt-semantics-identifier="rectifications"]')
        expect(actions).to_contain_text("1.2", timeout=30_000)
        expect(actions).to_contain_text("1.5")
        expect(actions).to_contain_text("待整改")
        page.wait_for_timeout(800)  # let the page transition finish for the picture
        page.screenshot(path=str(ARTIFACTS / "console-03-rectifications.png"))
        actions.get_by_role("cell").filter(has_text="1.2").first.click()
        expect(page.locator('[flt-semantics-identifier="rect-due"]')).to_contain_text(
            "整改期限", timeout=30_000
        )
        expect(page.locator('[flt-semantics-identifier="rect-response"]')).to_contain_text(
            "尚未回复"
        )  # the site manager has not answered: nothing to verify yet
        expect(page.locator('[flt-semantics-identifier="rect-verify"]')).to_have_count(0)
    finally:
        central.close()
    with HttpPhone(base, "manager", "manage-2026") as manager:
        seen = manager.changes()
    assert str(visit_id) in {c["id"] for c in seen if c["entity"] == "visit"}


def test_site_managers_and_inspectors_cannot_use_the_console(
    browser: Browser, served: Served
) -> None:
    for username, password in (("manager", "manage-2026"), ("inspector", "inspect-2026")):
        page = open_console(browser, url_of(served.server))
        sign_in(page, username, password)
        expect(page.locator('[flt-semantics-identifier="console-login-error"]')).to_contain_text(
            "无权", timeout=30_000
        )
        expect(page.locator('[flt-semantics-identifier="queue"]')).to_have_count(0)
        page.close()


def filter_queue(page: Page, **fields: str) -> None:
    """Type into the queue's filter fields (by label) and press 筛选 Filter."""
    for label, text in fields.items():
        field = page.get_by_label(label, exact=True)
        if text:
            type_into(page, field, text)
        else:  # empty the field: select all, delete
            field.click()
            expect(field).to_be_focused()
            page.wait_for_timeout(200)
            page.keyboard.press("Control+A")
            page.keyboard.press("Backspace")
            expect(field).to_have_value("")
    page.get_by_role("button", name="筛选 Filter", exact=True).click()


def test_queue_filters_narrow_the_list_and_refuse_bad_input(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        inspector.submitted_visit("S001", ["1.2", "1.5"])  # 96 %
        inspector.submitted_visit("S002", [], mode="covert")  # 100 %, 暗访
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    queue = page.locator('[flt-semantics-identifier="queue"]')
    problem = page.locator('[flt-semantics-identifier="queue-problem"]')
    expect(queue).to_contain_text("S001 明珠路便利店", timeout=30_000)
    expect(queue).to_contain_text("S002 北京路旗舰店")
    expect(queue).to_contain_text("暗访")

    filter_queue(page, **{"门店代码 Site": "S002"})
    expect(queue).not_to_contain_text("S001", timeout=30_000)
    expect(queue).to_contain_text("S002 北京路旗舰店")

    filter_queue(page, **{"门店代码 Site": "S001", "最低分 Min %": "90", "最高分 Max %": "99"})
    expect(queue).to_contain_text("S001 明珠路便利店", timeout=30_000)
    expect(queue).not_to_contain_text("S002")
    filter_queue(page, **{"最低分 Min %": "97"})  # S001 scored 96: nothing left
    expect(problem).to_contain_text("没有符合条件的检查", timeout=30_000)
    expect(queue).not_to_contain_text("S001")

    # a bad date or score is shown and nothing is queried: the empty result stays
    filter_queue(page, **{"最低分 Min %": "", "开始日期 From YYYY-MM-DD": "2026-13-01"})
    expect(problem).to_contain_text("YYYY-MM-DD", timeout=30_000)
    expect(queue).not_to_contain_text("S001")
    filter_queue(page, **{"开始日期 From YYYY-MM-DD": "", "最高分 Max %": "abc"})
    expect(problem).to_contain_text("0–100", timeout=30_000)
    filter_queue(page, **{"最高分 Max %": ""})  # valid again: S001 is back
    expect(queue).to_contain_text("S001 明珠路便利店", timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-queue-filters.png"))


def test_an_overdue_action_shows_in_red_as_overdue(browser: Browser, served: Served) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        visit_id = inspector.submitted_visit("S001", ["1.2", "1.5"])
    with HttpPhone(base, "supervisor", "review-2026") as supervisor:
        supervisor.push(("visit", visit_id, {"status": "approved"}))  # raises two actions
    central = Central(served.server_dir)
    try:  # time passes: one action's due date is now behind us (no clock to set on a server)
        with Session(central.engine) as s:
            rects = s.exec(select(Rectification).where(Rectification.visit_id == visit_id)).all()
            late = next(r for r in rects if r.item_code == "1.2")
            late.due_date = date.today() - timedelta(days=3)
            s.add(late)
            s.commit()
    finally:
        central.close()
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    page.locator('[flt-semantics-identifier="open-rectifications"]').get_by_role("button").click()
    actions = page.locator('[flt-semantics-identifier="rectifications"]')
    expect(actions).to_contain_text("1.5", timeout=30_000)
    row = actions.get_by_role("row").filter(has_text="1.2")
    expect(row).to_contain_text("已逾期")
    expect(actions.get_by_role("row").filter(has_text="1.5")).not_to_contain_text("已逾期")
    expect(page.get_by_text("共 2 项,逾期 1 项")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-rect-overdue.png"))


def visit_with_photo(phone: HttpPhone, site_code: str, photo: bytes) -> uuid.UUID:
    """A store-patrol visit with item 1.2 failed and a photo of it, submitted."""
    template = resolve_template("store-patrol.v1")
    visit_id = uuid.uuid4()
    site = {"site_id": phone.site_id(site_code), "template_key": "store-patrol.v1"}
    muts: list[tuple[str, Any, dict[str, Any]]] = [("visit", visit_id, {**site, "mode": "overt"})]
    for _, item in template.iter_items():
        fields = {"visit_id": str(visit_id), "item_code": item.code, "result": "pass"}
        if item.code == "1.2":
            fields["result"] = "fail"
        muts.append(("finding", finding_id(visit_id, item.code), fields))
    photo_row = {
        "visit_id": str(visit_id),
        "finding_id": str(finding_id(visit_id, "1.2")),
        "sha256": hashlib.sha256(photo).hexdigest(),
        "byte_size": len(photo),
        "mime": "image/jpeg",
    }
    muts += [("photo", uuid.uuid4(), photo_row), ("visit", visit_id, {"status": "submitted"})]
    results = phone.push(*muts)
    assert all(r["status"] == "applied" for r in results), results
    return visit_id


def test_visit_photos_are_thumbnails_that_open_in_full(browser: Browser, served: Served) -> None:
    base = url_of(served.server)
    photo = jpeg(1600, 1200, seed=11)
    sha = hashlib.sha256(photo).hexdigest()
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        visit_with_photo(inspector, "S001", photo)
        inspector.upload(photo)  # shown only once its author uploaded the bytes
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    expect(page.locator('[flt-semantics-identifier="queue"]')).to_contain_text(
        "S001", timeout=30_000
    )
    page.get_by_role("cell", name="S001 明珠路便利店").click()
    tile = page.locator('[flt-semantics-identifier="photo-tile"]')
    expect(tile).to_have_count(1, timeout=30_000)
    thumb = served.server_dir / "thumbs" / "320" / sha[:2] / f"{sha}.jpg"
    assert thumb.is_file() and thumb.stat().st_size < len(photo) / 4  # a thumbnail was sent
    full = page.locator('[flt-semantics-identifier="photo-full"]')
    for _ in range(3):  # a tap that lands while Flutter is still laying out is dropped
        tile.click()
        try:
            expect(full).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            continue
    expect(full).to_be_visible(timeout=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-visit-photo.png"))
    page.get_by_role("button", name="关闭 Close", exact=True).click()
    expect(page.locator('[flt-semantics-identifier="photo-full"]')).to_have_count(0)
