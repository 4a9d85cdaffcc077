"""上传 Excel in Chromium against a real `mingcha serve`: a supervisor uploads a checklist
workbook with two mistakes and sees both by cell and column; uploads the fixed workbook and
the editor opens on it with the preview; publishes; a phone pulls the new version, and a
visit started on the old version stays on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlmodel import Session

from sync_server.bench.procs import url_of
from sync_server.tables import Visit
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in
from tests.e2e.test_console_editor import press
from tests.workbooks import (
    NEWEST_KEY,
    NEXT,
    NEXT_KEY,
    TWO_MISTAKES,
    TWO_PROBLEMS,
    XLSX,
    patrol_workbook,
)

pytestmark = pytest.mark.timeout(300)


def upload(page: Page, name: str, data: bytes) -> None:
    """Pick a file in Flet's FilePicker: the browser's file chooser, fed by Playwright."""
    with page.expect_file_chooser(timeout=30_000) as chooser:
        press(page, "template-upload")
    chooser.value.set_files(files=[FilePayload(name=name, mimeType=XLSX, buffer=data)])


def test_an_uploaded_workbook_lists_its_problems_then_publishes_a_version_phones_pull(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        visit_id = inspector.submitted_visit("S001", ["1.2"])  # on store-patrol.v1
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    press(page, "open-templates")
    published = page.locator('[flt-semantics-identifier="templates-published"]')
    expect(published).to_have_attribute("aria-label", re.compile(NEWEST_KEY), timeout=30_000)

    upload(page, "巡店检查表.xlsx", patrol_workbook(NEXT, TWO_MISTAKES))
    problems = page.locator('[flt-semantics-identifier="upload-problems"]')
    expect(problems).to_contain_text("巡店检查表.xlsx 有 2 处问题", timeout=30_000)
    for n, problem in enumerate(TWO_PROBLEMS, 1):  # row and column, as the reader words it
        expect(problems).to_contain_text(f"{n}. {problem}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-upload-problems.png"))

    upload(page, "巡店检查表.xlsx", patrol_workbook(NEXT, {("分值", 2): 5}))
    status = page.locator('[flt-semantics-identifier="editor-status"]')
    expect(status).to_contain_text(NEXT_KEY, timeout=30_000)
    preview = page.locator('[flt-semantics-identifier="editor-preview"]')
    expect(preview).to_contain_text("1.1 不符合: 得分 95/100", timeout=30_000)  # 5 points
    press(page, "editor-publish")
    expect(status).to_contain_text(f"已发布为 {NEXT_KEY}", timeout=30_000)

    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        changes = inspector.changes()
    templates = {c["id"]: c["data"] for c in changes if c["entity"] == "template"}
    body = templates[NEXT_KEY]["body"]
    assert body["categories"][0]["items"][0]["deduction"]["points"] == 5
    assert "store-patrol.v1" in templates  # still served: visits pinned to it are scored
    [pulled] = [c["data"] for c in changes if c["entity"] == "visit" and c["id"] == str(visit_id)]
    assert pulled["template_key"] == "store-patrol.v1"
    central = Central(served.server_dir)
    try:
        with Session(central.engine) as s:
            visit = s.get(Visit, visit_id)
            assert visit is not None and visit.template_key == "store-patrol.v1"
    finally:
        central.close()
