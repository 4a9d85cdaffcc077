"""Field-level rules of a pushed mutation: known, owned, well-typed, then applied with LWW.

Per-field last-arrival-wins: the server's order of arrival decides, never a device clock.
When a field is overwritten by a device that had not seen the current value (its base seq
is older than the field's seq, and another device wrote it), the overwritten value goes to
the conflict log instead of vanishing silently.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from fieldcore.bounds import INT64_MAX
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.records import RECORDS, checked_values
from fieldcore.workflow import check_changeable, check_writable, missing_required
from sync_server.core.changeset import ENTITY_OF, ChangeSet
from sync_server.org.scope import Actor
from sync_server.tables import ConflictLog
from sync_server.tables.base import Synced, new_row

T = TypeVar("T", bound=Synced)


@dataclass
class PendingConflict:
    row: Any
    field: str
    overwritten: Any
    overwritten_seq: int
    winning: Any
    base_seq: int
    visit_id: uuid.UUID | None


@dataclass
class Conflicts:
    pending: list[PendingConflict] = field(default_factory=list)

    def write(self, session: Session, changes: ChangeSet, actor: Actor) -> None:
        """After seqs are assigned: store each overwritten value with the winning seq."""
        for c in self.pending:
            entry = changes.touch(c.row)
            session.add(
                ConflictLog(
                    entity=type(c.row).__tablename__,
                    entity_id=str(c.row.id),
                    visit_id=c.visit_id,
                    field=c.field,
                    overwritten_value=_jsonable(c.overwritten),
                    overwritten_seq=c.overwritten_seq,
                    winning_value=_jsonable(c.winning),
                    base_seq=c.base_seq,
                    seq=entry.seq,
                    device_id=actor.device_id,
                    user_id=actor.user_id,
                )
            )
        self.pending.clear()


def checked_fields(
    m: Mutation, actor: Actor, creating: bool, batch: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The mutation's fields as typed values, after the ownership table allows each one.
    `batch` holds what `parse_batch` validated ahead (its entry is taken: one use each).

    Raises:
        DomainError: sync.unknown_field, sync.field_not_owned, sync.invalid_value,
            sync.missing_field (a field required to create the row).
    """
    _check_base_seqs(m)
    check_writable(m.entity, actor.role, m.fields)
    parsed = batch.pop(m.seq, None)
    values = checked_values(m.entity, dict(m.fields)) if parsed is None else parsed
    if creating:
        missing = missing_required(m.entity, values)
        if missing:
            raise DomainError(ProblemCode.SYNC_MISSING_FIELD, ", ".join(missing), fields=missing)
    return values


def parse_batch(mutations: list[Mutation]) -> dict[int, dict[str, Any]]:
    """Each mutation's typed values by seq — what `checked_values` returns for its fields —
    validated with one call per entity rather than one model each (≈ 0.8 µs a mutation
    less, issue 15). An entity whose batch does not validate is left out: its mutations
    are validated one by one when applied, which reports what is wrong where and how it
    always did (and only after the ownership checks that come first)."""
    by_entity: dict[str, list[Mutation]] = {}
    for m in mutations:
        by_entity.setdefault(m.entity, []).append(m)
    parsed: dict[int, dict[str, Any]] = {}
    for entity, group in by_entity.items():
        try:
            models = _many(entity).validate_python([m.fields for m in group])
        except ValidationError:
            continue
        for m, model in zip(group, models, strict=True):
            values = model.__dict__  # as fieldcore.records.parse_fields reads a model
            parsed[m.seq] = {name: values[name] for name in m.fields}
    return parsed


@cache
def _many(entity: str) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[RECORDS[entity]])  # type: ignore[valid-type]  # a type from a table


def _check_base_seqs(m: Mutation) -> None:
    """A base seq is stored with a logged conflict (BIGINT): beyond it, it names no seq."""
    for name, base in m.base_seq.items():
        if base > INT64_MAX:
            field = f"base_seq.{name}"
            raise DomainError(ProblemCode.SYNC_INVALID_VALUE, field, field=field)


def create_row(
    ctx: Any, model: type[T], m: Mutation, values: dict[str, Any], **server_values: Any
) -> T:
    """A new row holding the mutation's values (and server-set ones), touched and cached."""
    row = new_row(model, id=m.id, **values, **server_values)
    ctx.rows.add(row)
    ctx.changes.touch(row, values, ctx.device)
    return row


def apply_values(
    ctx: Any, row: Any, values: dict[str, Any], m: Mutation, visit_id: uuid.UUID | None
) -> set[str]:
    """Write changed values onto an existing row; returns the names of changed fields.

    `ctx` is the push's PushContext (changes, conflicts, actor).
    Raises:
        DomainError(sync.field_immutable): a create-only field would change.
    """
    changed: set[str] = set()
    device = ctx.device
    # Field seqs and writers are stamped only when the push ends (ChangeSet.assign_seqs):
    # until then `row.field_by` still names the writer from before this push, so a second
    # edit of a field in the same push would look like overwriting another device.
    touched = ctx.changes.entry(ENTITY_OF[type(row)], row.id)
    earlier = touched.fields if touched is not None and touched.device == device else set()
    for name, value in values.items():
        current = getattr(row, name)
        if current == value:
            continue
        check_changeable(m.entity, name)
        seq = row.field_seq.get(name, 0)
        base = m.base_seq.get(name, 0)
        # written earlier in this push: the current value is this device's own
        writer = device if name in earlier else row.field_by.get(name)
        if seq > base and writer not in (None, device):
            ctx.conflicts.pending.append(
                PendingConflict(row, name, current, seq, value, base, visit_id)
            )
        setattr(row, name, value)
        changed.add(name)
    if changed:
        ctx.changes.touch(row, changed, device)
        if not changed <= m.fields.keys():  # the server cleared what the device did not send
            ctx.changes.touch(row)  # (clear_stale_detail): the device must pull the row
    return changed


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
