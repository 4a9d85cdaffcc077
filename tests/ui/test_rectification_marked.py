"""A site manager's phone shows the inspector's marked-up evidence (标注) as the annotated
view of its original: one 整改前 photo, the copy in its place, the item card's switch to
the original."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import flet as ft
import pytest

from fieldapp.store import Store
from fieldapp.ui.services import AppServices
from fieldcore.annotation import Mark
from tests.client.conftest import PhoneApp
from tests.client.test_evidence_download import published_visit_with_evidence
from tests.server.world import World
from tests.ui.harness import AppHarness, walk
from tests.ui.support import OpenApp


@pytest.fixture
def inspector(server: World, tmp_path: Path) -> Iterator[PhoneApp]:
    app = PhoneApp(server, tmp_path / "insp-phone" / "app.db", server.clock).sign_in("insp1")
    yield app
    app.store.close()


def before_images(h: AppHarness) -> list[str | bytes]:
    return [c.src for c in walk(h.find("rect-before")) if isinstance(c, ft.Image)]


@pytest.mark.asyncio
async def test_the_marked_up_evidence_shows_in_place_with_a_switch_to_the_original(
    open_app: OpenApp,
    signed_in: Callable[..., Store],
    server: World,
    inspector: PhoneApp,
    started: list[AppServices],
) -> None:
    signed_in("mgr1")
    marks = [Mark(tool="circle", x0=100, y0=100, x1=500, y1=400)]
    shot, rect_id = published_visit_with_evidence(server, inspector, marks)
    h = await open_app()
    await h.fire(h.button("立即同步"))  # pull, then the evidence: the original and its copy
    await h.fire(h.button("门店S1 · 3.1"))
    assert h.view.route == f"/rect/{rect_id}"

    store = started[-1].store
    view = store.rectification_view(rect_id)
    [copy] = view.before_marked
    assert copy.sha256 != shot.sha256
    assert before_images(h) == [copy.data]  # one photo: the marked-up copy in its place
    assert "显示:标注(关闭看原图)" in h.strings()

    h.find("rect-before-marked").value = False
    await h.fire("rect-before-marked", "change")
    assert before_images(h) == [store.thumbnail(shot.sha256)]  # 原图
    assert "显示:原图(打开看标注)" in h.strings()
    await h.fire("rect-before-0", "tap")  # the original at full size
    full = [c for d in h.dialogs() for c in walk(d) if isinstance(c, ft.Image)]
    assert [i.src for i in full] == [Path(shot.path).read_bytes()]
