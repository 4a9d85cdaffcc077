"""The review queue's filter bar on the server side: dropdown choices in the reviewer's scope,
typed input checked before any query (bad dates and scores refused with the field named),
and the parsed filters and sort keys narrowing real queues."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.supervision.filters import SORT_KEYS, check_sort, parse_filters, queue_choices
from sync_server.supervision.queue import PageRequest, review_queue
from tests.server.test_review_queue import fleet, ids, submit, user, visit_mutations  # noqa: F401
from tests.server.world import PASSWORD, World

pytestmark = pytest.mark.postgres  # the dialect matters: filters and sort keys in the queue's SQL


def choices(world: World, who: str) -> Any:
    with Session(world.engine) as s:
        return queue_choices(s, user(world, who))


def test_choices_offer_the_reviewers_regions_and_every_template(world: World) -> None:
    sup1 = choices(world, "sup1")
    assert sup1.regions == [("D1", "华北一部"), ("R1", "华北区")]  # R1 with its department
    assert [c for c, _ in choices(world, "admin").regions] == ["D1", "R1", "R2"]
    template_ids = [t for t, _ in sup1.templates]
    assert "mall-property" in template_ids and "store-patrol" in template_ids
    assert template_ids == sorted(template_ids)
    assert sup1.grades[0] == "优秀" and sup1.grades[-1] == "不合格"
    assert {"优良", "良好", "合格"} <= set(sup1.grades)
    with write_session(world.engine) as s:  # a supervisor of one site only
        single = admin.add_user(s, "sup3", "supervisor", PASSWORD)
        admin.assign(s, single, [], ["S3"])
    assert choices(world, "sup3").regions == [("R2", "华南区")]
    with pytest.raises(DomainError) as refused:
        choices(world, "mgr1")
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN


@pytest.mark.parametrize(
    ("field", "raw", "where"),
    [
        ("date_from", "2026-13-01", "submitted_from"),
        ("date_from", "2026-02-30", "submitted_from"),
        ("date_to", "yesterday", "submitted_to"),
        ("date_to", "2026-1-5", "submitted_to"),
        ("date_to", "20260105", "submitted_to"),
        ("min_percent", "abc", "min_percent"),
        ("min_percent", "-1", "min_percent"),
        ("max_percent", "100.5", "max_percent"),
        ("max_percent", "NaN", "max_percent"),
        ("mode", "secret", "mode"),
        ("status", "closed", "status"),
    ],
)
def test_bad_input_is_refused_naming_the_field(field: str, raw: str, where: str) -> None:
    filters: dict[str, Any] = {field: raw}  # only text fields here, never `tz`
    with pytest.raises(DomainError) as refused:
        parse_filters(**filters)
    assert refused.value.code == ProblemCode.REQUEST_INVALID
    assert refused.value.details["field"] == where


def test_ranges_must_be_in_order_and_blank_means_any() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"date_from": "2026-11-05", "date_to": "2026-11-04"}, "submitted_to"),
        ({"min_percent": "90", "max_percent": "80"}, "max_percent"),
    ]
    for kw, where in cases:
        with pytest.raises(DomainError) as refused:
            parse_filters(**kw)
        assert refused.value.details["field"] == where
    blank = parse_filters(region="", site="  ", template_id="", mode="", status="", grade="")
    assert all(v is None for v in vars(blank).values())
    zone = timezone(timedelta(hours=8))
    one_day = parse_filters(
        date_from="2026-11-03", date_to="2026-11-03", min_percent=" 80 ", tz=zone
    )
    assert one_day.submitted_from == datetime(2026, 11, 3, tzinfo=zone)
    assert one_day.submitted_to == datetime(2026, 11, 4, tzinfo=zone)  # the whole last day
    assert one_day.min_percent == Decimal(80)
    with pytest.raises(DomainError):
        check_sort("score")
    assert check_sort("-percent") == "-percent" and "site" in SORT_KEYS


def queue(world: World, who: str, sort: str = "-submitted_at", **raw: Any) -> list[Any]:
    with Session(world.engine) as s:
        filters = parse_filters(tz=UTC, **raw)
        return review_queue(s, user(world, who), filters, check_sort(sort), PageRequest()).rows


def test_parsed_filters_narrow_the_queue(world: World, fleet: dict[str, uuid.UUID]) -> None:  # noqa: F811
    everything = ids(queue(world, "sup1"))
    assert ids(queue(world, "sup1", mode="covert")) == {fleet["d"]}
    assert ids(queue(world, "sup1", site="S2")) == {fleet["b"], fleet["d"]}
    assert ids(queue(world, "sup1", site="S1", max_percent="99.99")) == {fleet["c"], fleet["e"]}
    assert ids(queue(world, "sup1", region="D1")) == {fleet["b"], fleet["d"]}
    assert ids(queue(world, "sup1", template_id="mall-property")) == everything
    assert ids(queue(world, "sup1", template_id="hotel-daily")) == set()
    assert ids(queue(world, "sup1", inspector="insp1")) == everything
    day = world.clock().date()  # d, e and f were submitted on the clock's day, a–c the day before
    assert ids(queue(world, "sup1", date_from=day.isoformat())) == {fleet[k] for k in "def"}
    before = (day - timedelta(days=1)).isoformat()
    assert ids(queue(world, "sup1", date_to=before)) == {fleet[k] for k in "abc"}
    assert ids(queue(world, "sup1", date_from=before, date_to=before)) == {fleet[k] for k in "abc"}
    graded = {r.grade for r in queue(world, "sup1")}
    some = sorted(g for g in graded if g)[0]
    assert {r.grade for r in queue(world, "sup1", grade=some)} == {some}
    lowest = queue(world, "sup1", "percent")
    assert [r.percent for r in lowest] == sorted(r.percent for r in lowest)
    sites = [r.site_code for r in queue(world, "sup1", "-site")]
    assert sites == sorted(sites, reverse=True)
