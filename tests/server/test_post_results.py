"""Dashboards per post for a per-subject template (issue 13), on visits pushed through
the real protocol: the tobacco worked example (pooled 87.9, 送货员 63.6 不合格) at S1 and
S3, a perfect visit at S1, and a pooled mall-property visit at S1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from fieldcore.problems import DomainError, ProblemCode
from sync_server.supervision.dashboards import ranking, site_trend
from sync_server.supervision.post_results import post_results
from tests.per_subject_example import (
    per_subject_tobacco,
    publish_per_subject,
    push_tobacco_visit,
    worked_answers,
)
from tests.server.test_dashboards import call, submitted
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: aggregates over numeric columns

D = Decimal


@pytest.fixture
def posts(world: World) -> dict[str, Any]:
    publish_per_subject(world.engine)
    start = world.clock.now
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    failing = worked_answers(per_subject_tobacco())
    perfect = {**failing, "DD.5.3": {"result": "pass"}}
    push_tobacco_visit(world, insp1, "S1", failing)
    push_tobacco_visit(world, insp1, "S1", perfect)
    push_tobacco_visit(world, insp2, "S3", failing)
    submitted(world, insp1, "S1", {"1.1": 1})  # mall-property: 99, pooled
    return {"start": start - timedelta(hours=1), "end": world.clock.now + timedelta(hours=1)}


def _summary(rows: list) -> list[tuple]:
    return [(r.subject_code, r.code, r.visits, r.average, r.passed, r.pass_rate) for r in rows]


def test_each_post_has_its_own_average_and_pass_rate(world: World, posts: dict) -> None:
    rows = call(world, "admin", post_results, posts["start"], posts["end"])
    assert {r.template_key for r in rows} == {"tobacco-retail.v91"}  # pooled templates: none
    assert [r.subject_title for r in rows] == ["客户经理", "专管员", "送货员"]
    # 送货员: 63.6, 100, 63.6 → 227.2 / 3 = 75.73 → 75.7; passed once of three
    assert _summary(rows) == [
        ("account-manager", "", 3, D(100), 3, D(100)),
        ("monopoly-officer", "", 3, D(100), 3, D(100)),
        ("delivery-driver", "", 3, D("75.7"), 1, D("33.3")),
    ]


def test_posts_rank_by_site_within_the_reviewers_scope(world: World, posts: dict) -> None:
    rows = call(world, "admin", post_results, posts["start"], posts["end"], "site")
    drivers = [r for r in rows if r.subject_code == "delivery-driver"]
    assert _summary(drivers) == [
        ("delivery-driver", "S1", 2, D("81.8"), 1, D(50)),
        ("delivery-driver", "S3", 1, D("63.6"), 0, D(0)),
    ]
    mine = call(world, "sup1", post_results, posts["start"], posts["end"], "region")
    assert {(r.code, r.visits) for r in mine} == {("R1", 2)}  # sup1 does not see S3 (R2)


def test_the_pooled_rankings_leave_per_subject_visits_out(world: World, posts: dict) -> None:
    sites = call(world, "admin", ranking, posts["start"], posts["end"])
    assert [(r.code, r.visits, r.average) for r in sites] == [("S1", 1, D(99))]
    assert [p for _, p in call(world, "admin", site_trend, world.ids["S1"])] == [D(99)]


def test_a_bad_grouping_is_refused(world: World, posts: dict) -> None:
    with pytest.raises(DomainError) as err:
        call(world, "admin", post_results, posts["start"], posts["end"], "person")
    assert err.value.code == ProblemCode.REQUEST_INVALID
