"""The console's 整改 page lists the inspector's evidence the way the visit page does: a
marked-up copy (标注) in its original's place with the same switch to the original, never
a second photo, and the count is of originals only."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, cast

import flet as ft

from sync_server.console.screens.rectifications import rectification
from sync_server.console.shell import Console
from tests.server.annotated import push_annotated_visit
from tests.server.fake_console import FakeConsole
from tests.server.test_annotated_evidence import tiles, walk
from tests.server.world import World


def publish(world: World, visit_id: uuid.UUID) -> str:
    sup = world.phone("sup1")
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    sup.push(sup.mutation("visit", visit_id, status="published"))
    return next(i for (e, i) in sup.pull_all() if e == "rectification")


def shown(view: ft.View, key: str) -> list[str]:
    """The photo tiles under one `identifier` (rect-before or rect-after)."""
    [box] = [
        c
        for top in view.controls
        for c in walk(top)
        if isinstance(c, ft.Semantics) and c.identifier == key
    ]
    return [
        str(c.label)
        for c in walk(box)
        if isinstance(c, ft.Semantics) and c.identifier == "photo-tile"
    ]


def counts(view: ft.View) -> list[str]:
    return [
        c.value
        for top in view.controls
        for c in walk(top)
        if isinstance(c, ft.Text) and c.value and " / " in c.value
    ]


def test_the_before_photos_show_the_marked_up_copy_in_place_with_a_switch(
    world: World,
) -> None:
    made = push_annotated_visit(world)
    rect = publish(world, made.visit_id)

    async def look() -> None:
        console = FakeConsole(world)
        view = await rectification(cast(Console, console), uuid.UUID(rect))
        assert shown(view, "rect-before") == [f"照片 Photo {made.copy_sha[:12]}"]
        assert tiles(view) == [f"照片 Photo {made.copy_sha[:12]}"]  # no after-photo yet
        assert counts(view) == ["1 / 1"]  # one piece of evidence, not two
        switch: Any  # a Flet control whose handler is fired by hand, without an event
        [switch] = [
            c.content
            for top in view.controls
            for c in walk(top)
            if isinstance(c, ft.Semantics) and c.identifier == "rect-before-marked"
        ]
        assert switch.value is True
        switch.value = False
        await switch.on_change(None)
        assert shown(view, "rect-before") == [f"照片 Photo {made.original_sha[:12]}"]
        assert counts(view) == ["1 / 1"]
        switch.value = True
        await switch.on_change(None)
        assert shown(view, "rect-before") == [f"照片 Photo {made.copy_sha[:12]}"]
        assert console.failures == []

    asyncio.run(look())


def test_an_action_without_copies_has_no_switch(world: World) -> None:
    from tests.reports.kit import visit as plain_visit

    visit_id, hashes = plain_visit(world, world.phone("insp1"), "S1", {"3.1": 1})
    rect = publish(world, visit_id)

    async def look() -> None:
        view = await rectification(cast(Console, FakeConsole(world)), uuid.UUID(rect))
        assert shown(view, "rect-before") == [f"照片 Photo {hashes[0][:12]}"]
        assert not [
            c
            for top in view.controls
            for c in walk(top)
            if isinstance(c, ft.Semantics) and c.identifier == "rect-before-marked"
        ]

    asyncio.run(look())
