"""The console's review services for a per-subject visit (issue 13): the visit screen's
score lines name each post's score, grade and pass and label the pooled figure; the queue
row carries each post's result (its pooled percent column stays empty)."""

from __future__ import annotations

import flet as ft
import pytest
from sqlmodel import Session

from sync_server.console.screens.queue import row_cells
from sync_server.supervision.queue import review_queue
from sync_server.supervision.visit_detail import visit_detail
from sync_server.supervision.visit_results import headline
from tests.per_subject_example import (
    per_subject_tobacco,
    publish_per_subject,
    push_tobacco_visit,
    worked_answers,
)
from tests.reports.kit import run, visit
from tests.server.test_dashboards import call, user
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: the queue's keyset paging


def test_the_visit_screen_and_queue_show_each_post(world: World) -> None:
    publish_per_subject(world.engine)
    visit_id = push_tobacco_visit(
        world, world.phone("insp1"), "S1", worked_answers(per_subject_tobacco())
    )
    sup = user(world, "sup1")
    detail = run(world, lambda s: visit_detail(s, sup, visit_id))
    assert detail.headline == [
        "结果:未达标(各岗位均达标方为达标)",
        "客户经理 120/120 · 100 · 优秀 · 达标",
        "专管员 100/100 · 100 · 优秀 · 达标",
        "送货员 70/110 · 63.6 · 不合格 · 未达标",
        "合计(仅供参考) 290/330 · 87.9",
    ]
    [row] = call(world, "sup1", review_queue).rows
    assert (row.percent, row.grade) == (None, None)
    assert [p.text() for p in row.posts] == [
        "客户经理 100 优秀 达标",
        "专管员 100 优秀 达标",
        "送货员 63.6 不合格 未达标",
    ]
    score_cell = row_cells(row)[-1].content
    assert isinstance(score_cell, ft.Text)
    assert score_cell.value == " / ".join(p.text() for p in row.posts)


def test_a_pooled_visit_reads_as_before(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 3, "3.1": 1})
    sup = user(world, "sup1")
    assert run(world, lambda s: visit_detail(s, sup, visit_id)).headline == [
        "得分 96/100 · 96 · 优秀"
    ]
    [row] = call(world, "sup1", review_queue).rows
    assert (row.posts, row.percent, row.grade) == ((), 96, "优秀")
    assert headline(None) == ["得分 —/— · — · "]


def test_queue_choices_read_grade_bounds_written_as_strings(world: World) -> None:
    # a template body dumped from the model (as tests/per_subject_example publishes it)
    # holds its grade bounds as JSON strings ("95"); the grade list must still be built
    from sync_server.supervision.filters import queue_choices

    publish_per_subject(world.engine)
    with Session(world.engine) as s:
        grades = queue_choices(s, user(world, "sup1")).grades
    assert grades[0] == "优秀" and grades[-1] == "不合格"
