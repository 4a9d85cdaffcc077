"""Last time at hand on the checklist: 上次 … on each card, 重复问题, and the filter."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import flet as ft
import pytest

from fieldapp.photos import Stamp, process
from fieldapp.store import Store
from fieldapp.store.db import transaction
from fieldapp.store.tables import FindingRow, LocalBlob, PhotoRow, VisitRow
from fieldapp.sync.engine import run_sync
from fieldcore.workflow import finding_id
from sync_server.templates.catalog import resolve_template
from tests.server.images import jpeg
from tests.server.world import PASSWORD, World
from tests.ui.harness import AppHarness, strings
from tests.ui.support import SERVER, InProcessClient, OpenApp, engine_card, start_visit

PATROL = resolve_template("store-patrol").key


def earlier_visit(
    store: Store, site_id: str, day: int, answers: dict[str, tuple[str, str]], status: str
) -> dict[str, uuid.UUID]:
    """A visit of this site as a pull leaves it on the phone; its findings' ids by code."""
    vid = uuid.uuid4()
    when = datetime(2026, 11, day, 9, tzinfo=UTC)
    ids = {code: uuid.uuid4() for code in answers}
    with transaction(store.engine) as s:
        s.add(
            VisitRow(
                id=vid,
                site_id=uuid.UUID(site_id),
                template_key=PATROL,
                mode="overt",
                status=status,
                started_at=when,
                submitted_at=when,
                updated_at=when,
            )
        )
        for code, (result, note) in answers.items():
            s.add(FindingRow(id=ids[code], visit_id=vid, item_code=code, result=result, note=note))
    return ids


def attach_downloaded_photo(store: Store, finding_id: uuid.UUID, folder: Path) -> bytes:
    """Evidence of an earlier finding whose bytes are on this phone; the thumbnail bytes."""
    data = jpeg(200, 150, seed=7)
    sha = hashlib.sha256(data).hexdigest()
    path = folder / f"{sha}.jpg"
    path.write_bytes(data)
    with transaction(store.engine) as s:
        finding = s.get(FindingRow, finding_id)
        assert finding is not None
        s.add(
            PhotoRow(
                id=uuid.uuid4(),
                visit_id=finding.visit_id,
                finding_id=finding_id,
                sha256=sha,
                byte_size=len(data),
                blob_present=True,
                mine=False,
            )
        )
        s.add(
            LocalBlob(
                sha256=sha,
                path=str(path),
                byte_size=len(data),
                state="downloaded",
                created_at=datetime(2026, 11, 3, tzinfo=UTC),
            )
        )
    return data


def card_strings(h: AppHarness, code: str) -> list[str]:
    return strings(h.find(f"last-{code}"))


def cards_on_screen(h: AppHarness) -> list[str]:
    segmented = h.find_all(ft.Semantics, lambda c: (c.identifier or "").startswith("item-"))
    return [c.identifier.removeprefix("item-") for c in segmented]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["overt", "covert"])  # 暗访: the inspector's own data too
async def test_cards_show_last_time_and_the_filter_keeps_the_repeat_problems(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World, tmp_path: Path, mode: str
) -> None:
    store = signed_in()
    site = server.site("S1")
    earlier_visit(store, site, 1, {"1.1": ("fail", "旧"), "2.1": ("fail", "")}, "approved")
    earlier_visit(store, site, 5, {"1.1": ("pass", ""), "2.1": ("fail", "")}, "published")
    last = earlier_visit(
        store, site, 9, {"1.1": ("fail", "地面湿滑"), "2.1": ("pass", "")}, "submitted"
    )
    earlier_visit(store, site, 12, {"1.1": ("pass", "草稿")}, "draft")  # does not count
    thumb = attach_downloaded_photo(store, last["1.1"], tmp_path)

    h = await open_app()
    await start_visit(h, "S1", PATROL, mode=mode)
    assert card_strings(h, "1.1") == ["重复问题", "上次:不合格 · 2026-11-09 · 地面湿滑"]
    assert card_strings(h, "2.1") == ["重复问题", "上次:合格 · 2026-11-09"]
    assert h.find_all(ft.Image, lambda i: i.src == thumb)  # last time's photo
    await h.reveal("item-3.1")  # scrolled down to it
    with pytest.raises(LookupError):
        h.find("last-3.1")  # never answered at this site: no hint
    everything = cards_on_screen(h)
    assert len(everything) > 2 and {"1.1", "2.1", "3.1"} <= set(everything)

    switch = h.find("only-repeats")
    assert switch.label == "只看重复问题(2)"
    h.session.apply_patch(switch._i, {"value": True})
    await h.fire(switch, "change", "true")
    assert cards_on_screen(h) == ["1.1", "2.1"]
    sent = b"".join(h.conn.wire[h.mark :])
    assert 0 < len(sent) < 2_000  # the shorter list reached the phone, not its cards again
    h.session.apply_patch(switch._i, {"value": False})
    await h.fire(switch, "change", "false")
    assert cards_on_screen(h) == everything


@pytest.mark.asyncio
async def test_without_handed_in_visits_there_is_no_hint_and_no_filter(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    store = signed_in()
    site = server.site("S1")
    earlier_visit(store, site, 1, {"1.1": ("fail", "")}, "draft")
    earlier_visit(store, site, 2, {"1.1": ("fail", "")}, "returned")
    earlier_visit(store, site, 3, {"1.1": ("fail", "")}, "voided")
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    assert not [s for s in h.strings() if s.startswith("上次") or s == "重复问题"]
    with pytest.raises(LookupError):
        h.find("only-repeats")  # no filter to offer


def inspected_on_another_phone(server: World, folder: Path, fail: str) -> None:
    """insp1's other phone: a submitted patrol of S1 failing `fail` with a photo, synced."""
    other = Store(folder / "app.db")
    try:
        client = InProcessClient(server, SERVER)
        other.enroll(SERVER, client.login("insp1", PASSWORD, other.device_id()))
        run_sync(other, client)
        visit = other.start_visit(uuid.UUID(server.site("S1")), PATROL, "overt")
        for code in engine_card(PATROL, {}).unanswered:
            other.record_answer(visit.id, code, "fail" if code == fail else "pass")
        shot = process(
            jpeg(640, 480, seed=11),
            Stamp(datetime.now(UTC), "S1", "insp1"),
            folder / "p",
            folder / "t",
        )
        other.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, fail))
        other.submit_visit(visit.id)
        assert run_sync(other, client).photos_uploaded == 1
    finally:
        other.close()


@pytest.mark.asyncio
async def test_the_previous_photo_is_fetched_only_when_the_inspector_asks(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World, tmp_path: Path
) -> None:
    inspected_on_another_phone(server, tmp_path / "other", "3.1")
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    await h.reveal("last-3.1")  # scrolled down to item 3.1
    assert card_strings(h, "3.1")[0].startswith("上次:不合格 · ")
    assert not h.find_all(ft.Image)  # nothing downloaded for the hint
    await h.fire("last-photos-3.1")
    assert len(h.find_all(ft.Image)) == 1 and "下载上次照片(1)" not in h.strings()
