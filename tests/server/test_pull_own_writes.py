"""Pull leaves out a device's own writes (it has them) and sends everything else: what the
server changed in them, another device's or a reviewer's change, a rejected change, and
every row again in a re-download after a reset (PROTOCOL.md, Pull)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import Session

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import ChangeLog
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import upload_all
from tests.server.test_visit_workflow import complete_visit, statuses
from tests.server.world import Phone, World

pytestmark = pytest.mark.postgres  # the dialect matters: the change log's upsert and pull query


def pulled(phone: Phone) -> dict[tuple[str, str], Any]:
    return {k: v for k, v in phone.pull_all().items() if k[0] not in ("template", "site")}


def test_a_device_is_not_sent_its_own_writes_and_its_cursor_moves_past_them(
    world: World,
) -> None:
    phone = world.phone("insp1")
    phone.pull_all()
    before = phone.cursor
    visit_id, create = phone.new_visit(world.site("S1"))
    phone.push(create, phone.answer(visit_id, "1.1", "pass", note="ok"))
    assert pulled(phone) == {}
    assert phone.cursor > before  # past the two rows: the next pull starts after them
    other = world.phone("insp1")  # the same inspector's second phone gets both
    rows = pulled(other)
    assert rows[("visit", str(visit_id))]["status"] == "draft"
    assert rows[("finding", str(finding_id(visit_id, "1.1")))]["note"] == "ok"


def test_pages_count_only_the_changes_sent(world: World) -> None:
    writer, reader = world.phone("insp1"), world.phone("insp1")
    writer.pull_all(), reader.pull_all()
    mine = []
    for _ in range(5):
        visit_id, create = writer.new_visit(world.site("S1"))
        writer.push(create)
        mine.append(visit_id)
        _, create = reader.new_visit(world.site("S1"))
        reader.push(create)
    visit_id, create = writer.new_visit(world.site("S1"))
    writer.push(create)  # the last change of the feed is its own
    mine.append(visit_id)
    page = writer.pull(limit=2)  # two of the reader's visits, not two of its own
    assert [c["entity"] for c in page["changes"]] == ["visit", "visit"] and page["has_more"]
    assert not {c["id"] for c in page["changes"]} & {str(v) for v in mine}
    rest = writer.pull(limit=10)
    assert len(rest["changes"]) == 3 and not rest["has_more"]
    assert rest["next_cursor"] > rest["changes"][-1]["seq"]  # past its own last visit
    assert writer.pull()["changes"] == []


def test_what_the_server_computed_on_submit_comes_back(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"1.1": 3, "3.1": 1})
    insp.push(*muts)
    assert pulled(insp) == {}
    assert statuses(insp.push(insp.mutation("visit", visit_id, status="submitted"))) == ["applied"]
    rows = pulled(insp)
    visit = rows[("visit", str(visit_id))]
    assert visit["status"] == "submitted" and visit["score"]["total"] == 96
    assert visit["submitted_at"] is not None
    assert ("finding", str(finding_id(visit_id, "1.1"))) not in rows  # unchanged: still its own


def test_a_result_the_server_derived_comes_back(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"), "tobacco-retail.v2")
    figure = insp.mutation(  # a figure item sent without its verdict: the server derives it
        "finding", finding_id(visit_id, "AM.5.1"), visit_id=visit_id, item_code="AM.5.1", value=5
    )
    assert statuses(insp.push(create, figure)) == ["applied", "applied"]
    rows = pulled(insp)
    assert list(rows) == [("finding", str(finding_id(visit_id, "AM.5.1")))]
    assert rows[("finding", str(finding_id(visit_id, "AM.5.1")))]["result"] == "fail"


def test_detail_the_server_cleared_comes_back(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create, insp.answer(visit_id, "1.5", "fail", count=2))
    assert pulled(insp) == {}
    insp.push(insp.answer(visit_id, "1.5", "pass"))  # a client that left its count as it was
    rows = pulled(insp)
    assert rows[("finding", str(finding_id(visit_id, "1.5")))]["count"] is None


def test_another_devices_change_comes_back_even_under_a_later_own_write(world: World) -> None:
    a, b = world.phone("insp1"), world.phone("insp1")
    visit_id, create = a.new_visit(world.site("S1"))
    a.push(create)
    b.pull_all()
    b.push(b.mutation("visit", visit_id, note="from b"))
    a.push(a.mutation("visit", visit_id, lat=38.5))  # a has not pulled b's note yet
    rows = pulled(a)
    assert rows[("visit", str(visit_id))]["note"] == "from b"
    assert rows[("visit", str(visit_id))]["lat"] == 38.5
    a.push(a.mutation("visit", visit_id, lat=38.6))  # once shared, the row keeps coming
    assert pulled(a)[("visit", str(visit_id))]["lat"] == 38.6


def test_a_reviewers_change_comes_back(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, create = insp.new_visit(world.site("S1"))
    fid = finding_id(visit_id, "1.1")
    insp.push(create, insp.answer(visit_id, "1.1", "fail", count=1))
    assert pulled(insp) == {}
    sup.push(sup.mutation("finding", fid, review_comment="请补充位置"))
    assert pulled(insp)[("finding", str(fid))]["review_comment"] == "请补充位置"
    # to the reviewer too: the row also holds the inspector's changes, which it may lack
    assert pulled(sup)[("finding", str(fid))]["result"] == "fail"


def test_a_rejected_change_to_a_row_of_its_own_brings_the_row_back(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create)
    assert pulled(insp) == {}
    refused = insp.push(insp.mutation("visit", visit_id, status="submitted"))
    assert statuses(refused) == ["workflow.incomplete"]
    assert pulled(insp)[("visit", str(visit_id))]["status"] == "draft"  # the server's state


def test_a_rejected_change_to_someone_elses_row_changes_nothing(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    visit_id, create = insp1.new_visit(world.site("S1"))
    insp1.push(create)
    key = ("visit", str(visit_id))
    with Session(world.engine) as s:
        before = s.get(ChangeLog, key)
        assert before is not None and before.device_id == insp1.device_id
    assert statuses(insp2.push(insp2.mutation("visit", visit_id, note="x"))) == ["scope.denied"]
    with Session(world.engine) as s:
        after = s.get(ChangeLog, key)
        assert after is not None
        assert (after.seq, after.device_id) == (before.seq, insp1.device_id)


def test_a_reset_sends_everything_again_until_the_download_is_through(world: World) -> None:
    insp = world.phone("insp1")
    visits = []
    for _ in range(3):
        visit_id, create = insp.new_visit(world.site("S1"))
        insp.push(create)
        visits.append(str(visit_id))
    insp.pull_all()
    with write_session(world.engine) as s:  # changed assignments: the phone starts again
        admin.assign(s, admin.get_user(s, "insp1"), regions=["R1"], sites=[])
    first = insp.pull(limit=1)
    assert first["reset"] is True and first["has_more"]
    got = {(c["entity"], c["id"]) for c in first["changes"]}
    while True:
        page = insp.pull(limit=1)
        assert page["reset"] is False
        got |= {(c["entity"], c["id"]) for c in page["changes"]}
        if not page["has_more"]:
            break
    assert {("visit", v) for v in visits} <= got  # its own rows too: it dropped them
    own, create = insp.new_visit(world.site("S1"))
    insp.push(create)
    assert ("visit", str(own)) not in pulled(insp)  # after the download: own writes stay out
    assert insp.pull()["reset"] is False


def test_an_upload_is_the_uploading_devices_own_change(world: World) -> None:
    """Its answer told the uploading device; the user's other devices pull the change."""
    a, b = world.phone("insp1"), world.phone("insp1")
    visit_id, create = a.new_visit(world.site("S1"))
    a.push(create)
    by_a, by_b = jpeg(40, 30, 1), jpeg(40, 30, 2)
    a_photo, b_photo = uuid.uuid4(), uuid.uuid4()
    for phone, photo_id, data in ((a, a_photo, by_a), (b, b_photo, by_b)):
        fields: dict[str, Any] = {"visit_id": visit_id, "sha256": sha(data), "byte_size": len(data)}
        phone.push(phone.mutation("photo", photo_id, mime="image/jpeg", **fields))
    a.pull_all(), b.pull_all()
    upload_all(a, by_a)  # a's own photo
    assert pulled(a) == {}
    assert pulled(b)[("photo", str(a_photo))]["blob_present"] is True
    upload_all(a, by_b)  # the bytes of b's row (the user's rows), uploaded by a
    assert pulled(b)[("photo", str(b_photo))]["blob_present"] is True
