"""core/bulk.execute_many writes what SQLAlchemy's own executemany writes: the statement is
compiled once and each column's bind processor applied by hand, so each kind of value
(UUID, JSON — None included, which JSON stores as `null` —, UTC times, NULL, text) must read
back as it went in, on both databases; a value no processor takes raises its ValueError
(a poison value, merge/poison.py), and an upsert updates the row it conflicts with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sync_server.core.bulk import execute_many
from sync_server.core.changeset import _log_upsert
from sync_server.core.db import write_session
from sync_server.sync.merge.poison import is_bad_value
from sync_server.tables import ChangeLog, Visit
from sync_server.tables.base import new_row
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the driver's parameter style differs: both are run

NOW = datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _visit(site_id: uuid.UUID, inspector: uuid.UUID, **values: object) -> Visit:
    return new_row(
        Visit,
        id=uuid.uuid4(),
        site_id=site_id,
        template_key="store-patrol.v1",
        mode="overt",
        inspector_id=inspector,
        status="draft",
        **values,
    )


def test_rows_read_back_as_written(engine: sa.Engine, world: World) -> None:
    site_id, inspector_id = world.ids["S1"], world.ids["insp1"]
    rows = [
        _visit(site_id, inspector_id, note="基准 ✓", started_at=NOW, field_seq={"note": 7}),
        _visit(site_id, inspector_id, field_by={"note": "d"}, lat=31.25),
    ]
    names = [c.name for c in Visit.__table__.columns if c.name in rows[0].__dict__]
    with write_session(engine) as s:
        execute_many(s, sa.insert(Visit.__table__), names, [r.__dict__ for r in rows])
    with write_session(engine) as s:
        back = {v.id: v for v in s.exec(select(Visit)).all()}
    for row in rows:
        got = back[row.id]
        for name in names:
            assert getattr(got, name) == getattr(row, name), name
    assert back[rows[0].id].started_at == NOW  # a UTC time keeps its zone and microseconds
    assert back[rows[1].id].started_at is None  # SQL NULL stays NULL


def test_an_upsert_updates_the_row_it_meets(engine: sa.Engine) -> None:
    key = {"entity": "visit", "entity_id": str(uuid.uuid4())}
    audience = {"site_id": None, "owner_id": None, "published": False, "covert": False}
    device = uuid.uuid4()
    first = {**key, **audience, "seq": 10**9, "device_id": device, "deleted": False}
    second = {**first, "seq": 10**9 + 1, "deleted": True}
    with write_session(engine) as s:
        stmt = _log_upsert(s.get_bind().dialect.name)
        execute_many(s, stmt, list(first), [first])
        execute_many(s, stmt, list(second), [second])
    with write_session(engine) as s:
        log = s.get(ChangeLog, (key["entity"], key["entity_id"]))
        assert log is not None
        assert (log.seq, log.deleted, log.device_id) == (10**9 + 1, True, device)


def test_a_value_no_processor_takes_is_a_bad_value(engine: sa.Engine, world: World) -> None:
    naive = datetime(2026, 5, 1, 8, 30)
    row = _visit(world.ids["S1"], world.ids["insp1"], started_at=naive)
    names = [c.name for c in Visit.__table__.columns if c.name in row.__dict__]
    with pytest.raises(ValueError) as caught, write_session(engine) as s:
        execute_many(s, sa.insert(Visit.__table__), names, [row.__dict__])
    assert is_bad_value(caught.value)
    with write_session(engine) as s:
        assert s.get(Visit, row.id) is None  # nothing was written


def test_shared_values_are_converted_once_and_read_back_in_every_row(
    engine: sa.Engine, world: World
) -> None:
    """`shared` columns convert each object once: rows holding the same object and rows
    holding equal or different ones must all read back as written."""
    site_id, inspector_id = world.ids["S1"], world.ids["insp1"]
    writers = {"note": "device-a"}
    rows = [
        _visit(site_id, inspector_id, field_by=writers, note="1"),
        _visit(site_id, inspector_id, field_by=writers, note="2"),  # the same object
        _visit(site_id, inspector_id, field_by={"note": "device-a"}, note="3"),  # equal
        _visit(site_id, inspector_id, field_by={"note": "device-b"}, note="4"),  # different
        _visit(site_id, inspector_id, field_by={}, note="5"),
    ]
    names = [c.name for c in Visit.__table__.columns if c.name in rows[0].__dict__]
    with write_session(engine) as s:
        execute_many(
            s,
            sa.insert(Visit.__table__),
            names,
            [r.__dict__ for r in rows],
            shared=("field_by", "site_id", "inspector_id"),
        )
    with write_session(engine) as s:
        back = {v.note: v for v in s.exec(select(Visit)).all()}
    assert [back[r.note].field_by for r in rows] == [
        {"note": "device-a"},
        {"note": "device-a"},
        {"note": "device-a"},
        {"note": "device-b"},
        {},
    ]
    assert {(v.site_id, v.inspector_id) for v in back.values()} == {(site_id, inspector_id)}
