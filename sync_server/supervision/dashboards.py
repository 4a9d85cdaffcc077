"""Console dashboards: a site's trend, the 通报 ranking, the category breakdown, repeat
offenders, rectification counts and inspector activity (the console calls these; no web
imports).

Every function is scoped like the review queue (`org.scope.reviewer_scope`): only reviewers
may call them, and they see the sites of their regions only. A result counts once the
inspector has submitted it and it has not gone back: status submitted, resubmitted,
approved or published (returned and voided visits are left out), not deleted.

Averages follow fieldcore.aggregate: the mean of the visits' stored percents, rounded half
up to 0.1. Only `category_breakdown` reads a visit's score JSON (the engine's category
scores, floors and 不得分 included); only `repeat_offenders` reads findings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import round_half_up
from fieldcore.workflow import MANAGER_EDITABLE, rectification_overdue
from sync_server.org.scope import Scope, reviewer_scope
from sync_server.tables import (
    Finding,
    Rectification,
    Region,
    Site,
    TemplateVersion,
    User,
    Visit,
)

COUNTED = ("submitted", "resubmitted", "approved", "published")


@dataclass(frozen=True)
class RankingRow:
    code: str
    name: str
    visits: int
    average: Decimal  # mean percent, rounded half up to 0.1


@dataclass(frozen=True)
class CategoryRow:
    template_key: str
    template_title: str
    code: str
    title: str
    visits: int  # visits in which the category counted (all-N/A ones are left out)
    kept: Decimal  # mean share of the category's points kept, percent, half up to 0.1

    @property
    def lost(self) -> Decimal:
        return Decimal(100) - self.kept


@dataclass(frozen=True)
class RepeatOffender:
    site_code: str
    site_name: str
    item_code: str
    times: int  # failed in this many of the site's last N visits


@dataclass(frozen=True)
class RectificationCounts:
    open: int  # open or reopened, overdue ones included
    overdue: int  # open or reopened and past the due date
    submitted: int  # answered by the site, awaiting verification
    verified: int


@dataclass(frozen=True)
class InspectorActivity:
    username: str
    display_name: str
    visits: int


def _in_scope(scope: Scope, column: Any) -> list[Any]:
    if scope.site_ids is None:
        return []
    return [column.in_(scope.site_ids) if scope.site_ids else sa.false()]


def _counted(scope: Scope) -> list[Any]:
    return [
        col(Visit.status).in_(COUNTED),
        col(Visit.submitted_at).is_not(None),
        col(Visit.deleted_at).is_(None),
        *_in_scope(scope, Visit.site_id),
    ]


def _period(start: datetime, end: datetime) -> list[Any]:
    return [col(Visit.submitted_at) >= start, col(Visit.submitted_at) < end]


def _mean(total: Any, count: int) -> Decimal:
    """Mean of percents stored with one decimal. SQLite sums them as floats: rounding the
    sum to 0.1 first restores the exact decimal sum before dividing."""
    exact = round_half_up(Decimal(str(total)), 1)
    return round_half_up(exact / count)


def site_trend(
    session: Session, user: User, site_id: uuid.UUID, last_n: int = 20
) -> list[tuple[datetime, Decimal]]:
    """(submitted_at, percent) of the site's last `last_n` counted visits, oldest first.

    Raises DomainError: auth.forbidden (not a reviewer), scope.denied (a site outside the
    user's scope, or none such)."""
    scope = reviewer_scope(session, user)
    scope.require_site(site_id)
    rows = session.execute(
        sa.select(col(Visit.submitted_at), col(Visit.score_percent))
        .where(
            col(Visit.site_id) == site_id, col(Visit.score_percent).is_not(None), *_counted(scope)
        )
        .order_by(col(Visit.submitted_at).desc(), col(Visit.id).desc())
        .limit(last_n)
    ).all()
    return [(at, pct) for at, pct in reversed(rows)]


def scoped_site(session: Session, user: User, code: str) -> uuid.UUID:
    """The id of the site with this code, if the reviewer may see it.

    Raises DomainError: auth.forbidden (not a reviewer), scope.denied (no such site in
    the user's scope: an unknown code reads the same, so codes cannot be probed)."""
    scope = reviewer_scope(session, user)
    site_id = session.exec(select(Site.id).where(Site.code == code)).first()
    if site_id is None or not scope.sees_site(site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="site", id=code)
    return site_id


def category_breakdown(
    session: Session, user: User, site_code: str | None, start: datetime, end: datetime
) -> list[CategoryRow]:
    """Per template category, the mean share of its points kept (100 × score / max) over
    the counted visits submitted in [start, end), of one site or of every site in scope;
    in template order. A category whose items were all N/A in a visit has no points to
    keep there and is left out of that visit.

    Raises DomainError: auth.forbidden, scope.denied (site_code outside the scope)."""
    scope = reviewer_scope(session, user)
    where = [*_counted(scope), *_period(start, end)]
    if site_code is not None:
        where.append(Visit.site_id == scoped_site(session, user, site_code))
    query = (
        sa.select(col(Visit.template_key), col(TemplateVersion.title), col(Visit.score))
        .join(TemplateVersion, col(TemplateVersion.key) == Visit.template_key)
        .where(*where)
        .order_by(Visit.template_key)
    )
    # (template, category) -> [title, order in the template, visits, sum of exact shares]
    acc: dict[tuple[str, str], list[Any]] = {}
    titles: dict[str, str] = {}
    for key, template_title, score in session.execute(query.execution_options(yield_per=500)):
        titles[key] = template_title
        for order, cat in enumerate((score or {}).get("categories", [])):  # JSON null: none
            if cat.get("excluded") or not cat.get("max"):
                continue
            share = Decimal(100) * Decimal(str(cat["score"])) / Decimal(str(cat["max"]))
            entry = acc.setdefault((key, cat["code"]), [cat["title"], order, 0, Decimal(0)])
            entry[2] += 1
            entry[3] += share
    rows = sorted(acc.items(), key=lambda kv: (kv[0][0], kv[1][1]))
    return [
        CategoryRow(key, titles[key], code, title, n, round_half_up(total / n))
        for (key, code), (title, _, n, total) in rows
    ]


def ranking(
    session: Session,
    user: User,
    start: datetime,
    end: datetime,
    by: Literal["site", "region"] = "site",
) -> list[RankingRow]:
    """Sites (or the regions/departments the sites belong to) by the mean percent of their
    visits submitted in [start, end), best first; ties by more visits, then by code."""
    scope = reviewer_scope(session, user)
    if by not in ("site", "region"):
        raise DomainError(ProblemCode.REQUEST_INVALID, "by must be site or region", field="by")
    group: type[Site] | type[Region] = Site if by == "site" else Region
    query = (
        sa.select(
            col(group.code),
            col(group.name),
            sa.func.count(col(Visit.id)),
            sa.func.sum(col(Visit.score_percent)),
        )
        .join(Site, col(Site.id) == Visit.site_id)
        .where(col(Visit.score_percent).is_not(None), *_counted(scope), *_period(start, end))
    )
    if by == "region":
        query = query.join(Region, col(Region.id) == Site.region_id)
    query = query.group_by(col(group.id), col(group.code), col(group.name))
    rows = [
        RankingRow(code, name, count, _mean(total, count))
        for code, name, count, total in session.execute(query).all()
    ]
    return sorted(rows, key=lambda r: (-r.average, -r.visits, r.code))


def repeat_offenders(
    session: Session, user: User, last_n: int = 3, min_times: int = 2
) -> list[RepeatOffender]:
    """Items failed in at least `min_times` of a site's last `last_n` counted visits;
    most times first, then by site and item code."""
    scope = reviewer_scope(session, user)
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(Visit.site_id),
            order_by=(col(Visit.submitted_at).desc(), col(Visit.id).desc()),
        )
        .label("rank")
    )
    recent = (
        sa.select(col(Visit.id).label("visit_id"), col(Visit.site_id).label("site_id"), rank)
        .where(*_counted(scope))
        .subquery()
    )
    times = sa.func.count(col(Finding.id))
    query = (
        sa.select(col(Site.code), col(Site.name), col(Finding.item_code), times)
        .select_from(recent)
        .join(Finding, col(Finding.visit_id) == recent.c.visit_id)
        .join(Site, col(Site.id) == recent.c.site_id)
        .where(
            recent.c.rank <= last_n,
            col(Finding.result) == "fail",
            col(Finding.deleted_at).is_(None),
        )
        .group_by(Site.code, Site.name, Finding.item_code)
        .having(times >= min_times)
    )
    rows = [RepeatOffender(*r) for r in session.execute(query).all()]
    return sorted(rows, key=lambda r: (-r.times, r.site_code, r.item_code))


