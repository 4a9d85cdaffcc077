"""Helpers for the view tests: the in-process server as the app's sync peer, and tasks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import flet as ft

from fieldapp.sync.client import SyncClient
from fieldcore.scorecard import ScoreCard, fmt
from fieldcore.scoring import score_raw
from fieldcore.template_loader import parse_template
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import Site, User
from sync_server.templates.catalog import checklist_dir
from tests.server.world import World
from tests.ui.harness import AppHarness

SERVER = "http://testserver"
OpenApp = Callable[..., Awaitable[AppHarness]]


class InProcessClient(SyncClient):
    """A SyncClient bound to the test server; `close()` must not close the shared client."""

    def __init__(self, world: World, base_url: str, token: str = "") -> None:
        super().__init__(base_url, token, http=world.client)  # type: ignore[arg-type]

    def close(self) -> None:
        pass


def add_task(world: World, site: str, template: str, mode: str, user: str = "insp1") -> str:
    """A visit task assigned on the server (the phone sees it after its next pull)."""
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        task = admin.add_task(
            s,
            changes,
            s.get(Site, world.ids[site]),  # type: ignore[arg-type]
            template,
            mode,
            s.get(User, world.ids[user]),  # type: ignore[arg-type]
            world.clock.now,
            world.clock.now + timedelta(days=7),
        )
        changes.assign_seqs()
        return str(task.id)


async def start_visit(h: AppHarness, site: str, template_key: str, mode: str = "overt") -> str:
    """Home → new inspection → pick the site → checklist, mode → start; the visit id."""
    await h.fire(h.find_all(ft.FloatingActionButton)[0])
    site_tile = h.find_all(ft.ListTile, lambda t: t.title.value.startswith(f"{site}  "))
    await h.fire(site_tile[0])
    if mode != "overt":
        await h.select("mode", mode)
    picker = h.find("template")
    assert template_key in [o.key for o in picker.options], [o.key for o in picker.options]
    h.session.apply_patch(picker._i, {"value": template_key})
    await h.fire("start-visit")
    assert h.view.route.startswith("/visit/"), h.strings()
    return h.view.route.removeprefix("/visit/")


def engine_card(template_key: str, answers: dict[str, Any], mode: str = "overt") -> ScoreCard:
    """What fieldcore's engine makes of these answers, from the shipped template file."""
    template = parse_template((checklist_dir() / f"{template_key}.json").read_bytes())
    return score_raw(template, answers, mode)  # type: ignore[arg-type]


def score_line(card: ScoreCard) -> str:
    percent = fmt(card.percent) if card.percent is not None else "—"
    return f"得分 {fmt(card.total)}/{fmt(card.max)} · {percent} · {card.grade or '—'}"
