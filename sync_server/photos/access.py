"""Who may read which photo bytes, and what `missing` answers (PROTOCOL.md, Photos).

Bytes follow the photo's record, not knowledge of its hash. Hashes are not secrets (a pull
shows them, a photo row carries one), so a row pushed with someone else's hash proves
nothing. A caller reads the bytes of a sha256 only when

- they proved they hold them: their own upload of those bytes hashed right (`blob_holder`),
  or
- a live photo row they may see (the scope rules of pull, incl. the 暗访 embargo) references
  the hash and that row's author holds the bytes (`photo.blob_present`).

Every answer is the same whether or not someone else holds the hash: no existence oracle.
No web framework in here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.org.scope import Actor
from sync_server.photos.store import valid_sha
from sync_server.tables import Blob, BlobHolder, Photo, Rectification, Visit


def held(session: Session, user_id: uuid.UUID, hashes: list[str] | set[str]) -> set[str]:
    """Which of `hashes` this user has proven to hold (uploaded, hash verified)."""
    if not hashes:
        return set()
    return set(
        session.exec(
            select(BlobHolder.sha256).where(
                BlobHolder.user_id == user_id,
                col(BlobHolder.sha256).in_(list(hashes)),
            )
        ).all()
    )


def holds(session: Session, user_id: uuid.UUID, sha256: str) -> bool:
    return session.get(BlobHolder, (sha256, user_id)) is not None


def record_holder(session: Session, sha256: str, user_id: uuid.UUID, now: datetime) -> None:
    """The user's upload of these bytes hashed right: they hold them (idempotent)."""
    if not holds(session, user_id, sha256):
        session.add(BlobHolder(sha256=sha256, user_id=user_id, since=now))
        session.flush()


def stored_and_held(session: Session, user_id: uuid.UUID, sha256: str) -> bool:
    """What a new photo row's `blob_present` says: its author holds the stored bytes."""
    return session.get(Blob, sha256) is not None and holds(session, user_id, sha256)


def mark_present(
    session: Session, sha256: str, user_id: uuid.UUID, device_id: uuid.UUID | None = None
) -> None:
    """The user's photo rows with these bytes are now complete; pulls must learn it.
    Other authors' rows with the same hash stay as they are until they upload too.

    `device_id`: the device whose upload this is. It learns from the answer that its rows
    are present (PROTOCOL.md, Photos), so on a row only its own pushes changed this counts
    as its own write, not sent back to it (PROTOCOL.md, Pull); every other device pulls it.
    """
    changes = ChangeSet(session)
    by = str(device_id) if device_id is not None else ""
    for photo in session.exec(
        select(Photo).where(
            Photo.sha256 == sha256,
            Photo.uploaded_by == user_id,
            col(Photo.blob_present).is_(False),
        )
    ).all():
        photo.blob_present = True
        changes.touch(photo, (), by)
    changes.assign_seqs()


def visible_hashes(
    session: Session, actor: Actor, hashes: list[str], authored: bool = False
) -> set[str]:
    """Which of `hashes` belong to a live photo the caller may see; with `authored`, only
    photos whose author holds the stored bytes (the rows that make bytes readable)."""
    wanted = [h for h in set(hashes) if valid_sha(h)]
    if not wanted:
        return set()
    live = select(Photo.sha256).where(
        col(Photo.sha256).in_(wanted), col(Photo.deleted_at).is_(None)
    )
    if authored:
        live = live.where(col(Photo.blob_present).is_(True))
    found = set(session.exec(live.where(Photo.uploaded_by == actor.user_id)).all())
    if actor.role == "inspector":
        return found
    sites = actor.scope.site_ids
    if actor.role == "site_manager":
        return found | _action_evidence(session, live, sites)
    by_visit = live.join(Visit, col(Visit.id) == Photo.visit_id)
    by_rect = live.join(Rectification, col(Rectification.id) == Photo.rectification_id).join(
        Visit, col(Visit.id) == Rectification.visit_id
    )
    for query, site_col in ((by_visit, col(Visit.site_id)), (by_rect, col(Rectification.site_id))):
        if sites is not None:
            query = query.where(site_col.in_(sites))
        found |= set(session.exec(query).all())
    return found


def _action_evidence(session: Session, live: Any, sites: frozenset[uuid.UUID] | None) -> set[str]:
    """A site manager's view of other people's photos: only the inspector's evidence of the
    deducted items they must fix (the items a corrective action was raised from) on
    published visits at their sites. Their own after-photos come from `uploaded_by` above;
    passed items, visit-level photos, unpublished results and other managers' photos stay
    closed."""
    query = (
        live.join(Rectification, Rectification.finding_id == Photo.finding_id)
        .join(Visit, Visit.id == Rectification.visit_id)
        .where(
            Visit.status == "published",
            col(Rectification.deleted_at).is_(None),
            col(Photo.rectification_id).is_(None),
            Photo.uploaded_by == Visit.inspector_id,
        )
    )
    if sites is not None:
        query = query.where(col(Rectification.site_id).in_(sites))
    return set(session.exec(query).all())


def _own_hashes(session: Session, actor: Actor, hashes: list[str]) -> set[str]:
    return set(
        session.exec(
            select(Photo.sha256).where(
                col(Photo.sha256).in_(hashes),
                Photo.uploaded_by == actor.user_id,
                col(Photo.deleted_at).is_(None),
            )
        ).all()
    )


def present_for(session: Session, actor: Actor, hashes: list[str]) -> tuple[set[str], set[str]]:
    """(visible, present) for the caller. Present: stored, and for a hash of the caller's
    own photos only when the caller holds it (else they must upload it: 'missing', whoever
    else holds it); for other visible hashes when they are readable (an author holds them)."""
    visible = visible_hashes(session, actor, hashes)
    if not visible:
        return visible, set()
    stored = set(session.exec(select(Blob.sha256).where(col(Blob.sha256).in_(visible))).all())
    mine = held(session, actor.user_id, stored)
    own = _own_hashes(session, actor, list(stored))
    readable = visible_hashes(session, actor, list(stored - own), authored=True)
    return visible, (stored & mine) | (readable - own)


def check_readable(session: Session, actor: Actor, sha256: str) -> None:
    """The caller may read the blob: they hold its bytes or may see a photo whose author
    does; else blob.not_found (the same answer for absent, not uploaded yet, not yours, a
    hash only known, or a malformed hash). The caller then reads it from the store, where
    bytes missing are blob.not_found too."""
    if not valid_sha(sha256) or session.get(Blob, sha256) is None:
        raise DomainError(ProblemCode.BLOB_NOT_FOUND)
    if not holds(session, actor.user_id, sha256) and not visible_hashes(
        session, actor, [sha256], authored=True
    ):
        raise DomainError(ProblemCode.BLOB_NOT_FOUND)


def visit_evidence(visit: Visit) -> tuple[Any, ...]:
    """Where-clauses for a visit's evidence: the live photos its inspector took for it.
    After-photos belong to their rectification, never to the visit or a finding, so they
    never show (console, PDF, exports) as if the inspector had taken them."""
    return (
        Photo.visit_id == visit.id,
        col(Photo.rectification_id).is_(None),
        Photo.uploaded_by == visit.inspector_id,
        col(Photo.deleted_at).is_(None),
    )
