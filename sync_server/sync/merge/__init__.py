"""Apply a device's pushed mutations to the central database, exactly once, in one transaction.

Steps (sync-design §2.4; PROTOCOL.md §Push):
1. Lock the device row; its `last_mutation_seq` is the idempotency high-water mark.
2. The batch must be contiguous; a first seq beyond last+1 is a gap (refused, nothing done).
3. A mutation at or below the mark was applied before: its stored result is returned as is.
4. Each new mutation is authorised (row and every parent in scope, fields owned by the
   role, workflow state), validated and applied per field with last-arrival-wins. A
   rejection undoes only that mutation and is stored as its result with a problem code,
   so a poison mutation never blocks the queue — also when the database or Python
   refuses one of its values (merge/poison.py: `sync.invalid_value`).
5. Seqs are assigned last (ChangeSet), results and the new mark are written, and the whole
   push commits together — effects, results and mark, or nothing.

Speed (issue 15): the batch first runs optimistically inside one savepoint with its rows
prefetched. Only when a mutation is rejected does it run again, mutation by mutation, each
in its own savepoint — the price of isolation is paid only by batches that need it. New
rows are inserted with one statement per table and the change log with one upsert
(ChangeSet), leaving out columns NULL in every row; both run the statement compiled once
per shape with each column's bind processor fetched once (core/bulk.py), not SQLAlchemy's
per-row parameter building — on PostgreSQL as one INSERT … SELECT FROM unnest(arrays),
elsewhere one executemany — and a visit's change-log audience is worked out once for all
its rows (core/audience.py). The results are one row per push (merge/results.py). Work
fixed per push is done once: each distinct answer to an item is checked once per process
(visits.checked_answer), new rows are built from their model's plan (tables/base.new_row),
an applied result is made once its seq is known. The route parses and authenticates
before it takes the SQLite writer and serialises the answer after it, so the writer is
held only for this function and the commit. While the app serves, its start-up heap is
frozen out of the garbage collector's full passes (main.py), which the many rows a push
keeps alive used to trigger. Later (issue 15, 2026-12-03, each measured in CPU time): the
row cache loads rows by one cached expanding-IN statement per model and keys them by the
id's int (hashing a UUID runs Python code); the seq counter's UPDATE goes to the driver
compiled once (core/seqs.py); JSON columns are serialised by one prebuilt C encoder
(core/jsontext.py); new rows are built without SQLModel's __new__; the bulk writer
converts a value many rows share (a visit's audience, one writer map per shape) once.
Then (2026-12-04, ≈ 25 fewer Python calls a mutation): a push's fields are validated with
one call per entity and its applied results made by one (pydantic TypeAdapters); a
visit's fixed facts are read once per push (context.VisitFacts); the ChangeSet keys rows
by their id's int; values the ORM holds loaded are read from the row's __dict__ on the
hot paths (a new finding's answer, stamping, audiences).
On PostgreSQL (2026-12-04, issue 15 §3): the row look-ups are planned each time
(context._by_ids: a generic plan kept from a small table scanned every finding, ≈ 3 ms of
server CPU a push after 150 pushes on a fresh database); the savepoint's RELEASE, the
results and the device's mark, none of them read, go as one batch after the conflicts'
flush: 12 round trips a one-visit push → 10 (strace: recvfrom per push).
What is left is spread thin over per-row ORM work (instance, row cache, ChangeSet entry),
the prefetch's ORM query (≈ 1.5 µs an id, most of it SQLAlchemy's binding of the
expanding IN, also for ids that do not exist yet), the bulk insert's own conversions and
the fixed cost per push (the device's and template's reads and the device's UPDATE, by
statements built once; the commit).
No web framework here: routes call `apply_push` with an open write session.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import (
    Mutation,
    MutationResult,
    PushRequest,
    PushResponse,
)
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import pipeline
from sync_server.org.scope import Actor
from sync_server.sync.merge.context import MODELS, PushContext
from sync_server.sync.merge.fields import Conflicts, parse_batch
from sync_server.sync.merge.photos import handle_photo, handle_rectification
from sync_server.sync.merge.poison import clean, clean_message, invalid_value, is_bad_value
from sync_server.sync.merge.results import store_results, stored_results
from sync_server.sync.merge.visits import handle_finding, handle_visit
from sync_server.tables import ChangeLog, Device

HANDLERS: dict[str, Callable[[PushContext, Mutation], None]] = {
    "visit": handle_visit,
    "finding": handle_finding,
    "photo": handle_photo,
    "rectification": handle_rectification,
}

__all__ = ["Actor", "apply_push"]


class _Rejected(Exception):
    """The optimistic pass met a rejection: start over with per-mutation savepoints."""


def apply_push(session: Session, actor: Actor, request: PushRequest, now: datetime) -> PushResponse:
    """Apply the batch and return one result per mutation (see module docstring).

    Raises:
        DomainError: sync.batch_not_contiguous or sync.mutation_gap (nothing applied).
    """
    last = session.execute(_LOCK_DEVICE, {"id": actor.device_id}).scalar_one()
    mutations = request.mutations
    _check_batch(mutations, last)
    fresh = [m for m in mutations if m.seq > last]
    optimistic = session.begin_nested()  # released with the results (below)
    try:
        ctx, applied = _run(session, actor, now, fresh, isolate=False)
        ctx.changes.assign_seqs()  # before the first flush: rows are inserted once
    except Exception as exc:
        optimistic.rollback()
        if not isinstance(exc, _Rejected) and not is_bad_value(exc):
            raise  # a server failure or a bug: nothing is consumed
        ctx, applied = _run(session, actor, now, fresh, isolate=True)
        ctx.changes.assign_seqs()
    ctx.conflicts.write(session, ctx.changes, actor)
    stored = (
        stored_results(session, actor.device_id, mutations[0].seq, min(last, mutations[-1].seq))
        if mutations
        else {}
    )
    results = [
        stored.get(m.seq) or MutationResult(seq=m.seq, status="applied")
        for m in mutations
        if m.seq <= last  # the batch is contiguous: these come first
    ] + _answers(ctx.changes, fresh, applied)
    mark = max(last, mutations[-1].seq) if mutations else last
    session.flush()  # the conflicts: what is left returns nothing, and goes as one batch
    with pipeline(session):  # on PostgreSQL one round trip, not three
        if optimistic.is_active:
            optimistic.commit()  # RELEASE SAVEPOINT
        store_results(session, actor.device_id, [r for r in results if r.seq > last], now)
        session.execute(_MARK_DEVICE, {"device": actor.device_id, "mark": mark, "now": now})
    return PushResponse(last_mutation_seq=mark, results=results, server_time=now)


# The device row by Core statements built once: locked as the push starts (its mark is the
# idempotency check), its new mark written as it ends. As ORM reads and a flush they cost
# ≈ 0.3–0.5 ms more CPU a push (measured in a loop, issue 15), every push paying them.
_DEVICE = Device.__table__
_LOCK_DEVICE = (
    sa.select(_DEVICE.c.last_mutation_seq)
    .where(_DEVICE.c.id == sa.bindparam("id"))
    .with_for_update()
)
_MARK_DEVICE = (
    _DEVICE.update()
    .where(_DEVICE.c.id == sa.bindparam("device"))
    .values(last_mutation_seq=sa.bindparam("mark"), last_seen_at=sa.bindparam("now"))
)


def _run(
    session: Session, actor: Actor, now: datetime, mutations: list[Mutation], isolate: bool
) -> tuple[PushContext, dict[int, MutationResult | None]]:
    """Apply `mutations`; by seq, the rejection of each one refused (None: applied — its
    result is made once its entity seq is known)."""
    ctx = PushContext(session, actor, ChangeSet(session), Conflicts(), now)
    ctx.rows.isolated = isolate
    ctx.rows.prefetch(mutations)
    ctx.parsed = parse_batch(mutations)
    results: dict[int, MutationResult | None] = {}
    for m in mutations:
        if not isolate:
            try:
                HANDLERS[m.entity](ctx, m)
            except DomainError as exc:
                raise _Rejected from exc
            results[m.seq] = None
        else:
            results[m.seq] = _isolated(ctx, m)
    return ctx, results


def _isolated(ctx: PushContext, m: Mutation) -> MutationResult | None:
    marks = ctx.changes.checkpoint(), ctx.rows.checkpoint(), len(ctx.conflicts.pending)
    try:
        with ctx.session.begin_nested():
            HANDLERS[m.entity](ctx, m)
            ctx.session.flush()
    except Exception as exc:
        if not isinstance(exc, DomainError) and not is_bad_value(exc):
            raise  # a server failure or a bug: nothing is consumed
        error = exc if isinstance(exc, DomainError) else invalid_value(m, exc)
        ctx.changes.rollback_to(marks[0])
        ctx.rows.rollback_to(marks[1])
        del ctx.conflicts.pending[marks[2] :]
        _send_back(ctx, m)
        problem = error.to_problem()
        return MutationResult(
            seq=m.seq,
            status="rejected",
            code=problem["code"],
            message=clean_message(problem["message"]),
            details=clean(_plain(error.details)),
        )
    return None


def _send_back(ctx: PushContext, m: Mutation) -> None:
    """The device shows its rejected change already: make sure its next pull brings the
    row as the server holds it, also when only this device's pushes ever changed the row
    (pull leaves those out, PROTOCOL.md §Pull) — such a row is re-stamped, shared."""
    row = ctx.rows.get(MODELS[m.entity], m.id)
    if row is None:
        return  # never created: nothing to send
    if ctx.changes.entry(m.entity, m.id) is None:
        with ctx.session.no_autoflush:
            log = ctx.session.get(ChangeLog, (m.entity, str(m.id)))
        if log is None or log.device_id != ctx.actor.device_id:
            return  # pulled like any other change (or not the caller's to see)
    ctx.changes.touch(row)


_RESULTS = TypeAdapter(list[MutationResult])


def _answers(
    changes: ChangeSet, fresh: list[Mutation], refused: dict[int, MutationResult | None]
) -> list[MutationResult]:
    """The answers to the new mutations, in order: a refused one's rejection, an applied
    one's result with its row's new seq (none if it changed nothing, e.g. deleting a row
    that never arrived). The applied ones are made by one validation of the whole list,
    not a model's __init__ each (≈ 0.4 µs a mutation, issue 15)."""
    made = iter(
        _RESULTS.validate_python(
            [
                {"seq": m.seq, "status": "applied", "entity_seq": _entity_seq(changes, m)}
                for m in fresh
                if refused[m.seq] is None
            ]
        )
    )
    return [refused[m.seq] or next(made) for m in fresh]


def _entity_seq(changes: ChangeSet, m: Mutation) -> int | None:
    entry = changes.entry(m.entity, m.id)
    return entry.seq if entry else None


def _check_batch(mutations: list[Mutation], last: int) -> None:
    if any(b.seq != a.seq + 1 for a, b in itertools.pairwise(mutations)):
        raise DomainError(
            ProblemCode.SYNC_BATCH_NOT_CONTIGUOUS,
            "mutation seqs must increase by exactly 1 within a push",
        )
    if mutations and mutations[0].seq > last + 1:
        raise DomainError(
            ProblemCode.SYNC_MUTATION_GAP,
            f"expected seq {last + 1}",
            expected=last + 1,
            got=mutations[0].seq,
            last_mutation_seq=last,
        )


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v if isinstance(v, str | int | float | bool | list | dict | type(None)) else str(v))
        for k, v in details.items()
    }
