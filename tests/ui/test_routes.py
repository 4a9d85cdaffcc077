"""The phone app's route table, and the services one app process shares between its
sessions (every browser tab of `mingcha app` is a session)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable

import pytest

from fieldapp.config import AppConfig
from fieldapp.store import Store
from fieldapp.ui.app import make_main
from fieldapp.ui.routes import HOME, ROUTES, Route, parent_route, resolve
from fieldapp.ui.screens import checklist, finish, new_visit, sites
from fieldapp.ui.services import AppServices, ClientFactory
from tests.server.world import World
from tests.ui.harness import AppHarness

ID = str(uuid.UUID(int=7))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.pattern.pattern)
def test_every_screen_takes_the_parameters_its_route_gives(route: Route) -> None:
    params = set(route.pattern.groupindex) | set(route.query)
    signature = inspect.signature(route.build)
    signature.bind(None, **dict.fromkeys(params, "x"))  # raises TypeError when it does not


def test_routes_resolve_to_their_screen_with_path_and_query_parameters() -> None:
    assert resolve(f"/new/{ID}?task=T1&x=1") == (ROUTES[3], {"site_id": ID, "task": "T1"})
    assert ROUTES[3].build is new_visit.build
    assert resolve("/sites?task=T1")[0].build is sites.build
    assert resolve("/sites?task=T1")[1] == {}  # a screen gets only the query keys it takes
    assert resolve(f"/visit/{ID}") == (ROUTES[4], {"visit_id": ID})
    assert ROUTES[4].build is checklist.build and ROUTES[5].build is finish.build
    for unknown in ("/visit/not-an-id", "/nowhere", ""):
        assert resolve(unknown) == (HOME, {})


def test_back_leads_one_level_up_or_home() -> None:
    assert parent_route(f"/visit/{ID}/finish") == f"/visit/{ID}"
    for route in (f"/visit/{ID}", "/sites", f"/new/{ID}?task=T1", "/sync", "/"):
        assert parent_route(route) == "/"


@pytest.mark.asyncio
async def test_sessions_share_one_store_and_sync_and_a_closed_one_stops_listening(
    config: AppConfig, connect: ClientFactory, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    services = AppServices(config, connect, auto_sync=False)
    try:
        first = await AppHarness().start(make_main(config, services))
        store, sync = services.store, services.sync
        second = await AppHarness().start(make_main(config, services))
        assert (services.store, services.sync) == (store, sync)  # opened once
        assert first.view.route == second.view.route == "/"  # both signed in, home
        assert len(sync.listeners) == 2  # each home's sync banner
        first.page.on_disconnect(None)  # the first tab closes
        assert len(sync.listeners) == 1
    finally:
        await services.close()
