"""The site picker with a real-sized scope: 2,000 sites pulled through sync, searched by
code, name or address words, recently used first, results capped for an instant list."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fieldapp.sync.engine import run_sync
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import admin
from tests.client.conftest import PhoneApp
from tests.server.world import World

DISTRICTS = ["兴庆区", "金凤区", "西夏区", "永宁县"]


def add_sites(world: World, n: int) -> None:
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        for i in range(n):
            admin.add_site(
                s, changes, f"P{i:04d}", f"网点{i:04d}号", "store", "R1",
                address=f"银川市{DISTRICTS[i % 4]}{i}号",
            )  # fmt: skip
        changes.assign_seqs()


def test_two_thousand_sites_search_by_any_word_with_recent_ones_first(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    add_sites(world, 2000)
    app = phone("insp1")
    run_sync(app.store, app.client)
    store = app.store
    first = store.search_sites("", 60)
    assert len(first) == 60 and [s.code for s in first] == sorted(s.code for s in first)
    assert [s.code for s in store.search_sites("p1234")] == ["P1234"]  # code, any case
    assert [s.code for s in store.search_sites("网点0012")] == ["P0012"]  # by name
    west = store.search_sites("西夏区 网点00", 100)  # two words: both must match
    assert west and all("西夏区" in s.address and s.name.startswith("网点00") for s in west)
    assert len(west) == 25  # i ≡ 2 (mod 4) among 0..99

    used = next(s for s in first if s.code == "P0007")
    late = store.search_sites("P1999")[0]
    store.start_visit(late.id, "store-patrol.v1", "overt")
    store.start_visit(used.id, "store-patrol.v1", "overt")
    again = store.search_sites("", 60)
    assert [s.code for s in again[:2]] == ["P0007", "P1999"]  # most recent first
    assert again[0].recent and not again[2].recent
    assert uuid.UUID(str(again[1].id)) == late.id
