"""The 汇总表 figures (001:L156, L180-182), computed with fieldcore.aggregate:

- a site's (or a subject's) average is the mean of its visits' 百分制 percents
  (按照抽查户数求平均数), rounded half up to 0.1;
- a department or region's average is the mean of its sites' rounded averages, as a
  部(所) gets the mean of what it oversees; below 85 each point short costs one
  appraisal point (appraisal_deduction).
Visits count when submitted or later (not draft, returned or voided), by the CST day of
submission, and only those the reader may read (access.may_read).

Under each site come its posts (岗位, the templates' subjects), as the seed's 汇总表 lists
results per post within a 部(所) (001:L156, L190): visits, the average of the post's
percents, its scores (SubjectScore) added up and the points they lost. Nothing here
scores: every figure is the stored ScoreCard's, summed or averaged.

Per-subject templates (scoring.per_subject, seed 001): each post is the scored unit, so
their visits count in the post rows only (with how often each post passed); their
pooled percent is not the regulation's and stays out of the site and department rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.aggregate import DEPARTMENT_MARK, appraisal_deduction, department_scores, mean_score
from sync_server.org.scope import Scope, with_descendants
from sync_server.reports.access import COUNTED, day_bounds, may_read
from sync_server.reports.data import Progress, no_progress
from sync_server.tables import Region, Site, Visit


@dataclass
class Group:
    """What one site's visits, or one post's results at one site, add up to."""

    percents: list[Decimal] = field(default_factory=list)
    vetoes: int = 0
    judged: int = 0  # visits of per-subject templates, where the subject has a pass
    passes: int = 0  # ... and in how many of them it passed
    points: Decimal = Decimal(0)  # the engine's scores (得分), added up over the visits
    full: Decimal = Decimal(0)  # ... and their maxima (满分)

    @property
    def average(self) -> Decimal:
        return mean_score(self.percents)

    @property
    def lost(self) -> Decimal:
        """扣分 as the visit forms print it (visit_sheet.lost): 满分 − 得分, so the 汇总表's
        扣分 is the sum of its visits' and a floored (扣完为止) or zeroed (不得分) category
        counts what it really cost."""
        return self.full - self.points

    def add(self, percent: Any, score: Any, full: Any, veto: Any) -> None:
        """One visit's figures as its stored ScoreCard (or one SubjectScore of it) gives them."""
        self.percents.append(Decimal(str(percent)))
        self.points += Decimal(str(score))
        self.full += Decimal(str(full))
        self.vetoes += bool(veto)


@dataclass
class SiteBlock:
    """A site's row of the 汇总表 and its posts (岗位) right under it."""

    region: Region
    site: Site
    group: Group | None  # None: only per-subject visits, which have no site figure
    posts: list[tuple[str, str, Group]]  # (code, title, figures), in the templates' order


@dataclass
class Summary:
    first: date
    last: date
    regions: dict[uuid.UUID, Region]
    sites: dict[uuid.UUID, Site]
    by_site: dict[uuid.UUID, Group] = field(default_factory=dict)
    by_subject: dict[tuple[uuid.UUID, str], Group] = field(default_factory=dict)
    subject_titles: dict[str, str] = field(default_factory=dict)
    # (template id, place in its list of subjects): a site's posts come template by template
    subject_order: dict[str, tuple[str, int]] = field(default_factory=dict)
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

    def site_blocks(self) -> Iterator[SiteBlock]:
        """Each site with a counted visit, by code, with its posts' subtotals under it."""
        posts: dict[uuid.UUID, list[str]] = defaultdict(list)
        for site_id, code in self.by_subject:
            posts[site_id].append(code)
        for site_id in sorted({*self.by_site, *posts}, key=lambda s: self.sites[s].code):
            site = self.sites[site_id]
            codes = sorted(posts[site_id], key=lambda c: (self.subject_order[c], c))
            yield SiteBlock(
                self.regions[site.region_id],
                site,
                self.by_site.get(site_id),
                [(c, self.subject_titles.get(c, c), self.by_subject[(site_id, c)]) for c in codes],
            )


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
            group.add(score["percent"], score["total"], score["max"], score.get("veto"))
        for place, subject in enumerate(score.get("subjects", [])):
            if subject.get("percent") is None:
                continue
            code = subject["code"]
            summary.subject_titles[code] = subject["title"]
            template_id = visit.template_key.rsplit(".v", 1)[0]
            summary.subject_order.setdefault(code, (template_id, place))
            sub = summary.by_subject.setdefault((visit.site_id, code), Group())
            sub.add(subject["percent"], subject["score"], subject["max"], subject.get("veto"))
            if per_subject:
                sub.judged += 1
                sub.passes += subject.get("passed") is True
    return summary
