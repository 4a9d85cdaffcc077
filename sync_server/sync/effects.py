"""What a visit's status change sets in motion on the server.

submitted / resubmitted  completeness is checked (every item answered, a photo on every
                         failed item that requires one) and the score is computed by
                         fieldcore's engine — the server's score is the one that counts.
                         For a per-subject template (scoring.per_subject) each subject's
                         result is also kept in visit_subject_result, and the visit's
                         score_percent / score_grade stay empty: its pooled percent is not
                         the regulation's (it remains in the score JSON, for reference)
returned                 the inspector's phone reopens the visit (it pulls the status)
approved                 the score is recomputed and every deducted item becomes a
                         rectification (整改) with a due date by severity
published (通报)          the result and its rectifications become visible to the site's
                         managers: their change-log rows are re-stamped as published
voided                   needs a reason; the visit stays for the record
Used by sync merges and by the console alike, so both enforce the same rules.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from fieldcore import submission
from fieldcore.annotation import counts_as_evidence
from fieldcore.answers import AnswersError
from fieldcore.checklist import MODES
from fieldcore.findings import answers_from_findings
from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import ScoreCard
from fieldcore.scoring import score_raw
from sync_server.core.changeset import ChangeSet
from sync_server.tables import (
    Finding,
    Photo,
    Rectification,
    Visit,
    VisitSubjectResult,
    VisitTask,
)
from sync_server.templates.versions import get_template


def live_findings(session: Session, visit_id: uuid.UUID) -> list[Finding]:
    return list(
        session.exec(
            select(Finding).where(Finding.visit_id == visit_id, col(Finding.deleted_at).is_(None))
        ).all()
    )


def score_visit(session: Session, visit: Visit) -> ScoreCard:
    template = get_template(session, visit.template_key)
    mode = one_of(visit.mode, MODES)
    try:
        answers = answers_from_findings(live_findings(session, visit.id), template, mode)
        card = score_raw(template, answers, mode)
    except AnswersError as exc:  # findings are validated on push, so this means a bad row
        raise DomainError(ProblemCode.WORKFLOW_INCOMPLETE, str(exc), problems=exc.details) from exc
    visit.score = card.to_dict()
    visit.score_percent = None if card.per_subject else card.percent
    visit.score_grade = card.grade  # None under per_subject: no visit-level grade
    store_subject_results(session, visit, card)
    return card


def store_subject_results(session: Session, visit: Visit, card: ScoreCard) -> None:
    """Replace the visit's per-subject result rows with the card's (none unless the
    template scores each subject on its own)."""
    old = session.exec(
        select(VisitSubjectResult).where(VisitSubjectResult.visit_id == visit.id)
    ).all()
    for row in old:
        session.delete(row)
    if old:
        session.flush()  # the new rows reuse the primary keys
    if not card.per_subject:
        return
    template = get_template(session, visit.template_key)
    order = {s.code: n for n, s in enumerate(template.subjects)}
    for s in card.subjects:
        session.add(
            VisitSubjectResult(
                visit_id=visit.id,
                subject_code=s.code,
                title=s.title,
                position=order.get(s.code, len(order)),
                score=s.score,
                max=s.max,
                percent=s.percent,
                grade=s.grade,
                passed=s.passed,
                veto=s.veto,
            )
        )


def check_complete(session: Session, visit: Visit, card: ScoreCard) -> None:
    """Refuse to submit a visit with unanswered items or failed items missing their photo."""
    template = get_template(session, visit.template_key)
    photos = session.exec(
        select(Photo.finding_id, Photo.kind).where(
            Photo.visit_id == visit.id, col(Photo.deleted_at).is_(None)
        )
    ).all()
    with_photo = {finding for finding, kind in photos if counts_as_evidence(kind)}
    findings = live_findings(session, visit.id)
    missing = submission.missing_photos(findings, with_photo, template, one_of(visit.mode, MODES))
    submission.check_complete(card, missing)


def on_status_change(
    session: Session,
    changes: ChangeSet,
    visit: Visit,
    old: str,
    new: str,
    actor_id: uuid.UUID,
    now: datetime,
) -> None:
    """Apply the effects of `old → new` (already validated against the transition table)."""
    if new in ("submitted", "resubmitted"):
        check_complete(session, visit, score_visit(session, visit))
        visit.submitted_at = now
        changes.touch(visit, ["submitted_at", "score"])
        _finish_task(session, changes, visit)
    elif new == "returned":
        _reviewed(changes, visit, actor_id, now)
    elif new == "approved":
        score_visit(session, visit)
        _reviewed(changes, visit, actor_id, now)
        changes.touch(visit, ["score"])
        _raise_rectifications(session, changes, visit, now)
    elif new == "published":
        visit.published_at = now
        changes.touch(visit, ["published_at"])
        _republish_children(session, changes, visit)
    elif new == "voided":
        if not visit.void_reason.strip():
            raise DomainError(ProblemCode.SYNC_MISSING_FIELD, "void_reason", field="void_reason")
        _reviewed(changes, visit, actor_id, now)
        if old == "published":  # site managers must see that a published result was voided
            _republish_children(session, changes, visit)


def _reviewed(changes: ChangeSet, visit: Visit, actor_id: uuid.UUID, now: datetime) -> None:
    visit.reviewed_by = actor_id
    visit.reviewed_at = now
    changes.touch(visit, ["reviewed_by", "reviewed_at"])


def _finish_task(session: Session, changes: ChangeSet, visit: Visit) -> None:
    task = session.get(VisitTask, visit.task_id) if visit.task_id else None
    if task is not None and task.status == "open":
        task.status = "done"
        task.visit_id = visit.id
        changes.touch(task)


def _raise_rectifications(
    session: Session, changes: ChangeSet, visit: Visit, now: datetime
) -> None:
    template = get_template(session, visit.template_key)
    items = {i.code: (template.item_subject(c, i), i) for c, i in template.iter_items()}
    for finding in live_findings(session, visit.id):
        if finding.result != "fail" or finding.item_code not in items:
            continue
        exists = session.exec(
            select(Rectification).where(Rectification.finding_id == finding.id)
        ).first()
        if exists is not None:
            continue  # approved again after a return: keep the action already raised
        subject, item = items[finding.item_code]
        days = template.rectification_days.get(item.severity, 14)
        rect = Rectification(
            visit_id=visit.id,
            finding_id=finding.id,
            site_id=visit.site_id,
            item_code=item.code,
            subject_code=subject,
            severity=item.severity,
            due_date=(now + timedelta(days=days)).date(),
            instructions=item.text,
            created_at=now,
        )
        session.add(rect)
        changes.touch(rect)


def _republish_children(session: Session, changes: ChangeSet, visit: Visit) -> None:
    """Re-stamp a visit's findings, photos and rectifications so audiences see the change."""
    for model in (Finding, Photo, Rectification):
        for row in session.exec(select(model).where(model.visit_id == visit.id)).all():
            changes.touch(row)
    rect_ids = select(Rectification.id).where(Rectification.visit_id == visit.id)
    for photo in session.exec(select(Photo).where(col(Photo.rectification_id).in_(rect_ids))).all():
        changes.touch(photo)
