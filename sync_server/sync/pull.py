"""Pull: the changes after a cursor that the caller may see, one consistent page at a time.

Audience rules (PROTOCOL.md §Scope), on the change-log columns:
admin         everything
supervisor    templates, and everything at the sites of their regions and sites
inspector     templates, the sites and subjects of their scope, their own visits (and
              their findings, photos, rectifications) and the tasks assigned to them
site_manager  templates, their sites and subjects, and at their sites: published visits
              and their findings, photos and rectifications, and announced (明查) tasks;
              never a covert (暗访) task, never an unpublished result
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.literals import one_of
from fieldcore.protocol import PULLED_ENTITIES, Change, PullResponse
from sync_server.core.db import read_session
from sync_server.core.seqs import pull_bound
from sync_server.org.scope import Scope
from sync_server.sync.serialize import load_rows
from sync_server.tables import ChangeLog, ServerMeta

PUBLIC = ("template",)
SITE_DATA = ("site", "subject")
RESULTS = ("visit", "finding", "photo", "rectification")
# appended to the epoch of the pages of a re-download after a reset (see pull_page)
REFEED = "~refeed"


def audience_filter(scope: Scope) -> Any:
    log = ChangeLog
    public = col(log.entity).in_(PUBLIC)
    if scope.site_ids is None:
        return sa.true()
    in_sites = col(log.site_id).in_(scope.site_ids)
    if scope.role == "supervisor":
        return sa.or_(public, in_sites)
    if scope.role == "inspector":
        own = sa.and_(
            col(log.owner_id) == scope.user_id, col(log.entity).in_((*RESULTS, "visit_task"))
        )
        return sa.or_(public, sa.and_(in_sites, col(log.entity).in_(SITE_DATA)), own)
    if scope.role == "site_manager":
        visible = sa.or_(
            col(log.entity).in_(SITE_DATA),
            sa.and_(col(log.entity).in_(RESULTS), col(log.published).is_(True)),
            sa.and_(col(log.entity) == "visit_task", col(log.covert).is_(False)),
        )
        return sa.or_(public, sa.and_(in_sites, visible))
    return sa.false()


def pull(
    engine: sa.Engine,
    scope: Scope,
    cursor: int,
    epoch: str | None,
    limit: int,
    now: datetime,
    device_id: uuid.UUID | None = None,
) -> PullResponse:
    """The next page, read from one snapshot and never past a seq still in flight: the
    bound is read first, in a transaction of its own (core/seqs.py says why)."""
    bound = pull_bound(engine)
    with read_session(engine) as session:
        return pull_page(session, scope, cursor, epoch, limit, now, device_id, bound)


def pull_page(
    session: Session,
    scope: Scope,
    cursor: int,
    epoch: str | None,
    limit: int,
    now: datetime,
    device_id: uuid.UUID | None = None,
    bound: int | None = None,
) -> PullResponse:
    """The next page after `cursor`; a reset page from 0 when the epoch no longer matches.

    `bound` (PostgreSQL: `seqs.pull_bound`, read before this session's snapshot) is the
    highest seq the page may hold: above it a transaction may still be in flight.

    The client sends back the `epoch` of its last page; a different one (another server
    database, changed assignments) or a cursor below the purge horizon means its copy can
    no longer be patched, so it gets `reset: true` and the feed from the start.

    Rows that only `device_id`'s own pushes ever changed (change_log.device_id) are not
    sent to it — it has them — but the cursor moves past them. Except in a re-download
    after a reset, which dropped the device's copy: its epoch carries REFEED until the
    feed is through, and every row comes.
    """
    base, refeed = _read_epoch(epoch)
    reset = cursor > 0 and (base != scope.epoch or cursor < _purged_below(session))
    start = 0 if reset else cursor
    refeed = reset or (refeed and base == scope.epoch)
    own = None if refeed else device_id
    visible = [col(ChangeLog.seq) > start, audience_filter(scope)]
    if bound is not None:
        visible.append(col(ChangeLog.seq) <= bound)
    query = select(ChangeLog).where(*visible)
    top = start
    if own is not None:
        # The newest visible seq first, and the page bounded by it: nothing up to `top` is
        # in flight (the counter's commit order, or `bound`), so the page's own statement
        # sees all of it, and jumping the cursor to `top` below skips only the device's own
        # rows — a bound taken after the page could pass over a row committed in between.
        newest = session.exec(select(sa.func.max(ChangeLog.seq)).where(*visible)).one()
        top = newest or start
        query = query.where(
            col(ChangeLog.seq) <= top, col(ChangeLog.device_id).is_distinct_from(own)
        )
    logs = session.exec(query.order_by(col(ChangeLog.seq)).limit(limit + 1)).all()
    has_more = len(logs) > limit
    logs = logs[:limit]
    rows = load_rows(session, [(log.entity, log.entity_id) for log in logs if not log.deleted])
    changes = []
    for log in logs:
        data = rows.get((log.entity, log.entity_id))
        changes.append(
            Change(
                entity=one_of(log.entity, PULLED_ENTITIES),
                id=log.entity_id,
                seq=log.seq,
                deleted=log.deleted or data is None,
                data=data,
            )
        )
    next_cursor = logs[-1].seq if logs else start
    if own is not None and not has_more:  # past the device's own rows after the last sent
        next_cursor = max(next_cursor, top)
    return PullResponse(
        changes=changes,
        next_cursor=next_cursor,
        has_more=has_more,
        reset=reset,
        epoch=scope.epoch + REFEED if refeed and has_more else scope.epoch,
        server_time=now,
    )


def _read_epoch(epoch: str | None) -> tuple[str | None, bool]:
    """The scope epoch a client sent back, and whether it is still re-downloading."""
    if epoch is not None and epoch.endswith(REFEED):
        return epoch.removesuffix(REFEED), True
    return epoch, False


def _purged_below(session: Session) -> int:
    row = session.get(ServerMeta, "purged_below")
    return int(row.value) if row else 0
