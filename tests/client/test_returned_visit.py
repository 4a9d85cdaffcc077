"""A visit returned by the supervisor: it reopens on the phone with the comments, the
inspector fixes it offline and resubmits, and the server scores the fixed version."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlmodel import Session

from fieldapp.sync.engine import run_sync
from fieldcore.problems import DomainError
from fieldcore.workflow import finding_id
from sync_server.tables import Visit
from tests.client.conftest import PhoneApp
from tests.server.world import World

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def test_returned_visit_reopens_with_comments_and_is_resubmitted_fixed(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    for code in MALL:
        app.store.record_answer(visit.id, code, "pass")
    app.store.submit_visit(visit.id)
    run_sync(app.store, app.client)
    with pytest.raises(DomainError):  # submitted: locked on the phone
        app.store.record_answer(visit.id, "1.5", "fail", count=1)

    sup = world.phone("sup1")
    sup.push(
        sup.mutation(
            "finding", finding_id(visit.id, "1.5"), review_comment="地面有积水,应判不合格"
        ),
        sup.mutation("visit", visit.id, status="returned", return_comment="请复核 1.5"),
    )
    run_sync(app.store, app.client)
    home = app.store.home()
    assert [v.id for v in home.returned] == [visit.id]
    assert home.returned[0].return_comment == "请复核 1.5"
    view = app.store.visit_view(visit.id)
    assert view.visit.status == "returned"
    assert view.findings["1.5"].review_comment == "地面有积水,应判不合格"

    app.store.record_answer(visit.id, "1.5", "fail", count=1)  # editable again
    app.store.submit_visit(visit.id)
    report = run_sync(app.store, app.client)
    assert report.rejected == 0
    with Session(world.engine) as s:
        row = s.get(Visit, visit.id)
        assert row is not None and row.status == "resubmitted"
        assert row.score is not None and row.score["total"] < 100  # the fixed answer counts
    assert app.store.visit_view(visit.id).visit.status == "resubmitted"
