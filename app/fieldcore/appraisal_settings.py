"""The organisation's appraisal (考核) settings: every parameter of the formulas in
fieldcore.appraisal, with its default, the seed line it comes from, and whether the seed
gives it (`assumed` when it does not).

The server stores what an admin changed (table appraisal_setting) and reads
`AppraisalSettings.from_stored(rows)`: stored values over these defaults. A value is
checked here, so a bad one is refused with `appraisal.setting_invalid` and nothing saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from fieldcore.problems import DomainError, ProblemCode

Kind = Literal["amount", "points", "share", "codes"]


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: Kind  # amount ≥ 0 (yuan), points > 0, share in (0, 1], codes: comma-separated
    default: str
    title: str  # Chinese first, English after " / "
    source: str  # the seed line, e.g. "000:L929"
    assumed: bool = False
    assumed_note: str = ""


SPECS: tuple[SettingSpec, ...] = (
    # ---- guard company (seed 000): monthly 百分制, quarter = sum of 3 months ----
    SettingSpec(
        "guard.templates",
        "codes",
        "guard-post",
        "保安考核 适用模板 / Guard: templates",
        "000:L929",
        True,
        "which checklist templates feed the guard appraisal is the organisation's choice",
    ),
    SettingSpec(
        "guard.posts",
        "codes",
        "guard,team-leader",
        "保安考核 岗位 / Guard: appraised posts",
        "000:L893-L905",
        False,
        "",
    ),
    SettingSpec("guard.month_max", "points", "100", "月度满分 / Monthly full marks", "000:L929"),
    SettingSpec(
        "guard.month_pool",
        "amount",
        "300",
        "月度绩效奖金总额(元) / Monthly bonus pool",
        "000:L933",
        True,
        "the seed names the pool (月度绩效奖金总额) but not its amount",
    ),
    SettingSpec(
        "guard.quarter_pool",
        "amount",
        "900",
        "季度绩效奖金总额(元) / Quarterly bonus pool",
        "000:L933",
        True,
        "the seed names the pool (季度绩效奖金总额) but not its amount",
    ),
    # ---- tobacco (seed 001): half-yearly sample, 汇总表, department below 85 ----
    SettingSpec(
        "tobacco.templates",
        "codes",
        "tobacco-retail",
        "烟草测评 适用模板 / Tobacco: templates",
        "001:L156",
        True,
        "which checklist templates feed the 测评 is the organisation's choice",
    ),
    SettingSpec(
        "tobacco.posts",
        "codes",
        "account-manager,monopoly-officer,delivery-driver",
        "烟草测评 岗位 / Tobacco: appraised posts",
        "001:L20",
    ),
    SettingSpec(
        "tobacco.sample_share", "share", "0.05", "抽样比例 / Sample share", "001:L154-L156"
    ),
    SettingSpec(
        "tobacco.department_mark", "points", "85", "部(所)达标分 / Department mark", "001:L182"
    ),
    SettingSpec(
        "tobacco.points_per_point",
        "points",
        "1",
        "每少1分扣考核分 / Points lost per point short",
        "001:L182",
    ),
    SettingSpec(
        "tobacco.staff_mark",
        "points",
        "85",
        "人员达标分 / Staff mark",
        "001:L182",
        True,
        "the seed says 岗位未达标 without a figure; the department's 85 is assumed",
    ),
)
SPEC_BY_KEY = {s.key: s for s in SPECS}


def check_value(key: str, value: str) -> str:
    """The value normalised (numbers without trailing blanks, codes without spaces).

    Raises:
        DomainError(appraisal.setting_invalid): an unknown key or a value out of range.
    """
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        raise DomainError(ProblemCode.APPRAISAL_SETTING_INVALID, f"no setting {key}", key=key)
    text = value.strip()
    if spec.kind == "codes":
        codes = [c.strip() for c in text.replace(",", ",").split(",") if c.strip()]
        if not codes:
            raise _invalid(key, value, "give at least one code")
        return ",".join(codes)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _invalid(key, value, "not a number") from None
    if not number.is_finite():
        raise _invalid(key, value, "not a number")
    low_ok = number >= 0 if spec.kind == "amount" else number > 0
    if not low_ok or (spec.kind == "share" and number > 1):
        raise _invalid(key, value, "out of range")
    return str(number)


def _invalid(key: str, value: str, why: str) -> DomainError:
    return DomainError(
        ProblemCode.APPRAISAL_SETTING_INVALID, f"{key}={value!r}: {why}", key=key, value=value
    )


@dataclass(frozen=True)
class AppraisalSettings:
    """The settings as the formulas read them (defaults: SPECS)."""

    guard_templates: tuple[str, ...]
    guard_posts: tuple[str, ...]
    month_max: Decimal
    month_pool: Decimal
    quarter_pool: Decimal
    tobacco_templates: tuple[str, ...]
    tobacco_posts: tuple[str, ...]
    sample_share: Decimal
    department_mark: Decimal
    points_per_point: Decimal
    staff_mark: Decimal
    values: Mapping[str, str] = field(compare=False)  # every value in force, as text

    @property
    def quarter_max(self) -> Decimal:
        """Three months' full marks (300 at the seed's 100, 000:L931-L933)."""
        return self.month_max * 3

    @classmethod
    def from_stored(cls, stored: Mapping[str, str] | None = None) -> AppraisalSettings:
        """Stored values over the defaults; a stored key no longer known is ignored."""
        values = {s.key: s.default for s in SPECS}
        values.update({k: v for k, v in (stored or {}).items() if k in SPEC_BY_KEY})
        v = {k: check_value(k, text) for k, text in values.items()}

        def codes(key: str) -> tuple[str, ...]:
            return tuple(v[key].split(","))

        return cls(
            guard_templates=codes("guard.templates"),
            guard_posts=codes("guard.posts"),
            month_max=Decimal(v["guard.month_max"]),
            month_pool=Decimal(v["guard.month_pool"]),
            quarter_pool=Decimal(v["guard.quarter_pool"]),
            tobacco_templates=codes("tobacco.templates"),
            tobacco_posts=codes("tobacco.posts"),
            sample_share=Decimal(v["tobacco.sample_share"]),
            department_mark=Decimal(v["tobacco.department_mark"]),
            points_per_point=Decimal(v["tobacco.points_per_point"]),
            staff_mark=Decimal(v["tobacco.staff_mark"]),
            values=v,
        )
