"""The rules the phone's store and the server's merge share (fieldcore) give the same answer.

Each case is fed to the phone's local store and, as pushed mutations, to the server; both
must end in the same state. A rule that drifts apart on one side fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from fieldapp.sync.engine import run_sync
from fieldcore.workflow import finding_id
from sync_server.tables import Finding
from tests.client.conftest import PhoneApp
from tests.server.world import World

# Answers given in turn to one per-occurrence item (mall-property 1.2), and the count left.
VERDICT_CHANGES: list[tuple[list[dict[str, Any]], int | None]] = [
    ([{"result": "fail", "count": 3}, {"result": "pass"}], None),
    ([{"result": "fail", "count": 3}, {"result": "na"}], None),
    ([{"result": "fail", "count": 3}, {"note": "seen again"}], 3),
    ([{"result": "fail", "count": 3}, {"result": "fail"}], 3),
    ([{"result": "pass"}, {"result": "fail", "count": 2}], 2),
]


def _phone_count(app: PhoneApp, site: uuid.UUID, steps: list[dict[str, Any]]) -> int | None:
    visit = app.store.start_visit(site, "mall-property.v1", "overt")
    for step in steps:
        app.store.record_answer(visit.id, "1.2", **step)
    return app.store.visit_view(visit.id).findings["1.2"].count


def _server_count(world: World, site: str, steps: list[dict[str, Any]]) -> int | None:
    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(site)
    insp.push(create)
    for step in steps:
        fields = dict(step)
        results = insp.push(insp.answer(visit_id, "1.2", fields.pop("result", None), **fields))
        assert results[0]["status"] == "applied", results
    with Session(world.engine) as s:
        finding = s.get(Finding, finding_id(visit_id, "1.2"))
        assert finding is not None
        return finding.count


@pytest.mark.parametrize(("steps", "count"), VERDICT_CHANGES)
def test_a_changed_verdict_clears_the_same_detail_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp], steps: list[dict[str, Any]], count: int | None
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    on_phone = _phone_count(app, uuid.UUID(world.site("S1")), steps)
    on_server = _server_count(world, world.site("S1"), steps)
    assert on_phone == on_server == count
