"""Read models for the screens: plain dataclasses, so views never touch SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from fieldapp.store import photo_views
from fieldapp.store.syncstate import get_meta
from fieldapp.store.tables import (
    SETTLED,
    FindingRow,
    LocalBlob,
    Outbox,
    PhotoRow,
    RectificationRow,
    SiteRow,
    SubjectRow,
    TaskRow,
    TemplateRow,
    VisitRow,
)
from fieldapp.store.work import local_score, missing_photos
from fieldcore.annotation import counts_as_evidence
from fieldcore.checklist import Template
from fieldcore.headline import compact_posts, is_per_subject
from fieldcore.scorecard import ScoreCard
from fieldcore.workflow import rectification_overdue


class UnsyncedWork(Exception):
    def __init__(self, count: int, username: str) -> None:
        self.count, self.username = count, username
        super().__init__(f"{count} unsynced changes of {username}")


def unsynced_count(session: Session) -> int:
    pending = session.exec(
        select(func.count()).select_from(Outbox).where(Outbox.state == "pending")
    ).one()
    files = session.exec(
        select(func.count()).select_from(LocalBlob).where(col(LocalBlob.state).not_in(SETTLED))
    ).one()
    return int(pending) + int(files)


@dataclass(frozen=True)
class SiteItem:
    id: uuid.UUID
    code: str
    name: str
    type: str
    address: str
    recent: bool


@dataclass(frozen=True)
class VisitItem:
    id: uuid.UUID
    site_name: str
    site_code: str
    template_title: str
    mode: str
    status: str
    updated_at: datetime | None
    percent: float | None  # None for a per-subject template: see `posts`
    sync_error: str
    return_comment: str
    posts: str = ""  # per-subject templates: each post's percent and pass, in one line


@dataclass(frozen=True)
class TaskItem:
    id: uuid.UUID
    site_id: uuid.UUID
    site_code: str
    site_name: str
    template_id: str
    template_title: str  # of the newest version this phone has (the id when none yet)
    mode: str
    kind: str
    window_end: datetime | None
    overdue: bool


@dataclass(frozen=True)
class RectItem:
    id: uuid.UUID
    site_name: str
    item_code: str
    instructions: str
    due_date: str
    status: str
    overdue: bool
    verify_comment: str


@dataclass
class Home:
    tasks: list[TaskItem] = field(default_factory=list)
    returned: list[VisitItem] = field(default_factory=list)
    drafts: list[VisitItem] = field(default_factory=list)
    submitted: list[VisitItem] = field(default_factory=list)
    rectifications: list[RectItem] = field(default_factory=list)


@dataclass(frozen=True)
class SyncStatus:
    pending_records: int
    pending_photos: int
    pending_photo_bytes: int
    last_sync_at: str | None
    last_error: str
    rejected: list[dict[str, Any]]


@dataclass(frozen=True)
class TemplateChoice:
    key: str
    title: str
    version: int


@dataclass
class VisitView:
    visit: VisitRow
    site: SiteRow | None
    template: Template
    findings: dict[str, FindingRow]
    photos: dict[uuid.UUID | None, list[PhotoRow]]
    subjects: list[SubjectRow]
    card: ScoreCard
    missing_photos: list[str]
    thumbs: dict[str, bytes] = field(default_factory=dict)  # sha256 → thumbnail JPEG
    # marked-up copies (标注): original photo id → its derived copy; `photos` holds originals
    annotations: dict[uuid.UUID, PhotoRow] = field(default_factory=dict)


def _visit_item(session: Session, v: VisitRow) -> VisitItem:
    site = session.get(SiteRow, v.site_id)
    tpl = session.get(TemplateRow, v.template_key)
    score = v.score or {}
    per_subject = is_per_subject(score)  # the pooled percent is not the regulation's
    percent = None if per_subject else score.get("percent")
    return VisitItem(
        v.id,
        site.name if site else "?",
        site.code if site else "?",
        tpl.title if tpl else v.template_key,
        v.mode,
        v.status,
        v.updated_at,
        percent,
        v.sync_error,
        v.return_comment,
        compact_posts(score) if per_subject else "",
    )


def _template_title(session: Session, template_id: str) -> str:
    row = session.exec(
        select(TemplateRow.title)
        .where(TemplateRow.template_id == template_id)
        .order_by(col(TemplateRow.version).desc())
    ).first()
    return row or template_id


def home(session: Session, now: datetime) -> Home:
    out = Home()
    visits = session.exec(
        select(VisitRow)
        .where(col(VisitRow.deleted).is_(False))
        .order_by(col(VisitRow.updated_at).desc())
    ).all()
    for v in visits:
        item = _visit_item(session, v)
        {"returned": out.returned, "draft": out.drafts}.get(v.status, out.submitted).append(item)
    out.submitted = out.submitted[:20]
    started = {v.task_id for v in visits if v.task_id}
    for t in session.exec(
        select(TaskRow).where(TaskRow.status == "open").order_by(col(TaskRow.window_end))
    ).all():
        if t.id in started:
            continue
        site = session.get(SiteRow, t.site_id)
        out.tasks.append(
            TaskItem(
                t.id,
                t.site_id,
                site.code if site else "?",
                site.name if site else "?",
                t.template_id,
                _template_title(session, t.template_id),
                t.mode,
                t.kind,
                t.window_end,
                bool(t.window_end and t.window_end < now),
            )
        )
    today = now.date()
    for r in session.exec(
        select(RectificationRow)
        .where(col(RectificationRow.deleted).is_(False))
        .order_by(RectificationRow.due_date)
    ).all():
        site = session.get(SiteRow, r.site_id)
        out.rectifications.append(
            RectItem(
                r.id,
                site.name if site else "?",
                r.item_code,
                r.instructions,
                r.due_date,
                r.status,
                bool(r.due_date)
                and rectification_overdue(r.status, date.fromisoformat(r.due_date), today),
                r.verify_comment,
            )
        )
    return out


def search_sites(session: Session, text: str, limit: int = 50) -> list[SiteItem]:
    """Instant search over code, name and address; recently used sites first."""
    query = select(SiteRow).where(col(SiteRow.active).is_(True))
    for word in text.lower().split():
        query = query.where(col(SiteRow.search).contains(word))
    query = query.order_by(
        col(SiteRow.last_used_at).is_(None),
        col(SiteRow.last_used_at).desc(),
        SiteRow.code,
    ).limit(limit)
    return [
        SiteItem(s.id, s.code, s.name, s.type, s.address, s.last_used_at is not None)
        for s in session.exec(query).all()
    ]


def site(session: Session, site_id: uuid.UUID) -> SiteItem | None:
    s = session.get(SiteRow, site_id)
    return (
        SiteItem(s.id, s.code, s.name, s.type, s.address, s.last_used_at is not None) if s else None
    )


def templates_for(session: Session, site_id: uuid.UUID, mode: str) -> list[TemplateChoice]:
    """The newest version of each template allowing `mode`, for this kind of site first."""
    site = session.get(SiteRow, site_id)
    newest: dict[str, TemplateRow] = {}
    for row in session.exec(select(TemplateRow).where(col(TemplateRow.retired).is_(False))).all():
        if mode in row.body.get("modes", []) and (
            row.template_id not in newest or row.version > newest[row.template_id].version
        ):
            newest[row.template_id] = row

    def fits(row: TemplateRow) -> bool:
        return bool(site and site.type in row.body.get("site_types", []))

    ordered = sorted(newest.values(), key=lambda r: (not fits(r), r.title))
    return [TemplateChoice(r.key, r.title, r.version) for r in ordered]


def visit_view(session: Session, visit_id: uuid.UUID) -> VisitView:
    visit = session.get(VisitRow, visit_id)
    if visit is None:
        raise LookupError(visit_id)
    template, card = local_score(session, visit)
    findings = {
        f.item_code: f
        for f in session.exec(
            select(FindingRow).where(
                FindingRow.visit_id == visit_id, col(FindingRow.deleted).is_(False)
            )
        ).all()
    }
    photos: dict[uuid.UUID | None, list[PhotoRow]] = {}
    derived: dict[uuid.UUID, PhotoRow] = {}
    for p in session.exec(
        select(PhotoRow)
        .where(PhotoRow.visit_id == visit_id, col(PhotoRow.deleted).is_(False))
        .order_by(col(PhotoRow.captured_at))
    ).all():
        if counts_as_evidence(p.kind):
            photos.setdefault(p.finding_id, []).append(p)
        elif p.annotates_id is not None:
            derived[p.annotates_id] = p
    subjects = list(
        session.exec(
            select(SubjectRow).where(
                SubjectRow.site_id == visit.site_id, col(SubjectRow.active).is_(True)
            )
        ).all()
    )
    return VisitView(
        visit,
        session.get(SiteRow, visit.site_id),
        template,
        findings,
        photos,
        subjects,
        card,
        missing_photos(session, visit, template),
        photo_views.thumbnails(
            session,
            [p.sha256 for ps in [*photos.values(), derived.values()] for p in ps],
        ),
        derived,
    )


def sync_status(session: Session) -> SyncStatus:
    pending = session.exec(
        select(func.count()).select_from(Outbox).where(Outbox.state == "pending")
    ).one()
    blobs = session.exec(select(LocalBlob).where(col(LocalBlob.state).not_in(SETTLED))).all()
    rejected = [
        {
            "seq": e.seq,
            "entity": e.entity,
            "id": str(e.entity_id),
            "code": e.code,
            "message": e.message,
            "at": e.done_at.isoformat() if e.done_at else "",
        }
        for e in session.exec(
            select(Outbox)
            .where(Outbox.state == "rejected")
            .order_by(col(Outbox.seq).desc())
            .limit(50)
        ).all()
    ]
    return SyncStatus(
        int(pending),
        len(blobs),
        sum(b.byte_size - b.offset for b in blobs),
        get_meta(session, "last_sync_at"),
        get_meta(session, "last_error", ""),
        rejected,
    )
