"""Last time at hand from pulled data: a second phone of the inspector pulls the site's
earlier visits and its new visit shows each item's previous result and the repeat problems;
a voided visit does not count, nothing extra is downloaded, and a re-sync changes nothing.
Against the real server, in process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.photos import Stamp, process
from fieldapp.sync.downloads import Media, fetch_photo
from fieldapp.sync.engine import run_sync
from fieldcore.workflow import finding_id
from tests.client.conftest import PhoneApp
from tests.server.images import jpeg
from tests.server.world import World
from tests.serverkit import FakeClock

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def handed_in(insp: PhoneApp, world: World, fails: dict[str, str]) -> uuid.UUID:
    """A submitted mall-property visit at S1 failing `fails` (code → note, each with its
    photo), the rest pass."""
    visit = insp.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    root = insp.store.path.parent
    for n, code in enumerate(MALL):
        if code not in fails:
            insp.store.record_answer(visit.id, code, "pass")
            continue
        insp.store.record_answer(visit.id, code, "fail", count=1, note=fails[code])
        raw = jpeg(400, 300, seed=n + 100 * len(fails) + len(insp.store.home().submitted))
        shot = process(raw, Stamp(datetime.now(UTC), "S1", "insp1"), root / "p", root / "t")
        insp.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, code))
    insp.store.submit_visit(visit.id)
    return visit.id


def hints(phone: PhoneApp, visit_id: uuid.UUID) -> dict[str, tuple[str, str, bool]]:
    last = phone.store.last_time(visit_id)
    return {c: (h.result, h.note, h.repeat) for c, h in last.hints.items()}


def test_a_new_visit_shows_last_time_from_pulled_visits_and_keeps_it_after_a_resync(
    world: World, phone: Callable[..., PhoneApp], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    insp = phone("insp1")
    run_sync(insp.store, insp.client)
    handed_in(insp, world, {"3.1": "消防通道堵塞", "1.1": "台账缺失"})
    clock.advance(days=7)
    handed_in(insp, world, {"3.1": "又堵了"})
    clock.advance(days=7)
    wrong = handed_in(insp, world, {"1.2": "录错"})
    assert run_sync(insp.store, insp.client).photos_uploaded == 4
    sup = world.phone("sup1")
    void = sup.mutation("visit", wrong, status="voided", void_reason="录错门店")
    assert sup.push(void)[0]["status"] == "applied"

    second = phone("insp1", "second phone")
    monkeypatch.setattr(second.client, "download", lambda sha: pytest.fail("no download"))
    assert run_sync(second.store, second.client).pulled > 0
    clock.advance(days=7)
    now = second.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    expected = {
        **dict.fromkeys(MALL, ("pass", "", False)),
        "3.1": ("fail", "又堵了", True),  # failed in both counted visits
        "1.1": ("pass", "", False),  # the voided visit's answers do not count
        "1.2": ("pass", "", False),
    }
    assert hints(second, now.id) == expected
    last = second.store.last_time(now.id)
    assert last.hints["3.1"].when.date() == (clock() - timedelta(days=14)).date()
    assert last.repeats == ["3.1"]
    assert len(last.hints["3.1"].photos) == 1 and last.thumbs == {}  # nothing fetched

    second.store.record_answer(now.id, "3.1", "fail", count=1)  # the new visit is no hint
    assert run_sync(second.store, second.client).pushed > 0
    assert run_sync(second.store, second.client).pulled >= 0
    assert hints(second, now.id) == expected
    # asked for, the one photo of last time's 3.1 is fetched (a download, never sent back)
    monkeypatch.undo()
    [sha] = last.hints["3.1"].photos
    assert fetch_photo(second.store, second.client, Media.beside(second.store), sha)
    assert list(second.store.last_time(now.id).thumbs) == [sha]
    report = run_sync(second.store, second.client)
    assert report.photos_uploaded == 0 and report.photos_downloaded == 0
    assert list(second.store.last_time(now.id).thumbs) == [sha]  # kept after a sync
    assert second.store.unsynced() == 0
    # the first phone pulls the void too; its photo of 3.1 (first visit) has its bytes
    own = insp.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    run_sync(insp.store, insp.client)
    assert hints(insp, own.id) == expected
    mine = insp.store.last_time(own.id)
    assert list(mine.thumbs) == list(mine.hints["3.1"].photos)  # its own photo's thumbnail
