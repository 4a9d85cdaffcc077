"""What an inspector or site manager does, one transaction per action (rows + outbox).

Inputs are checked here with the same fieldcore rules the server applies, so a mistake is
refused at once, on the phone, with the same problem code — not hours later at sync.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.store.outbox import record
from fieldapp.store.tables import (
    FindingRow,
    PhotoRow,
    SiteRow,
    SubjectRow,
    TemplateRow,
    VisitRow,
)
from fieldcore import submission
from fieldcore.annotation import counts_as_evidence
from fieldcore.answers import check_answer, check_mode, clear_stale_detail
from fieldcore.checklist import Template
from fieldcore.findings import answers_from_findings
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import ScoreCard
from fieldcore.scoring import score_raw
from fieldcore.template_loader import parse_template
from fieldcore.workflow import (
    INSPECTOR_EDITABLE,
    check_changeable,
    check_subject_of_site,
    check_visit_deletable,
    check_writable,
    finding_id,
)

_PARSED: dict[str, Template] = {}


def template_of(session: Session, key: str) -> Template:
    """A pulled template, parsed once (a published version never changes)."""
    if key not in _PARSED:
        row = session.get(TemplateRow, key)
        if row is None:
            raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, key)
        _PARSED[key] = parse_template(json.dumps(row.body), f"{key}.json")
    return _PARSED[key]


def start_visit(
    session: Session,
    now: datetime,
    site_id: uuid.UUID,
    template_key: str,
    mode: str,
    kind: str = "routine",
    task_id: uuid.UUID | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> VisitRow:
    template = template_of(session, template_key)
    visit_mode = check_mode(template, mode)
    site = session.get(SiteRow, site_id)
    if site is None:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="site", id=str(site_id))
    site.last_used_at = now
    visit = VisitRow(id=uuid.uuid4(), site_id=site_id, template_key=template_key, mode=visit_mode)
    fields: dict[str, Any] = {
        "site_id": site_id,
        "template_key": template_key,
        "mode": mode,
        "kind": kind,
        "started_at": now,
    }
    if task_id is not None:
        fields["task_id"] = task_id
    if lat is not None and lon is not None:
        fields.update(lat=lat, lon=lon)
    record(session, "visit", visit, fields, now, creating=True)
    visit.updated_at = now
    return visit


def editable_visit(session: Session, visit_id: uuid.UUID) -> VisitRow:
    visit = session.get(VisitRow, visit_id)
    if visit is None or visit.deleted:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="visit", id=str(visit_id))
    if visit.status not in INSPECTOR_EDITABLE:
        raise DomainError(ProblemCode.WORKFLOW_LOCKED, visit.status, status=visit.status)
    return visit


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # "leave this field as it is" for record_answer


def record_answer(
    session: Session,
    now: datetime,
    visit_id: uuid.UUID,
    item_code: str,
    result: Any = KEEP,
    count: Any = KEEP,
    value: Any = KEEP,
    note: Any = KEEP,
    subject_id: Any = KEEP,
) -> FindingRow:
    """Answer (or change part of the answer to) one checklist item.

    Fields left as KEEP stay as they are. A new verdict drops detail only the old one had
    (a count belongs to a failure, a figure to an answered item). The whole answer is then
    validated against the item's rule — the same check the server makes.

    Raises:
        DomainError: answers.* codes from fieldcore (unknown item, count on a fixed rule,
            N/A not allowed, value missing …) or workflow.locked.
    """
    visit = editable_visit(session, visit_id)
    if subject_id is not KEEP and subject_id is not None:  # the server's rule, at once
        subject = session.get(SubjectRow, subject_id)
        check_subject_of_site(subject_id, subject.site_id if subject else None, visit.site_id)
    template = template_of(session, visit.template_key)
    fid = finding_id(visit_id, item_code)
    finding = session.get(FindingRow, fid)
    old = {"result": None, "count": None, "value": None, "note": "", "subject_id": None}
    if finding is not None and not finding.deleted:
        old = {k: getattr(finding, k) for k in old}
    given = {
        "result": result,
        "count": count,
        "value": value,
        "note": note,
        "subject_id": subject_id,
    }
    new = {**old, **clear_stale_detail({k: v for k, v in given.items() if v is not KEEP})}
    answer = check_answer(
        template,
        visit.mode,
        item_code,
        new["result"],
        new["count"],
        new["value"],
    )
    new["result"] = None if answer is None else answer.result
    if finding is None:
        finding = FindingRow(id=fid, visit_id=visit_id, item_code=item_code)
        fields = {
            "visit_id": visit_id,
            "item_code": item_code,
            **{k: v for k, v in new.items() if v is not None},
        }
        record(session, "finding", finding, fields, now, creating=True)
    else:
        changed = {k: v for k, v in new.items() if getattr(finding, k) != v}
        if finding.deleted:
            finding.deleted = False
        if changed:
            record(session, "finding", finding, changed, now)
    visit.updated_at = now
    return finding


def set_visit_fields(
    session: Session, now: datetime, /, visit_id: uuid.UUID, **fields: Any
) -> VisitRow:
    """Header fields of an editable visit: note, acknowledgement, GPS, times.

    Which fields the inspector may write, and which are fixed once the visit exists, is
    the server's table (fieldcore.workflow), checked here with its codes. The status is
    not set here: it moves through submit_visit, which checks completeness first.

    Raises:
        DomainError: sync.unknown_field, sync.field_not_owned, sync.field_immutable (a
            changed create-only field), request.invalid (status), workflow.locked.
    """
    check_writable("visit", "inspector", fields)
    if "status" in fields:
        raise DomainError(ProblemCode.REQUEST_INVALID, "status: use submit_visit", field="status")
    visit = editable_visit(session, visit_id)
    changed = {k: v for k, v in fields.items() if getattr(visit, k) != v}
    for name in changed:
        check_changeable("visit", name)
    if changed:
        record(session, "visit", visit, changed, now)
        visit.updated_at = now
    return visit


def local_score(session: Session, visit: VisitRow) -> tuple[Template, ScoreCard]:
    """The live scorecard from the findings on this device (fieldcore's engine)."""
    template = template_of(session, visit.template_key)
    findings = session.exec(
        select(FindingRow).where(
            FindingRow.visit_id == visit.id, col(FindingRow.deleted).is_(False)
        )
    ).all()
    answers = answers_from_findings(findings, template, visit.mode)
    return template, score_raw(template, answers, visit.mode)


def missing_photos(session: Session, visit: VisitRow, template: Template) -> list[str]:
    failed = session.exec(
        select(FindingRow).where(
            FindingRow.visit_id == visit.id,
            FindingRow.result == "fail",
            col(FindingRow.deleted).is_(False),
        )
    ).all()
    photos = session.exec(
        select(PhotoRow.finding_id, PhotoRow.kind).where(
            PhotoRow.visit_id == visit.id, col(PhotoRow.deleted).is_(False)
        )
    ).all()
    with_photo = {finding for finding, kind in photos if counts_as_evidence(kind)}
    return submission.missing_photos(failed, with_photo, template, visit.mode)


def submit_visit(session: Session, now: datetime, visit_id: uuid.UUID) -> VisitRow:
    """Lock the visit and queue its submission; refused while anything is missing.

    Raises:
        DomainError(workflow.incomplete): details list unanswered items and failed items
            without their required photo.
    """
    visit = editable_visit(session, visit_id)
    template, card = local_score(session, visit)
    submission.check_complete(card, missing_photos(session, visit, template))
    new_status = "resubmitted" if visit.status == "returned" else "submitted"
    fields: dict[str, Any] = {"status": new_status}
    if visit.finished_at is None:
        fields = {"finished_at": now, **fields}
    record(session, "visit", visit, fields, now)
    visit.updated_at = now
    return visit


def delete_draft(session: Session, now: datetime, visit_id: uuid.UUID) -> None:
    """Delete a draft with its findings and photos (the server's rule: a submitted visit
    stays for the record).

    Raises:
        DomainError: sync.delete_not_allowed (`details.status`), scope.denied.
    """
    visit = session.get(VisitRow, visit_id)
    if visit is None or visit.deleted:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="visit", id=str(visit_id))
    check_visit_deletable(visit.status, "inspector")
    record(session, "visit", visit, {}, now, op="delete")
    visit.deleted = True
