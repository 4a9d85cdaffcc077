"""A per-subject visit on the server (issue 13): the engine's per-post results are stored
in visit_subject_result, the visit's headline columns stay empty (its pooled percent is
not the regulation's) and a rescore replaces the rows; other templates store none."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from sync_server.tables import Visit, VisitSubjectResult
from tests.per_subject_example import (
    EXPECTED,
    per_subject_tobacco,
    publish_per_subject,
    push_tobacco_visit,
    worked_answers,
)
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: numeric columns, deferred keys


def _rows(world: World, visit_id) -> dict[str, tuple]:
    with Session(world.engine) as s:
        rows = s.exec(
            select(VisitSubjectResult).where(VisitSubjectResult.visit_id == visit_id)
        ).all()
        out: dict[str, tuple] = {}
        for r in rows:
            assert r.percent is not None, r.subject_code  # every subject here has points
            out[r.subject_code] = (
                float(r.score),
                float(r.max),
                float(r.percent),
                r.grade,
                r.passed,
            )
        return out


def test_the_worked_example_is_stored_per_post(world: World) -> None:
    publish_per_subject(world.engine)
    insp = world.phone("insp1")
    visit_id = push_tobacco_visit(world, insp, "S1", worked_answers(per_subject_tobacco()))
    assert _rows(world, visit_id) == EXPECTED
    with Session(world.engine) as s:
        visit = s.get(Visit, visit_id)
        assert visit is not None and visit.score is not None
        assert (visit.score_percent, visit.score_grade) == (None, None)
        assert (visit.score["percent"], visit.score["passed"]) == (87.9, False)
        assert visit.score["per_subject"] is True
    # approval scores again: the rows are replaced, not doubled
    sup = world.phone("sup1")
    (result,) = sup.push(sup.mutation("visit", visit_id, status="approved"))
    assert result["status"] == "applied", result
    assert len(_rows(world, visit_id)) == 3


def test_a_pooled_template_stores_no_per_post_rows(world: World) -> None:
    from tests.reports.kit import visit

    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1})
    assert _rows(world, visit_id) == {}
    with Session(world.engine) as s:
        row = s.get(Visit, visit_id)
        assert row is not None and row.score_percent is not None and row.score_grade
