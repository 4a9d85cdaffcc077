"""Roll-ups the seeds describe: people, departments, months and quarters.

- A person's score is the mean of their visits (按照抽查户数求平均数, 001:L156).
- A department's score is the mean of its people (001:L180).
- A month is out of 100; a quarter is the sum of its three months, out of 300 (000:L929-931).
- Bonus = pool × score / out_of, and nothing in a period with a veto (000:L893-895, L933).
- Below the 85 mark, each point short costs one appraisal point (001:L182).
Each level is rounded half up to 0.1 before the next level averages it, as the 汇总表
shows the rounded figures a reader would average by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import round_half_up

MONTH_MAX = Decimal(100)
QUARTER_MAX = Decimal(300)
DEPARTMENT_MARK = Decimal(85)


def mean_score(scores: Iterable[Decimal]) -> Decimal:
    """Mean of 百分制 scores, rounded half up to 0.1.

    Raises:
        DomainError(aggregate.invalid): no scores, or a score outside 0..100.
    """
    values = [_percent(s) for s in scores]
    if not values:
        raise DomainError(ProblemCode.AGGREGATE_INVALID, "nothing to average")
    return round_half_up(sum(values, Decimal(0)) / len(values))


def person_scores(visits: Mapping[str, Sequence[Decimal]]) -> dict[str, Decimal]:
    """Person → mean of the percents of the visits that scored them."""
    return {person: mean_score(scores) for person, scores in visits.items()}


def department_scores(
    members: Mapping[str, Sequence[str]], people: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Department → mean of its people's scores; people without a score are left out.

    Raises:
        DomainError(aggregate.invalid): a department none of whose people has a score.
    """
    out = {}
    for department, names in members.items():
        scored = [people[n] for n in names if n in people]
        if not scored:
            raise DomainError(
                ProblemCode.AGGREGATE_INVALID, f"department {department} has no scored people"
            )
        out[department] = mean_score(scored)
    return out


def quarter_total(months: Sequence[Decimal]) -> Decimal:
    """Sum of exactly three monthly scores, out of 300."""
    if len(months) != 3:
        raise DomainError(
            ProblemCode.AGGREGATE_INVALID, f"a quarter has 3 monthly scores, got {len(months)}"
        )
    return sum((_percent(m) for m in months), Decimal(0))


def bonus(
    pool: Decimal, score: Decimal, out_of: Decimal = MONTH_MAX, veto: bool = False
) -> Decimal:
    """Performance bonus: pool × score / out_of, rounded to the fen; 0 after a veto."""
    if pool < 0 or not 0 <= score <= out_of:
        raise DomainError(ProblemCode.AGGREGATE_INVALID, f"score {score} not in 0..{out_of}")
    return Decimal(0) if veto else round_half_up(pool * score / out_of, 2)


def appraisal_deduction(score: Decimal, mark: Decimal = DEPARTMENT_MARK) -> Decimal:
    """Points short of the mark (one appraisal point per point short, 001:L182)."""
    return max(Decimal(0), mark - _percent(score))


def _percent(value: Decimal) -> Decimal:
    value = Decimal(value)
    if not 0 <= value <= MONTH_MAX:
        raise DomainError(ProblemCode.AGGREGATE_INVALID, f"score {value} not in 0..100")
    return value
