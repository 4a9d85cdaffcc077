"""Apply a device's pushed mutations to the central database, exactly once, in one transaction.

Steps (sync-design §2.4; PROTOCOL.md §Push):
1. Lock the device row; its `last_mutation_seq` is the idempotency high-water mark.
2. The batch must be contiguous; a first seq beyond last+1 is a gap (refused, nothing done).
3. A mutation at or below the mark was applied before: its stored result is returned as is.
4. Each new mutation runs in a savepoint: authorised (row and every parent in scope, fields
   owned by the role, workflow state), validated, applied per field with last-arrival-wins.
   A rejection rolls back only that mutation and is stored as its result with a problem
   code, so a poison mutation never blocks the queue.
5. Seqs are assigned last (ChangeSet), results and the new mark are written, and the whole
   push commits together — effects, results and mark, or nothing.
No web framework here: routes call `apply_push` with an open write session.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation, MutationResult, PushRequest, PushResponse
from sync_server.changeset import ChangeSet
from sync_server.merge.fields import Actor, Conflicts
from sync_server.merge.photos import handle_photo, handle_rectification
from sync_server.merge.visits import handle_finding, handle_visit
from sync_server.tables import Device, MutationResultRow

Handler = Callable[[Session, Mutation, Actor, ChangeSet, Conflicts, datetime], None]
HANDLERS: dict[str, Handler] = {
    "visit": handle_visit,
    "finding": handle_finding,
    "photo": handle_photo,
    "rectification": handle_rectification,
}

__all__ = ["Actor", "apply_push"]


def apply_push(session: Session, actor: Actor, request: PushRequest, now: datetime) -> PushResponse:
    """Apply the batch and return one result per mutation (see module docstring).

    Raises:
        DomainError: sync.batch_not_contiguous or sync.mutation_gap (nothing applied).
    """
    device = session.get(Device, actor.device_id, with_for_update=True, populate_existing=True)
    assert device is not None
    mutations = request.mutations
    _check_batch(mutations, device.last_mutation_seq)
    stored = _stored_results(session, device, mutations)
    changes, conflicts = ChangeSet(session), Conflicts()
    outcomes: list[tuple[Mutation, MutationResult, tuple[str, str] | None]] = []
    for m in mutations:
        if m.seq <= device.last_mutation_seq:
            outcomes.append((m, stored.get(m.seq) or _forgotten(m), None))
            continue
        outcomes.append((m, *_apply_one(session, m, actor, changes, conflicts, now)))
    changes.assign_seqs()
    conflicts.write(session, changes, actor)
    results = []
    for m, result, key in outcomes:
        if key is not None:
            result.entity_seq = changes.touched[key].seq if key in changes.touched else None
        if m.seq > device.last_mutation_seq:
            session.add(
                MutationResultRow(
                    device_id=device.id,
                    seq=m.seq,
                    status=result.status,
                    code=result.code,
                    message=result.message,
                    details=result.details,
                    entity_seq=result.entity_seq,
                )
            )
        results.append(result)
    if mutations:
        device.last_mutation_seq = max(device.last_mutation_seq, mutations[-1].seq)
    device.last_seen_at = now
    return PushResponse(
        last_mutation_seq=device.last_mutation_seq, results=results, server_time=now
    )


def _apply_one(
    session: Session,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    conflicts: Conflicts,
    now: datetime,
) -> tuple[MutationResult, tuple[str, str] | None]:
    checkpoint = changes.checkpoint(), len(conflicts.pending)
    try:
        with session.begin_nested():
            HANDLERS[m.entity](session, m, actor, changes, conflicts, now)
            session.flush()
    except DomainError as exc:
        changes.rollback_to(checkpoint[0])
        del conflicts.pending[checkpoint[1] :]
        problem = exc.to_problem()
        return MutationResult(
            seq=m.seq,
            status="rejected",
            code=problem["code"],
            message=problem["message"],
            details=_plain(exc.details),
        ), None
    return MutationResult(seq=m.seq, status="applied"), (m.entity, str(m.id))


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


def _stored_results(
    session: Session, device: Device, mutations: list[Mutation]
) -> dict[int, MutationResult]:
    seqs = [m.seq for m in mutations if m.seq <= device.last_mutation_seq]
    if not seqs:
        return {}
    rows = session.exec(
        select(MutationResultRow).where(
            MutationResultRow.device_id == device.id, MutationResultRow.seq.in_(seqs)
        )
    ).all()  # type: ignore[attr-defined]
    return {
        r.seq: MutationResult(
            seq=r.seq,
            status=r.status,
            code=r.code,  # type: ignore[arg-type]
            message=r.message,
            details=r.details,
            entity_seq=r.entity_seq,
        )
        for r in rows
    }


def _forgotten(m: Mutation) -> MutationResult:
    """A resend of a mutation applied so long ago that its result was purged."""
    return MutationResult(seq=m.seq, status="applied")


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v if isinstance(v, str | int | float | bool | list | dict | type(None)) else str(v))
        for k, v in details.items()
    }
