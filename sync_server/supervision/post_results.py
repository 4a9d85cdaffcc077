"""Dashboards per post (subject) for per-subject templates (scoring.per_subject, issue 13).

Seed 001 scores each post (客户经理 / 专管员 / 送货员) on 百分制 on its own and averages a
post over the sampled shops (001:L24, L156): a visit of such a template has no headline
percent of its own (sync.effects keeps its score_percent empty, so the pooled rankings and
trends of `dashboards` leave it out), and its results are read here from
visit_subject_result: per post, the visits, the mean percent (rounded half up to 0.1, as
fieldcore.aggregate) and how many passed (percent ≥ the pass mark and no veto of its own).

Scoped and counted like `dashboards` (reviewers only, their sites, submitted and later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import round_half_up
from sync_server.org.scope import reviewer_scope
from sync_server.supervision.dashboards import _counted, _mean, _period
from sync_server.tables import Region, Site, TemplateVersion, User, Visit, VisitSubjectResult
from sync_server.templates.versions import get_template

By = Literal["post", "site", "region"]


@dataclass(frozen=True)
class PostRow:
    template_key: str
    template_title: str
    subject_code: str
    subject_title: str
    code: str  # site or region code; "" when by="post" (every site in scope)
    name: str
    visits: int
    average: Decimal  # mean percent of the post, half up to 0.1
    passed: int  # visits in which the post passed

    @property
    def pass_rate(self) -> Decimal:
        """Share of the visits in which the post passed, percent, half up to 0.1."""
        return round_half_up(Decimal(100) * self.passed / self.visits)


def post_results(
    session: Session, user: User, start: datetime, end: datetime, by: By = "post"
) -> list[PostRow]:
    """Per template and post (and per site or region when `by` says so), the counted
    visits submitted in [start, end): visits, mean percent and passes. Ordered by
    template, then the template's order of posts, then best average first (ties: more
    visits, then code) — a ranking within each post.

    Raises DomainError: auth.forbidden (not a reviewer), request.invalid (by)."""
    scope = reviewer_scope(session, user)
    if by not in ("post", "site", "region"):
        raise DomainError(
            ProblemCode.REQUEST_INVALID, "by must be post, site or region", field="by"
        )
    r = VisitSubjectResult
    group: list[Any] = []
    if by == "site":
        group = [col(Site.code), col(Site.name)]
    elif by == "region":
        group = [col(Region.code), col(Region.name)]
    passed = sa.func.sum(sa.case((col(r.passed).is_(True), 1), else_=0))
    query = (
        sa.select(
            col(Visit.template_key),
            col(TemplateVersion.title),
            col(r.subject_code),
            sa.func.max(col(r.title)),
            *group,
            sa.func.count(col(Visit.id)),
            sa.func.sum(col(r.percent)),
            passed,
        )
        .join(Visit, col(Visit.id) == r.visit_id)
        .join(TemplateVersion, col(TemplateVersion.key) == Visit.template_key)
        .where(col(r.percent).is_not(None), *_counted(scope), *_period(start, end))
        .group_by(col(Visit.template_key), col(TemplateVersion.title), col(r.subject_code), *group)
    )
    if by in ("site", "region"):
        query = query.join(Site, col(Site.id) == Visit.site_id)
    if by == "region":
        query = query.join(Region, col(Region.id) == Site.region_id)
    rows = []
    for found in session.execute(query).all():
        key, title, subject, subject_title = found[:4]
        code, name = (found[4], found[5]) if group else ("", "")
        visits, total, n_passed = found[-3:]
        rows.append(
            PostRow(key, title, subject, subject_title, code, name, visits,
                    _mean(total, visits), int(n_passed or 0))
        )  # fmt: skip
    order = _post_order(session, {row.template_key for row in rows})
    return sorted(
        rows,
        key=lambda p: (
            p.template_key,
            order.get((p.template_key, p.subject_code), 0),
            -p.average,
            -p.visits,
            p.code,
        ),
    )


def _post_order(session: Session, keys: set[str]) -> dict[tuple[str, str], int]:
    """(template key, subject code) → the subject's place in its template."""
    out = {}
    for key in keys:
        for n, subject in enumerate(get_template(session, key).subjects):
            out[(key, subject.code)] = n
    return out
