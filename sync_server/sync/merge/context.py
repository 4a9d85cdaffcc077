"""What every mutation handler works with, and the row cache that keeps a push fast.

A push of 500 mutations would otherwise look rows up one SELECT at a time. The cache loads
every row the batch names (and their parents) with one query per table, remembers which
ids do not exist yet, and sees rows created earlier in the same batch before they are
flushed. Its journal lets a rejected mutation's additions be forgotten with its savepoint.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from fieldcore.protocol import Mutation
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import UNPREPARED
from sync_server.org.scope import Actor
from sync_server.sync.merge.fields import Conflicts
from sync_server.tables import Finding, Photo, Rectification, Visit
from sync_server.tables.base import Synced

T = TypeVar("T", bound=Synced)
MODELS: dict[str, type[Synced]] = {
    "visit": Visit,
    "finding": Finding,
    "photo": Photo,
    "rectification": Rectification,
}
PARENTS: dict[str, type[Synced]] = {
    "visit_id": Visit,
    "finding_id": Finding,
    "rectification_id": Rectification,
}


class RowCache:
    """Rows by (model, id as an int): hashing a UUID runs Python code (`UUID.__hash__`),
    hashing its int does not, and a push hashes each id several times (measured: ≈ 9
    hashes per mutation, issue 15)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[tuple[type[Synced], int], Any] = {}
        self.absent: set[tuple[type[Synced], int]] = set()
        self.journal: list[tuple[type[Synced], int]] = []
        self.new: list[Any] = []  # created by this push, not yet in the session
        self.isolated = False  # mutation-by-mutation savepoints (see merge/__init__.py)

    def prefetch(self, mutations: list[Mutation]) -> None:
        wanted: dict[type[Synced], dict[int, uuid.UUID]] = {}
        seen: set[tuple[type[Synced], str]] = set()  # a visit's findings all name it
        for m in mutations:
            wanted.setdefault(MODELS[m.entity], {})[m.id.int] = m.id
            for name, model in PARENTS.items():
                value = m.fields.get(name)
                if isinstance(value, str) and (model, value) not in seen:
                    seen.add((model, value))
                    # an invalid id is reported by the field validation later
                    with contextlib.suppress(ValueError):
                        parent = uuid.UUID(value)
                        wanted.setdefault(model, {})[parent.int] = parent
        for model, ids in wanted.items():
            found = self._load(model, list(ids.values()))
            self.absent.update((model, i) for i in ids if i not in found)

    def _load(self, model: type[Synced], ids: list[uuid.UUID]) -> set[int]:
        found: set[int] = set()
        query = _by_ids(model, self.session.get_bind().dialect.name)
        for i in range(0, len(ids), 500):  # any order: sorting UUIDs compares them in Python
            for row in self.session.exec(query, params={"ids": ids[i : i + 500]}).all():
                self.rows[(model, row.id.int)] = row
                found.add(row.id.int)
        return found

    def get(self, model: type[T], pk: Any) -> T | None:
        if pk is None:
            return None
        pk = pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
        key = (model, pk.int)
        cached: T | None = self.rows.get(key)  # the key's model is the row's class
        if cached is not None:
            return cached
        if key in self.absent:
            return None
        row = self.session.get(model, pk)
        if row is None:
            self.absent.add(key)
        else:
            self.rows[key] = row
        return row

    def add(self, row: Any) -> None:
        """A new row, kept out of the session: the ChangeSet inserts it in bulk at the end
        (call `attach_new` before running a query that must see it)."""
        key = (type(row), row.__dict__["id"].int)  # a new row's values are in its __dict__
        self.rows[key] = row
        self.absent.discard(key)
        self.journal.append(key)
        self.new.append(row)
        if self.isolated:  # a savepoint rollback can only undo what the session holds
            self.attach_new()

    def attach_new(self) -> None:
        """Hand new rows to the session, so queries (via autoflush) see them."""
        self.session.add_all(self.new)
        self.new.clear()

    def checkpoint(self) -> int:
        return len(self.journal)

    def rollback_to(self, mark: int) -> None:
        """Forget rows added since `mark` (their savepoint was rolled back)."""
        forgotten = {id(self.rows.pop(key, None)) for key in self.journal[mark:]}
        self.absent.update(self.journal[mark:])
        self.new = [row for row in self.new if id(row) not in forgotten]
        del self.journal[mark:]


@cache
def _by_ids(model: type[T], dialect: str) -> SelectOfScalar[T]:
    """The rows with the given ids, the list bound when run: built once per model, the
    statement hits SQLAlchemy's compiled cache, and its 500 ids are not coerced one by one
    into a new statement per query (measured, issue 15).

    On PostgreSQL the ids go as one array (`id = ANY(%s::UUID[])`), planned afresh each
    time (`unprepared`, core/db.py). Prepared, the server keeps the first generic plan it
    makes; made while the table is small it is a sequential scan, kept as the table grows:
    in a fresh bench database the findings' look-up came to ≈ 3 ms of server CPU a push
    after 150 pushes, 1 µs per finding stored, where the index takes ≈ 0.07 ms. Planned
    each time it costs ≈ 0.14 ms (measured 2026-12-04, issue 15 §3)."""
    if dialect == "postgresql":
        ids = sa.bindparam("ids", type_=postgresql.ARRAY(sa.Uuid))
        return select(model).where(col(model.id) == sa.any_(ids)).execution_options(**UNPREPARED)
    return select(model).where(col(model.id).in_(sa.bindparam("ids", expanding=True)))


@dataclass(frozen=True, slots=True)
class VisitFacts:
    """What a finding is checked against that never changes once its visit exists (the
    template and mode are create-only, the id is the id): read once per visit per push,
    not once per finding (≈ 3 attribute reads and a UUID's text each, issue 15). A
    visit's status and tombstone do change within a push: those are read live."""

    visit: Visit  # kept alive: facts are found by the object's id() (`PushContext.facts`)
    id_text: str
    template_key: str
    mode: str


@dataclass
class PushContext:
    session: Session
    actor: Actor
    changes: ChangeSet
    conflicts: Conflicts
    now: datetime
    rows: RowCache = field(init=False)
    device: str = field(init=False)  # the pushing device's id as field_by records it
    # the batch's fields validated ahead, by seq (merge/fields.parse_batch; used once each)
    parsed: dict[int, dict[str, Any]] = field(default_factory=dict)
    _facts: dict[int, VisitFacts] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = RowCache(self.session)
        self.changes.lookup = self.rows.get
        self.device = str(self.actor.device_id)  # once, not once per field written

    def facts(self, visit: Visit) -> VisitFacts:
        """The visit's fixed facts. By the object, not its id: a visit whose creation a
        savepoint undid may be created again, differently, as a new object."""
        facts = self._facts.get(id(visit))
        if facts is None:
            facts = self._facts[id(visit)] = VisitFacts(
                visit, str(visit.id), visit.template_key, visit.mode
            )
        return facts
