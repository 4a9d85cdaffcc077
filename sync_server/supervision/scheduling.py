"""Visit tasks a supervisor schedules: one site, or a random sample of a region's sites.

Sampling follows the tobacco rules (抽查 5%): N% of the region's active sites (with its
departments), rounded up and at least one, drawn reproducibly from a seed. Every check runs
before the first row is written, and all tasks of one call get their seqs through one
ChangeSet in the caller's transaction, so phones pull them together (a covert task only
by its assignee and reviewers: sync/pull.py).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from fieldcore.answers import check_mode
from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.org import admin
from sync_server.org.scope import Scope, load_scope, reviewer_scope, with_descendants
from sync_server.reports.access import day_bounds
from sync_server.tables import Region, Site, TemplateVersion, User, VisitTask
from sync_server.templates.versions import get_template

KINDS = ("routine", "followup")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Sample:
    seed: int  # give it back to draw the same sites again
    population: int  # active sites in the region
    tasks: list[VisitTask]


def _invalid(detail: str, field: str, **details: object) -> DomainError:
    return DomainError(ProblemCode.REQUEST_INVALID, detail, field=field, **details)


def _check_plan(session: Session, template_id: str, mode: str, window: Window, kind: str) -> None:
    if window.start.tzinfo is None or window.end.tzinfo is None:
        raise _invalid("window times need a time zone", "window")
    if not window.start < window.end:
        raise _invalid("the window must start before it ends", "window")
    if kind not in KINDS:
        raise _invalid(f"kind must be one of {', '.join(KINDS)}", "kind")
    latest = session.exec(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template_id, col(TemplateVersion.retired).is_(False))
        .order_by(col(TemplateVersion.version).desc())
    ).first()
    if latest is None:
        raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, template_id, template=template_id)
    check_mode(get_template(session, latest.key), mode)


def _assignee(session: Session, username: str) -> tuple[User, Scope]:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise DomainError(ProblemCode.USER_NOT_FOUND, username)
    if user.role != "inspector" or not user.active:
        raise _invalid(f"{username} is not an active inspector", "assignee", user=username)
    return user, load_scope(session, user)


def _check_covers(inspector: User, scope: Scope, site: Site) -> None:
    if not scope.sees_site(site.id):
        raise _invalid(
            f"{inspector.username} does not cover site {site.code}",
            "assignee",
            user=inspector.username,
            site=site.code,
        )


def create_task(
    session: Session,
    by: User,
    site_code: str,
    template_id: str,
    mode: str,
    assignee: str,
    window: Window,
    kind: str = "routine",
    note: str = "",
) -> VisitTask:
    """One task at one site. Raises DomainError: auth.forbidden (not a supervisor or
    admin), scope.denied (site unknown or outside `by`'s scope), request.invalid (window,
    kind, assignee not an inspector covering the site), template.not_found,
    answers.mode_not_allowed, user.not_found."""
    scope = reviewer_scope(session, by)
    site = session.exec(select(Site).where(Site.code == site_code)).first()
    if site is None or not site.active or not scope.sees_site(site.id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="site", id=site_code)
    _check_plan(session, template_id, mode, window, kind)
    inspector, inspector_scope = _assignee(session, assignee)
    _check_covers(inspector, inspector_scope, site)
    changes = ChangeSet(session)
    task = admin.add_task(
        session,
        changes,
        site,
        template_id,
        mode,
        inspector,
        window.start,
        window.end,
        kind=kind,
        created_by=by.id,
        note=note,
    )
    changes.assign_seqs()
    return task


def sample_size(population: int, percent: float) -> int:
    """N% of the population rounded up, at least one (of a non-empty population)."""
    if population == 0:
        return 0
    return max(1, min(population, math.ceil(population * percent / 100 - 1e-9)))


def sample_tasks(
    session: Session,
    by: User,
    region_code: str,
    percent: float,
    template_id: str,
    mode: str,
    assignees: Sequence[str],
    window: Window,
    seed: int | None = None,
    kind: str = "routine",
) -> Sample:
    """Tasks for a random `percent` of the region's active sites, handed to `assignees` in
    turn in the order drawn. The same seed and sites draw the same
    sample. Raises what create_task raises, and request.invalid for percent or region."""
    scope = reviewer_scope(session, by)
    if not 0 < percent <= 100:
        raise _invalid("percent must be more than 0 and at most 100", "percent")
    if not assignees:
        raise _invalid("name at least one assignee", "assignee")
    root = session.exec(select(Region.id).where(Region.code == region_code)).first()
    if root is None:
        raise _invalid(f"no region {region_code!r}", "region", region=region_code)
    regions = with_descendants(session, [root])
    sites = list(
        session.exec(
            select(Site)
            .where(col(Site.region_id).in_(regions), col(Site.active).is_(True))
            .order_by(Site.code)
        ).all()
    )
    if not sites:
        raise _invalid(f"region {region_code} has no active sites", "region", region=region_code)
    if not all(scope.sees_site(s.id) for s in sites):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="region", id=region_code)
    _check_plan(session, template_id, mode, window, kind)
    inspectors = [_assignee(session, name) for name in assignees]
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    drawn = random.Random(seed).sample(sites, sample_size(len(sites), percent))
    plan = [(site, inspectors[n % len(inspectors)]) for n, site in enumerate(drawn)]
    for site, (inspector, inspector_scope) in plan:
        _check_covers(inspector, inspector_scope, site)
    changes = ChangeSet(session)
    note = f"sample {percent:g}% of {region_code}, seed {seed}"
    tasks = [
        admin.add_task(
            session,
            changes,
            site,
            template_id,
            mode,
            inspector,
            window.start,
            window.end,
            kind=kind,
            created_by=by.id,
            note=note,
        )
        for site, (inspector, _) in plan
    ]
    changes.assign_seqs()
    return Sample(seed=seed, population=len(sites), tasks=tasks)


# ---- what the console's scheduling page shows and reads ---------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: uuid.UUID
    site_code: str
    site_name: str
    template_id: str
    mode: str
    kind: str
    assignee: str
    window_start: datetime
    window_end: datetime
    status: str
    note: str
    created_at: datetime


def parse_day(text: str, field: str) -> date:
    """A YYYY-MM-DD day typed into a form. Raises request.invalid naming the field."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _invalid(f"not a date (YYYY-MM-DD): {text!r}", field) from None


