"""Exactly-once answers: what a push answered, kept so that a resend gets the same bytes.

One row per push holds the answers to its new mutations (tables.PushResultRow): an applied
mutation is stored as its entity seq alone, since the rest of its answer is fixed
(`{"seq", "status": "applied"}`); a rejection is stored whole. Rebuilding a result from
that gives the same `MutationResult`, so the same JSON, as the first answer. One INSERT of
one row per push replaces one row per mutation (measured on the push path, issue 15).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.literals import one_of
from fieldcore.protocol import MAX_MUTATIONS_PER_PUSH, MUTATION_STATUSES, MutationResult
from sync_server.tables import PushResultRow


def store_results(
    session: Session, device_id: uuid.UUID, results: list[MutationResult], now: datetime
) -> None:
    """Keep the answers to a push's new mutations (contiguous seqs, in order)."""
    if not results:
        return
    session.execute(
        sa.insert(PushResultRow.__table__),
        {
            "device_id": device_id,
            "first_seq": results[0].seq,
            "last_seq": results[-1].seq,
            "results": [_compact(r) for r in results],
            "applied_at": now,
        },
    )


def stored_results(
    session: Session, device_id: uuid.UUID, first: int, last: int
) -> dict[int, MutationResult]:
    """The stored answers to this device's seqs `first`..`last` (those it has)."""
    if first > last:
        return {}
    rows = session.exec(
        select(PushResultRow).where(
            PushResultRow.device_id == device_id,
            # a row spans at most one push: its first seq is within that of `first`
            col(PushResultRow.first_seq) > first - MAX_MUTATIONS_PER_PUSH,
            col(PushResultRow.first_seq) <= last,
            col(PushResultRow.last_seq) >= first,
        )
    ).all()
    return {r.seq: r for row in rows for r in _expand(row) if first <= r.seq <= last}


def all_stored_results(
    session: Session, device_ids: Iterable[uuid.UUID] | None = None
) -> dict[tuple[uuid.UUID, int], MutationResult]:
    """Every stored answer (of the given devices), by (device, seq): for checks and tests."""
    query = select(PushResultRow)
    if device_ids is not None:
        query = query.where(col(PushResultRow.device_id).in_(list(device_ids)))
    return {(row.device_id, r.seq): r for row in session.exec(query).all() for r in _expand(row)}


def _compact(result: MutationResult) -> Any:
    if result.status == "applied" and not (result.code or result.message or result.details):
        return result.entity_seq
    return {
        "status": result.status,
        "code": result.code,
        "message": result.message,
        "details": result.details,
        "entity_seq": result.entity_seq,
    }


def _expand(row: PushResultRow) -> list[MutationResult]:
    out = []
    for seq, stored in enumerate(row.results, start=row.first_seq):
        if stored is None or isinstance(stored, int):
            out.append(MutationResult(seq=seq, status="applied", entity_seq=stored))
        else:
            out.append(
                MutationResult(
                    seq=seq,
                    status=one_of(stored["status"], MUTATION_STATUSES),
                    code=stored["code"],
                    message=stored["message"],
                    details=stored["details"],
                    entity_seq=stored["entity_seq"],
                )
            )
    return out
