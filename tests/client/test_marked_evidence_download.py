"""A site manager's phone holds the inspector's marked-up evidence (标注) as the annotated
view of its original: the copy's bytes arrive with the original's, the action lists one
piece of evidence (the copy in its original's place, the original behind the switch), and
a copy never counts as a photo still to come."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fieldapp.store.db import transaction
from fieldapp.store.photo_views import thumbnails
from fieldapp.sync.engine import run_sync
from fieldapp.sync.errors import Offline
from fieldcore.annotation import Mark
from tests.client.conftest import PhoneApp
from tests.client.test_evidence_download import published_visit_with_evidence
from tests.server.world import World

MARKS = [Mark(tool="rect", x0=100, y0=100, x1=600, y1=500)]


def test_the_action_shows_the_marked_up_copy_in_place_of_its_original(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    shot, rect_id = published_visit_with_evidence(world, phone("insp1"), MARKS)
    mgr = phone("mgr1")
    report = run_sync(mgr.store, mgr.client)
    assert report.ok, report.errors
    assert report.photos_downloaded == 2  # the original and its copy

    view = mgr.store.rectification_view(rect_id)
    [original] = view.before
    [marked] = view.before_marked
    assert original.sha256 == shot.sha256 and marked.sha256 != shot.sha256
    assert view.has_copies and view.before_waiting == 0
    with transaction(mgr.store.engine) as s:
        assert marked.data == thumbnails(s, [marked.sha256])[marked.sha256]


def test_a_copy_whose_bytes_have_not_arrived_leaves_the_original_in_its_place(
    world: World, phone: Callable[[str], PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot, rect_id = published_visit_with_evidence(world, phone("insp1"), MARKS)
    mgr = phone("mgr1")
    real = mgr.client.download
    spoiled: set[str] = set()

    def flipped(sha256: str) -> Iterator[bytes]:  # the copy's bytes are damaged on the way
        if sha256 == shot.sha256:
            yield from real(sha256)
            return
        spoiled.add(sha256)
        yield b"not the photo"

    monkeypatch.setattr(mgr.client, "download", flipped)
    assert run_sync(mgr.store, mgr.client).photos_downloaded == 1
    view = mgr.store.rectification_view(rect_id)
    assert len(spoiled) == 1  # the copy was asked for and did not arrive
    assert (
        [b.sha256 for b in view.before_marked] == [shot.sha256] == [b.sha256 for b in view.before]
    )
    assert view.before_waiting == 0  # the copy is not a photo still to come


def test_evidence_still_to_come_is_counted_once_with_its_copy(
    world: World, phone: Callable[[str], PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, rect_id = published_visit_with_evidence(world, phone("insp1"), MARKS)
    mgr = phone("mgr1")

    def offline(sha256: str) -> Iterator[bytes]:
        raise Offline("no line")

    monkeypatch.setattr(mgr.client, "download", offline)
    with pytest.raises(Offline):
        run_sync(mgr.store, mgr.client)
    view = mgr.store.rectification_view(rect_id)
    assert (view.before, view.before_marked, view.before_waiting) == ([], [], 1)  # one, not two
