"""A per-subject visit in the console, in Chromium against a real `mingcha serve` (issue
13): the tobacco worked example (pooled 87.9, 送货员 63.6) pushed over real HTTP reads by
post in the queue, on the visit screen (the pool only as 合计(仅供参考)) and in the 统计
per-post panel."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from fieldcore.workflow import finding_id
from sync_server.bench.procs import url_of
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in
from tests.e2e.test_console_dashboards import panel
from tests.per_subject_example import per_subject_tobacco, publish_per_subject, worked_answers

pytestmark = pytest.mark.timeout(300)


def push_worked_example(phone: HttpPhone, key: str) -> uuid.UUID:
    visit_id = uuid.uuid4()
    muts = [("visit", visit_id, {"site_id": phone.site_id("S001"), "template_key": key,
                                 "mode": "overt"})]  # fmt: skip
    for code, answer in worked_answers(per_subject_tobacco()).items():
        fields = {"visit_id": str(visit_id), "item_code": code, "result": "pass", **answer}
        muts.append(("finding", finding_id(visit_id, code), fields))
    muts.append(("visit", visit_id, {"status": "submitted"}))
    assert {r["status"] for r in phone.push(*muts)} == {"applied"}
    return visit_id


def test_the_console_reads_a_per_subject_visit_by_post(browser: Browser, served: Served) -> None:
    central = Central(served.server_dir)
    try:
        key = publish_per_subject(central.engine)
    finally:
        central.close()
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        push_worked_example(inspector, key)
    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    queue = page.locator('[flt-semantics-identifier="queue"]')
    expect(queue).to_contain_text("送货员 63.6 不合格 未达标", timeout=30_000)
    page.get_by_role("cell", name="S001 明珠路便利店").click()
    score = page.locator('[flt-semantics-identifier="visit-score"]')
    expect(score).to_contain_text("结果:未达标(各岗位均达标方为达标)", timeout=30_000)
    expect(score).to_contain_text("送货员 70/110 · 63.6 · 不合格 · 未达标")
    expect(score).to_contain_text("合计(仅供参考) 290/330 · 87.9")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the canvas paints a moment after the semantics update
    page.screenshot(path=str(ARTIFACTS / "console-per-subject-visit.png"))
    page.go_back()
    page.locator('[flt-semantics-identifier="open-dashboards"]').get_by_role("button").click()
    posts = panel(page, "dash-posts")
    expect(posts).to_contain_text("送货员", timeout=30_000)
    expect(posts).to_contain_text("0/1 (0%)")  # the driver failed in the one visit
    expect(posts).to_contain_text("1/1 (100%)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "console-per-subject-dash.png"))
    page.close()
