"""Appraisal (考核) formulas of the two schemes the seeds describe; pure, no I/O.

Every parameter comes from `AppraisalSettings` (the organisation's settings, defaults
from the seeds, fieldcore.appraisal_settings); the server gathers each person's visit
results (sync_server.supervision.appraisal) and hands them here.

Guard company (seed 000), per person (a post at a site) and month:
- month score = mean of the person's visit percents that month, on month_max (百分制,
  000:L929), rounded half up to 0.1;
- quarter score = sum of the three month scores, out of 3 × month_max = 300 (000:L931);
  a month without a visit leaves the quarter incomplete (no total, no bonus: assumed, the
  seed scores every month);
- month bonus = month_pool × month score / 100; quarter bonus = quarter_pool × quarter
  score / 300 (000:L933), rounded to the fen;
- a veto (安全事故、偷窃、火灾 in the period, 000:L895, L907, L957) voids the month's bonus
  and the quarter's: both 0, the scores stay shown.
  Worked example (pools 300 / 900): months 92, 88, 95 → quarter 275; month bonuses
  276.00, 264.00, 285.00; quarter bonus 900 × 275 / 300 = 825.00. With a veto in the
  second month: month bonuses 276.00, 0, 285.00 and quarter bonus 0.

Tobacco (seed 001), per half-year (测评 at the end of June and December, 001:L154):
- a person's score = mean of their sampled visits' percents (按照抽查户数求平均数,
  001:L156); the department's (部(所)) = mean of its people's scores (001:L180);
- the sample is sample_share (5 %) of the department's retail customers (sites),
  rounded up (001:L154-L156); fewer sampled sites is flagged, not refused;
- a department below department_mark (85) costs its head points_per_point (1) appraisal
  point per point short; in such a department every person below staff_mark loses the
  same per point short (001:L182, "同时依次对岗位未达标服务人员…扣分").
  Worked example: people 90.0, 80.0, 79.0 → department 83.0 (249/3), 2.0 short: the head
  loses 2.0; the 80.0 person loses 5.0, the 79.0 person 6.0, the 90.0 person nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from fieldcore.aggregate import bonus, mean_score
from fieldcore.appraisal_settings import AppraisalSettings
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import round_half_up

PeriodKind = Literal["month", "quarter", "half"]
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12]))$")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Period:
    text: str  # "2026-11", "2026-Q4", "2026-H2"
    kind: PeriodKind
    year: int
    months: tuple[int, ...]  # the calendar months it covers

    @property
    def first(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def last(self) -> date:
        end = self.months[-1]
        following = date(self.year + 1, 1, 1) if end == 12 else date(self.year, end + 1, 1)
        return following - timedelta(days=1)

    def month_labels(self) -> list[str]:
        return [f"{self.year}-{m:02d}" for m in self.months]


def parse_period(text: str) -> Period:
    """ "2026-11" (month), "2026-Q4" (quarter), "2026-H2" (half-year).

    Raises:
        DomainError(appraisal.period_invalid): anything else.
    """
    found = _PERIOD.match(text.strip().upper())
    if not found:
        raise DomainError(ProblemCode.APPRAISAL_PERIOD_INVALID, text, period=text)
    year = int(found[1])
    if found[2]:
        return Period(found[0], "month", year, (int(found[2]),))
    if found[3]:
        q = int(found[3])
        return Period(found[0], "quarter", year, tuple(range(3 * q - 2, 3 * q + 1)))
    h = int(found[4])
    return Period(found[0], "half", year, tuple(range(6 * h - 5, 6 * h + 1)))


@dataclass(frozen=True)
class Mark:
    """One visit's result for one person: its month, the person's percent, a veto."""

    month: int
    percent: Decimal
    veto: bool = False


# ---- guard company (seed 000) --------------------------------------------------------


@dataclass(frozen=True)
class GuardMonth:
    label: str  # "2026-11"
    visits: int
    score: Decimal | None  # None: no visit this month
    veto: bool
    bonus: Decimal | None  # 0 after a veto; None without a score


@dataclass(frozen=True)
class GuardQuarter:
    months: tuple[GuardMonth, ...]
    total: Decimal | None  # None unless all three months have a score
    veto: bool
    bonus: Decimal | None


def guard_month(
    label: str, marks: Sequence[Mark], s: AppraisalSettings, veto: bool = False
) -> GuardMonth:
    """A person's month: mean percent on month_max, and the bonus it earns; `veto`: an
    incident at their post this month that none of their own marks carries."""
    veto = veto or any(m.veto for m in marks)
    if not marks:
        return GuardMonth(label, 0, None, veto, None)
    score = round_half_up(mean_score(m.percent for m in marks) * s.month_max / 100)
    return GuardMonth(label, len(marks), score, veto, bonus(s.month_pool, score, s.month_max, veto))


def guard_quarter(months: Sequence[GuardMonth], s: AppraisalSettings) -> GuardQuarter:
    """The sum of three months out of 3 × month_max; any month's veto voids its bonus."""
    if len(months) != 3:
        raise DomainError(
            ProblemCode.AGGREGATE_INVALID, f"a quarter has 3 months, not {len(months)}"
        )
    veto = any(m.veto for m in months)
    scores = [m.score for m in months if m.score is not None]
    if len(scores) < 3:
        return GuardQuarter(tuple(months), None, veto, None)
    total = sum(scores, ZERO)
    return GuardQuarter(
        tuple(months), total, veto, bonus(s.quarter_pool, total, s.quarter_max, veto)
    )


