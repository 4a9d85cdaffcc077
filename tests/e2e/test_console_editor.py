"""The checklist editor in Chromium against a real `mingcha serve`: a supervisor opens a new
version of a published template, changes an item's points, sees the live preview's score
and the diff follow, publishes, and phones then pull the new version (the old one stays)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from sync_server.bench.procs import url_of
from sync_server.templates.versions import get_template, latest_templates
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in

pytestmark = pytest.mark.timeout(300)


def press(page: Page, ident: str) -> None:
    page.locator(f'[flt-semantics-identifier="{ident}"]').get_by_role("button").click()


def test_editing_points_changes_the_preview_and_publishes_a_version_phones_pull(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    press(page, "open-templates")
    published = page.locator('[flt-semantics-identifier="templates-published"]')
    expect(published).to_have_attribute("aria-label", re.compile("store-patrol.v1"), timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-templates.png"))
    press(page, "edit-store-patrol")
    status = page.locator('[flt-semantics-identifier="editor-status"]')
    preview = page.locator('[flt-semantics-identifier="editor-preview"]')
    expect(status).to_contain_text("store-patrol.v2", timeout=30_000)
    expect(preview).to_contain_text("1.1 不符合: 得分 98/100", timeout=30_000)  # 2 points

    type_into(page, page.get_by_label("分值 Points", exact=True), "5")
    expect(preview).to_contain_text("1.1 不符合: 得分 95/100", timeout=30_000)
    expect(page.locator('[flt-semantics-identifier="editor-diff"]')).to_contain_text(
        "条目 1.1 deduction.points: 2 → 5"
    )
    expect(status).to_contain_text("有未保存的修改")
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-editor.png"))

    press(page, "editor-publish")  # saves, validates, publishes
    expect(status).to_contain_text("已发布为 store-patrol.v2", timeout=30_000)

    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        pulled = {c["id"]: c["data"] for c in inspector.changes() if c["entity"] == "template"}
    body = pulled["store-patrol.v2"]["body"]  # the template JSON, parsed
    assert body["categories"][0]["items"][0]["deduction"]["points"] == 5
    assert "store-patrol.v1" in pulled  # visits pinned to v1 can still be scored
    central = Central(served.server_dir)
    try:
        with Session(central.engine) as s:
            latest = {t.template_id: t.key for t in latest_templates(s)}
            old = get_template(s, "store-patrol.v1")
        assert latest["store-patrol"] == "store-patrol.v2"
        assert old.categories[0].items[0].deduction.points == 2
    finally:
        central.close()
