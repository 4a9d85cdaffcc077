"""Write a local change and its outbox entry together (one transaction, never one without
the other), and undo a change the server rejected.

Pending edits are rebased over the server's state (as Replicache and CouchDB clients do):
each pending entry's `prev` holds, per field, the value *underneath* that edit — for the
first pending edit of a field, the server's latest known value (its base); for a later
one, the value of the edit before it. A pull that meets a field with a pending edit does
not overwrite the user's value, but moves the server's value into that base (`rebase`).
A rejected edit is spliced out of its chain (`undo`): the next pending edit of the field
inherits its base, or, when none is left, the row goes back to that base — the server's
latest value, never a stale local one that the pull cursor has already moved past.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.store.tables import (
    Edited,
    FindingRow,
    LocalModel,
    Outbox,
    PhotoRow,
    RectificationRow,
    VisitRow,
)
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Entity, Mutation, Op
from fieldcore.records import checked_values, wire_value
from fieldcore.workflow import missing_required

ENTITY_TABLES: dict[str, type[Edited]] = {
    "visit": VisitRow,
    "finding": FindingRow,
    "photo": PhotoRow,
    "rectification": RectificationRow,
}


def record(
    session: Session,
    entity: Entity,
    row: Any,
    fields: dict[str, Any],
    now: datetime,
    op: Op = "upsert",
    creating: bool = False,
) -> Outbox:
    """Apply `fields` to `row` and queue the change; the caller's transaction commits both.

    The entry remembers each field's previous local value (to undo a rejection) and the
    server seq it was based on (`base_seq`, for the server's conflict log). A creation
    must carry the fields the server requires of it (fieldcore.workflow.missing_required),
    and every value must be one the server accepts (fieldcore.records.checked_values).

    Raises:
        DomainError: sync.missing_field (a creation lacks a required field) or
            sync.invalid_value (a value out of bounds or of the wrong type).
    """
    if creating and (missing := missing_required(entity, fields)):
        raise DomainError(ProblemCode.SYNC_MISSING_FIELD, ", ".join(missing), fields=missing)
    wired = {k: wire_value(v) for k, v in fields.items()}
    checked_values(entity, wired)  # what the server would refuse is refused now
    prev = {} if creating else {name: wire_value(getattr(row, name)) for name in fields}
    base = {name: row.field_seq.get(name, 0) for name in fields} if not creating else {}
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    entry = Outbox(
        entity=entity,
        entity_id=row.id,
        op=op,
        fields=wired,
        base_seq=base,
        prev=prev,
        created_at=now,
    )
    session.add(entry)
    return entry


def as_mutation(entry: Outbox) -> Mutation:
    """The entry as the server receives it: its outbox seq is the mutation's seq."""
    assert entry.seq is not None  # the outbox numbers every row when it is written
    return Mutation(
        seq=entry.seq,
        entity=entry.entity,
        id=entry.entity_id,
        op=entry.op,
        fields=entry.fields,
        base_seq=entry.base_seq,
    )


def pending_fields(session: Session, entity: str, entity_id: uuid.UUID) -> set[str]:
    """Fields of this row with a local edit the server has not acknowledged yet."""
    return {name for entry in _pending(session, entity, entity_id) for name in entry.fields}


def _pending(session: Session, entity: str, entity_id: uuid.UUID, after: int = 0) -> list[Outbox]:
    """This row's unacknowledged entries after outbox seq `after`, oldest first."""
    return list(
        session.exec(
            select(Outbox)
            .where(
                Outbox.entity == entity,
                Outbox.entity_id == entity_id,
                Outbox.state == "pending",
                col(Outbox.seq) > after,
            )
            .order_by(col(Outbox.seq))
        ).all()
    )


# `deleted` is the row's, not a field's: a pulled tombstone is the base under the row's
# first pending entry (a creation or edit the server may still refuse).
ROW_BASE = "deleted"


def rebase(session: Session, entity: str, entity_id: uuid.UUID, server: dict[str, Any]) -> None:
    """A pull brought the server's values for fields this phone has pending edits to:
    make each the base under the first pending edit of its field, so that a rejection
    restores it (`server` holds only fields that the pull did not apply)."""
    entries = _pending(session, entity, entity_id)
    for name, value in server.items():
        first = next((e for e in entries if name in e.fields or name == ROW_BASE), None)
        if first is not None:
            first.prev = {**first.prev, name: wire_value(value)}  # a new dict: JSON columns
            session.add(first)  # track assignment, not in-place mutation


def undo(session: Session, entry: Outbox, message: str) -> None:
    """The server refused this change: splice it out of each field's chain of pending
    edits (module docstring) and mark the row with the reason.

    The next pending edit of a field inherits this edit's base; a field with none left
    goes back to the base. A rejected creation keeps its row (nothing the user entered is
    dropped silently) with the values it was created with — unless a pull showed that the
    server holds the row, whose values then come back: the row is flagged, and the user
    decides what to do with it.
    """
    model = ENTITY_TABLES[entry.entity]
    row = session.get(model, entry.entity_id)
    if row is None:
        return
    later = _pending(session, entry.entity, entry.entity_id, after=entry.seq or 0)
    for name, value in entry.prev.items():
        heir = next((e for e in later if name in e.fields or name == ROW_BASE), None)
        if heir is not None:
            heir.prev = {**heir.prev, name: value}
            session.add(heir)
        else:
            setattr(row, name, local_value(model, name, value))
    row.sync_error = message
    session.add(row)


def local_value(model: type[LocalModel], name: str, value: Any) -> Any:
    """A value from the wire (a mutation's `prev`, a pulled row) as `model`'s column holds
    it: undoes `wire_value()` and the pull's JSON by the column's Python type."""
    if value is None:
        return None
    try:
        kind = model.__table__.columns[name].type.python_type
    except NotImplementedError:
        return value
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is Decimal:
        return Decimal(str(value))
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value
