"""Per-subject scoring (scoring.per_subject, issue 13): each post is scored, graded and
passed on its own (seed 001:L24, L154-156); the visit passes only when every post passes;
the pooled figure is kept for reference only."""

from __future__ import annotations

from decimal import Decimal

from fieldcore.scorecard import SubjectScore, visit_passed
from fieldcore.scoring import score_raw
from tests.core.factories import item, make_template
from tests.per_subject_example import EXPECTED, per_subject_tobacco, tobacco_v1, worked_answers


def _posts(card: dict) -> dict[str, tuple]:
    return {
        s["code"]: (s["score"], s["max"], s["percent"], s["grade"], s["passed"])
        for s in card["subjects"]
    }


def test_the_tobacco_visit_fails_on_its_driver_although_the_pool_passes() -> None:
    t = per_subject_tobacco()
    c = score_raw(t, worked_answers(t)).to_dict()
    assert _posts(c) == EXPECTED
    assert (c["total"], c["max"], c["percent"]) == (290, 330, 87.9)  # pooled: reference only
    assert (c["per_subject"], c["grade"], c["passed"]) == (True, None, False)


def test_without_the_flag_the_same_answers_pass_on_the_pooled_figure_as_before() -> None:
    t = tobacco_v1()
    c = score_raw(t, worked_answers(t)).to_dict()
    assert (c["percent"], c["grade"], c["passed"], c["per_subject"]) == (87.9, "良好", True, False)
    assert _posts(c)["delivery-driver"] == (70, 110, 63.6, "不合格", False)  # shown, not ruling


def test_the_visit_passes_when_every_post_passes() -> None:
    t = per_subject_tobacco()
    answers = worked_answers(t)
    answers["DD.5.3"] = {"result": "pass"}
    answers["AM.1.3"] = {"result": "fail"}  # −2 of 120: 98.3
    c = score_raw(t, answers).to_dict()
    assert (c["passed"], c["grade"]) == (True, None)
    assert [s["passed"] for s in c["subjects"]] == [True, True, True]


def _two_posts(per_subject: bool):
    return make_template(
        categories=[
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "subject": "a",
                "items": [item("A.1", "veto", None), item("A.2", points=1)],
            },
            {
                "code": "B",
                "title": "乙",
                "max": 10,
                "subject": "b",
                "items": [item("B.1", points=1)],
            },
        ],
        subjects=[{"code": "a", "title": "甲岗"}, {"code": "b", "title": "乙岗"}],
        scoring={
            "pass_mark": 80,
            "grades": [{"code": "合格", "min": 80}, {"code": "不合格", "min": 0}],
            "per_subject": per_subject,
        },
    )


def test_a_veto_fails_its_own_post_and_so_the_visit_but_not_the_other_post() -> None:
    t = _two_posts(per_subject=True)
    c = score_raw(
        t, {"A.1": {"result": "fail"}, "A.2": {"result": "pass"}, "B.1": {"result": "pass"}}
    ).to_dict()
    by = {s["code"]: (s["percent"], s["veto"], s["passed"]) for s in c["subjects"]}
    assert by == {"a": (100, True, False), "b": (100, False, True)}
    assert (c["passed"], c["veto"], c["veto_items"]) == (False, True, ["A.1"])


def test_visit_passed_is_none_without_subjects_and_false_on_any_failure() -> None:
    def s(passed: bool | None) -> SubjectScore:
        return SubjectScore("x", "x", Decimal(1), Decimal(1), Decimal(100), "合格", False, passed)

    assert visit_passed(()) is None
    assert visit_passed((s(True), s(True))) is True
    assert visit_passed((s(True), s(False))) is False
    assert visit_passed((s(None), s(True))) is None


def test_the_result_in_words_names_each_post_and_labels_the_pool() -> None:
    from fieldcore.headline import per_subject_lines

    t = per_subject_tobacco()
    c = score_raw(t, worked_answers(t)).to_dict()
    assert per_subject_lines(c) == [
        "结果:未达标(各岗位均达标方为达标)",
        "客户经理 120/120 · 100 · 优秀 · 达标",
        "专管员 100/100 · 100 · 优秀 · 达标",
        "送货员 70/110 · 63.6 · 不合格 · 未达标",
        "合计(仅供参考) 290/330 · 87.9",
    ]
    grades = {g.code: g.title_en for g in t.scoring.grades}
    assert per_subject_lines(c, "en", grades)[3] == "送货员 70/110 · 63.6 · Fail · not passed"
    assert per_subject_lines(c, "en")[-1] == "Pooled total (for reference only) 290/330 · 87.9"
