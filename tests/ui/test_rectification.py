"""A site manager's phone: home titled 整改任务, and a corrective action showing the
inspector's evidence (整改前) beside the after-photos (整改后), each opening at full size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from fieldapp.config import AppConfig
from fieldapp.store import Store
from fieldapp.ui.services import AppServices
from tests.client.conftest import PhoneApp
from tests.client.test_evidence_download import published_visit_with_evidence
from tests.server.images import jpeg
from tests.server.world import World
from tests.ui.harness import AppHarness, walk
from tests.ui.support import OpenApp


@pytest.fixture
def inspector(server: World, tmp_path: Path) -> Iterator[PhoneApp]:
    """insp1's own phone (another data directory), to deduct an item with a photo."""
    app = PhoneApp(server, tmp_path / "insp-phone" / "app.db", server.clock).sign_in("insp1")
    yield app
    app.store.close()


def images(h: AppHarness, key: str) -> list[ft.Image]:
    return [c for c in walk(h.find(key)) if isinstance(c, ft.Image)]


@pytest.mark.asyncio
async def test_the_manager_sees_the_evidence_beside_the_after_photos_and_opens_it(
    open_app: OpenApp,
    signed_in: Callable[..., Store],
    server: World,
    inspector: PhoneApp,
    config: AppConfig,
    started: list[AppServices],
) -> None:
    signed_in("mgr1")  # the manager's phone has synced before the result was published
    shot, rect_id = published_visit_with_evidence(server, inspector)
    picked = jpeg(900, 700, seed=12)

    def phone(name: str, args: dict[str, Any]) -> Any:  # no camera; the gallery has a photo
        if name == "pick_files":
            return [{"id": 1, "name": "after.jpg", "size": len(picked), "bytes": picked}]
        return None

    h = await open_app(on_invoke=phone)
    assert h.title() == "整改任务"  # the manager's home, titled for the role
    arrived = config.blob_dir / shot.sha256[:2] / f"{shot.sha256}.jpg"
    assert not arrived.exists()
    await h.fire(h.button("立即同步"))  # the app's own sync: pull, then the evidence
    assert arrived.read_bytes() == Path(shot.path).read_bytes()
    assert list(config.thumb_dir.glob(f"{shot.sha256}.jpg"))  # in the app's thumbnail cache
    await h.fire(h.button("门店S1 · 3.1"))
    assert h.view.route == f"/rect/{rect_id}"

    words = h.strings()
    assert "整改前" in words and "整改后" in words
    before = images(h, "rect-before")
    assert len(before) == 1 and before[0].src == started[-1].store.thumbnail(shot.sha256)
    assert images(h, "rect-after") == []
    assert "暂无照片" in words  # no after-photo yet

    await h.fire("rect-before-0", "tap")  # tap → the photo at full size
    full = [c for d in h.dialogs() for c in walk(d) if isinstance(c, ft.Image)]
    assert [i.src for i in full] == [Path(shot.path).read_bytes()]
    assert "整改前" in h.dialog_strings()
    await h.fire(h.find_all(ft.TextButton, lambda b: b.content == "返回")[0])
    assert h.dialogs() == []

    await h.fire(h.button("拍照"))  # the after-photo, from the gallery
    after = images(h, "rect-after")
    assert len(after) == 1 and len(images(h, "rect-before")) == 1
    assert h.view.route == f"/rect/{rect_id}"

    await h.back()
    await h.fire(h.button("English"))
    assert h.title() == "Corrective actions"
    await h.fire(h.button("门店S1 · 3.1"))
    assert {"Before", "After"} <= set(h.strings())
