"""The console's route table: each route to its screen with its id, the queue otherwise."""

from __future__ import annotations

import uuid

from sync_server.console.routes import LOGIN, QUEUE, ROUTES, resolve

ID = str(uuid.UUID(int=7))


def test_routes_resolve_to_their_screen_and_id() -> None:
    assert resolve("/login") == (LOGIN, {})
    assert resolve(f"/visit/{ID}") == (ROUTES[2], {"id": ID})
    assert resolve("/rect")[0] is ROUTES[3]
    assert resolve(f"/rect/{ID}") == (ROUTES[4], {"id": ID})
    assert [resolve(p)[0] for p in ("/dash", "/tasks")] == ROUTES[5:7]
    assert resolve(f"/exports?visit={ID}") == (ROUTES[7], {})  # the screen reads its query
    assert resolve("/templates")[0] is ROUTES[8]
    assert resolve(f"/templates/draft/{ID}") == (ROUTES[9], {"id": ID})
    assert resolve("/appraisal") == (ROUTES[10], {})


def test_an_unknown_route_or_a_malformed_id_shows_the_queue() -> None:
    for route in (
        "/",
        "",
        "/nowhere",
        "/visit/not-an-id",
        f"/rect/{ID}/more",
        "/templates/draft/x",
    ):
        assert resolve(route) == (QUEUE, {})
