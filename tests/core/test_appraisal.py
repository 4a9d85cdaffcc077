"""The appraisal formulas (fieldcore.appraisal) on worked examples computed by hand from the
seeds: the guard company's month and quarter (000:L895, L929-L933) and tobacco's
half-yearly department summary (001:L154-L156, L180-L182)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from fieldcore.appraisal import (
    Mark,
    guard_month,
    guard_person,
    parse_period,
    required_sample,
    staff_deduction,
    tobacco_department,
)
from fieldcore.appraisal_settings import SPECS, AppraisalSettings, check_value
from fieldcore.problems import DomainError, ProblemCode

SEED = AppraisalSettings.from_stored()  # the defaults: the seeds' values (pools assumed)


def test_periods_name_their_months_and_days() -> None:
    month, quarter, half = parse_period("2026-11"), parse_period("2026-q4"), parse_period("2026-H1")
    assert (month.kind, month.months, month.first, month.last) == (
        "month", (11,), date(2026, 11, 1), date(2026, 11, 30))  # fmt: skip
    assert (quarter.kind, quarter.months, quarter.last) == (
        "quarter",
        (10, 11, 12),
        date(2026, 12, 31),
    )
    assert (half.kind, half.months, half.last) == ("half", (1, 2, 3, 4, 5, 6), date(2026, 6, 30))
    for bad in ("2026-13", "2026-Q5", "2026-H3", "26-11", "2026/11", ""):
        with pytest.raises(DomainError) as err:
            parse_period(bad)
        assert err.value.code == ProblemCode.APPRAISAL_PERIOD_INVALID


def test_defaults_are_the_seeds_values_and_cite_them() -> None:
    assert (SEED.month_max, SEED.quarter_max) == (D(100), D(300))  # 000:L929, L931-L933
    assert (SEED.department_mark, SEED.points_per_point) == (D(85), D(1))  # 001:L182
    assert SEED.sample_share == D("0.05")  # 001:L156
    for spec in SPECS:
        assert spec.source[:3] in ("000", "001") and ":L" in spec.source
        assert spec.assumed == bool(spec.assumed_note)
    assumed = {s.key for s in SPECS if s.assumed}
    # the seed names the bonus pools but gives no amounts; which templates feed it is ours
    assert {"guard.month_pool", "guard.quarter_pool", "tobacco.staff_mark"} <= assumed
    assert "tobacco.department_mark" not in assumed and "guard.month_max" not in assumed


def test_month_score_is_the_mean_of_the_visits_and_the_bonus_its_share_of_the_pool() -> None:
    # visits 90 and 95 → 92.5; bonus 300 × 92.5 / 100 = 277.50 (000:L933)
    month = guard_month("2026-11", [Mark(11, D(90)), Mark(11, D(95))], SEED)
    assert (month.visits, month.score, month.veto, month.bonus) == (
        2,
        D("92.5"),
        False,
        D("277.50"),
    )
    # one visit with a veto: score stays 88.0, the month's bonus is cancelled (000:L895)
    vetoed = guard_month("2026-11", [Mark(11, D(88), veto=True)], SEED)
    assert (vetoed.score, vetoed.veto, vetoed.bonus) == (D(88), True, D(0))


def test_quarter_is_the_sum_of_three_months_out_of_300() -> None:
    # months 92, 88, 95 → quarter 275; bonuses 276.00, 264.00, 285.00; quarter 900 × 275/300
    marks = [Mark(10, D(92)), Mark(11, D(88)), Mark(12, D(95))]
    months, quarter = guard_person(parse_period("2026-Q4"), marks, SEED)
    assert [m.bonus for m in months] == [D("276.00"), D("264.00"), D("285.00")]
    assert quarter is not None
    assert (quarter.total, quarter.veto, quarter.bonus) == (D(275), False, D("825.00"))


def test_a_veto_month_voids_its_bonus_and_the_quarters() -> None:
    # the same months, an incident in November: 276.00, 0, 285.00 and the quarter bonus 0
    marks = [Mark(10, D(92)), Mark(11, D(88), veto=True), Mark(12, D(95))]
    months, quarter = guard_person(parse_period("2026-Q4"), marks, SEED)
    assert [m.bonus for m in months] == [D("276.00"), D(0), D("285.00")]
    assert quarter is not None and (quarter.total, quarter.veto, quarter.bonus) == (
        D(275),
        True,
        D(0),
    )


def test_a_month_without_visits_leaves_the_quarter_incomplete() -> None:
    months, quarter = guard_person(
        parse_period("2026-Q4"), [Mark(10, D(92)), Mark(12, D(95))], SEED
    )
    assert months[1].score is None and months[1].bonus is None
    assert quarter is not None and (quarter.total, quarter.bonus) == (None, None)


def test_changed_pools_change_the_bonuses() -> None:
    settings = AppraisalSettings.from_stored(
        {"guard.month_pool": "500", "guard.quarter_pool": "1200"}
    )
    marks = [Mark(10, D(92)), Mark(11, D(88)), Mark(12, D(95))]
    months, quarter = guard_person(parse_period("2026-Q4"), marks, settings)
    assert months[0].bonus == D("460.00")  # 500 × 92 / 100
    assert quarter is not None and quarter.bonus == D("1100.00")  # 1200 × 275 / 300


def test_a_department_below_85_costs_its_head_and_its_short_staff_a_point_per_point() -> None:
    # people 90.0, 80.0, 79.0 → 249 / 3 = 83.0, 2.0 short of 85: the head loses 2.0;
    # 80.0 loses 5.0, 79.0 loses 6.0, 90.0 nothing (001:L182)
    people = {"a": D(90), "b": D(80), "c": D(79)}
    dept = tobacco_department(people, customers=41, sampled=3, s=SEED)
    assert (dept.average, dept.short, dept.head_deduction) == (D(83), True, D(2))
    assert [staff_deduction(v, dept, SEED) for v in people.values()] == [D(0), D(5), D(6)]
    assert (dept.required_sample, dept.sampled) == (3, 3)  # 5 % of 41 = 2.05 → 3


def test_a_department_at_85_costs_nobody_anything() -> None:
    # 95 and 75 → 85.0: not below the mark, so the 75 is not deducted either ("同时")
    dept = tobacco_department({"a": D(95), "b": D(75)}, customers=20, sampled=2, s=SEED)
    assert (dept.average, dept.short, dept.head_deduction) == (D(85), False, D(0))
    assert staff_deduction(D(75), dept, SEED) == D(0)


def test_changed_mark_and_rate_change_the_deduction() -> None:
    # mark 90, 2 points per point: 83.0 is 7 short → the head loses 14.0; 80 → 10 × 2 = 20
    settings = AppraisalSettings.from_stored(
        {
            "tobacco.department_mark": "90",
            "tobacco.points_per_point": "2",
            "tobacco.staff_mark": "90",
        }
    )
    dept = tobacco_department({"a": D(90), "b": D(80), "c": D(79)}, 41, 3, settings)
    assert dept.head_deduction == D(14) and staff_deduction(D(80), dept, settings) == D(20)


def test_sample_is_the_share_of_customers_rounded_up() -> None:
    assert [required_sample(n, D("0.05")) for n in (0, 1, 20, 21, 100)] == [0, 1, 1, 2, 5]


@pytest.mark.parametrize(
    ("key", "value"),
    [("guard.month_pool", "-1"), ("tobacco.sample_share", "1.5"), ("tobacco.sample_share", "0"),
     ("tobacco.department_mark", "abc"), ("guard.posts", " , "), ("no.such", "1"),
     ("guard.month_max", "NaN")],
)  # fmt: skip
def test_bad_settings_are_refused_with_a_stable_code(key: str, value: str) -> None:
    with pytest.raises(DomainError) as err:
        check_value(key, value)
    assert err.value.code == ProblemCode.APPRAISAL_SETTING_INVALID


def test_codes_are_normalised() -> None:
    assert check_value("guard.posts", " guard ,team-leader,") == "guard,team-leader"


def test_an_incident_at_the_post_voids_a_month_without_the_persons_own_veto() -> None:
    # 000:L895: an incident in the period, whoever's item recorded it; December's
    # visit to the post scored 95 for the guard, the incident was on the equipment's item
    marks = [Mark(10, D(92)), Mark(11, D(88)), Mark(12, D(95))]
    months, quarter = guard_person(parse_period("2026-Q4"), marks, SEED, veto_months={12})
    assert [m.veto for m in months] == [False, False, True]
    assert [m.bonus for m in months] == [D("276.00"), D("264.00"), D(0)]
    assert quarter is not None and (quarter.total, quarter.bonus) == (D(275), D(0))
