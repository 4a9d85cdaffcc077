"""Marked-up evidence (标注) on the server: the console shows the copy with a switch to the
original, and a copy never stands in for the photo a failed item requires."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any, cast

import flet as ft

from fieldcore.workflow import finding_id
from sync_server.console.screens.visit import visit
from sync_server.console.shell import Console
from tests.server.annotated import push_annotated_visit
from tests.server.fake_console import FakeConsole
from tests.server.world import World


def walk(control: Any) -> Iterator[Any]:
    yield control
    for name in ("controls", "content"):
        child = getattr(control, name, None)
        for c in child if isinstance(child, list) else [child] if child is not None else []:
            if isinstance(c, ft.Control):
                yield from walk(c)


def texts(view: ft.View) -> list[str]:
    return [c.value for top in view.controls for c in walk(top) if isinstance(c, ft.Text)]


def tiles(view: ft.View) -> list[str]:
    return [
        str(c.label)
        for top in view.controls
        for c in walk(top)
        if isinstance(c, ft.Semantics) and c.identifier == "photo-tile"
    ]


def test_the_console_shows_the_marked_up_copy_and_switches_to_the_original(
    world: World,
) -> None:
    made = push_annotated_visit(world)

    async def look() -> None:
        console = FakeConsole(world)
        view = await visit(cast(Console, console), made.visit_id)
        assert tiles(view) == [f"照片 Photo {made.copy_sha[:12]}"]  # one tile: the copy
        lines = [t for t in texts(view) if t and t.startswith(made.copy_sha[:12])]
        assert len(lines) == 1 and f"原图 original {made.original_sha[:12]}" in lines[0]
        switch: Any  # a Flet control whose handler is fired by hand, without an event
        [switch] = [
            c.content
            for top in view.controls
            for c in walk(top)
            if isinstance(c, ft.Semantics) and c.identifier == "photos-marked"
        ]
        assert switch.value is True
        switch.value = False
        await switch.on_change(None)
        assert tiles(view) == [f"照片 Photo {made.original_sha[:12]}"]
        assert not any(t and t.startswith(made.copy_sha[:12]) for t in texts(view))
        switch.value = True
        await switch.on_change(None)
        assert tiles(view) == [f"照片 Photo {made.copy_sha[:12]}"]
        assert console.failures == []

    asyncio.run(look())


def test_a_visit_without_copies_has_no_switch(world: World) -> None:
    from tests.reports.kit import visit as plain_visit

    visit_id, hashes = plain_visit(world, world.phone("insp1"), "S1", {"3.1": 1})

    async def look() -> None:
        view = await visit(cast(Console, FakeConsole(world)), visit_id)
        assert tiles(view) == [f"照片 Photo {hashes[0][:12]}"]
        assert not [
            c
            for top in view.controls
            for c in walk(top)
            if isinstance(c, ft.Semantics) and c.identifier == "photos-marked"
        ]

    asyncio.run(look())


def test_a_copy_whose_original_was_deleted_does_not_count_as_the_items_photo(
    world: World,
) -> None:
    made = push_annotated_visit(world, submit=False)
    phone = world.phone("insp1")
    [deleted] = phone.push(phone.mutation("photo", made.original_id, op="delete"))
    assert deleted["status"] == "applied"
    [submit] = phone.push(phone.mutation("visit", made.visit_id, status="submitted"))
    assert (submit["status"], submit["code"]) == ("rejected", "workflow.incomplete")
    assert submit["details"]["missing_photos"] == ["3.1"]


def test_marking_another_inspectors_photo_is_answered_as_if_it_did_not_exist(
    world: World,
) -> None:
    theirs = push_annotated_visit(world, submit=False)  # insp1's photo at S1
    phone = world.phone("insp2")
    visit_id, create = phone.new_visit(world.site("S3"))
    fail = phone.answer(visit_id, "3.1", "fail", count=1)
    copy = phone.mutation(
        "photo",
        uuid.uuid4(),
        visit_id=visit_id,
        finding_id=finding_id(visit_id, "3.1"),
        sha256="e" * 64,
        byte_size=100,
        mime="image/jpeg",
        kind="annotation",
        annotates_id=theirs.original_id,
        annotates_sha256=theirs.original_sha,
        marks='[{"tool":"rect","x0":1,"y0":1,"x1":9,"y1":9}]',
    )
    *_, answer = phone.push(create, fail, copy)
    assert (answer["status"], answer["code"]) == ("rejected", "photo.annotation_invalid")
    assert answer["details"] == {"reason": "original_missing"}