def rectification_counts(session: Session, user: User, now: datetime) -> RectificationCounts:
    """Rectifications of the user's sites by state; overdue: still open (or reopened) after
    their due date (a due date of today is not overdue yet)."""
    scope = reviewer_scope(session, user)
    rows = session.execute(
        sa.select(
            col(Rectification.status),
            col(Rectification.due_date),
            sa.func.count(col(Rectification.id)),
        )
        .where(col(Rectification.deleted_at).is_(None), *_in_scope(scope, Rectification.site_id))
        .group_by(col(Rectification.status), col(Rectification.due_date))
    ).all()
    today = now.date()
    counts = {"open": 0, "overdue": 0, "submitted": 0, "verified": 0}
    for status, due, n in rows:
        if status in MANAGER_EDITABLE:
            counts["open"] += n
            counts["overdue"] += n if rectification_overdue(status, due, today) else 0
        elif status in counts:
            counts[status] += n
    return RectificationCounts(**counts)


def inspector_activity(
    session: Session, user: User, start: datetime, end: datetime
) -> list[InspectorActivity]:
    """Per inspector, the counted visits they submitted in [start, end) at the user's
    sites; most first, then by username. Inspectors without a visit are not listed."""
    scope = reviewer_scope(session, user)
    n = sa.func.count(col(Visit.id))
    rows = session.execute(
        sa.select(col(User.username), col(User.display_name), n)
        .join(User, col(User.id) == Visit.inspector_id)
        .where(*_counted(scope), *_period(start, end))
        .group_by(col(User.id), col(User.username), col(User.display_name))
        .order_by(n.desc(), User.username)
    ).all()
    return [InspectorActivity(*r) for r in rows]
