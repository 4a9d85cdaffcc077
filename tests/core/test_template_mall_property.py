"""商场物业服务质量评分表 (001:L246): ten items of 10, −1 per nonconformity, down to 0."""

from __future__ import annotations

import pytest

from fieldcore.checklist import Template
from tests.core.conftest import all_pass, card, category, subject


@pytest.fixture
def mall(catalog: dict[str, Template]) -> Template:
    return catalog["mall-property"]


def fails(**counts: int) -> dict[str, dict]:
    return {code.replace("_", "."): {"result": "fail", "count": n} for code, n in counts.items()}


def test_ten_items_of_ten_points_make_100(mall: Template) -> None:
    assert [c.max for c in mall.categories] == [10] * 10
    c = card(mall, all_pass(mall))
    assert (c["total"], c["percent"], c["grade"], c["passed"], c["complete"]) == (
        100,
        100,
        "优秀",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("defects", "grade"),
    [
        (4, "优秀"),
        (5, "优良"),
        (9, "优良"),
        (10, "良好"),
        (19, "良好"),
        (20, "合格"),
        (30, "合格"),
        (31, "不合格"),
    ],
)
def test_grade_bands_of_the_seed(mall: Template, defects: int, grade: str) -> None:
    # spread the defects over the ten categories so no floor is reached: 100 − defects
    spread = {f"{n}_1": 0 for n in range(2, 11)}
    for k in range(defects):
        spread[f"{2 + k % 9}_1"] += 1
    answers = all_pass(mall, **fails(**{k: v for k, v in spread.items() if v}))
    c = card(mall, answers)
    assert c["total"] == 100 - defects
    assert c["grade"] == grade
    assert c["passed"] is (100 - defects >= 70)


def test_deductions_stop_at_zero_within_an_item(mall: Template) -> None:
    # 清洁卫生: 7 + 5 defects = 12 > 10 → 0 (直至扣完); 服务态度 −2 → 8; total 100 − 10 − 2 = 88
    c = card(mall, all_pass(mall, **fails(**{"1_1": 7, "1_2": 5, "3_1": 2})))
    assert (category(c, "1")["score"], category(c, "1")["floored"], category(c, "3")["score"]) == (
        0,
        True,
        8,
    )
    assert (c["total"], c["grade"]) == (88, "良好")
    assert subject(c, "property-company")["score"] == 88


def test_a_covert_visit_leaves_out_the_records_and_back_office_items(mall: Template) -> None:
    # covert: 4 维修及时率, 5 维修质量, 7 节能管理, 9 专柜调整配合 cannot be observed → max 60;
    # 清洁卫生 keeps its 10 without 1.3 办公区 and 1.5 保洁计划; 3 defects → 57 / 60 = 95.0%
    c = card(mall, all_pass(mall, "covert", **fails(**{"1_1": 2, "8_1": 1})), mode="covert")
    assert [x["code"] for x in c["categories"]] == ["1", "2", "3", "6", "8", "10"]
    assert (c["total"], c["max"], c["percent"], c["grade"]) == (57, 60, 95, "优良")


def test_v2_takes_its_values_from_the_seed_and_words_its_items_as_the_seed(
    mall: Template,
) -> None:
    # every point, band and the pass mark come from 001:L246, so nothing is assumed
    assert mall.key == "mall-property.v2"
    assert not mall.scoring.assumed
    assert not any(c.assumed for c in mall.categories)
    assert not any(i.assumed for _, i in mall.iter_items())
    # 1.1 says what 001:L252 says (营业场所); v1 added 地面、柜台周边 to the text
    _, floor = mall.items_by_code["1.1"]
    assert (floor.text, floor.source) == ("营业场所清洁", "001:L252")
    assert "柜台周边" in floor.guidance
