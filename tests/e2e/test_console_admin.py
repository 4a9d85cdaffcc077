"""The console's 管理 page in Chromium against a real `mingcha serve`: an admin creates a
department and a shop in it, then an inspector assigned to the department; that account
signs in over HTTP as a phone and starts a visit at the new shop — the whole way from
console forms to a phone's push. A sites workbook with bad rows shows every row's problem
and writes nothing."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import Workbook
from playwright.sync_api import Browser, FilePayload, expect
from sqlmodel import Session, col, select

from sync_server.bench.procs import url_of
from sync_server.tables import AuditLog, Site, Visit
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in
from tests.e2e.test_console_tasks_exports import nav, press

pytestmark = pytest.mark.timeout(300)
PASSWORD = "field-2026!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sites_workbook(rows: list[tuple[str, str, str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "type", "region"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SITES = sites_workbook(
    [("S901", "新店", "shop", "NOPE"), ("", "无编码", "shop", "NX"), ("S902", "好店", "shop", "NX")]
)


def test_admin_creates_an_inspector_who_then_starts_a_visit(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    page = open_console(browser, base)
    sign_in(page, "admin", "admin-2026")
    nav(page, "open-admin")
    accounts = page.locator('[flt-semantics-identifier="admin-accounts"]')
    expect(accounts).to_contain_text("supervisor", timeout=30_000)

    # the organisation first: a department under the region, and a shop in it
    type_into(page, page.get_by_label("区域编码 Region code"), "QT")
    type_into(page, page.get_by_label("区域名称 Region name"), "青铜峡营销部")
    type_into(page, page.get_by_label("上级 Parent (改为顶级 to top: -)"), "NX")
    press(page, "admin-save-region")
    expect(page.get_by_text("已保存区域 Region saved: QT").last).to_be_visible(timeout=30_000)
    type_into(page, page.get_by_label("场所编码 Site code"), "S950")
    type_into(page, page.get_by_label("场所名称 Site name"), "青铜峡便利店")
    type_into(page, page.get_by_label("类型 Type (store…)"), "shop")
    type_into(page, page.get_by_label("所属区域 Region"), "QT")
    press(page, "admin-save-site")
    expect(page.get_by_text("已保存场所 Site saved: S950").last).to_be_visible(timeout=30_000)
    sites = page.locator('[flt-semantics-identifier="admin-sites"]')
    expect(sites).to_contain_text("青铜峡便利店")

    type_into(page, page.get_by_label("用户名 Username"), "wang9")
    type_into(page, page.get_by_label("姓名 Name"), "王九")
    type_into(page, page.get_by_label("角色 Role (inspector/supervisor/site_manager/admin)"),
              "inspector")  # fmt: skip
    type_into(page, page.get_by_label("密码 Password (≥8)"), PASSWORD)
    press(page, "admin-create-account")
    expect(page.get_by_text("已创建账号 Account created: wang9").last).to_be_visible(timeout=30_000)
    expect(accounts).to_contain_text("王九")

    type_into(page, page.get_by_label("区域 Regions (R1 R2)"), "QT")
    press(page, "admin-assign")
    expect(page.get_by_text("已更新分配 Assignments saved: wang9").last).to_be_visible(
        timeout=30_000
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-08-admin.png"))

    # a sites workbook with two bad rows and a good one: every problem shown, nothing written
    with page.expect_file_chooser(timeout=30_000) as chooser:
        press(page, "admin-sites-pick")
    chooser.value.set_files(files=[FilePayload(name="场所.xlsx", mimeType=XLSX, buffer=SITES)])
    preview = page.locator('[flt-semantics-identifier="admin-sites-preview"]')
    expect(preview).to_contain_text("row 2, column region: no region 'NOPE'", timeout=30_000)
    expect(preview).to_contain_text("row 3, column code: is empty")
    press(page, "admin-sites-import")  # refused as a whole: the good row is not taken either
    expect(page.get_by_text("row 2, column region", exact=False).last).to_be_visible()
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-09-admin-import.png"))
    page.close()

    visit_id = uuid.uuid4()
    with HttpPhone(base, "wang9", PASSWORD) as phone:
        fields = {"site_id": phone.site_id("S950"), "template_key": "store-patrol.v1"}
        [result] = phone.push(("visit", visit_id, {**fields, "mode": "overt"}))
        assert result["status"] == "applied", result

    central = Central(served.server_dir)
    try:
        with Session(central.engine) as s:
            visit = s.get(Visit, visit_id)
            assert visit is not None and visit.status == "draft"
            actions = s.exec(
                select(AuditLog.action)
                .where(AuditLog.entity_id == "wang9")
                .order_by(col(AuditLog.id))
            ).all()
            assert actions == ["account.create", "account.assign"]
            codes = set(s.exec(select(Site.code)).all())
            assert not codes & {"S901", "S902"}  # all or nothing: no row of the bad file
    finally:
        central.close()
