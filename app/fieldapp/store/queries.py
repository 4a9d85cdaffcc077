"""Read models for the lists on the screens (home, site search, template choice): plain
dataclasses, so views never touch SQL. The open visit is read in visit_view.py, what is
waiting to sync in pending.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from fieldapp.store.tables import (
    RectificationRow,
    SiteRow,
    TaskRow,
    TemplateRow,
    VisitRow,
)
from fieldcore.headline import compact_posts, is_per_subject
from fieldcore.workflow import rectification_overdue


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
class TemplateChoice:
    key: str
    title: str
    version: int


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
