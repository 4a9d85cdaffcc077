"""Write many rows of one shape with one executemany, the statement compiled once.

SQLAlchemy's own executemany redoes per row what is fixed for the statement: it builds a
parameter set for the compiled statement and runs each value through its column's type
processor one lookup at a time (about 40 µs a row, more than the driver's insert). A push
writes hundreds of rows of the same few shapes, so here the statement is compiled once
per (dialect, statement, column set), each column's bind processor is fetched once, and
the rows go to the driver as the parameters it takes (tuples or dicts, by paramstyle).
The SQL and the values the driver sees are those SQLAlchemy would send itself; errors are
wrapped as SQLAlchemy wraps them (DataError, IntegrityError …), and a value no processor
can convert raises its ValueError, as poison values need (sync/merge/poison.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session

CHUNK = 500  # rows per executemany: bounds the driver's buffers


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool


def execute_many(
    session: Session,
    stmt: Insert,
    names: Sequence[str],
    rows: Sequence[dict[str, Any]],
    shared: Collection[str] = (),
) -> None:
    """Run `stmt` (an INSERT, maybe with ON CONFLICT) once per row, binding `names` from
    each row's values (Python values, as the columns' types take them).

    `shared` names columns whose values many rows hold as the same object (a visit's site
    id in each of its rows' change-log entries, one writer map for many new rows): each
    such object goes through its processor once per call. Objects are told apart by `id`,
    which is unique while the rows hold them; none may change during the call."""
    if not rows:
        return
    conn = session.connection()
    plan = _plan(conn.dialect, stmt, tuple(names))
    values = itemgetter(*plan.names)  # a row's values in the driver's order, in one call
    convert = [
        (i, p)
        for i, p in enumerate(plan.processors)
        if p is not None and plan.names[i] not in shared
    ]
    # each shared column's results by the object's id, with the object kept alive
    once: list[tuple[int, Callable[[Any], Any], dict[int, tuple[Any, Any]]]] = [
        (i, p, {})
        for i, p in enumerate(plan.processors)
        if p is not None and plan.names[i] in shared
    ]
    for i in range(0, len(rows), CHUNK):
        params: list[Any] = []
        for row in rows[i : i + CHUNK]:
            bound = list(values(row)) if len(plan.names) > 1 else [values(row)]
            for at, process in convert:  # None too: JSON binds None as `null`
                bound[at] = process(bound[at])
            for at, process, done in once:  # inline, not a call per value (7 a change, issue 15)
                value = bound[at]
                hit = done.get(id(value))
                if hit is None:
                    hit = done[id(value)] = (value, process(value))
                bound[at] = hit[1]
            if plan.positional:
                params.append(tuple(bound))
            else:
                params.append(dict(zip(plan.names, bound, strict=True)))
        conn.exec_driver_sql(plan.sql, params)


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
