"""外委物业服务品质检查表 (property-services.v1): provenance, and worked examples by hand.

Seed 001 服务品质管理办法 第三章 (L302-304) lists what the outsourced 监控值守 (第四条 2),
接待/收发/会议 (第五条) and 保洁 (第六条) staff must do, with no points; its text breaks off
at “墙壁、” (L304). Every value is therefore the organisation's own (assumed):
  1 保洁 40 (保洁员), 2 接待、收发、会议服务 30 (前台), 3 监控值守 30 (监控员);
  grade bands borrowed from the mall regulation in the same file (001:L246): 优秀 ≥ 96,
  优良 ≥ 91, 良好 ≥ 81, 合格 ≥ 70, 不合格 below; pass mark 70.
Per-subject scoring: each post is scored on its own category, and the visit passes only when
every post passes. The monitoring room is closed to visitors: category 3 is overt only.
"""

from __future__ import annotations

from typing import Any

import pytest

from fieldcore.checklist import Mode, Template
from sync_server.templates.catalog import checklist_dir
from tests.core.authored import (
    assert_every_rule_is_read_from_its_words,
    assert_the_workbook_is_the_source,
    failing,
)
from tests.core.conftest import all_pass, card, category, subject
from tests.core.seed_lines import (
    SEED_LINES,
    cited_lines,
    seed_file_lines,
    unquoted_items,
    words,
)

WORKBOOK = checklist_dir() / "property-services.v1.xlsx"
TEMPLATE_FILE = checklist_dir() / "property-services.v1.json"
SECTION = (302, 304)  # 服务品质管理办法 第三章 (L303 is blank: the line break of 3.2)


@pytest.fixture
def services(catalog: dict[str, Template]) -> Template:
    return catalog["property-services"]


def visit(t: Template, mode: Mode = "overt", /, **counts: int) -> dict[str, Any]:
    return card(t, all_pass(t, mode, **failing(t, **counts)), mode)


def result(c: dict[str, Any], code: str) -> tuple[Any, ...]:
    s = subject(c, code)
    return (s["score"], s["max"], s["percent"], s["grade"], s["passed"])


# --- the workbook is the source of record ----------------------------------------------


def test_the_committed_workbook_imports_to_exactly_the_committed_json() -> None:
    assert_the_workbook_is_the_source(WORKBOOK, TEMPLATE_FILE)


def test_every_deduction_is_read_from_its_words_by_the_rule_reader(services: Template) -> None:
    assert_every_rule_is_read_from_its_words(WORKBOOK, services)


# --- provenance: the seed's words, the seed's lines, and nothing invented unmarked -----


def test_the_copied_lines_are_the_seeds() -> None:
    lines = seed_file_lines("001")
    if lines is None:
        pytest.skip("seed 001 is not on this machine (MINGCHA_SEEDS_DIR)")
    assert {n: lines[n - 1] for n in SEED_LINES["001"]} == SEED_LINES["001"]


def test_every_item_quotes_the_lines_it_cites(services: Template) -> None:
    for _, item in services.iter_items():
        assert all(seed == "001" and n in SECTION for seed, n in cited_lines(item.source))
    assert unquoted_items(services) == []
    # 3.2 runs over the line break: it cites both lines
    assert [i.source for _, i in services.iter_items() if i.code == "3.2"] == ["001:L302, L304"]


def test_every_value_the_seed_does_not_give_is_marked_assumed(services: Template) -> None:
    assert all(c.assumed and c.assumed_note for c in services.categories)
    assert all(i.assumed and i.assumed_note for _, i in services.iter_items())
    scoring = services.scoring
    assert (scoring.assumed, scoring.per_subject, scoring.pass_mark) == (True, True, 70)
    # the bands are said to be another regulation's (001:L246), and they are its figures
    assert "001:L246" in scoring.assumed_note
    bands = [(g.code, g.min) for g in scoring.grades]
    assert bands == [("优秀", 96), ("优良", 91), ("良好", 81), ("合格", 70), ("不合格", 0)]
    mall = words(SEED_LINES["001"][246])
    assert all(words(f"{name}({low}") in mall for name, low in bands[:-1])
    assert "不合格70分以下" in mall


