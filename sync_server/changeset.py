"""Collect the rows a transaction changed, then give them seqs in commit order.

Every write (a push, a console action, an import) touches rows through a ChangeSet and ends
with `assign_seqs()`, which takes a block of numbers from the single `sync_counter` row as
late as possible in the transaction. The counter's row lock is held until commit, so on
PostgreSQL a transaction that takes seqs later also commits later: a puller that has seen
seq N has seen everything below N (sync-design §2.6). On SQLite writers are serialized by
BEGIN IMMEDIATE anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from sync_server.tables import (
    ChangeLog,
    Finding,
    Photo,
    Rectification,
    Site,
    Subject,
    SyncCounter,
    TemplateVersion,
    Visit,
    VisitTask,
)
from sync_server.tables.base import Synced

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


@dataclass
class Touched:
    row: Any
    fields: set[str] = field(default_factory=set)
    device: str = ""
    seq: int = 0


class ChangeSet:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.touched: dict[tuple[str, str], Touched] = {}

    def touch(self, row: Any, fields: Iterable[str] = (), device: str = "") -> Touched:
        """Mark a row changed; `fields` get a new field seq (written by `device`)."""
        key = (ENTITY_OF[type(row)], str(_pk(row)))
        entry = self.touched.get(key)
        if entry is None:
            entry = self.touched[key] = Touched(row)
        entry.fields.update(fields)
        if device:
            entry.device = device
        return entry

    def checkpoint(self) -> dict[tuple[str, str], tuple[set[str], str]]:
        """A snapshot to return to when a savepoint is rolled back."""
        return {k: (set(e.fields), e.device) for k, e in self.touched.items()}

    def rollback_to(self, snapshot: dict[tuple[str, str], tuple[set[str], str]]) -> None:
        for key in list(self.touched):
            if key not in snapshot:
                del self.touched[key]
            else:
                self.touched[key].fields, self.touched[key].device = snapshot[key]

    def assign_seqs(self) -> None:
        """Take one block of seqs and stamp every touched row and its change-log entry."""
        if not self.touched:
            return
        self.session.flush()
        top = self.session.execute(
            sa.update(SyncCounter)
            .where(SyncCounter.id == 1)  # type: ignore[arg-type]
            .values(value=SyncCounter.value + len(self.touched))
            .returning(SyncCounter.value)
        ).scalar_one()
        first = top - len(self.touched) + 1
        for n, ((entity, entity_id), entry) in enumerate(self.touched.items()):
            entry.seq = first + n
            row = entry.row
            row.seq = entry.seq
            if isinstance(row, Synced):
                row.field_seq = {**row.field_seq, **dict.fromkeys(entry.fields, entry.seq)}
                if entry.device:
                    row.field_by = {**row.field_by, **dict.fromkeys(entry.fields, entry.device)}
            self._upsert_log(entity, entity_id, entry.seq, audience(self.session, entity, row))
        self.session.flush()

    def _upsert_log(self, entity: str, entity_id: str, seq: int, aud: dict[str, Any]) -> None:
        log = self.session.get(ChangeLog, (entity, entity_id))
        if log is None:
            self.session.add(ChangeLog(entity=entity, entity_id=entity_id, seq=seq, **aud))
        else:
            log.seq = seq
            for key, value in aud.items():
                setattr(log, key, value)


def _pk(row: Any) -> Any:
    return row.key if isinstance(row, TemplateVersion) else row.id


def audience(session: Session, entity: str, row: Any) -> dict[str, Any]:
    """Who may pull this row: its site, its owner, published and covert flags, deleted."""
    deleted = getattr(row, "deleted_at", None) is not None
    if entity == "template":
        return {
            "site_id": None,
            "owner_id": None,
            "published": True,
            "covert": False,
            "deleted": row.retired,
        }
    if entity == "site":
        return {
            "site_id": row.id,
            "owner_id": None,
            "published": True,
            "covert": False,
            "deleted": not row.active,
        }
    if entity == "subject":
        return {
            "site_id": row.site_id,
            "owner_id": None,
            "published": True,
            "covert": False,
            "deleted": not row.active,
        }
    if entity == "visit_task":
        return {
            "site_id": row.site_id,
            "owner_id": row.assignee_id,
            "published": False,
            "covert": row.mode == "covert",
            "deleted": row.status == "cancelled",
        }
    visit = row if entity == "visit" else _visit_of(session, row)
    if visit is None:  # an after-photo whose rectification is not known: owner only
        return {
            "site_id": None,
            "owner_id": getattr(row, "uploaded_by", None),
            "published": False,
            "covert": False,
            "deleted": deleted,
        }
    return {
        "site_id": visit.site_id,
        "owner_id": visit.inspector_id,
        "published": visit.status == "published",
        "covert": visit.mode == "covert",
        "deleted": deleted,
    }


def _visit_of(session: Session, row: Any) -> Visit | None:
    visit_id: uuid.UUID | None = getattr(row, "visit_id", None)
    if visit_id is None and isinstance(row, Photo) and row.rectification_id is not None:
        rect = session.get(Rectification, row.rectification_id)
        visit_id = rect.visit_id if rect else None
    return session.get(Visit, visit_id) if visit_id is not None else None
