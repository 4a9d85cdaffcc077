"""Pushed photo rows and rectification answers.

A photo row may arrive before its bytes: it records the sha256 and the server notes
whether the blob is present (`blob_present`), so supervisors can see what is still missing.
Visit photos belong to the visit's inspector; after-photos of a rectification belong to
the site manager answering it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.workflow import REVIEWERS, can_transition
from sync_server.changeset import ChangeSet
from sync_server.merge.fields import Actor, Conflicts, apply_values, checked_fields
from sync_server.merge.visits import denied, require_editable, visible_visit
from sync_server.tables import Blob, Finding, Photo, Rectification, Visit

MANAGER_EDITABLE = frozenset({"open", "reopened"})


def handle_photo(
    session: Session,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    conflicts: Conflicts,
    now: datetime,
) -> None:
    photo = session.get(Photo, m.id)
    if photo is not None and photo.uploaded_by != actor.user_id:
        raise denied("photo", m.id)  # only its author writes a photo row
    if m.op == "delete":
        if photo is not None and photo.deleted_at is None:
            _require_parent_editable(session, photo, actor)
            photo.deleted_at = now
            changes.touch(photo)
        return
    creating = photo is None
    values = checked_fields(m, actor, creating)
    if photo is None:
        photo = _new_photo(session, m, values, actor)
    else:
        _require_parent_editable(session, photo, actor)
    apply_values(photo, values, m, actor, changes, conflicts, photo.visit_id, creating)


def _new_photo(session: Session, m: Mutation, values: dict, actor: Actor) -> Photo:
    photo = Photo(
        id=m.id, sha256=values["sha256"], byte_size=values["byte_size"], uploaded_by=actor.user_id
    )
    if actor.role == "inspector":
        visit = visible_visit(session, values.get("visit_id"), actor)
        require_editable(visit, actor)
        finding_id = values.get("finding_id")
        if finding_id is not None:
            finding = session.get(Finding, finding_id)
            if finding is None or finding.visit_id != visit.id:
                raise denied("finding", finding_id)
        if values.get("rectification_id") is not None:
            raise DomainError(
                ProblemCode.SYNC_FIELD_NOT_OWNED,
                "rectification_id",
                field="rectification_id",
                role=actor.role,
            )
    else:  # site manager: an after-photo answering a rectification
        rect = visible_rectification(session, values.get("rectification_id"), actor)
        if rect.status not in MANAGER_EDITABLE:
            raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
        if values.get("visit_id") not in (None, rect.visit_id) or values.get("finding_id"):
            raise denied("visit", values.get("visit_id"))
    photo.blob_present = session.get(Blob, values["sha256"]) is not None
    session.add(photo)
    return photo


def _require_parent_editable(session: Session, photo: Photo, actor: Actor) -> None:
    if photo.rectification_id is not None:
        rect = visible_rectification(session, photo.rectification_id, actor)
        if rect.status not in MANAGER_EDITABLE:
            raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
    else:
        require_editable(visible_visit(session, photo.visit_id, actor), actor)


def visible_rectification(session: Session, rect_id: object, actor: Actor) -> Rectification:
    """A rectification its site's reviewers see, and its site's managers once published."""
    rect = session.get(Rectification, rect_id) if rect_id is not None else None
    if rect is None or not actor.scope.sees_site(rect.site_id):
        raise denied("rectification", rect_id)
    if actor.role == "site_manager":
        visit = session.get(Visit, rect.visit_id)
        if visit is None or visit.status != "published":
            raise denied("rectification", rect_id)
    elif actor.role not in REVIEWERS:
        raise denied("rectification", rect_id)
    return rect


def handle_rectification(
    session: Session,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    conflicts: Conflicts,
    now: datetime,
) -> None:
    if m.op == "delete":
        raise DomainError(
            ProblemCode.SYNC_DELETE_NOT_ALLOWED,
            "rectifications are closed, not deleted",
            entity="rectification",
        )
    rect = visible_rectification(session, m.id, actor)
    values = checked_fields(m, actor, creating=False)
    new_status = values.pop("status", None)
    if actor.role == "site_manager" and values and rect.status not in MANAGER_EDITABLE:
        raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
    apply_values(rect, values, m, actor, changes, conflicts, rect.visit_id, creating=False)
    if new_status is None or new_status == rect.status:
        return
    if not can_transition("rectification", rect.status, new_status, actor.role):
        raise DomainError(
            ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
            f"{rect.status} → {new_status}",
            old=rect.status,
            new=new_status,
        )
    if new_status == "submitted":
        _require_answer(session, rect)
        rect.responded_at = now
    elif new_status == "verified":
        rect.verified_at, rect.verified_by = now, actor.user_id
    rect.status = new_status
    changes.touch(
        rect, ["status", "responded_at", "verified_at", "verified_by"], str(actor.device_id)
    )


def _require_answer(session: Session, rect: Rectification) -> None:
    """A site manager answers with a note and at least one after-photo."""
    photos = session.exec(
        select(Photo.id).where(Photo.rectification_id == rect.id, Photo.deleted_at.is_(None))
    ).all()  # type: ignore[union-attr]
    missing = [
        f
        for f, ok in (("response_note", rect.response_note.strip()), ("after_photo", photos))
        if not ok
    ]
    if missing:
        raise DomainError(ProblemCode.WORKFLOW_INCOMPLETE, ", ".join(missing), missing=missing)
