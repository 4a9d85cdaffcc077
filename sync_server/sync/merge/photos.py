"""Pushed photo rows and rectification answers.

A photo row may arrive before its bytes: it records the sha256 and the server notes
whether the blob is present (`blob_present`), so supervisors can see what is still missing.
Visit photos belong to the visit's inspector; after-photos of a rectification belong to
the site manager answering it and to the rectification only (never to the visit or a
finding: they must not show as the inspector's evidence).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.submission import check_rectification_answer
from fieldcore.workflow import MANAGER_EDITABLE, REVIEWERS, can_transition, check_photo_parent
from sync_server.org.scope import Actor
from sync_server.photos.access import stored_and_held
from sync_server.sync.merge.annotations import check_new_annotation
from sync_server.sync.merge.context import PushContext
from sync_server.sync.merge.fields import apply_values, checked_fields, create_row
from sync_server.sync.merge.photo_source import check_source
from sync_server.sync.merge.visits import denied, require_editable, visible_visit
from sync_server.tables import Finding, Photo, Rectification, Visit


def handle_photo(ctx: PushContext, m: Mutation) -> None:
    photo = ctx.rows.get(Photo, m.id)
    if photo is not None and photo.uploaded_by != ctx.actor.user_id:
        raise denied("photo", m.id)  # only its author writes a photo row
    if m.op == "delete":
        if photo is not None and photo.deleted_at is None:
            _require_parent_editable(ctx, photo)
            photo.deleted_at = ctx.now
            ctx.changes.touch(photo)
        return
    values = checked_fields(m, ctx.actor, photo is None, ctx.parsed)
    if photo is None:
        _new_photo(ctx, m, values)
    else:
        _require_parent_editable(ctx, photo)
        apply_values(ctx, photo, values, m, photo.visit_id)


def _new_photo(ctx: PushContext, m: Mutation, values: dict[str, Any]) -> Photo:
    actor = ctx.actor
    if actor.role == "inspector":
        visit = visible_visit(ctx, values.get("visit_id"))
        require_editable(visit, actor)
        finding = ctx.rows.get(Finding, values.get("finding_id"))
        check_photo_parent(
            actor.role,
            visit_id=visit.id,
            finding_id=values.get("finding_id"),
            finding_visit_id=finding.visit_id if finding is not None else None,
            rectification_id=values.get("rectification_id"),
        )
        check_source(ctx, visit, finding, values)  # camera-only evidence (fieldcore.evidence)
    else:  # site manager: an after-photo answering a rectification
        rect = visible_rectification(ctx, values.get("rectification_id"))
        if rect.status not in MANAGER_EDITABLE:
            raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
        check_photo_parent(  # the inspector's evidence is theirs alone
            actor.role,
            visit_id=values.get("visit_id"),
            finding_id=values.get("finding_id"),
            finding_visit_id=None,
            rectification_id=rect.id,
        )
    check_new_annotation(ctx, values)  # a marked-up copy names its original (issue 16)
    # present only when this author proved they hold the bytes: a hash seen elsewhere
    # (pull shows them) makes nothing readable (photos.access)
    present = stored_and_held(ctx.session, actor.user_id, values["sha256"])
    photo = create_row(
        ctx,
        Photo,
        m,
        values,
        uploaded_by=actor.user_id,
        blob_present=present,
    )
    if present:
        ctx.changes.touch(photo)  # not the default the device assumes: it must pull it
    return photo


def _require_parent_editable(ctx: PushContext, photo: Photo) -> None:
    if photo.rectification_id is not None:
        rect = visible_rectification(ctx, photo.rectification_id)
        if rect.status not in MANAGER_EDITABLE:
            raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
    else:
        require_editable(visible_visit(ctx, photo.visit_id), ctx.actor)


def may_see_rectification(rect: Rectification, visit: Visit | None, actor: Actor) -> bool:
    """Its site's reviewers; its site's managers once the visit is published."""
    if not actor.scope.sees_site(rect.site_id):
        return False
    if actor.role == "site_manager":
        return visit is not None and visit.status == "published"
    return actor.role in REVIEWERS


def visible_rectification(ctx: PushContext, rect_id: object) -> Rectification:
    rect = ctx.rows.get(Rectification, rect_id)
    visit = ctx.rows.get(Visit, rect.visit_id) if rect is not None else None
    if rect is None or not may_see_rectification(rect, visit, ctx.actor):
        raise denied("rectification", rect_id)
    return rect


def handle_rectification(ctx: PushContext, m: Mutation) -> None:
    if m.op == "delete":
        raise DomainError(
            ProblemCode.SYNC_DELETE_NOT_ALLOWED,
            "rectifications are closed, not deleted",
            entity="rectification",
        )
    rect = visible_rectification(ctx, m.id)
    values = checked_fields(m, ctx.actor, False, ctx.parsed)
    new_status = values.pop("status", None)
    if ctx.actor.role == "site_manager" and values and rect.status not in MANAGER_EDITABLE:
        raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
    apply_values(ctx, rect, values, m, rect.visit_id)
    if new_status is None or new_status == rect.status:
        return
    if not can_transition("rectification", rect.status, new_status, ctx.actor.role):
        raise DomainError(
            ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
            f"{rect.status} → {new_status}",
            old=rect.status,
            new=new_status,
        )
    if new_status == "submitted":
        _require_answer(ctx, rect)
        rect.responded_at = ctx.now
    elif new_status == "verified":
        rect.verified_at, rect.verified_by = ctx.now, ctx.actor.user_id
    rect.status = new_status
    ctx.changes.touch(rect, ["status", "responded_at", "verified_at", "verified_by"], ctx.device)
    if new_status in ("submitted", "verified"):
        ctx.changes.touch(rect)  # the server's times (and verifier): the device must pull them


def _require_answer(ctx: PushContext, rect: Rectification) -> None:
    """A site manager answers with a note and at least one after-photo."""
    ctx.rows.attach_new()
    photos = ctx.session.exec(
        select(Photo.id).where(Photo.rectification_id == rect.id, col(Photo.deleted_at).is_(None))
    ).all()
    check_rectification_answer(rect.response_note, len(photos))
