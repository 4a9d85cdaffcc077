"""Pushed visits and findings: scope, workflow lock, status transitions, answer validation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from fieldcore.answers import AnswersError, parse_answers
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.workflow import INSPECTOR_EDITABLE, REVIEWERS, can_transition, finding_id
from sync_server import effects
from sync_server.changeset import ChangeSet
from sync_server.merge.fields import Actor, Conflicts, apply_values, checked_fields
from sync_server.tables import Finding, Photo, Subject, Visit, VisitTask
from sync_server.templates import get_template


def denied(entity: str, row_id: object) -> DomainError:
    return DomainError(ProblemCode.SCOPE_DENIED, entity=entity, id=str(row_id))


def visible_visit(session: Session, visit_id: object, actor: Actor) -> Visit:
    """The visit if the actor may see it: its inspector, or a reviewer of its site."""
    visit = session.get(Visit, visit_id) if visit_id is not None else None
    if visit is None:
        raise denied("visit", visit_id)
    own = actor.role == "inspector" and visit.inspector_id == actor.user_id
    reviews = actor.role in REVIEWERS and actor.scope.sees_site(visit.site_id)
    if not (own or reviews):
        raise denied("visit", visit_id)
    return visit


def require_editable(visit: Visit, actor: Actor) -> None:
    if actor.role == "inspector" and visit.status not in INSPECTOR_EDITABLE:
        raise DomainError(
            ProblemCode.WORKFLOW_LOCKED, visit.status, status=visit.status, visit_id=str(visit.id)
        )
    if visit.deleted_at is not None:
        raise DomainError(ProblemCode.SYNC_ROW_DELETED, entity="visit", id=str(visit.id))


def handle_visit(
    session: Session,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    conflicts: Conflicts,
    now: datetime,
) -> None:
    visit = session.get(Visit, m.id)
    creating = visit is None
    if creating and actor.role != "inspector":
        raise denied("visit", m.id)
    if m.op == "delete":
        _delete_visit(session, visit, m, actor, changes, now)
        return
    values = checked_fields(m, actor, creating)
    new_status = values.pop("status", None)
    if creating:
        visit = _new_visit(session, m, values, actor)
    else:
        assert visit is not None
        visit = visible_visit(session, m.id, actor)
        if visit.deleted_at is not None:
            raise DomainError(ProblemCode.SYNC_ROW_DELETED, entity="visit", id=str(m.id))
        if values and actor.role == "inspector":
            require_editable(visit, actor)
    apply_values(visit, values, m, actor, changes, conflicts, visit.id, creating)
    if new_status is not None and new_status != visit.status:
        old = visit.status
        if not can_transition("visit", old, new_status, actor.role):
            raise DomainError(
                ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
                f"{old} → {new_status}",
                old=old,
                new=new_status,
                role=actor.role,
            )
        visit.status = new_status
        changes.touch(visit, ["status"], str(actor.device_id))
        effects.on_status_change(session, changes, visit, old, new_status, actor.user_id, now)


def _new_visit(session: Session, m: Mutation, values: dict, actor: Actor) -> Visit:
    actor.scope.require_site(values["site_id"])
    template = get_template(session, values["template_key"])
    if values["mode"] not in template.modes:
        raise DomainError(ProblemCode.ANSWERS_MODE_NOT_ALLOWED, values["mode"], field="mode")
    task_id = values.get("task_id")
    if task_id is not None:
        task = session.get(VisitTask, task_id)
        if task is None or task.assignee_id != actor.user_id or task.site_id != values["site_id"]:
            raise denied("visit_task", task_id)
    visit = Visit(
        id=m.id,
        site_id=values["site_id"],
        template_key=values["template_key"],
        mode=values["mode"],
        inspector_id=actor.user_id,
        status="draft",
    )
    session.add(visit)
    return visit


def _delete_visit(
    session: Session,
    visit: Visit | None,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    now: datetime,
) -> None:
    if visit is None:
        return  # deleting what never arrived: nothing to do, and nothing to leak
    visit = visible_visit(session, m.id, actor)
    if actor.role != "inspector" or visit.status != "draft":
        raise DomainError(
            ProblemCode.SYNC_DELETE_NOT_ALLOWED,
            "only draft visits are deleted; reviewers void",
            status=visit.status,
        )
    if visit.deleted_at is None:
        visit.deleted_at = now
        changes.touch(visit)
        for model in (Finding, Photo):
            for row in session.exec(select(model).where(model.visit_id == visit.id)).all():  # type: ignore[attr-defined]
                row.deleted_at = row.deleted_at or visit.deleted_at
                changes.touch(row)


def handle_finding(
    session: Session,
    m: Mutation,
    actor: Actor,
    changes: ChangeSet,
    conflicts: Conflicts,
    now: datetime,
) -> None:
    finding = session.get(Finding, m.id)
    creating = finding is None
    if m.op == "delete":
        if finding is not None:
            visit = visible_visit(session, finding.visit_id, actor)
            if actor.role != "inspector":
                raise DomainError(ProblemCode.SYNC_DELETE_NOT_ALLOWED, entity="finding")
            require_editable(visit, actor)
            if finding.deleted_at is None:
                finding.deleted_at = now
                changes.touch(finding)
        return
    if creating and actor.role != "inspector":
        raise denied("finding", m.id)
    values = checked_fields(m, actor, creating)
    visit = visible_visit(session, values["visit_id"] if creating else finding.visit_id, actor)  # type: ignore[union-attr]
    inspector_fields = set(values) - {"review_comment"}
    if inspector_fields:
        require_editable(visit, actor)
    if creating:
        if m.id != finding_id(visit.id, values["item_code"]):
            raise DomainError(
                ProblemCode.SYNC_ID_MISMATCH,
                "finding id must be finding_id(visit_id, item_code)",
                expected=str(finding_id(visit.id, values["item_code"])),
            )
        finding = Finding(id=m.id, visit_id=visit.id, item_code=values["item_code"])
        session.add(finding)
    assert finding is not None
    if finding.deleted_at is not None and not creating:
        finding.deleted_at = None  # answering an item again revives its finding
        changes.touch(finding)
    _check_subject(session, values.get("subject_id"), visit)
    _clear_stale_detail(values)
    apply_values(finding, values, m, actor, changes, conflicts, visit.id, creating)
    _check_answer(session, finding, visit, changes, actor)


def _clear_stale_detail(values: dict) -> None:
    """A new verdict drops the detail only the old one had: a count belongs to a failure,
    a figure to an answered item. Sent together with the new verdict, it is validated."""
    result = values.get("result", "fail")
    if result != "fail" and "count" not in values:
        values["count"] = None
    if result == "na" and "value" not in values:
        values["value"] = None


def _check_subject(session: Session, subject_id: object, visit: Visit) -> None:
    if subject_id is None:
        return
    subject = session.get(Subject, subject_id)
    if subject is None or subject.site_id != visit.site_id:
        raise denied("subject", subject_id)


def _check_answer(
    session: Session, finding: Finding, visit: Visit, changes: ChangeSet, actor: Actor
) -> None:
    """The finding as a whole must be a valid answer to its template item in this mode.

    A figure item's result follows from its value; the server stores the derived result.
    """
    template = get_template(session, visit.template_key)
    entry: dict = {"note": ""}
    if finding.result is not None:
        entry["result"] = finding.result
    if finding.count is not None:
        entry["count"] = finding.count
    if finding.value is not None:
        entry["value"] = finding.value
    if "result" not in entry and "value" not in entry:
        items = {i.code for _, i in template.iter_items()}
        if finding.item_code not in items:
            raise DomainError(ProblemCode.ANSWERS_UNKNOWN_ITEM, finding.item_code)
        return  # a note or photo before the verdict: allowed while in progress
    try:
        answer = parse_answers({finding.item_code: entry}, template, visit.mode)  # type: ignore[arg-type]
    except AnswersError as exc:
        first = exc.problems[0]
        raise DomainError(first.code, first.detail, item=first.item) from None
    derived = answer[finding.item_code].result
    if finding.result != derived:
        finding.result = derived
        changes.touch(finding, ["result"], str(actor.device_id))