def guard_person(
    period: Period, marks: Iterable[Mark], s: AppraisalSettings, veto_months: Collection[int] = ()
) -> tuple[list[GuardMonth], GuardQuarter | None]:
    """A person's months of the period and, for a quarter, the quarter; `veto_months`: the
    months with an incident at their post besides those their marks carry."""
    by_month: dict[int, list[Mark]] = {m: [] for m in period.months}
    for mark in marks:
        if mark.month in by_month:
            by_month[mark.month].append(mark)
    months = [
        guard_month(label, by_month[m], s, m in veto_months)
        for m, label in zip(period.months, period.month_labels(), strict=True)
    ]
    return months, guard_quarter(months, s) if period.kind == "quarter" else None


def mean_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    """Mean rounded to 0.1 of the values given (a department's average), None if none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return round_half_up(sum(present, ZERO) / len(present))


# ---- tobacco (seed 001) --------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    average: Decimal  # mean of its people's scores
    short: bool  # below department_mark
    head_deduction: Decimal  # points the 部(所)长 loses
    required_sample: int  # ceil(sample_share × retail customers)
    sampled: int  # distinct customers (sites) visited


def required_sample(customers: int, share: Decimal) -> int:
    """ceil(share × customers): 5 % of 41 customers is 3 (2.05 rounded up)."""
    return math.ceil(Decimal(customers) * share) if customers > 0 else 0


def points_short(score: Decimal, mark: Decimal, per_point: Decimal) -> Decimal:
    """per_point appraisal points per point below mark (001:L182), rounded to 0.1."""
    return round_half_up(max(ZERO, mark - score) * per_point)


def tobacco_department(
    people: Mapping[str, Decimal], customers: int, sampled: int, s: AppraisalSettings
) -> Department:
    """A department's average of its people and what the head loses below the mark."""
    average = mean_score(people.values())
    return Department(
        average=average,
        short=average < s.department_mark,
        head_deduction=points_short(average, s.department_mark, s.points_per_point),
        required_sample=required_sample(customers, s.sample_share),
        sampled=sampled,
    )


def staff_deduction(score: Decimal, department: Department, s: AppraisalSettings) -> Decimal:
    """What a person loses: only in a department below its mark, per point below staff_mark."""
    if not department.short:
        return ZERO
    return points_short(score, s.staff_mark, s.points_per_point)
