"""On PostgreSQL, core/bulk.execute_many sends a chunk as one INSERT … SELECT FROM unnest(one
array per column). It must store exactly what the row-by-row executemany stores — every
column compared as the database's own text, for values that are awkward in arrays (quotes,
braces, backslashes, the word NULL, empty text, JSON null and nesting, times with an offset
and microseconds, floats, numerics rounded by their column, NULLs) — and a value the
database refuses must raise what it raises row by row (poison values, merge/poison.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from sync_server.core import bulk
from sync_server.core.db import write_session
from sync_server.sync.merge.poison import is_bad_value
from sync_server.tables import Finding, Visit
from sync_server.tables.base import ServerModel, new_row
from tests.server.world import World
from tests.serverkit import statements_sent

pytestmark = pytest.mark.postgres

AWKWARD = ['a "quoted" {braced}, \\ back', "NULL", "", " padded\t\n", "基准 ✓ 🙂", "null"]
NOW = datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def pg_engine(engine: sa.Engine) -> sa.Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes row by row: there is one path only")
    return engine


def insert(engine: sa.Engine, model: type[ServerModel], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (every column) with execute_many."""
    names = list(model.__table__.columns.keys())
    with write_session(engine) as s:
        bulk.execute_many(s, sa.insert(model.__table__), names, rows, shared=("field_by",))


def write(engine: sa.Engine, model: type[ServerModel], rows: list[dict[str, Any]]) -> str:
    """Insert `rows` with execute_many; the statement it sent."""
    with statements_sent(engine) as seen:
        insert(engine, model, rows)
    (statement,) = seen
    return statement


def stored(
    engine: sa.Engine, model: type[ServerModel], ids: list[uuid.UUID], apart: str
) -> list[tuple]:
    """The rows as the database prints them, in the order of `ids`, without `id` and `apart`."""
    table = model.__table__
    columns = [sa.cast(c, sa.Text) for c in table.columns if c.name not in ("id", apart)]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, *columns).where(table.c.id.in_(ids))).all()
    by_id = {r[0]: tuple(r[1:]) for r in rows}
    return [by_id[i] for i in ids]


def both_ways(
    engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    model: type[ServerModel],
    rows: list[Any],
    apart: str = "id",
) -> tuple[list[tuple], list[tuple]]:
    """What the array path and the row-by-row path store for the same rows: new ids, and
    the second copy's `apart` (a unique text column) suffixed, left out of the comparison."""
    first = [{**r.__dict__, "id": uuid.uuid4()} for r in rows]
    second = [{**r.__dict__, "id": uuid.uuid4()} for r in rows]
    if apart != "id":
        second = [{**r, apart: r[apart] + "'"} for r in second]
    assert "unnest" in write(engine, model, first)
    with monkeypatch.context() as m:
        m.setattr(bulk, "_takes_arrays", lambda _conn: False)
        assert "unnest" not in write(engine, model, second)
    return (
        stored(engine, model, [r["id"] for r in first], apart),
        stored(engine, model, [r["id"] for r in second], apart),
    )


def visits(world: World) -> list[Visit]:
    site_id, inspector_id = world.ids["S1"], world.ids["insp1"]
    shanghai = timezone(timedelta(hours=8))
    writers = {"note": "device-a"}
    values: list[dict[str, Any]] = [
        {
            "note": text,
            "started_at": NOW + timedelta(microseconds=n),
            "finished_at": datetime(2026, 5, 1, 16, 30, 1, 5, tzinfo=shanghai),
            "field_seq": {"note": n, "nested": [1, {"x": None}], "文": text},
            "field_by": writers,
            "lat": [31.25, 0.1 + 0.2, -1e-300, 1e300, 0.0, -0.0][n],
            "score": [None, {"total": 1.5}, [], {}, "text", 7][n],
            "score_percent": Decimal("87.45") if n % 2 else Decimal("-0.05"),
            "ack_refused": n % 2 == 0,
            "ack_name": "" if n % 3 else text,
        }
        for n, text in enumerate(AWKWARD)
    ]
    values.append({"field_by": {}, "field_seq": {}})  # every other column NULL or default
    return [
        new_row(
            Visit,
            id=uuid.uuid4(),
            site_id=site_id,
            template_key="store-patrol.v1",
            mode="overt",
            inspector_id=inspector_id,
            status="draft",
            **v,
        )
        for v in values
    ]


def test_visits_are_stored_alike_either_way(
    pg_engine: sa.Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrays, one_by_one = both_ways(pg_engine, monkeypatch, Visit, visits(world))
    assert arrays == one_by_one
    assert arrays[0][list(Visit.__table__.columns.keys()).index("note") - 1] == AWKWARD[0]


@pytest.mark.parametrize(
    ("counts", "values"),
    [
        ([1, None, -(2**31)], [0.1, 12345.67891, None]),  # floats rounded by NUMERIC(14, 4)
        ([2**31 - 1, 0, 7], [Decimal("1.00005"), Decimal("-3"), Decimal("0.00004")]),
        ([1, 2, 3], [1, 2.5, Decimal("3.25")]),  # mixed types: no one array, row by row
    ],
)
def test_findings_are_stored_alike_either_way(
    pg_engine: sa.Engine,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    counts: list[int | None],
    values: list[Any],
) -> None:
    visit = visits(world)[-1]
    insert(pg_engine, Visit, [visit.__dict__])
    rows = [
        new_row(
            Finding,
            id=uuid.uuid4(),
            visit_id=visit.id,
            item_code=f"A{n}",
            result="fail",
            count=count,
            value=value,
            field_seq={"count": n},
            field_by={},
        )
        for n, (count, value) in enumerate(zip(counts, values, strict=True))
    ]
    if len({type(v) for v in values if v is not None}) > 1:
        # no one array takes them: the chunk goes row by row
        assert "unnest" not in write(pg_engine, Finding, [r.__dict__ for r in rows])
        return
    arrays, one_by_one = both_ways(pg_engine, monkeypatch, Finding, rows, apart="item_code")
    assert arrays == one_by_one


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("note", "x" * 4001),  # longer than VARCHAR(4000): refused, never cut short
        ("note", "nul \x00 byte"),
        ("count", 2**31),  # beyond INTEGER
        ("count", 2**63),  # beyond BIGINT
        ("value", Decimal("1e10")),  # beyond NUMERIC(14, 4)
    ],
)
def test_a_refused_value_raises_as_it_does_row_by_row(
    pg_engine: sa.Engine, world: World, monkeypatch: pytest.MonkeyPatch, column: str, value: Any
) -> None:
    visit = visits(world)[-1]
    insert(pg_engine, Visit, [visit.__dict__])
    good = new_row(Finding, id=uuid.uuid4(), visit_id=visit.id, item_code="A1", result="pass")
    errors = []
    for arrays in (True, False):
        bad = new_row(
            Finding, id=uuid.uuid4(), visit_id=visit.id, item_code="A2", result="fail"
        ).__dict__
        rows = [{**good.__dict__, "id": uuid.uuid4()}, {**bad, column: value}]
        with monkeypatch.context() as m:
            if not arrays:
                m.setattr(bulk, "_takes_arrays", lambda _conn: False)
            with pytest.raises(sa.exc.DBAPIError) as caught:
                insert(pg_engine, Finding, rows)
        errors.append(type(caught.value))
        assert is_bad_value(caught.value)
    assert errors[0] is errors[1] is sa.exc.DataError
