"""Collect the rows a transaction changed, then give them seqs.

Every write (a push, a console action, an import) touches rows through a ChangeSet and ends
with `assign_seqs()`, which takes the numbers as late as possible in the transaction
(core/seqs.py: a counter on SQLite, whose one writer keeps them in commit order; on
PostgreSQL a sequence, with the transaction's seqs announced as in flight until it ends,
so that a pull never reads past them — writers do not wait for each other there).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import Session

from sync_server.core.audience import Audiences
from sync_server.core.bulk import execute_many
from sync_server.core.db import pipeline
from sync_server.core.seqs import take_seqs
from sync_server.tables import (
    ChangeLog,
    Finding,
    Photo,
    Rectification,
    Site,
    Subject,
    TemplateVersion,
    Visit,
    VisitTask,
)
from sync_server.tables.base import ServerModel, Synced

ENTITY_OF: dict[type, str] = {
    TemplateVersion: "template",
    Site: "site",
    Subject: "subject",
    VisitTask: "visit_task",
    Visit: "visit",
    Finding: "finding",
    Photo: "photo",
    Rectification: "rectification",
}


@dataclass(slots=True)  # one per row a push changes: slots make it cheaper to build
class Touched:
    row: Any
    pk: Any  # the row's primary key (the change log names the row by its text)
    fields: set[str] = field(default_factory=set)
    device: str = ""
    seq: int = 0
    # touched by the server itself or by more than one device: every device must pull it
    # (only ever set, also by a change a savepoint undid: at worst a row is sent again)
    shared: bool = False


class ChangeSet:
    def __init__(self, session: Session, lookup: Callable[[type, Any], Any] | None = None) -> None:
        self.session = session
        # how to find a row's visit: a push passes its row cache, which also sees new,
        # not yet flushed rows (session.get does not)
        self.lookup = lookup or session.get
        # by (entity, key): `_key`, read with `entry`
        self.touched: dict[tuple[str, Key], Touched] = {}
        # undo journal: (key, None) for a new entry, (key, (fields, device)) for a change
        self._journal: list[tuple[tuple[str, Key], tuple[set[str], str] | None]] = []

    def touch(self, row: Any, fields: Iterable[str] = (), device: str = "") -> Touched:
        """Mark a row changed; `fields` get a new field seq (written by `device`)."""
        entity = ENTITY_OF[type(row)]
        if entity == "template":
            pk = row.key
            key: tuple[str, Key] = (entity, pk)
        else:  # inline, not _pk and _key: a push touches every row it writes (issue 15)
            state = row.__dict__  # the id as its attribute reads it, without the descriptor
            pk = state["id"] if "id" in state else row.id  # noqa: SIM401  (.get reads it too)
            key = (entity, pk.int)
        entry = self.touched.get(key)
        if entry is None:
            entry = self.touched[key] = Touched(row, pk, shared=not device)
            self._journal.append((key, None))
        else:
            self._journal.append((key, (set(entry.fields), entry.device)))
            entry.shared = entry.shared or device != entry.device
        entry.fields.update(fields)
        if device:
            entry.device = device
        return entry

    def entry(self, entity: str, pk: Any) -> Touched | None:
        """The entry of the row of `entity` with primary key `pk`, if it was touched."""
        return self.touched.get((entity, _key(pk)))

    def checkpoint(self) -> int:
        """A mark to return to when a savepoint is rolled back."""
        return len(self._journal)

    def rollback_to(self, mark: int) -> None:
        for key, before in reversed(self._journal[mark:]):
            if before is None:
                del self.touched[key]
            else:
                self.touched[key].fields, self.touched[key].device = before
        del self._journal[mark:]

    def assign_seqs(self) -> None:
        """Take one block of seqs and stamp every touched row and its change-log entry."""
        if not self.touched:
            return
        with self.session.no_autoflush:  # new rows are inserted once, with their seqs
            self._stamp()
        self.session.flush()

    def _stamp(self) -> None:
        self._hold_existing()
        seqs = take_seqs(self.session, len(self.touched))
        audiences = Audiences(self.lookup)
        devices: dict[str, uuid.UUID] = {}  # the writers' ids, parsed once each
        # a new row's writer map, one object per (fields, writer): rows of one shape share
        # it, and the bulk insert serialises it once (bulk.execute_many's `shared`)
        writers: dict[tuple[frozenset[str], str], dict[str, str]] = {}
        logs: list[dict[str, Any]] = []
        new_rows: list[ServerModel] = []
        for seq, ((entity, _), entry) in zip(seqs, self.touched.items(), strict=True):
            entry.seq = seq
            row = entry.row
            values: dict[str, Any] = {"seq": seq}
            new = instance_state(row).key is None
            if entry.fields and isinstance(row, Synced):
                # a new row's values are all in its __dict__: read there, not through the
                # ORM's attributes (≈ 0.25 µs a read, issue 15)
                field_seq, field_by = (
                    _WRITES_OF_NEW(row.__dict__) if new else (row.field_seq, row.field_by)
                )
                values["field_seq"] = {**field_seq, **dict.fromkeys(entry.fields, seq)}
                if entry.device and new and not field_by:
                    shape = (frozenset(entry.fields), entry.device)
                    values["field_by"] = writers.get(shape) or writers.setdefault(
                        shape, dict.fromkeys(entry.fields, entry.device)
                    )
                elif entry.device:
                    values["field_by"] = {
                        **field_by,
                        **dict.fromkeys(entry.fields, entry.device),
                    }
            if new:  # its attributes carry no history
                row.__dict__.update(values)
                new_rows.append(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            device = None
            if not entry.shared:
                device = devices.get(entry.device) or devices.setdefault(
                    entry.device, uuid.UUID(entry.device)
                )
            log = audiences.of(entity, row)
            log.update(entity=entity, entity_id=str(entry.pk), seq=seq, device_id=device)
            logs.append(log)
        with pipeline(self.session):
            self._insert_new(new_rows)
            self._upsert_logs(logs)

    def _hold_existing(self) -> None:
        """PostgreSQL: lock the rows that exist already before taking seqs. Seqs from the
        sequence do not follow commit order, so without this a row written by two
        transactions at once could end with the first one's higher seq under the second
        one's change. The row lock is the one a write of the row takes anyway (an autoflush
        during the push may have taken it already): the second writer waits here for the
        first's commit and draws later, so a row's seq (and each field's) still grows with
        every change — what conflict detection (`base_seq` older than the field's) reads.
        Sorted by key. New rows need no lock: two creations of one id collide anyway."""
        if self.session.get_bind().dialect.name != "postgresql":
            return  # one writer at a time
        by_model: dict[type, list[Any]] = {}
        for entry in self.touched.values():
            state = sa.inspect(entry.row)
            if not state.pending and not state.transient:
                by_model.setdefault(type(entry.row), []).append(entry.pk)
        for model, keys in by_model.items():
            pk: Any = sa.inspect(model).primary_key[0]
            keys.sort()
            for i in range(0, len(keys), 500):
                self.session.execute(
                    sa.select(pk).where(pk.in_(keys[i : i + 500])).order_by(pk).with_for_update()
                )

    def _insert_new(self, rows: list[ServerModel]) -> None:
        """Insert new rows with one statement per table (bulk.execute_many) instead of the
        ORM's per-object flush bookkeeping (a cold sync creates thousands); they leave the
        session."""
        by_model: dict[type[ServerModel], list[dict[str, Any]]] = {}
        for row in rows:
            if instance_state(row).session_id is not None:  # pending
                self.session.expunge(row)
            by_model.setdefault(type(row), []).append(row.__dict__)
        for model, states in by_model.items():
            for i in range(0, len(states), 500):
                chunk = states[i : i + 500]
                # a column left out is NULL: binding None to it row by row costs as much
                # as binding a value (these columns have no default, see _nullable)
                names = [
                    c for c in _columns(model) if c not in _nullable(model) or _any_set(chunk, c)
                ]
                execute_many(self.session, _insert(model), names, chunk, ("field_by",))

    def _upsert_logs(self, logs: list[dict[str, Any]]) -> None:
        """One INSERT … ON CONFLICT DO UPDATE for the whole block (SQLite and PostgreSQL)."""
        stmt = _log_upsert(self.session.get_bind().dialect.name)
        if logs:  # every entry has the same keys; a column left out is NULL
            # the audience's values are the visit's own objects, the writer's id one per
            # device, the flags True or False: each converted once (bulk.execute_many)
            execute_many(self.session, stmt, list(logs[0]), logs, _LOG_SHARED)


_WRITES_OF_NEW = itemgetter("field_seq", "field_by")
_LOG_SHARED = ("site_id", "owner_id", "device_id", "published", "covert", "deleted")


@cache
def _insert(model: type[ServerModel]) -> sa.Insert:
    return sa.insert(model.__table__)


@cache
def _log_upsert(dialect: str) -> sa.Insert:
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(ChangeLog.__table__)
    table = ChangeLog.__table__.c
    # a device keeps its name on the row only while it alone has changed the row: once
    # anything else did, the device may lack that change, so it must pull the row
    alone = sa.case(
        (table.device_id == stmt.excluded.device_id, stmt.excluded.device_id), else_=None
    )
    return stmt.on_conflict_do_update(
        index_elements=["entity", "entity_id"],
        set_={
            **{
                c: stmt.excluded[c]
                for c in ("seq", "site_id", "owner_id", "published", "covert", "deleted")
            },
            "device_id": alone,
        },
    )


@cache
def _columns(model: type[ServerModel]) -> tuple[str, ...]:
    return tuple(model.__table__.columns.keys())


@cache
def _nullable(model: type[ServerModel]) -> frozenset[str]:
    """Columns that hold SQL NULL when an INSERT leaves them out, as when it binds None:
    nullable, no default in the model or the database (tests/server/test_bulk_insert.py
    checks the migrated schema agrees), and not JSON (which stores None as JSON null)."""
    return frozenset(
        c.name
        for c in model.__table__.columns
        if c.nullable
        and not c.primary_key
        and c.default is None
        and c.server_default is None
        and not isinstance(c.type, sa.JSON)
    )


def _any_set(states: list[dict[str, Any]], name: str) -> bool:
    return any(state[name] is not None for state in states)


Key = int | str


def _key(pk: Any) -> Key:
    """A touched row's key: a UUID's int, as hashing a UUID runs Python code, and its text
    costs a `UUID.__str__` per touch and per look-up (≈ 1 µs each, issue 15) — the change
    log's `entity_id` text is made once per row, when it is stamped. A template's key is
    text already."""
    return pk.int if isinstance(pk, uuid.UUID) else pk
