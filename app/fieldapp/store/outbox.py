"""Write a local change and its outbox entry together (one transaction, never one without
the other), and undo a change the server rejected."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from fieldapp.store.tables import (
    FindingRow,
    Outbox,
    PhotoRow,
    RectificationRow,
    VisitRow,
)

ENTITY_TABLES: dict[str, type] = {
    "visit": VisitRow,
    "finding": FindingRow,
    "photo": PhotoRow,
    "rectification": RectificationRow,
}


def wire(value: Any) -> Any:
    """A value as it travels in a mutation (JSON): ids and times as text, exact decimals."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(
    session: Session,
    entity: str,
    row: Any,
    fields: dict[str, Any],
    now: datetime,
    op: str = "upsert",
    creating: bool = False,
) -> Outbox:
    """Apply `fields` to `row` and queue the change; the caller's transaction commits both.

    The entry remembers each field's previous local value (to undo a rejection) and the
    server seq it was based on (`base_seq`, for the server's conflict log).
    """
    prev = {} if creating else {name: wire(getattr(row, name)) for name in fields}
    base = {name: row.field_seq.get(name, 0) for name in fields} if not creating else {}
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    entry = Outbox(
        entity=entity,
        entity_id=row.id,
        op=op,
        fields={k: wire(v) for k, v in fields.items()},
        base_seq=base,
        prev=prev,
        created_at=now,
    )
    session.add(entry)
    return entry


def pending_fields(session: Session, entity: str, entity_id: uuid.UUID) -> set[str]:
    """Fields of this row with a local edit the server has not acknowledged yet."""
    rows = session.exec(
        select(Outbox.fields).where(
            Outbox.entity == entity, Outbox.entity_id == entity_id, Outbox.state == "pending"
        )
    ).all()
    return {name for fields in rows for name in fields}


def undo(session: Session, entry: Outbox, message: str) -> None:
    """The server refused this change: put back the values it replaced, unless a later
    local edit (still pending) changed the field again; mark the row with the reason.

    A rejected creation keeps its row (nothing the user entered is dropped silently): it is
    flagged, and the user decides what to do with it.
    """
    model = ENTITY_TABLES[entry.entity]
    row = session.get(model, entry.entity_id)
    if row is None:
        return
    later = pending_fields(session, entry.entity, entry.entity_id)
    for name, value in entry.prev.items():
        if name not in later:
            setattr(row, name, _typed(model, name, value))
    row.sync_error = message
    session.add(row)


def _typed(model: type, name: str, value: Any) -> Any:
    """Undo a `wire()` conversion using the column's Python type."""
    if value is None:
        return None
    column = model.__table__.columns[name]  # type: ignore[attr-defined]
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value
