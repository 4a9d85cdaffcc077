"""Pushed visits and findings: scope, workflow lock, status transitions, answer validation."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlmodel import select

from fieldcore.answers import Answer, check_answer, check_mode, clear_stale_detail
from fieldcore.checklist import MODES, Template
from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.workflow import (
    INSPECTOR_EDITABLE,
    REVIEWERS,
    can_transition,
    check_subject_of_site,
    check_visit_deletable,
    finding_id,
    is_finding_id,
)
from sync_server.org.scope import Actor
from sync_server.sync import effects
from sync_server.sync.merge.context import PushContext, VisitFacts
from sync_server.sync.merge.fields import apply_values, checked_fields, create_row
from sync_server.tables import Finding, Photo, Subject, Visit, VisitTask
from sync_server.templates.versions import get_template

# a new finding's answer, as the values it was built from (see handle_finding)
_ANSWER_OF_NEW = itemgetter("item_code", "result", "count", "value")
# valid answers already checked, by their inputs: (the template, kept alive; the answer)
_CHECKED: dict[tuple[Any, ...], tuple[Template, Answer | None]] = {}
_CHECKED_MAX = 100_000


def denied(entity: str, row_id: object) -> DomainError:
    return DomainError(ProblemCode.SCOPE_DENIED, entity=entity, id=str(row_id))


def may_see_visit(visit: Visit, actor: Actor) -> bool:
    """Its inspector, or a reviewer whose scope holds its site."""
    own = actor.role == "inspector" and visit.inspector_id == actor.user_id
    return own or (actor.role in REVIEWERS and actor.scope.sees_site(visit.site_id))


def visible_visit(ctx: PushContext, visit_id: object) -> Visit:
    visit = ctx.rows.get(Visit, visit_id)
    if visit is None or not may_see_visit(visit, ctx.actor):
        raise denied("visit", visit_id)
    return visit


def require_editable(visit: Visit, actor: Actor) -> None:
    if visit.deleted_at is not None:
        raise DomainError(ProblemCode.SYNC_ROW_DELETED, entity="visit", id=str(visit.id))
    if actor.role == "inspector" and visit.status not in INSPECTOR_EDITABLE:
        raise DomainError(
            ProblemCode.WORKFLOW_LOCKED, visit.status, status=visit.status, visit_id=str(visit.id)
        )


def handle_visit(ctx: PushContext, m: Mutation) -> None:
    visit = ctx.rows.get(Visit, m.id)
    creating = visit is None
    if creating and ctx.actor.role != "inspector":
        raise denied("visit", m.id)
    if m.op == "delete":
        _delete_visit(ctx, visit, m)
        return
    if visit is not None:
        visible_visit(ctx, m.id)  # scope before anything else: no hint that it exists
    values = checked_fields(m, ctx.actor, creating, ctx.parsed)
    new_status = values.pop("status", None)
    if visit is None:
        visit = _new_visit(ctx, m, values)
    else:
        if visit.deleted_at is not None:
            raise DomainError(ProblemCode.SYNC_ROW_DELETED, entity="visit", id=str(m.id))
        if values and ctx.actor.role == "inspector":
            require_editable(visit, ctx.actor)
        apply_values(ctx, visit, values, m, visit.id)
    if new_status is not None and new_status != visit.status:
        old = visit.status
        if not can_transition("visit", old, new_status, ctx.actor.role):
            raise DomainError(
                ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
                f"{old} → {new_status}",
                old=old,
                new=new_status,
                role=ctx.actor.role,
            )
        visit.status = new_status
        ctx.changes.touch(visit, ["status"], ctx.device)
        ctx.rows.attach_new()  # the effects query this push's findings and photos
        effects.on_status_change(
            ctx.session, ctx.changes, visit, old, new_status, ctx.actor.user_id, ctx.now
        )


def _new_visit(ctx: PushContext, m: Mutation, values: dict[str, Any]) -> Visit:
    ctx.actor.scope.require_site(values["site_id"])
    template = get_template(ctx.session, values["template_key"])
    check_mode(template, values["mode"])
    task_id = values.get("task_id")
    if task_id is not None:
        task = ctx.session.get(VisitTask, task_id)
        if (
            task is None
            or task.assignee_id != ctx.actor.user_id
            or task.site_id != values["site_id"]
        ):
            raise denied("visit_task", task_id)
    return create_row(
        ctx,
        Visit,
        m,
        values,
        inspector_id=ctx.actor.user_id,
        status="draft",
    )


def _delete_visit(ctx: PushContext, visit: Visit | None, m: Mutation) -> None:
    if visit is None:
        return  # deleting what never arrived: nothing to do, and nothing to leak
    visit = visible_visit(ctx, m.id)
    check_visit_deletable(visit.status, ctx.actor.role)
    if visit.deleted_at is None:
        visit.deleted_at = ctx.now
        ctx.changes.touch(visit)
        ctx.rows.attach_new()
        for model in (Finding, Photo):
            for row in ctx.session.exec(select(model).where(model.visit_id == visit.id)).all():
                row.deleted_at = row.deleted_at or ctx.now
                ctx.changes.touch(row)


def handle_finding(ctx: PushContext, m: Mutation) -> None:
    actor = ctx.actor
    finding = ctx.rows.get(Finding, m.id)
    if m.op == "delete":
        if finding is not None:
            visit = visible_visit(ctx, finding.visit_id)
            if actor.role != "inspector":
                raise DomainError(ProblemCode.SYNC_DELETE_NOT_ALLOWED, entity="finding")
            require_editable(visit, actor)
            if finding.deleted_at is None:
                finding.deleted_at = ctx.now
                ctx.changes.touch(finding)
        return
    creating = finding is None
    if creating and actor.role != "inspector":
        raise denied("finding", m.id)
    if finding is not None:
        visible_visit(ctx, finding.visit_id)  # scope before anything else
    values = checked_fields(m, actor, creating, ctx.parsed)
    visit = visible_visit(ctx, values["visit_id"] if finding is None else finding.visit_id)
    if set(values) - {"review_comment"}:
        require_editable(visit, actor)
    _check_subject(ctx, values.get("subject_id"), visit)
    values = clear_stale_detail(values)
    facts = ctx.facts(visit)
    if finding is None:
        if not is_finding_id(m.id, facts.id_text, values["item_code"]):
            expected = str(finding_id(visit.id, values["item_code"]))
            raise DomainError(
                ProblemCode.SYNC_ID_MISMATCH,
                "finding id must be finding_id(visit_id, item_code)",
                expected=expected,
            )
        finding = create_row(ctx, Finding, m, values)
        # a row just built holds every field in its __dict__ (tables/base.new_row), and
        # nothing has changed it since: read without the ORM's attribute machinery
        answer = _ANSWER_OF_NEW(finding.__dict__)
    else:
        if finding.deleted_at is not None:
            finding.deleted_at = None  # answering an item again revives its finding
            ctx.changes.touch(finding)
        apply_values(ctx, finding, values, m, visit.id)
        answer = (finding.item_code, finding.result, finding.count, finding.value)
    _check_answer(ctx, finding, facts, *answer)


def checked_answer(
    template: Template, mode: str, item_code: str, result: str | None, count: Any, value: Any
) -> Answer | None:
    """`fieldcore.answers.check_answer`, each distinct valid answer checked once per process.

    Phones answer the same items alike over and over, and the check is pure (a published
    template never changes): the answer is kept by the parsed template object (one per
    published version and database: templates.versions keeps it, and the entry keeps it
    alive, so its id() names no other template). A refusal is not kept: it raises anew.
    Types are part of the key: True equals 1 and Decimal("1.0") equals Decimal("1.00"),
    yet neither answers alike.
    """
    key = (
        id(template),
        mode,
        item_code,
        result,
        type(count),
        count,
        None if value is None else str(value),
    )
    known = _CHECKED.get(key)
    if known is not None:
        return known[1]
    answer = check_answer(template, one_of(mode, MODES), item_code, result, count, value)
    if len(_CHECKED) >= _CHECKED_MAX:  # bounded: start afresh
        _CHECKED.clear()
    _CHECKED[key] = (template, answer)
    return answer


def _check_subject(ctx: PushContext, subject_id: object, visit: Visit) -> None:
    if subject_id is None:
        return
    subject = ctx.session.get(Subject, subject_id)
    check_subject_of_site(subject_id, subject.site_id if subject else None, visit.site_id)


def _check_answer(
    ctx: PushContext,
    finding: Finding,
    visit: VisitFacts,
    item_code: str,
    result: str | None,
    count: Any,
    value: Any,
) -> None:
    """The finding as a whole (`item_code` … `value`, its values now) must be a valid answer
    to its template item in this mode (fieldcore.answers.check_answer); a figure item's
    stored result is the derived one."""
    template = get_template(ctx.session, visit.template_key)
    answer = checked_answer(template, visit.mode, item_code, result, count, value)
    if answer is not None and result != answer.result:
        finding.result = answer.result
        ctx.changes.touch(finding, ["result"], ctx.device)
        ctx.changes.touch(finding)  # the server's value, not the device's: it must pull it