def parse_percent(text: str) -> float:
    try:
        return float(text.strip().removesuffix("%"))
    except ValueError:
        raise _invalid(f"not a number: {text!r}", "percent") from None


def day_window(first: date, last: date) -> Window:
    """Whole China-time days first..last, as the forms and reports count days."""
    start, end = day_bounds(first, last)
    return Window(start, end)


def task_rows(session: Session, tasks: Sequence[VisitTask]) -> list[TaskRow]:
    rows = []
    for task in tasks:
        site, who = session.get(Site, task.site_id), session.get(User, task.assignee_id)
        rows.append(
            TaskRow(
                id=task.id,
                site_code=site.code if site else "?",
                site_name=site.name if site else "",
                template_id=task.template_id,
                mode=task.mode,
                kind=task.kind,
                assignee=who.username if who else "?",
                window_start=task.window_start,
                window_end=task.window_end,
                status=task.status,
                note=task.note,
                created_at=task.created_at,
            )
        )
    return rows


def recent_tasks(session: Session, by: User, limit: int = 50) -> list[TaskRow]:
    """The newest tasks at sites in `by`'s scope (reviewers only: covert tasks included,
    which is why site managers never get here). Raises auth.forbidden for anyone else."""
    scope = reviewer_scope(session, by)
    query = select(VisitTask)
    if scope.site_ids is not None:
        if not scope.site_ids:
            return []
        query = query.where(col(VisitTask.site_id).in_(scope.site_ids))
    order = (col(VisitTask.created_at).desc(), col(VisitTask.id))
    tasks = session.exec(query.order_by(*order).limit(max(1, min(limit, 500)))).all()
    return task_rows(session, tasks)
