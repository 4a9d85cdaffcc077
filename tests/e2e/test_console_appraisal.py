"""The console's 考核 page in Chromium against a real `mingcha serve`: an admin opens it
from the app bar, sees the month's table, switches to a half-year (tobacco's 测评汇总表),
and changes the monthly bonus pool — saved server-side (appraisal_setting) and audited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from sync_server.bench.procs import url_of
from sync_server.tables import AppraisalSetting, AuditLog
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS
from tests.e2e.test_console import open_console, sign_in
from tests.e2e.test_console_tasks_exports import nav, press

pytestmark = pytest.mark.timeout(300)


def test_admin_reads_the_appraisal_and_changes_a_setting(browser: Browser, served: Served) -> None:
    page = open_console(browser, url_of(served.server))
    sign_in(page, "admin", "admin-2026")
    nav(page, "open-appraisal")
    expect(page.get_by_text("保安月度绩效考核表", exact=False).first).to_be_visible(timeout=30_000)

    type_into(page, page.get_by_label("考核周期 Period (2026-11 / 2026-Q4 / 2026-H2)"), "2026-H2")
    press(page, "appraisal-show")
    expect(page.get_by_text("客户服务质量测评汇总表 2026-H2")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("部(所)服务测评成绩 2026-H2")).to_be_visible()

    type_into(page, page.get_by_label("月度绩效奖金总额(元) / Monthly bonus pool"), "450")
    press(page, "appraisal-save")
    expect(page.get_by_text("考核设置已保存", exact=False).last).to_be_visible(timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-07-appraisal.png"))
    page.close()

    central = Central(served.server_dir)
    try:
        with Session(central.engine) as s:
            row = s.get(AppraisalSetting, "guard.month_pool")
            assert row is not None and (row.value, row.updated_by) == ("450", "admin")
            audit = s.exec(select(AuditLog).where(AuditLog.action == "appraisal_settings")).one()
            assert audit.details["changes"] == {"guard.month_pool": "450"}
    finally:
        central.close()
