"""Write many rows of one shape with one statement (PostgreSQL) or one executemany, the
statement compiled once.

SQLAlchemy's own executemany redoes per row what is fixed for the statement: it builds a
parameter set for the compiled statement and runs each value through its column's type
processor one lookup at a time (about 40 µs a row, more than the driver's insert). A push
writes hundreds of rows of the same few shapes, so here the statement is compiled once
per (dialect, statement, column set), each column's bind processor is fetched once, and
the values go to the driver as the parameters it takes.

On PostgreSQL the rows go as one `INSERT … SELECT * FROM unnest(%s::uuid[], …)`: one array
per column, so one Bind/Execute for the whole chunk instead of one per row, and one send
instead of one per row in the pipeline (a 46-mutation push: ≈ 100 `sendto` calls less, and
the server no longer runs the executor once per row — issue 15 §3). An ON CONFLICT clause
applies as before (the change log's upsert; no two rows of one chunk share a key there).
Each array is cast to its column's type *without* length or precision, so an INSERT's
assignment cast still refuses a value too long or too large (as for one row at a time,
never an explicit cast's silent truncation). A column whose values are of more than one
Python type (an int among floats) cannot be one array, so such a chunk goes row by row.

Either way the SQL values are those SQLAlchemy would send itself (tests/server/
test_bulk_write.py compares what both paths store); errors are wrapped as SQLAlchemy wraps
them (DataError, IntegrityError …), and a value no processor can convert raises its
ValueError, as poison values need (sync/merge/poison.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session

CHUNK = 500  # rows per statement: bounds the driver's buffers

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Processor | None, ...]
    positional: bool


def execute_many(
    session: Session,
    stmt: Insert,
    names: Sequence[str],
    rows: Sequence[dict[str, Any]],
    shared: Collection[str] = (),
) -> None:
    """Run `stmt` (an INSERT, maybe with ON CONFLICT) for each row, binding `names` from
    each row's values (Python values, as the columns' types take them).

    `shared` names columns whose values many rows hold as the same object (a visit's site
    id in each of its rows' change-log entries, one writer map for many new rows): each
    such object goes through its processor once per call. Objects are told apart by `id`,
    which is unique while the rows hold them; none may change during the call."""
    if not rows:
        return
    conn = session.connection()
    plan = _plan(conn.dialect, stmt, tuple(names))
    arrays = _array_plan(conn.dialect, stmt, plan.names) if _takes_arrays(conn) else None
    values = itemgetter(*plan.names)  # a row's values in the driver's order, in one call
    once: dict[int, dict[int, tuple[Any, Any]]] = {
        i: {} for i, n in enumerate(plan.names) if n in shared
    }
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        if arrays is not None:
            columns = _as_arrays(plan, values, chunk, once)
            if columns is not None:
                conn.exec_driver_sql(arrays, dict(zip(plan.names, columns, strict=True)))
                continue
        conn.exec_driver_sql(plan.sql, _row_params(plan, values, chunk, once))


def _takes_arrays(conn: sa.Connection) -> bool:
    return conn.dialect.driver == "psycopg"


def _row_params(
    plan: _Plan,
    values: Callable[[dict[str, Any]], Any],
    rows: Sequence[dict[str, Any]],
    once: dict[int, dict[int, tuple[Any, Any]]],
) -> list[Any]:
    """One parameter set per row, for an executemany."""
    convert = [(i, p) for i, p in enumerate(plan.processors) if p is not None and i not in once]
    shared = [(i, p, once[i]) for i, p in enumerate(plan.processors) if p is not None and i in once]
    params: list[Any] = []
    for row in rows:
        bound = list(values(row)) if len(plan.names) > 1 else [values(row)]
        for at, process in convert:  # None too: JSON binds None as `null`
            bound[at] = process(bound[at])
        for at, process, done in shared:  # inline, not a call per value (7 a change, issue 15)
            value = bound[at]
            hit = done.get(id(value))
            if hit is None:
                hit = done[id(value)] = (value, process(value))
            bound[at] = hit[1]
        if plan.positional:
            params.append(tuple(bound))
        else:
            params.append(dict(zip(plan.names, bound, strict=True)))
    return params


def _as_arrays(
    plan: _Plan,
    values: Callable[[dict[str, Any]], Any],
    rows: Sequence[dict[str, Any]],
    once: dict[int, dict[int, tuple[Any, Any]]],
) -> list[list[Any]] | None:
    """The chunk's values column by column, converted as `_row_params` converts them; None
    when a column holds values of more than one Python type (no one array takes them)."""
    if len(plan.names) > 1:
        columns = [list(c) for c in zip(*map(values, rows), strict=True)]
    else:
        columns = [list(map(values, rows))]
    for at, process in enumerate(plan.processors):
        column = columns[at]
        if process is not None:
            done = once.get(at)
            if done is None:
                columns[at] = column = list(map(process, column))
            else:
                column = columns[at] = [_converted(done, process, v) for v in column]
        if len(set(map(type, column)) - _NONE) > 1:
            return None
    return columns


_NONE = {type(None)}


def _converted(done: dict[int, tuple[Any, Any]], process: Processor, value: Any) -> Any:
    hit = done.get(id(value))
    if hit is None:
        hit = done[id(value)] = (value, process(value))
    return hit[1]


@lru_cache(maxsize=256)
def _plan(dialect: Dialect, stmt: Insert, names: tuple[str, ...]) -> _Plan:
    compiled = stmt.compile(dialect=dialect, column_keys=list(names))
    table = stmt.table
    assert isinstance(table, sa.Table)
    positional = bool(compiled.positional)
    order = tuple(compiled.positiontup or ()) if positional else names
    if set(order) != set(names):
        raise ValueError(f"{stmt}: binds {order}, expected {names}")
    processors = tuple(table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in order)
    return _Plan(compiled.string, order, processors, positional)


@lru_cache(maxsize=256)
def _array_plan(dialect: Dialect, stmt: Insert, names: tuple[str, ...]) -> str | None:
    """`stmt` as INSERT … SELECT * FROM unnest(one array per column), or None when a column
    has a type not mapped here (then rows go one by one)."""
    table = stmt.table
    assert isinstance(table, sa.Table)
    types = [_element_type(table.c[n].type) for n in names]
    if None in types:
        return None
    arrays = ", ".join(f"CAST(:{n} AS {t}[])" for n, t in zip(names, types, strict=True))
    source = sa.select(sa.text("*")).select_from(sa.text(f"unnest({arrays})"))
    compiled = stmt.from_select(names, source, include_defaults=False).compile(dialect=dialect)
    sql = compiled.string
    for n in names:  # arrays go in binary: psycopg's text form escapes each value by regex
        sql = sql.replace(f"%({n})s", f"%({n})b")
    return sql


def _element_type(type_: sa.types.TypeEngine[Any]) -> str | None:
    """The PostgreSQL type of an array of this column's values, with no length, precision or
    scale (the INSERT's assignment cast checks those against the column)."""
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sa.Enum | postgresql.JSONB):  # no assignment cast from TEXT, JSON
        return None
    for kind, name in _ELEMENT_TYPES:
        if isinstance(type_, kind):
            if isinstance(type_, sa.DateTime) and not type_.timezone:
                return "TIMESTAMP"
            return name
    return None


_ELEMENT_TYPES: tuple[tuple[type[sa.types.TypeEngine[Any]], str], ...] = (
    (sa.Uuid, "UUID"),
    (sa.String, "TEXT"),  # Text, VARCHAR(n), sqlmodel's AutoString
    (sa.Integer, "BIGINT"),  # SmallInteger, Integer, BigInteger
    (sa.Float, "DOUBLE PRECISION"),  # before Numeric: a Float is a Numeric
    (sa.Numeric, "NUMERIC"),
    (sa.Boolean, "BOOLEAN"),
    (sa.DateTime, "TIMESTAMP WITH TIME ZONE"),
    (sa.Date, "DATE"),
    (sa.JSON, "JSON"),
)
