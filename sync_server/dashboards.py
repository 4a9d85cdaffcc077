"""Console dashboards: a site's trend, the 通报 ranking, the category breakdown, repeat
offenders, rectification counts and inspector activity (the console calls these; no web
imports).

Every function is scoped like the review queue (`review.reviewer_scope`): only reviewers
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
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import round_half_up
from fieldcore.workflow import MANAGER_EDITABLE, rectification_overdue
from sync_server.review import reviewer_scope
from sync_server.scope import Scope
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
        Visit.status.in_(COUNTED),  # type: ignore[attr-defined]
        Visit.submitted_at.is_not(None),  # type: ignore[union-attr]
        Visit.deleted_at.is_(None),  # type: ignore[union-attr]
        *_in_scope(scope, Visit.site_id),
    ]


def _period(start: datetime, end: datetime) -> list[Any]:
    return [Visit.submitted_at >= start, Visit.submitted_at < end]  # type: ignore[operator]


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
        sa.select(Visit.submitted_at, Visit.score_percent)
        .where(Visit.site_id == site_id, Visit.score_percent.is_not(None), *_counted(scope))  # type: ignore[union-attr]
        .order_by(Visit.submitted_at.desc(), Visit.id.desc())  # type: ignore[union-attr, attr-defined]
        .limit(last_n)
    ).all()
    return [(at, pct) for at, pct in reversed(rows)]


def scoped_site(session: Session, user: User, code: str) -> uuid.UUID:
    """The id of the site with this code, if the reviewer may see it.

    Raises DomainError: auth.forbidden (not a reviewer), scope.denied (no such site in
    the user's scope: an unknown code reads the same, so codes cannot be probed)."""
    scope = reviewer_scope(session, user)
    site_id = session.execute(sa.select(Site.id).where(Site.code == code)).scalar()
    if site_id is None or not scope.sees_site(site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="site", id=code)
    return site_id  # type: ignore[no-any-return]


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
        sa.select(Visit.template_key, TemplateVersion.title, Visit.score)
        .join(TemplateVersion, TemplateVersion.key == Visit.template_key)  # type: ignore[arg-type]
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
    group = Site if by == "site" else Region
    query = (
        sa.select(
            group.code,
            group.name,
            sa.func.count(Visit.id),
            sa.func.sum(Visit.score_percent),
        )
        .join(Site, Site.id == Visit.site_id)  # type: ignore[arg-type]
        .where(Visit.score_percent.is_not(None), *_counted(scope), *_period(start, end))  # type: ignore[union-attr]
    )
    if by == "region":
        query = query.join(Region, Region.id == Site.region_id)  # type: ignore[arg-type]
    query = query.group_by(group.id, group.code, group.name)  # type: ignore[attr-defined]
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
            partition_by=Visit.site_id,
            order_by=(Visit.submitted_at.desc(), Visit.id.desc()),  # type: ignore[union-attr, attr-defined]
        )
        .label("rank")
    )
    recent = (
        sa.select(Visit.id.label("visit_id"), Visit.site_id.label("site_id"), rank)  # type: ignore[attr-defined]
        .where(*_counted(scope))
        .subquery()
    )
    times = sa.func.count(Finding.id)
    query = (
        sa.select(Site.code, Site.name, Finding.item_code, times)
        .select_from(recent)
        .join(Finding, Finding.visit_id == recent.c.visit_id)  # type: ignore[arg-type]
        .join(Site, Site.id == recent.c.site_id)  # type: ignore[arg-type]
        .where(recent.c.rank <= last_n, Finding.result == "fail", Finding.deleted_at.is_(None))  # type: ignore[union-attr]
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
        sa.select(Rectification.status, Rectification.due_date, sa.func.count(Rectification.id))
        .where(Rectification.deleted_at.is_(None), *_in_scope(scope, Rectification.site_id))  # type: ignore[union-attr]
        .group_by(Rectification.status, Rectification.due_date)
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
    n = sa.func.count(Visit.id)
    rows = session.execute(
        sa.select(User.username, User.display_name, n)
        .join(User, User.id == Visit.inspector_id)  # type: ignore[arg-type]
        .where(*_counted(scope), *_period(start, end))
        .group_by(User.id, User.username, User.display_name)
        .order_by(n.desc(), User.username)
    ).all()
    return [InspectorActivity(*r) for r in rows]
