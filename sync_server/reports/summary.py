"""The 汇总表 figures (001:L156, L180-182), computed with fieldcore.aggregate:

- a site's (or a subject's) average is the mean of its visits' 百分制 percents
  (按照抽查户数求平均数), rounded half up to 0.1;
- a department or region's average is the mean of its sites' rounded averages, as a
  部(所) gets the mean of what it oversees; below 85 each point short costs one
  appraisal point (appraisal_deduction).
Visits count when submitted or later (not draft, returned or voided), by the CST day of
submission, and only those the reader may read (access.may_read).

Per-subject templates (scoring.per_subject, seed 001): each post is the scored unit, so
their visits count in the subject rows only (with how often each post passed); their
pooled percent is not the regulation's and stays out of the site and department rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.aggregate import DEPARTMENT_MARK, appraisal_deduction, department_scores, mean_score
from sync_server.org.scope import Scope, with_descendants
from sync_server.reports.access import COUNTED, day_bounds, may_read
from sync_server.reports.data import Progress, no_progress
from sync_server.tables import Region, Site, Visit


@dataclass
class Group:
    """Percents collected for one site, or one subject at one site."""

    percents: list[Decimal] = field(default_factory=list)
    vetoes: int = 0
    judged: int = 0  # visits of per-subject templates, where the subject has a pass
    passes: int = 0  # ... and in how many of them it passed

    @property
    def average(self) -> Decimal:
        return mean_score(self.percents)


@dataclass
class Summary:
    first: date
    last: date
    regions: dict[uuid.UUID, Region]
    sites: dict[uuid.UUID, Site]
    by_site: dict[uuid.UUID, Group] = field(default_factory=dict)
    by_subject: dict[tuple[uuid.UUID, str], Group] = field(default_factory=dict)
    subject_titles: dict[str, str] = field(default_factory=dict)
    visit_ids: list[str] = field(default_factory=list)

    def region_rows(self) -> Iterator[tuple[Region, int, int, Decimal, bool, Decimal]]:
        """(region, sites, visits, average, meets 85, appraisal deduction) per department."""
        members: dict[str, list[str]] = defaultdict(list)
        for site_id in self.by_site:
            members[str(self.sites[site_id].region_id)].append(str(site_id))
        people = {str(s): g.average for s, g in self.by_site.items()}
        averages = department_scores(members, people)
        for region in sorted(self.regions.values(), key=lambda r: r.code):
            if str(region.id) in averages:
                avg = averages[str(region.id)]
                site_ids = members[str(region.id)]
                visits = sum(len(self.by_site[uuid.UUID(s)].percents) for s in site_ids)
                yield (
                    region,
                    len(site_ids),
                    visits,
                    avg,
                    avg >= DEPARTMENT_MARK,
                    appraisal_deduction(avg),
                )

    def site_rows(self) -> Iterator[tuple[Region, Site, Group]]:
        for site_id, group in sorted(self.by_site.items(), key=lambda kv: self.sites[kv[0]].code):
            site = self.sites[site_id]
            yield self.regions[site.region_id], site, group

    def subject_rows(self) -> Iterator[tuple[Site, str, str, Group]]:
        keys = sorted(self.by_subject, key=lambda k: (self.sites[k[0]].code, k[1]))
        for site_id, code in keys:
            title = self.subject_titles.get(code, code)
            yield self.sites[site_id], code, title, self.by_subject[(site_id, code)]


def build_summary(
    session: Session,
    scope: Scope,
    first: date,
    last: date,
    region_code: str | None = None,
    progress: Progress = no_progress,
) -> Summary:
    regions = {r.id: r for r in session.exec(select(Region)).all()}
    sites = {s.id: s for s in session.exec(select(Site)).all()}
    start, end = day_bounds(first, last)
    query = select(Visit).where(
        col(Visit.status).in_(COUNTED),
        col(Visit.deleted_at).is_(None),
        col(Visit.submitted_at) >= start,
        col(Visit.submitted_at) < end,
    )
    if region_code is not None:
        root = next((r for r in regions.values() if r.code == region_code), None)
        wanted = with_descendants(session, [root.id]) if root else set()
        query = query.where(
            col(Visit.site_id).in_(sa.select(col(Site.id)).where(col(Site.region_id).in_(wanted)))
        )
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    summary = Summary(first, last, regions, sites)
    for done, visit in enumerate(session.exec(query.order_by(col(Visit.submitted_at))), 1):
        progress(done, total)
        score = visit.score or {}
        if not may_read(scope, visit) or score.get("percent") is None:
            continue
        summary.visit_ids.append(str(visit.id))
        per_subject = bool(score.get("per_subject"))
        if not per_subject:  # a per-subject visit's pooled percent is not the regulation's
            group = summary.by_site.setdefault(visit.site_id, Group())
            group.percents.append(Decimal(str(score["percent"])))
            group.vetoes += bool(score.get("veto"))
        for subject in score.get("subjects", []):
            if subject.get("percent") is None:
                continue
            summary.subject_titles[subject["code"]] = subject["title"]
            sub = summary.by_subject.setdefault((visit.site_id, subject["code"]), Group())
            sub.percents.append(Decimal(str(subject["percent"])))
            sub.vetoes += bool(subject.get("veto"))
            if per_subject:
                sub.judged += 1
                sub.passes += subject.get("passed") is True
    return summary
