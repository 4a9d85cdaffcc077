"""Covert discipline in the views (issue 16 §4): a camera-only item on a device without a
camera says so plainly and never offers a file; an ordinary item still takes a picked file;
photo warnings show on the item and on the finish screen, and the visit can still be
submitted with them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import flet as ft
import pytest

from fieldapp.config import AppConfig
from fieldapp.store import Store
from fieldcore.workflow import finding_id
from tests.client.test_camera_only import picture
from tests.server.images import jpeg
from tests.server.test_camera_only import KEY, publish_camera_template
from tests.server.world import World
from tests.ui.support import OpenApp

NO_CAMERA = "此项须现场拍照,本设备无法拍照"


@pytest.mark.asyncio
async def test_a_camera_only_item_without_a_camera_says_so_and_offers_no_file(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    publish_camera_template(server)
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), KEY, "overt")
    store.record_answer(visit.id, "1.1", "fail", count=1)
    store.record_answer(visit.id, "1.2", "fail", count=1)
    asked: list[str] = []
    picked = jpeg(640, 480)

    def phone(name: str, args: dict[str, Any]) -> Any:  # no camera; the gallery has a photo
        asked.append(name)
        if name == "pick_files":
            return [{"id": 1, "name": "old.jpg", "size": len(picked), "bytes": picked}]
        return None

    h = await open_app(f"/visit/{visit.id}", on_invoke=phone)
    assert h.find("camera-only-1.1").value == "仅限现场拍照"
    with pytest.raises(LookupError):  # an ordinary item: no such hint on screen
        h.find("camera-only-1.2")
    await h.fire("photo-1.1")
    assert "pick_files" not in asked  # the gallery was never offered
    assert h.find("camera-only-1.1").value == NO_CAMERA
    assert NO_CAMERA in h.strings() and h.delivered(NO_CAMERA)
    assert h.snackbars()[-1] == NO_CAMERA
    view = store.visit_view(visit.id)
    assert view.photos.get(finding_id(visit.id, "1.1"), []) == []
    # an ordinary item of the same visit still takes the picked file, marked as such
    await h.fire("photo-1.2")
    assert "pick_files" in asked
    [photo] = store.visit_view(visit.id).photos[finding_id(visit.id, "1.2")]
    assert photo.source == "gallery"
    assert len(h.find_all(ft.Image)) == 1


@pytest.mark.asyncio
async def test_photo_warnings_show_on_the_item_and_the_finish_screen_and_submit_still_works(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World, config: AppConfig
) -> None:
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), "mall-property.v1", "overt")
    for code in store.visit_view(visit.id).card.unanswered:
        store.record_answer(visit.id, code, "pass")
    store.record_answer(visit.id, "1.2", "fail", count=1)
    assert visit.started_at is not None
    old = picture(visit.started_at - timedelta(days=20), seed=3)

    def phone(name: str, args: dict[str, Any]) -> Any:  # the gallery holds last month's photo
        if name == "pick_files":
            return [{"id": 1, "name": "old.jpg", "size": len(old), "bytes": old}]
        return None

    h = await open_app(f"/visit/{visit.id}", on_invoke=phone)
    with pytest.raises(LookupError):  # no photo yet, no warning
        h.find("photo-warning-1.2")
    await h.fire("photo-1.2")
    warning = "照片提醒:拍摄时间不在本次检查时间内"
    assert h.find("photo-warning-1.2").value == warning
    assert h.delivered(warning)
    await h.fire("finish")
    text = h.find("photo-warnings").value
    assert text.splitlines() == [
        "照片提醒(仍可提交,督察会看到):",
        "1.2: 拍摄时间不在本次检查时间内",
    ]
    await h.fire("submit")  # a warning, not a refusal
    assert h.snackbars()[-1] == "已提交,将在联网时同步"
    assert store.visit_view(visit.id).visit.status == "submitted"
