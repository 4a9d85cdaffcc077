"""The console's 排期 and 报表 pages in Chromium against a real `mingcha serve`: a supervisor
schedules one task and a 5% sample (the database then holds exactly those two new tasks),
and downloads a pushed visit's 明细测评表 — the bytes open with openpyxl, name the site, the
export's and the fetch's audit rows name the supervisor, and the bare link serves nobody
else (no identity, the inspector) while the supervisor's own bearer token gets the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Download, Page, expect
from sqlmodel import Session, select

from sync_server.bench.procs import url_of
from sync_server.tables import AuditLog, Site, User, VisitTask
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.keys import type_into
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in

pytestmark = pytest.mark.timeout(300)


def nav(page: Page, ident: str) -> None:
    page.locator(f'[flt-semantics-identifier="{ident}"]').get_by_role("button").first.click()


def press(page: Page, ident: str) -> None:
    page.locator(f'[flt-semantics-identifier="{ident}"]').get_by_role("button").click()


def tasks_by_site(central: Central) -> dict[str, VisitTask]:
    with Session(central.engine) as s:
        rows = s.exec(select(VisitTask, Site).join(Site)).all()
        return {f"{site.code}:{task.id}": task for task, site in rows}


def test_supervisor_schedules_tasks_and_downloads_a_visit_sheet(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        visit_id = inspector.submitted_visit("S001", ["1.2"])
    central = Central(served.server_dir)
    try:
        before = set(tasks_by_site(central))
        page = open_console(browser, base)
        sign_in(page, "supervisor", "review-2026")
        nav(page, "open-tasks")
        type_into(page, page.get_by_label("门店编码 Site code"), "S002")
        type_into(page, page.get_by_label("检查员 Inspector (username)"), "inspector")
        press(page, "task-create")
        result = page.locator('[flt-semantics-identifier="tasks-result"]')
        expect(result).to_contain_text("已创建 1 个任务", timeout=30_000)
        expect(page.locator('[flt-semantics-identifier="tasks-created"]')).to_contain_text("S002")

        type_into(page, page.get_by_label("抽查区域 Region code"), "NX")
        type_into(
            page, page.get_by_label("抽查检查员 Inspectors (逗号分隔 comma-separated)"), "inspector"
        )
        press(page, "task-sample")  # the percent field keeps its default, 5
        expect(result).to_contain_text("已从 18 家门店抽取 1 家", timeout=30_000)  # demo_data.SITES
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "console-04-tasks.png"))

        new = {k: t for k, t in tasks_by_site(central).items() if k not in before}
        assert len(new) == 2, new
        single = [t for k, t in new.items() if k.startswith("S002:") and not t.note]
        sampled = [t for t in new.values() if t.note.startswith("sample 5% of NX, seed ")]
        assert len(single) == 1 and len(sampled) == 1
        with Session(central.engine) as s:
            sup = s.exec(select(User).where(User.username == "supervisor")).one()
            insp = s.exec(select(User).where(User.username == "inspector")).one()
        assert all(t.created_by == sup.id and t.assignee_id == insp.id for t in new.values())
        assert all((t.template_id, t.mode) == ("store-patrol", "overt") for t in new.values())
        sampled_code = next(k for k, t in new.items() if t is sampled[0]).split(":")[0]
        expect(result).to_contain_text(sampled_code)  # the page lists the drawn site

        nav(page, "open-exports")
        type_into(page, page.get_by_label("检查编号 Visit id"), str(visit_id))
        press(page, "export-visit-xlsx")
        status = page.locator('[flt-semantics-identifier="export-status"]')
        expect(status).to_contain_text("已完成", timeout=60_000)
        page.wait_for_timeout(800)  # let the frame catch up with the semantics tree
        page.screenshot(path=str(ARTIFACTS / "console-05-export.png"))
        link = page.locator('[flt-semantics-identifier="export-link"]').text_content() or ""
        assert link.startswith("/downloads/"), link
        downloads: list[Download] = []  # the button opens the link (new tab or this one)
        page.context.on("page", lambda tab: tab.on("download", lambda d: downloads.append(d)))
        page.on("download", lambda d: downloads.append(d))
        press(page, "export-download")
        for _ in range(100):
            if downloads:
                break
            page.wait_for_timeout(200)
        [download] = downloads
        assert download.suggested_filename == f"明细测评表_S001_{visit_id.hex[:8]}.xlsx"
        data = Path(download.path()).read_bytes()
        address = base.rstrip("/") + link
        assert httpx.get(address, timeout=30).status_code == 404  # no identity
        with HttpPhone(base, "inspector", "inspect-2026") as other:
            assert other.http.get(address, timeout=30).status_code == 404  # not the maker
        with HttpPhone(base, "supervisor", "review-2026") as supervisor:
            assert data == supervisor.http.get(address, timeout=30).content
        book = load_workbook(io.BytesIO(data), read_only=True)
        cells = [str(c) for row in book["明细测评表"].iter_rows(values_only=True) for c in row if c]
        book.close()
        assert any("S001" in c for c in cells)
        with Session(central.engine) as s:
            audit = s.exec(select(AuditLog).where(AuditLog.action == "export")).all()
            fetched = s.exec(select(AuditLog).where(AuditLog.action == "download")).all()
        assert [(a.entity, a.entity_id, a.details["username"]) for a in audit] == [
            ("visit", str(visit_id), "supervisor")
        ]
        assert [(a.details["via"], a.details["username"]) for a in fetched] == [
            ("ticket", "supervisor"),
            ("bearer", "supervisor"),
        ]
    finally:
        central.close()
