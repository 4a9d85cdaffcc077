"""Monthly, quarterly and half-yearly appraisal (考核) from the visits, per person and per
department, by the formulas of fieldcore.appraisal and the organisation's settings.

Which scheme: a month or quarter (2026-11, 2026-Q4) is the guard company's (seed 000,
monthly 百分制, quarter out of 300, bonuses, veto); a half-year (2026-H2) is tobacco's
(seed 001, the half-yearly 测评 summarised per department, below 85 costs points).

How a visit's result becomes a person's score:
- the appraised person is a post at a site (a subject of the template: 当班保安, 客户经理 …),
  named by the site's active Subject rows of that post when there are any; only the posts
  in the scheme's `posts` setting count (so 岗亭及装备, the post's equipment, does not);
- a visit counts for the scheme's templates (setting `templates`) when submitted or later
  (not draft, returned or voided), readable by the reader, by the CST day it was submitted;
- the person's percent in a visit is that subject's 百分制 percent in the stored ScoreCard
  (Visit.score subjects[]); per-subject templates (scoring.per_subject) and pooled ones
  alike record it; a subject with nothing scorable in a visit (percent None) is skipped;
- guard: a veto anywhere in the visit (the visit's or any subject's 一票否决 item) marks
  the month of everyone appraised at that site, even when the visit scored none of their
  items: 000:L895 voids the bonus when an incident happens in the period, whoever's item
  recorded it (and L907 holds the team leader to incidents 管辖范围内);
- a department is the site's region (部(所)); `department` narrows to a region and the
  departments under it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.aggregate import mean_score
from fieldcore.appraisal import (
    Department,
    GuardMonth,
    GuardQuarter,
    Mark,
    Period,
    guard_person,
    mean_or_none,
    staff_deduction,
    tobacco_department,
)
from fieldcore.appraisal_settings import AppraisalSettings
from fieldcore.problems import DomainError, ProblemCode
from sync_server.org.appraisal_settings import load_settings
from sync_server.org.scope import Scope, with_descendants
from sync_server.reports.access import COUNTED, REPORT_TZ, day_bounds, may_read
from sync_server.tables import Region, Site, Subject, TemplateVersion, Visit

ZERO = Decimal(0)


@dataclass
class Person:
    department: Region
    site: Site
    post: str  # the template's subject code
    title: str  # the post's title (当班保安)
    name: str  # the site's people on that post, "" if none registered
    marks: list[Mark] = field(default_factory=list)
    months: list[GuardMonth] = field(default_factory=list)  # guard
    quarter: GuardQuarter | None = None  # guard, quarter periods
    score: Decimal | None = None  # tobacco: mean of the sampled visits
    deduction: Decimal = ZERO  # tobacco: points lost below the staff mark

    @property
    def label(self) -> str:
        return f"{self.title} {self.name}".strip()


@dataclass
class DepartmentRow:
    region: Region
    people: int
    month_averages: list[Decimal | None] = field(default_factory=list)  # guard
    quarter_average: Decimal | None = None  # guard, quarter periods
    vetoed: int = 0  # guard: people with a veto in the period
    month_bonus: Decimal = ZERO
    quarter_bonus: Decimal = ZERO
    tobacco: Department | None = None
    customers: int = 0  # tobacco: the department's active sites (its retail customers)


@dataclass
class AppraisalReport:
    period: Period
    scheme: str  # "guard" | "tobacco"
    settings: AppraisalSettings
    people: list[Person]
    departments: list[DepartmentRow]
    visit_ids: list[str]


def scheme_of(period: Period) -> str:
    return "tobacco" if period.kind == "half" else "guard"


def build_appraisal(
    session: Session, scope: Scope, period: Period, department: str | None = None
) -> AppraisalReport:
    """The period's appraisal of the people and departments the reader may see.

    Raises:
        DomainError(request.not_found): no department with that code.
    """
    settings = load_settings(session)
    scheme = scheme_of(period)
    regions = {r.id: r for r in session.exec(select(Region)).all()}
    wanted = _wanted_regions(session, regions, department)
    people, visit_ids, vetoes = _collect(session, scope, period, scheme, settings, regions, wanted)
    ordered = sorted(people.values(), key=lambda p: (p.department.code, p.site.code, p.post))
    if scheme == "guard":
        rows = _guard_rows(period, settings, ordered, vetoes)
    else:
        rows = _tobacco_rows(session, settings, ordered)
    return AppraisalReport(period, scheme, settings, ordered, rows, visit_ids)


def _wanted_regions(
    session: Session, regions: dict[uuid.UUID, Region], code: str | None
) -> set[uuid.UUID] | None:
    if code is None:
        return None
    root = next((r for r in regions.values() if r.code == code), None)
    if root is None:
        raise DomainError(ProblemCode.REQUEST_NOT_FOUND, code, entity="department", id=code)
    return with_descendants(session, [root.id])


def _collect(
    session: Session,
    scope: Scope,
    period: Period,
    scheme: str,
    settings: AppraisalSettings,
    regions: dict[uuid.UUID, Region],
    wanted: set[uuid.UUID] | None,
) -> tuple[dict[tuple[uuid.UUID, str], Person], list[str], set[tuple[uuid.UUID, int]]]:
    """The people with their marks, the visits counted, and (site, month) of every visit
    with a veto (the guard scheme's incidents, whoever's item recorded them)."""
    templates = settings.guard_templates if scheme == "guard" else settings.tobacco_templates
    posts = settings.guard_posts if scheme == "guard" else settings.tobacco_posts
    start, end = day_bounds(period.first, period.last)
    keys = sa.select(col(TemplateVersion.key)).where(
        col(TemplateVersion.template_id).in_(templates)
    )
    query = select(Visit).where(
        col(Visit.status).in_(COUNTED),
        col(Visit.deleted_at).is_(None),
        col(Visit.submitted_at) >= start,
        col(Visit.submitted_at) < end,
        col(Visit.template_key).in_(keys),
    )
    sites = {s.id: s for s in session.exec(select(Site)).all()}
    names = _names(session)
    people: dict[tuple[uuid.UUID, str], Person] = {}
    visit_ids: list[str] = []
    vetoes: set[tuple[uuid.UUID, int]] = set()
    for visit in session.exec(query.order_by(col(Visit.submitted_at))):
        site = sites[visit.site_id]
        if not may_read(scope, visit) or (wanted is not None and site.region_id not in wanted):
            continue
        assert visit.submitted_at is not None  # the query asks for a submission time
        month = visit.submitted_at.astimezone(REPORT_TZ).month
        score = visit.score or {}
        subjects = score.get("subjects", [])
        if scheme == "guard" and (score.get("veto") or any(x.get("veto") for x in subjects)):
            vetoes.add((site.id, month))
            visit_ids.append(str(visit.id))
        counted = False
        for subject in subjects:
            if subject.get("code") not in posts or subject.get("percent") is None:
                continue
            key = (site.id, subject["code"])
            person = people.get(key) or Person(
                regions[site.region_id],
                site,
                subject["code"],
                subject.get("title") or subject["code"],
                names.get(key, ""),
            )
            people[key] = person
            veto = (site.id, month) in vetoes
            person.marks.append(Mark(month, Decimal(str(subject["percent"])), veto))
            counted = True
        if counted and str(visit.id) not in visit_ids[-1:]:
            visit_ids.append(str(visit.id))
    return people, visit_ids, vetoes


def _names(session: Session) -> dict[tuple[uuid.UUID, str], str]:
    """(site, post) → the names of its active people on that post, 、-separated."""
    found: dict[tuple[uuid.UUID, str], list[str]] = defaultdict(list)
    for subject in session.exec(
        select(Subject).where(col(Subject.active)).order_by(col(Subject.name))
    ):
        if subject.name:
            found[(subject.site_id, subject.post)].append(subject.name)
    return {key: "、".join(names) for key, names in found.items()}


def _by_department(people: list[Person]) -> dict[uuid.UUID, list[Person]]:
    out: dict[uuid.UUID, list[Person]] = defaultdict(list)
    for person in people:
        out[person.department.id].append(person)
    return out


def _guard_rows(
    period: Period,
    settings: AppraisalSettings,
    people: list[Person],
    vetoes: set[tuple[uuid.UUID, int]],
) -> list[DepartmentRow]:
    for person in people:
        months = {m for site, m in vetoes if site == person.site.id}
        person.months, person.quarter = guard_person(period, person.marks, settings, months)
    rows = []
    for members in _by_department(people).values():
        row = DepartmentRow(members[0].department, len(members))
        for n in range(len(period.months)):
            row.month_averages.append(mean_or_none(p.months[n].score for p in members))
        quarters = [p.quarter for p in members if p.quarter is not None]
        row.quarter_average = mean_or_none(q.total for q in quarters)
        row.vetoed = sum(any(m.veto for m in p.months) for p in members)
        row.month_bonus = sum((m.bonus or ZERO for p in members for m in p.months), ZERO)
        row.quarter_bonus = sum((q.bonus or ZERO for q in quarters), ZERO)
        rows.append(row)
    return rows


def _tobacco_rows(
    session: Session, settings: AppraisalSettings, people: list[Person]
) -> list[DepartmentRow]:
    for person in people:
        person.score = mean_score(m.percent for m in person.marks)
    rows = []
    for region_id, members in _by_department(people).items():
        customers = session.exec(
            select(sa.func.count())
            .select_from(Site)
            .where(col(Site.region_id) == region_id, col(Site.active))
        ).one()
        sampled = len({p.site.id for p in members})
        scores = {f"{p.site.id}/{p.post}": p.score for p in members if p.score is not None}
        department = tobacco_department(scores, customers, sampled, settings)
        for person in members:
            assert person.score is not None
            person.deduction = staff_deduction(person.score, department, settings)
        rows.append(
            DepartmentRow(
                members[0].department, len(members), tobacco=department, customers=customers
            )
        )
    return rows
