"""A site manager's answer to a corrective action (整改): note and after-photos, with the
server's rules (fieldcore.workflow, fieldcore.submission) checked on the phone."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.store.outbox import record
from fieldapp.store.tables import PhotoRow, RectificationRow
from fieldcore import submission
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import MANAGER_EDITABLE


def editable_rectification(session: Session, rect_id: uuid.UUID) -> RectificationRow:
    """A rectification whose answer (note, after-photos) the site manager may still change.

    Raises:
        DomainError: scope.denied, workflow.locked (`details.status`).
    """
    rect = session.get(RectificationRow, rect_id)
    if rect is None or rect.deleted:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="rectification", id=str(rect_id))
    if rect.status not in MANAGER_EDITABLE:
        raise DomainError(ProblemCode.WORKFLOW_LOCKED, rect.status, status=rect.status)
    return rect


def answer_rectification(
    session: Session, now: datetime, rect_id: uuid.UUID, response_note: str, submit: bool = False
) -> RectificationRow:
    """A site manager's answer: a note (and, to submit, at least one after-photo)."""
    rect = editable_rectification(session, rect_id)
    fields: dict[str, Any] = {}
    if response_note != rect.response_note:
        fields["response_note"] = response_note
    if submit:
        photos = session.exec(
            select(PhotoRow.id).where(
                PhotoRow.rectification_id == rect_id, col(PhotoRow.deleted).is_(False)
            )
        ).all()
        submission.check_rectification_answer(response_note, len(photos))
        fields["status"] = "submitted"
    if fields:
        record(session, "rectification", rect, fields, now)
    return rect
