"""The console's 统计 dashboards in Chromium against a real `mingcha serve`: an inspector
pushes five store-patrol visits over real HTTP, the supervisor approves one (two
rectifications), and the dashboards show the ranking, rectification counts, repeat
offenders, category breakdown and activity that sync_server.supervision.dashboards computes.

Store-patrol is out of 100 with five categories of 20; 1.2, 1.4, 1.5 and 2.5 each cost 2
fixed points, so the percents are: S001 96 (1.2, 1.5) then 98 (1.2), S002 100, S003 96
(1.2, 2.5), S006 94 (1.2, 1.4, 1.5). S001-S003 are in 零售一部 (D1), S006 in 服务二部 (D2).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session, select

from sync_server.bench.procs import url_of
from sync_server.supervision import dashboards
from sync_server.tables import User
from tests.e2e.central import Central
from tests.e2e.conftest import Served
from tests.e2e.phone import ARTIFACTS
from tests.e2e.pushing import HttpPhone
from tests.e2e.test_console import open_console, sign_in

pytestmark = pytest.mark.timeout(300)
D = Decimal


def panel(page: Page, ident: str) -> Locator:
    return page.locator(f'[flt-semantics-identifier="{ident}"]')


def ranking_text(rows: list[dashboards.RankingRow]) -> str:
    """A ranked table as the page reads: rank, code and name, visits, average."""
    return " ".join(f"{i} {r.code} {r.name} {r.visits} {r.average}" for i, r in enumerate(rows, 1))


def computed(central: Central) -> dict[str, Any]:
    """What the dashboards services compute for the supervisor over the last 30 days."""
    now = datetime.now(UTC)
    start, end = now - timedelta(days=30), now + timedelta(minutes=5)
    with Session(central.engine) as s:
        sup = s.exec(select(User).where(User.username == "supervisor")).one()
        return {
            "sites": dashboards.ranking(s, sup, start, end),
            "departments": dashboards.ranking(s, sup, start, end, by="region"),
            "rects": dashboards.rectification_counts(s, sup, now),
            "repeats": dashboards.repeat_offenders(s, sup),
            "activity": dashboards.inspector_activity(s, sup, start, end),
            "categories": dashboards.category_breakdown(s, sup, None, start, end),
            "s001": dashboards.category_breakdown(s, sup, "S001", start, end),
        }


def test_supervisor_dashboards_show_what_the_services_compute(
    browser: Browser, served: Served
) -> None:
    base = url_of(served.server)
    with HttpPhone(base, "inspector", "inspect-2026") as inspector:
        first = inspector.submitted_visit("S001", ["1.2", "1.5"])
        inspector.submitted_visit("S001", ["1.2"])
        inspector.submitted_visit("S002", [])
        inspector.submitted_visit("S003", ["1.2", "2.5"])
        inspector.submitted_visit("S006", ["1.2", "1.4", "1.5"])
    with HttpPhone(base, "supervisor", "review-2026") as supervisor:
        [approved] = supervisor.push(("visit", first, {"status": "approved"}))
        assert approved["status"] == "applied"  # 1.2 and 1.5 become rectifications

    central = Central(served.server_dir)
    try:
        want = computed(central)
    finally:
        central.close()
    # the services agree with the hand count before the page is checked against them
    sites = [(r.code, r.visits, r.average) for r in want["sites"]]
    assert sites == [
        ("S002", 1, D("100.0")),
        ("S001", 2, D("97.0")),  # (96 + 98) / 2
        ("S003", 1, D("96.0")),
        ("S006", 1, D("94.0")),
    ]
    departments = [(r.code, r.visits, r.average) for r in want["departments"]]
    assert departments == [("D1", 4, D("97.5")), ("D2", 1, D("94.0"))]  # (96+98+100+96)/4
    assert want["rects"] == dashboards.RectificationCounts(
        open=2, overdue=0, submitted=0, verified=0
    )
    assert want["repeats"] == [dashboards.RepeatOffender("S001", "明珠路便利店", "1.2", 2)]
    [active] = want["activity"]
    assert active.visits == 5
    post = want["categories"][0]
    # 岗位 (of 20): 16, 18, 20, 18, 14 → 80, 90, 100, 90, 70 % → 86.0 kept
    assert (post.code, post.visits, post.kept, post.lost) == ("1", 5, D("86.0"), D("14.0"))
    s001 = want["s001"][0]
    assert (s001.visits, s001.kept) == (2, D("85.0"))  # 80 and 90 %

    page = open_console(browser, base)
    sign_in(page, "supervisor", "review-2026")
    page.locator('[flt-semantics-identifier="open-dashboards"]').get_by_role("button").click()
    ranking = panel(page, "dash-ranking")
    expected = ranking_text(want["sites"]) + " " + ranking_text(want["departments"])
    expect(ranking).to_have_text(expected, use_inner_text=True, timeout=30_000)
    expect(panel(page, "dash-rect-open")).to_have_text("待整改 Open 2", use_inner_text=True)
    for ident, label in (
        ("overdue", "已逾期 Overdue"),
        ("submitted", "待验证 Submitted"),
        ("verified", "已验证 Verified"),
    ):
        expect(panel(page, f"dash-rect-{ident}")).to_have_text(f"{label} 0", use_inner_text=True)
    expect(panel(page, "dash-repeat")).to_have_text(
        "S001 明珠路便利店 1.2 2/3", use_inner_text=True
    )
    expect(panel(page, "dash-activity")).to_contain_text(f"{active.display_name} 5 次")
    categories = panel(page, "dash-categories")
    expect(categories).to_contain_text("1 岗位 5 86.0 14.0", use_inner_text=True)
    # with no site picked the trend is the busiest site's: S001, 96 then 98
    expect(panel(page, "dash-trend")).to_contain_text("最近 Last: 96.0, 98.0")
    page.wait_for_timeout(800)  # let the charts' animation finish for the picture
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-04-dashboards.png"))

    # a click on a ranked site narrows the category breakdown to it
    ranking.get_by_role("cell", name="S003 鼓楼营业厅").click()
    trend = panel(page, "dash-trend")
    expect(trend).to_contain_text("Score trend · S003 鼓楼营业厅", timeout=30_000)
    expect(trend).to_contain_text("最近 Last: 96.0")
    expect(categories).to_contain_text("1 岗位 1 90.0 10.0", use_inner_text=True)
    expect(categories).to_contain_text("2 着装仪容 1 90.0 10.0", use_inner_text=True)
