"""The end-of-run oracle for the convergence tests (sync-design §3.3, after cr-sqlite and
Jepsen): after a full sync of every device, compare each device with the server, and the
server with a small reference model of per-field last-arrival-wins fed the *applied*
mutations in the server's order.

Kept apart from the state machine so each stays small; nothing here mocks anything — it
reads the phones' SQLite stores and the central database.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldapp.store.tables import FindingRow, LocalBlob, Outbox, PhotoRow, VisitRow
from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import Blob, ConflictLog, Finding, Photo, Visit

# Fields whose history the model replays. Server-derived fields (count cleared with a new
# verdict, status via the workflow) are compared device ↔ server, not against the model.
TRACKED = {
    "visit": ("note", "return_comment"),
    "finding": ("result", "note", "review_comment"),
}
DEFAULTS: dict[str, Any] = {"note": "", "return_comment": "", "review_comment": "", "result": None}
VISIT_VIEW = ("status", "note", "return_comment", "void_reason", "site_id", "template_key")
FINDING_VIEW = ("visit_id", "item_code", "result", "count", "note", "review_comment")
PHOTO_VIEW = ("visit_id", "finding_id", "sha256", "byte_size", "blob_present")


@dataclass
class Sent:
    """One mutation as a device sent it (phones: from their outbox; reviewers: recorded)."""

    device_id: uuid.UUID
    seq: int
    entity: str
    entity_id: str
    fields: dict[str, Any]
    base_seq: dict[str, int] = field(default_factory=dict)


def outbox_mutations(store_engine: sa.Engine, device_id: uuid.UUID) -> list[Sent]:
    with Session(store_engine) as s:
        rows = s.exec(select(Outbox).order_by(col(Outbox.seq))).all()
    return [
        Sent(
            device_id,
            cast(int, e.seq),
            e.entity,
            str(e.entity_id),
            dict(e.fields),
            dict(e.base_seq),
        )
        for e in rows
        if e.op == "upsert"
    ]


@dataclass
class Cell:
    value: Any
    seq: int = 0
    writer: uuid.UUID | None = None


def replay(engine: sa.Engine, sent: list[Sent]) -> tuple[dict[tuple[str, str, str], Any], Counter]:
    """Expected final values and conflict-log entries of the tracked fields.

    Order of arrival: a row's seq (`entity_seq`: one row's seqs follow its commits, also
    on PostgreSQL where seqs of different rows need not), then the mutation's seq
    within one push. A value overwritten by another device that had not seen it (its base
    seq is older than the field's) must be in the conflict log.
    """
    with Session(engine) as s:
        results = all_stored_results(s)
    applied = []
    for m in sent:
        r = results.get((m.device_id, m.seq))
        assert r is not None, f"no stored result for {m}"
        # applied without a seq: it changed nothing (every value was already there)
        if r.status == "applied" and r.entity_seq is not None:
            applied.append((r.entity_seq, m.seq, m))
    cells: dict[tuple[str, str, str], Cell] = {}
    conflicts: Counter = Counter()
    created: set[tuple[str, str]] = set()
    for entity_seq, _, m in sorted(applied, key=lambda t: (t[0], t[1])):
        creating = (m.entity, m.entity_id) not in created
        created.add((m.entity, m.entity_id))
        for name in TRACKED.get(m.entity, ()):
            if name not in m.fields:
                continue
            key = (m.entity, m.entity_id, name)
            value = m.fields[name]
            if creating:  # a new row: every field it was created with is this device's
                cells[key] = Cell(value, entity_seq, m.device_id)
                continue
            cell = cells.setdefault(key, Cell(DEFAULTS[name]))
            if value == cell.value:
                continue  # the server skips an unchanged value: no new seq, no conflict
            base = m.base_seq.get(name, 0)
            if cell.seq > base and cell.writer not in (None, m.device_id):
                conflicts[(m.entity_id, name, cell.value, value, m.device_id)] += 1
            cells[key] = Cell(value, entity_seq, m.device_id)
    return {k: c.value for k, c in cells.items()}, conflicts


def check_server_against_model(engine: sa.Engine, sent: list[Sent]) -> None:
    expected, conflicts = replay(engine, sent)
    models: dict[str, type[Any]] = {"visit": Visit, "finding": Finding}
    with Session(engine) as s:
        for (entity, row_id, name), value in expected.items():
            row = s.get(models[entity], uuid.UUID(row_id))
            assert row is not None, f"acknowledged {entity} {row_id} lost"
            assert getattr(row, name) == value, (entity, row_id, name, getattr(row, name), value)
        logged = Counter(
            (c.entity_id, c.field, c.overwritten_value, c.winning_value, c.device_id)
            for c in s.exec(select(ConflictLog)).all()
            if c.field in TRACKED.get(c.entity, ())
        )
    assert logged == conflicts, f"conflict log {logged} != model {conflicts}"


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _view(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: _plain(getattr(row, n)) for n in names}


def check_device(store_engine: sa.Engine, engine: sa.Engine, inspector_id: uuid.UUID) -> None:
    """One inspector phone after a full sync: its visits, findings and photos are exactly
    the server's rows of this inspector (live ones), field by field; nothing is left to
    send; every photo's bytes are on the server. A local row the server never got is
    allowed only when it carries the server's rejection (sync_error) for the user to see.
    """
    with Session(store_engine) as s:
        assert not s.exec(select(Outbox).where(Outbox.state == "pending")).all()
        local: dict[str, dict[uuid.UUID, Any]] = {
            "visit": {r.id: r for r in s.exec(select(VisitRow)).all() if not r.deleted},
            "finding": {r.id: r for r in s.exec(select(FindingRow)).all() if not r.deleted},
            "photo": {r.id: r for r in s.exec(select(PhotoRow)).all() if not r.deleted},
        }
        unsent_blobs = s.exec(select(LocalBlob).where(LocalBlob.state != "uploaded")).all()
    with Session(engine) as s:
        visits = {
            v.id: v
            for v in s.exec(select(Visit).where(Visit.inspector_id == inspector_id)).all()
            if v.deleted_at is None
        }
        ids = list(visits)
        server: dict[str, dict[uuid.UUID, Any]] = {
            "visit": visits,
            "finding": {
                f.id: f
                for f in s.exec(select(Finding).where(col(Finding.visit_id).in_(ids))).all()
                if f.deleted_at is None
            },
            "photo": {
                p.id: p
                for p in s.exec(select(Photo).where(col(Photo.visit_id).in_(ids))).all()
                if p.deleted_at is None
            },
        }
        blobs = set(s.exec(select(Blob.sha256)).all())
    views = {"visit": VISIT_VIEW, "finding": FINDING_VIEW, "photo": PHOTO_VIEW}
    for entity, names in views.items():
        for row_id, row in local[entity].items():
            if row_id not in server[entity]:
                assert row.sync_error, f"{entity} {row_id} only on the phone, unflagged"
                continue
            mine, theirs = _view(row, names), _view(server[entity][row_id], names)
            differ = {n: (mine[n], theirs[n]) for n in names if mine[n] != theirs[n]}
            assert not differ, f"{entity} {row_id} phone≠server (phone, server): {differ}"
        missing = set(server[entity]) - set(local[entity])
        assert not missing, f"{entity} rows never reached the phone: {missing}"
    for photo in server["photo"].values():
        assert photo.blob_present and photo.sha256 in blobs, f"bytes of {photo.id} lost"
    on_server = {p.sha256 for p in server["photo"].values()}
    stuck = [b.sha256 for b in unsent_blobs if b.sha256 in on_server]
    assert not stuck, f"photo bytes never sent: {stuck}"


def check_pulled(pulled: dict[tuple[str, str], Any], engine: sa.Engine, visible: set[str]) -> None:
    """A reviewer's complete pull equals the server's rows of the visits they see."""
    with Session(engine) as s:
        for v in s.exec(select(Visit)).all():
            if str(v.site_id) not in visible:
                continue
            data = pulled.get(("visit", str(v.id)))
            assert data is not None and {n: data[n] for n in VISIT_VIEW} == _view(v, VISIT_VIEW)
            for f in s.exec(select(Finding).where(Finding.visit_id == v.id)).all():
                got = pulled.get(("finding", str(f.id)))
                assert got is not None
                assert {n: got[n] for n in FINDING_VIEW} == _view(f, FINDING_VIEW), f.id


def check_no_duplicates(engine: sa.Engine) -> None:
    with Session(engine) as s:
        keys = [(f.visit_id, f.item_code) for f in s.exec(select(Finding)).all()]
        assert len(keys) == len(set(keys)), "two findings for one checklist item"
        photo_keys = [p.id for p in s.exec(select(Photo)).all()]
        assert len(photo_keys) == len(set(photo_keys))
