"""Console dashboards on visits pushed through the real protocol; averages checked by hand.

Mall-property percents: every item answered pass is 100; item 1.1 costs 1 point a count,
2.1 and 3.1 one point each (see test_visit_workflow).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.supervision.dashboards import (
    CategoryRow,
    InspectorActivity,
    RankingRow,
    RectificationCounts,
    RepeatOffender,
    category_breakdown,
    inspector_activity,
    ranking,
    rectification_counts,
    repeat_offenders,
    scoped_site,
    site_trend,
)
from sync_server.tables import User
from sync_server.templates.catalog import resolve_template
from tests.server.test_rectification import after_photo
from tests.server.test_visit_workflow import complete_visit, statuses
from tests.server.world import PASSWORD, Phone, World

pytestmark = pytest.mark.postgres  # the dialect matters: aggregates and a window function

D = Decimal


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        found = s.exec(select(User).where(User.username == name)).one()
        s.expunge(found)
        return found


def call(world: World, who: str, fn: Any, *args: Any, **kw: Any) -> Any:
    with Session(world.engine) as s:
        return fn(s, user(world, who), *args, **kw)


def submitted(world: World, phone: Phone, site: str, fails: dict[str, int]) -> uuid.UUID:
    visit_id, muts = complete_visit(phone, world.site(site), fails)
    results = phone.push(*muts, phone.mutation("visit", visit_id, status="submitted"))
    assert set(statuses(results)) == {"applied"}
    world.clock.advance(hours=1)
    return visit_id


@pytest.fixture
def fleet(world: World) -> dict[str, Any]:
    """S1 (R1): 100, 99, 99, 99 — 1.1 failed in two of the last three, one approved.
    S2 (D1 under R1): 97, plus a returned visit and a draft, neither counted.
    S3 (R2): 95, 99 — 1.1 failed in both."""
    insp1, insp2, sup = world.phone("insp1"), world.phone("insp2"), world.phone("sup1")
    out: dict[str, Any] = {"start": world.clock.now}
    out["s1"] = [
        submitted(world, insp1, "S1", fails) for fails in ({}, {"1.1": 1}, {"2.1": 1}, {"1.1": 1})
    ]
    assert statuses(sup.push(sup.mutation("visit", out["s1"][2], status="approved"))) == ["applied"]
    out["s2"] = submitted(world, insp1, "S2", {"1.1": 2, "2.1": 1})
    returned = submitted(world, insp1, "S2", {"3.1": 1})
    sup.push(sup.mutation("visit", returned, status="returned", return_comment="重拍"))
    _, draft = complete_visit(insp1, world.site("S2"), {})
    insp1.push(*draft)
    out["s3"] = [submitted(world, insp2, "S3", f) for f in ({"1.1": 5}, {"1.1": 1})]
    out["end"] = world.clock.now
    return out


def test_site_trend_is_oldest_first_and_limited_to_the_last_n(
    world: World, fleet: dict[str, Any]
) -> None:
    trend = call(world, "sup1", site_trend, world.ids["S1"])
    assert [p for _, p in trend] == [D(100), D(99), D(99), D(99)]
    times = [t for t, _ in trend]
    assert times == sorted(times) and times[0] == fleet["start"]
    assert call(world, "sup1", site_trend, world.ids["S1"], last_n=2) == trend[-2:]
    assert [p for _, p in call(world, "sup1", site_trend, world.ids["S2"])] == [D(97)]


@pytest.mark.dialect_free  # access rules / validation only
def test_site_trend_outside_scope_is_denied_and_inspectors_are_refused(
    world: World, fleet: dict[str, Any]
) -> None:
    for site in (world.ids["S3"], uuid.uuid4()):
        with pytest.raises(DomainError) as denied:
            call(world, "sup1", site_trend, site)
        assert denied.value.code == ProblemCode.SCOPE_DENIED
    with pytest.raises(DomainError) as refused:
        call(world, "insp1", site_trend, world.ids["S1"])
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN


def test_ranking_by_site_rounds_the_mean_half_up(world: World, fleet: dict[str, Any]) -> None:
    start, end = fleet["start"], fleet["end"]
    # S1: (100 + 99 + 99 + 99) / 4 = 99.25 → 99.3 (half up; banker's rounding gives 99.2)
    assert call(world, "sup1", ranking, start, end) == [
        RankingRow("S1", "门店S1", 4, D("99.3")),
        RankingRow("S2", "门店S2", 1, D("97.0")),
    ]
    # from the second S1 visit on: (99 + 99 + 99) / 3 = 99.0
    later = call(world, "sup1", ranking, start + timedelta(minutes=30), end)
    assert later[0] == RankingRow("S1", "门店S1", 3, D("99.0"))
    # S3: (95 + 99) / 2 = 97.0 ties with S2: more visits first
    assert call(world, "admin", ranking, start, end) == [
        RankingRow("S1", "门店S1", 4, D("99.3")),
        RankingRow("S3", "门店S3", 2, D("97.0")),
        RankingRow("S2", "门店S2", 1, D("97.0")),
    ]
    assert call(world, "admin", ranking, start, start) == []


def test_ranking_by_region_groups_by_the_sites_own_region(
    world: World, fleet: dict[str, Any]
) -> None:
    rows = call(world, "admin", ranking, fleet["start"], fleet["end"], by="region")
    assert rows == [
        RankingRow("R1", "华北区", 4, D("99.3")),
        RankingRow("R2", "华南区", 2, D("97.0")),
        RankingRow("D1", "华北一部", 1, D("97.0")),
    ]
    assert [
        r.code for r in call(world, "sup1", ranking, fleet["start"], fleet["end"], by="region")
    ] == [
        "R1",
        "D1",
    ]
    with pytest.raises(DomainError) as bad:
        call(world, "sup1", ranking, fleet["start"], fleet["end"], by="inspector")
    assert bad.value.code == ProblemCode.REQUEST_INVALID


def test_repeat_offenders_look_at_each_sites_last_n_visits(
    world: World, fleet: dict[str, Any]
) -> None:
    assert call(world, "sup1", repeat_offenders) == [RepeatOffender("S1", "门店S1", "1.1", 2)]
    assert call(world, "admin", repeat_offenders) == [
        RepeatOffender("S1", "门店S1", "1.1", 2),
        RepeatOffender("S3", "门店S3", "1.1", 2),
    ]
    # S1's last two visits failed 1.1 once: not a repeat; S3's did twice
    assert call(world, "admin", repeat_offenders, last_n=2) == [
        RepeatOffender("S3", "门店S3", "1.1", 2)
    ]
    assert call(world, "sup1", repeat_offenders, last_n=4, min_times=3) == []


def test_rectification_counts_open_overdue_submitted_verified(
    world: World, fleet: dict[str, Any]
) -> None:
    sup, mgr = world.phone("sup1"), world.phone("mgr1")
    # approve the last S1 visit (1.1) too, and publish both so the manager sees them
    sup.push(sup.mutation("visit", fleet["s1"][3], status="approved"))
    for visit in (fleet["s1"][2], fleet["s1"][3]):
        sup.push(sup.mutation("visit", visit, status="published"))
    rects = sorted(i for (e, i) in sup.pull_all() if e == "rectification")
    assert len(rects) == 2
    now = world.clock.now
    assert call(world, "sup1", rectification_counts, now) == RectificationCounts(2, 0, 0, 0)
    later = now + timedelta(days=400)
    assert call(world, "sup1", rectification_counts, later) == RectificationCounts(2, 2, 0, 0)
    for rect in rects:
        results = mgr.push(
            mgr.mutation("rectification", rect, response_note="已整改"),
            after_photo(mgr, rect),
            mgr.mutation("rectification", rect, status="submitted"),
        )
        assert set(statuses(results)) == {"applied"}
    sup.push(sup.mutation("rectification", rects[0], status="verified", verify_comment="合格"))
    assert call(world, "sup1", rectification_counts, later) == RectificationCounts(0, 0, 1, 1)
    assert call(world, "admin", rectification_counts, later) == RectificationCounts(0, 0, 1, 1)


def test_inspector_activity_counts_submitted_visits(world: World, fleet: dict[str, Any]) -> None:
    start, end = fleet["start"], fleet["end"]
    # insp1: four at S1 and one at S2; the returned visit and the draft do not count
    assert call(world, "sup1", inspector_activity, start, end) == [
        InspectorActivity("insp1", "insp1", 5)
    ]
    assert call(world, "admin", inspector_activity, start, end) == [
        InspectorActivity("insp1", "insp1", 5),
        InspectorActivity("insp2", "insp2", 2),
    ]
    assert call(world, "admin", inspector_activity, end, end + timedelta(days=1)) == []


def test_a_supervisor_of_another_region_sees_nothing(world: World, fleet: dict[str, Any]) -> None:
    with write_session(world.engine) as s:
        admin.add_region(s, "R9", "西北区")
        sup9 = admin.add_user(s, "sup9", "supervisor", PASSWORD)
        admin.assign(s, sup9, ["R9"])
    start, end = fleet["start"], fleet["end"]
    assert call(world, "sup9", ranking, start, end) == []
    assert call(world, "sup9", ranking, start, end, by="region") == []
    assert call(world, "sup9", repeat_offenders) == []
    assert call(world, "sup9", inspector_activity, start, end) == []
    assert call(world, "sup9", rectification_counts, end) == RectificationCounts(0, 0, 0, 0)
    with pytest.raises(DomainError) as denied:
        call(world, "sup9", site_trend, world.ids["S1"])
    assert denied.value.code == ProblemCode.SCOPE_DENIED


def test_start_is_inclusive(world: World, fleet: dict[str, Any]) -> None:
    first: datetime = fleet["start"]
    rows = call(world, "sup1", ranking, first, first + timedelta(minutes=1))
    assert rows == [RankingRow("S1", "门店S1", 1, D("100.0"))]


MALL = "mall-property.v1"
MALL_TITLE = "商场物业服务质量评分表"
HOTEL = "hotel-daily.v1"


def kept(rows: list[CategoryRow]) -> dict[str, tuple[int, Decimal]]:
    assert {r.template_key for r in rows} == {MALL}
    return {r.code: (r.visits, r.kept) for r in rows}


def test_category_breakdown_averages_the_share_kept_per_category(
    world: World, fleet: dict[str, Any]
) -> None:
    start, end = fleet["start"], fleet["end"]
    rows = call(world, "sup1", category_breakdown, None, start, end)
    # every mall category is out of 10, in template order 1..10
    assert [r.code for r in rows] == [str(n) for n in range(1, 11)]
    assert rows[0] == CategoryRow(MALL, MALL_TITLE, "1", "清洁卫生", 5, D("92.0"))
    # 清洁卫生: S1 10, 9, 10, 9 and S2 8 (1.1 twice) of 10 → (100+90+100+90+80)/5 = 92.0
    # 环境绿化: S1 10, 10, 9, 10 and S2 9 → 480/5 = 96.0; 服务态度 stays 100: the returned
    # S2 visit (3.1 failed) does not count
    assert kept(rows) == {
        "1": (5, D("92.0")),
        "2": (5, D("96.0")),
        **{str(n): (5, D("100.0")) for n in range(3, 11)},
    }
    assert rows[0].lost == D("8.0")
    # one site: S1 alone → (100+90+100+90)/4 = 95.0 and (100+100+90+100)/4 = 97.5
    s1 = kept(call(world, "sup1", category_breakdown, "S1", start, end))
    assert (s1["1"], s1["2"], s1["3"]) == ((4, D("95.0")), (4, D("97.5")), (4, D("100.0")))
    # the admin also sees S3 (1.1 five times, then once): 清洁卫生 (460+50+90)/7 = 85.71… → 85.7,
    # 环境绿化 (480+100+100)/7 = 97.14… → 97.1
    every = kept(call(world, "admin", category_breakdown, None, start, end))
    assert (every["1"], every["2"]) == ((7, D("85.7")), (7, D("97.1")))
    assert kept(call(world, "admin", category_breakdown, "S3", start, end))["1"] == (2, D("70.0"))
    assert call(world, "sup1", category_breakdown, None, end, end + timedelta(days=1)) == []


def test_category_breakdown_leaves_out_a_category_that_was_all_na(
    world: World, fleet: dict[str, Any]
) -> None:
    """A hotel-daily visit at S2, everything passed but 礼节礼貌 (category 2) all N/A."""
    insp = world.phone("insp1")
    template = resolve_template(HOTEL)
    visit_id, create = insp.new_visit(world.site("S2"), HOTEL)
    answers = [
        insp.answer(visit_id, item.code, "na" if cat.code == "2" else "pass")
        for cat, item in template.iter_items()
        if template.in_mode(item, "overt")
    ]
    submit = insp.mutation("visit", visit_id, status="submitted")
    assert set(statuses(insp.push(create, *answers, submit))) == {"applied"}
    end, now = fleet["end"], world.clock.now + timedelta(minutes=1)
    later = call(world, "sup1", category_breakdown, "S2", end, now)
    assert {r.template_key for r in later} == {HOTEL}
    codes = [c.code for c in template.categories]
    assert "2" in codes and [r.code for r in later] == [c for c in codes if c != "2"]
    assert {(r.visits, r.kept) for r in later} == {(1, D("100.0"))}
    # both templates over the whole time, each in its own order: hotel-daily sorts first
    both = call(world, "sup1", category_breakdown, "S2", fleet["start"], now)
    assert [r.template_key for r in both] == [HOTEL] * (len(codes) - 1) + [MALL] * 10
    assert both[len(codes) - 1] == CategoryRow(MALL, MALL_TITLE, "1", "清洁卫生", 1, D("80.0"))


def test_category_breakdown_is_scoped(world: World, fleet: dict[str, Any]) -> None:
    start, end = fleet["start"], fleet["end"]
    for code in ("S3", "NOPE"):  # another region's site, and no such site, read the same
        with pytest.raises(DomainError) as denied:
            call(world, "sup1", category_breakdown, code, start, end)
        assert denied.value.code == ProblemCode.SCOPE_DENIED
        with pytest.raises(DomainError) as denied:
            call(world, "sup1", scoped_site, code)
        assert denied.value.code == ProblemCode.SCOPE_DENIED
    assert call(world, "sup1", scoped_site, "S1") == world.ids["S1"]
    with pytest.raises(DomainError) as refused:
        call(world, "insp1", category_breakdown, None, start, end)
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN
