"""The supervisor's review queue and visit detail, on visits made through real pushes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.supervision.evidence_checks import check_photo, distance_m
from sync_server.supervision.queue import PageRequest, QueueFilters, review_queue
from sync_server.supervision.visit_detail import visit_detail
from sync_server.tables import AuditLog, ConflictLog, Photo, Site, User
from sync_server.templates.catalog import checklist_dir
from tests.server.world import PASSWORD, Phone, World

pytestmark = (
    pytest.mark.postgres
)  # the dialect matters: keyset paging: tuple comparison and where NULLs sort

SHA = "b" * 64


@cache
def items(template: str, mode: str) -> tuple[str, ...]:
    body = json.loads((checklist_dir() / f"{template}.v1.json").read_text(encoding="utf-8"))
    return tuple(
        i["code"]
        for c in body["categories"]
        for i in c["items"]
        if mode == "overt" or i.get("covert_ok", True)
    )


def visit_mutations(
    phone: Phone,
    site: str,
    fails: dict[str, int] | None = None,
    mode: str = "overt",
    photo: dict[str, Any] | None = None,
    **extra: Any,
) -> tuple[uuid.UUID, list[dict[str, Any]]]:
    """A complete mall-property visit; each failed item (code → count) has a photo."""
    fails = fails or {}
    visit_id, create = phone.new_visit(site, mode=mode, **extra)
    muts = [create]
    for code in items("mall-property", mode):
        if code in fails:
            muts.append(phone.answer(visit_id, code, "fail", count=fails[code], note=f"n{code}"))
            muts.append(
                phone.mutation(
                    "photo",
                    uuid.uuid4(),
                    visit_id=visit_id,
                    finding_id=finding_id(visit_id, code),
                    sha256=SHA,
                    byte_size=1000,
                    mime="image/jpeg",
                    **(photo or {}),
                )
            )
        else:
            muts.append(phone.answer(visit_id, code, "pass"))
    return visit_id, muts


def submit(phone: Phone, *visits: tuple[uuid.UUID, list[dict[str, Any]]]) -> list[uuid.UUID]:
    """Push and submit the visits in one push: they share one submitted_at."""
    muts = [m for _, ms in visits for m in ms]
    muts += [phone.mutation("visit", v, status="submitted") for v, _ in visits]
    results = phone.push(*muts)
    assert {r["status"] for r in results} == {"applied"}, results
    return [v for v, _ in visits]


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        found = s.exec(select(User).where(User.username == name)).one()
        s.expunge(found)
        return found


def queue(world: World, who: str, sort: str = "-submitted_at", **filters: Any) -> list[Any]:
    with Session(world.engine) as s:
        page = review_queue(s, user(world, who), QueueFilters(**filters), sort, PageRequest())
        return page.rows


def ids(rows: list[Any]) -> set[uuid.UUID]:
    return {r.visit_id for r in rows}


@pytest.fixture
def fleet(world: World) -> dict[str, uuid.UUID]:
    """Seven submitted visits (two pairs sharing a submitted_at) and a draft."""
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    s1, s2, s3 = world.site("S1"), world.site("S2"), world.site("S3")
    out: dict[str, uuid.UUID] = {}
    out["a"], out["b"] = submit(insp1, visit_mutations(insp1, s1), visit_mutations(insp1, s2))
    world.clock.advance(hours=1)
    (out["c"],) = submit(insp1, visit_mutations(insp1, s1, {"1.1": 3}))
    world.clock.advance(days=1)
    (out["d"],) = submit(insp1, visit_mutations(insp1, s2, {"1.1": 4, "2.1": 1}, mode="covert"))
    world.clock.advance(hours=2)
    out["e"], out["f"] = submit(
        insp1, visit_mutations(insp1, s1, {"3.1": 1}), visit_mutations(insp1, s1)
    )
    world.clock.advance(hours=3)
    (out["g"],) = submit(insp2, visit_mutations(insp2, s3, {"1.1": 2}))
    draft_id, draft = visit_mutations(insp1, s1)
    insp1.push(*draft)
    out["draft"] = draft_id
    return out


def test_scope_supervisor_sees_their_regions_admin_all_others_refused(
    world: World, fleet: dict[str, uuid.UUID]
) -> None:
    r1 = {fleet[k] for k in "abcdef"}
    assert ids(queue(world, "sup1")) == r1  # no draft, nothing from R2
    assert ids(queue(world, "admin")) == r1 | {fleet["g"]}
    with write_session(world.engine) as s:
        sup2 = admin.add_user(s, "sup2", "supervisor", PASSWORD)
        admin.assign(s, sup2, ["R2"])
    assert ids(queue(world, "sup2")) == {fleet["g"]}
    for name in ("insp1", "mgr1"):
        with pytest.raises(DomainError) as refused:
            queue(world, name)
        assert refused.value.code == ProblemCode.AUTH_FORBIDDEN


@pytest.mark.dialect_free  # access rules / validation only
def test_detail_outside_scope_is_the_same_answer_as_no_such_visit(
    world: World, fleet: dict[str, uuid.UUID]
) -> None:
    answers = []
    for visit_id in (fleet["g"], uuid.uuid4()):
        with write_session(world.engine) as s, pytest.raises(DomainError) as denied:
            visit_detail(s, user(world, "sup1"), visit_id)
        problem = denied.value.to_problem()
        answers.append((problem["code"], problem["message"], sorted(problem["details"])))
    assert answers[0] == answers[1] == ("scope.denied", answers[0][1], ["entity", "id"])
    with write_session(world.engine) as s, pytest.raises(DomainError) as refused:
        visit_detail(s, user(world, "insp2"), fleet["g"])
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN


def test_each_filter(world: World, fleet: dict[str, uuid.UUID]) -> None:
    rows = {r.visit_id: r for r in queue(world, "admin")}
    c, d = rows[fleet["c"]], rows[fleet["d"]]
    day2 = rows[fleet["d"]].submitted_at
    cases: list[tuple[dict[str, Any], str]] = [
        ({"region": "R1"}, "abcdef"),
        ({"region": "D1"}, "bd"),  # S2 is in the department D1 of R1
        ({"region": "nowhere"}, ""),
        ({"site": "S1"}, "acef"),
        ({"template_id": "mall-property"}, "abcdefg"),
        ({"template_id": "store-patrol"}, ""),
        ({"mode": "covert"}, "d"),
        ({"inspector": "insp2"}, "g"),
        ({"submitted_from": day2}, "defg"),
        ({"submitted_to": day2}, "abc"),
        ({"status": "submitted"}, "abcdefg"),
        ({"status": "approved"}, ""),
        ({"min_percent": Decimal(100)}, "abf"),
        ({"max_percent": c.percent}, "cdg" if rows[fleet["g"]].percent <= c.percent else "cd"),
        ({"grade": d.grade}, "".join(k for k in "abcdefg" if rows[fleet[k]].grade == d.grade)),
    ]
    for filters, expected in cases:
        assert ids(queue(world, "admin", **filters)) == {fleet[k] for k in expected}, filters
    assert d.percent is not None and d.percent < c.percent < 100  # the cases above mean it


@pytest.mark.parametrize(
    "sort", ["-submitted_at", "submitted_at", "percent", "-percent", "site", "-site"]
)
def test_paging_returns_every_row_once_in_order(
    world: World, fleet: dict[str, uuid.UUID], sort: str
) -> None:
    with Session(world.engine) as s:
        admin_user = user(world, "admin")
        whole = review_queue(s, admin_user, QueueFilters(), sort, PageRequest(limit=500)).rows
        seen, cursor, pages = [], None, 0
        while True:
            page = review_queue(s, admin_user, QueueFilters(), sort, PageRequest(cursor, 2))
            seen += page.rows
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert pages == 4 and [r.visit_id for r in seen] == [r.visit_id for r in whole]
    assert len(whole) == 7
    key = {"submitted_at": "submitted_at", "percent": "percent", "site": "site_code"}
    values = [getattr(r, key[sort.lstrip("-")]) for r in whole]
    assert values == sorted(values, reverse=sort.startswith("-"))


@pytest.mark.dialect_free  # access rules / validation only
def test_bad_sort_limit_or_cursor_is_request_invalid(world: World) -> None:
    with Session(world.engine) as s:
        admin_user = user(world, "admin")
        for sort, page in (
            ("colour", PageRequest()),
            ("site", PageRequest(limit=0)),
            ("site", PageRequest(cursor="not-a-cursor")),
        ):
            with pytest.raises(DomainError) as bad:
                review_queue(s, admin_user, QueueFilters(), sort, page)
            assert bad.value.code == ProblemCode.REQUEST_INVALID


def test_detail_groups_items_and_flags_clock_skew_and_distance(world: World) -> None:
    with write_session(world.engine) as s:
        site = s.exec(select(Site).where(Site.code == "S1")).one()
        site.lat, site.lon = 38.4872, 106.2309
    insp1 = world.phone("insp1")
    now = datetime.now(UTC)  # photos are stamped with the server's real receipt time
    photos = {
        "1.1": {"captured_at": (now - timedelta(hours=3)).isoformat(), "clock_offset_ms": 4000},
        "2.1": {"captured_at": (now + timedelta(hours=2)).isoformat(), "clock_offset_ms": 0},
        "3.1": {
            "captured_at": (now - timedelta(hours=1)).isoformat(),
            "clock_offset_ms": 30 * 60_000,
        },
    }
    visit_id, muts = visit_mutations(insp1, world.site("S1"), {"1.1": 1, "2.1": 1, "3.1": 1})
    for m in muts:
        if m["entity"] == "photo":
            code = m["fields"]["finding_id"]
            item = next(c for c in photos if str(finding_id(visit_id, c)) == code)
            m["fields"].update(photos[item], lat=38.4872, lon=106.2309 + 0.01 * (item == "2.1"))
    muts[0]["fields"].update(lat=38.4872, lon=106.2309)
    submit(insp1, (visit_id, muts))
    with write_session(world.engine) as s:
        s.add(ConflictLog(entity="visit", entity_id=str(visit_id), visit_id=visit_id,
                          field="note", overwritten_value="a", overwritten_seq=1,
                          winning_value="b", base_seq=0, seq=2))  # fmt: skip
    with write_session(world.engine) as s:
        detail = visit_detail(s, user(world, "sup1"), visit_id)
        by_item = {c.finding_id: c for c in detail.photos}
        assert detail.visit_distance_m == pytest.approx(0, abs=0.01)
        one, two, three = (by_item[finding_id(visit_id, c)] for c in ("1.1", "2.1", "3.1"))
        assert (one.clock_skew, two.clock_skew, three.clock_skew) == (False, True, True)
        assert (one.far_from_site, two.far_from_site, three.far_from_site) == (False, True, False)
        assert two.distance_m == pytest.approx(871, abs=5)  # 0.01° of longitude at 38.5° N
        assert [x.field for x in detail.conflicts] == ["note"]
        categories = {c["code"]: c for c in detail.categories}
        line = next(i for i in categories["1"]["items"] if i["code"] == "1.1")
        assert (line["result"], line["note"], line["deducted"] > 0) == ("fail", "n1.1", True)
        assert line["text"]
        assert s.exec(select(AuditLog)).all() == []  # overt: reading it is not audited
        stored = s.exec(select(Photo).where(Photo.visit_id == visit_id)).all()
        assert len(stored) == 3


def test_flags_on_their_own() -> None:
    site = Site(code="X", name="x", type="shop", region_id=uuid.uuid4(), lat=30.0, lon=120.0)
    received = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

    def photo(minutes_before: float, offset_ms: int | None) -> Photo:
        return Photo(
            id=uuid.uuid4(), sha256=SHA, byte_size=1, uploaded_by=uuid.uuid4(),
            captured_at=received - timedelta(minutes=minutes_before),
            clock_offset_ms=offset_ms, received_at=received, lat=30.0, lon=120.0,
        )  # fmt: skip

    assert not check_photo(photo(600, None), site).clock_skew  # a day offline is fine
    assert check_photo(photo(-1, 0), site).clock_skew  # captured after it arrived
    assert not check_photo(photo(1, 50_000), site).clock_skew  # 50 s ahead: corrected
    assert check_photo(photo(1, 70_000), site).clock_skew  # corrected: after arrival
    assert check_photo(photo(60, -11 * 60_000), site).clock_skew  # device clock 11 min off
    assert check_photo(photo(5, 0), site).receipt_delay == timedelta(minutes=5)
    assert distance_m(30.0, 120.0, None, 120.0) is None
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195, rel=1e-3)


def test_viewing_an_unpublished_covert_visit_is_audited(
    world: World, fleet: dict[str, uuid.UUID]
) -> None:
    sup1 = user(world, "sup1")
    with write_session(world.engine) as s:
        visit_detail(s, sup1, fleet["d"], now=world.clock())
        visit_detail(s, sup1, fleet["a"])  # overt: not audited
    with Session(world.engine) as s:
        rows = s.exec(select(AuditLog)).all()
    assert [(r.user_id, r.action, r.entity, r.entity_id, r.at) for r in rows] == [
        (sup1.id, "visit.view_covert", "visit", str(fleet["d"]), world.clock())
    ]