def test_three_posts_and_what_a_covert_visit_can_see(services: Template) -> None:
    assert [(c.code, c.max, c.subject) for c in services.categories] == [
        ("1", 40, "cleaner"),
        ("2", 30, "reception"),
        ("3", 30, "monitor"),
    ]
    items = [i for _, i in services.iter_items()]
    assert (services.max_points, len(items)) == (100, 20)
    overt_only = [i.code for i in items if not i.covert_ok]
    assert overt_only == ["1.4", "2.3", "2.4", *(f"3.{n}" for n in range(1, 8))]
    assert {i.code: i.severity for i in items if i.severity != "minor"} == {
        "2.2": "major",
        "3.3": "major",
        "3.4": "major",
        "3.5": "major",
        "3.7": "critical",
    }


# --- worked examples ----------------------------------------------------------------------


def test_a_clean_visit_rates_every_post_excellent(services: Template) -> None:
    c = visit(services)
    assert [result(c, s) for s in ("cleaner", "reception", "monitor")] == [
        (40, 40, 100, "优秀", True),
        (30, 30, 100, "优秀", True),
        (30, 30, 100, "优秀", True),
    ]
    assert (c["total"], c["grade"], c["passed"], c["complete"]) == (100, None, True, True)


def test_counted_items_stop_at_their_caps(services: Template) -> None:
    # 1.5 five heaps of rubbish: 5 × 2 = 10, capped at 8 → 保洁 32 / 40 = 80.0% 合格 (良好 is 81);
    # 2.2 three visitors let in unchecked: 3 × 4 = 12, capped at 8 → 前台 22 / 30 = 73.3% 合格
    c = visit(services, **{"1_5": 5, "2_2": 3})
    assert (category(c, "1")["deducted"], category(c, "2")["deducted"]) == (8, 8)
    assert result(c, "cleaner") == (32, 40, 80, "合格", True)
    assert result(c, "reception") == (22, 30, 73.3, "合格", True)
    assert result(c, "monitor") == (30, 30, 100, "优秀", True)


@pytest.mark.parametrize(
    ("counts", "score", "percent", "grade", "passed"),
    [
        ({"1_1": 1}, 38, 95, "优良", True),  # −2 → 38 / 40 = 95.0 (优秀 from 96)
        ({"1_6": 1}, 37, 92.5, "优良", True),  # −3 → 37 / 40 = 92.5
        ({"1_4": 1}, 36, 90, "良好", True),  # −4 → 36 / 40 = 90.0 (优良 from 91)
        # 1.5 ×5 8 (capped) + 1.4 4 = 12 → 28 / 40 = 70.0: exactly the pass mark
        ({"1_5": 5, "1_4": 1}, 28, 70, "合格", True),
        # 1.5 ×5 8 + 1.6 3 + 1.3 ×1 2 = 13 → 27 / 40 = 67.5: fails
        ({"1_5": 5, "1_6": 1, "1_3": 1}, 27, 67.5, "不合格", False),
    ],
)
def test_the_grade_band_boundaries_on_the_cleaners_40(
    services: Template, counts: dict[str, int], score: int, percent: float, grade: str, passed: bool
) -> None:
    c = visit(services, **counts)
    assert result(c, "cleaner") == (score, 40, percent, grade, passed)
    assert c["passed"] is passed  # the other posts are clean


@pytest.mark.parametrize(("times", "score", "percent"), [(1, 20, 66.7), (3, 10, 33.3)])
def test_an_empty_monitoring_room_fails_the_monitor_only(
    services: Template, times: int, score: int, percent: float
) -> None:
    # 3.7 −10 a time, at most 20: once 30 − 10 = 20 (66.7%); three times 30 − 20 = 10 (33.3%)
    c = visit(services, **{"3_7": times})
    assert result(c, "monitor") == (score, 30, percent, "不合格", False)
    assert result(c, "cleaner")[3:] == result(c, "reception")[3:] == ("优秀", True)
    assert (c["passed"], c["veto"]) == (False, False)


def test_a_covert_visit_sees_cleaning_and_the_front_desk_only(services: Template) -> None:
    # covert: all of 监控值守 and 1.4, 2.3, 2.4 are out of scope; the monitor is not scored;
    # 2.2 one visitor let in unchecked → 前台 30 − 4 = 26 / 30 = 86.7% 良好
    c = visit(services, "covert", **{"2_2": 1})
    assert [s["code"] for s in c["subjects"]] == ["cleaner", "reception"]
    assert result(c, "reception") == (26, 30, 86.7, "良好", True)
    assert result(c, "cleaner") == (40, 40, 100, "优秀", True)
    assert (c["total"], c["max"], c["passed"], c["complete"]) == (66, 70, True, True)
