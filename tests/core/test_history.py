"""Last time at hand (fieldcore.history): previous result per item and repeat problems."""

from __future__ import annotations

from datetime import UTC, datetime

from fieldcore.history import PastFinding, PastVisit, item_history


def visit(
    vid: str,
    day: int,
    answers: dict[str, str],
    status: str = "approved",
    template: str = "store-patrol",
) -> PastVisit:
    return PastVisit(
        vid,
        template,
        status,
        datetime(2026, 11, day, 9, tzinfo=UTC),
        {
            code: PastFinding(result, note=f"{vid}:{code}", photos=(f"sha-{vid}",))
            for code, result in answers.items()
        },
    )


def hints(visits: list[PastVisit], codes: list[str], current: str = "now") -> dict[str, tuple]:
    out = item_history(visits, "store-patrol", current, codes)
    return {c: (h.result, h.visit_id, h.repeat) for c, h in out.items()}


def test_the_previous_result_is_the_newest_of_several_visits_whatever_their_order() -> None:
    visits = [
        visit("b", 10, {"1.1": "pass"}),
        visit("c", 20, {"1.1": "fail"}),
        visit("a", 1, {"1.1": "na"}),
    ]
    [hint] = item_history(visits, "store-patrol", "now", ["1.1"]).values()
    assert (hint.result, hint.visit_id, hint.note, hint.photos) == (
        "fail",
        "c",
        "c:1.1",
        ("sha-c",),
    )
    assert hint.when == datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_repeat_means_failed_in_two_of_the_last_three_visits() -> None:
    visits = [
        visit("old", 1, {"1.1": "fail", "1.2": "fail", "1.3": "fail"}),  # 4th back: ignored
        visit("a", 2, {"1.1": "fail", "1.2": "pass", "1.3": "fail"}),
        visit("b", 3, {"1.1": "pass", "1.2": "fail", "1.3": "pass"}),
        visit("c", 4, {"1.1": "fail", "1.2": "pass", "1.3": "pass"}),
    ]
    assert hints(visits, ["1.1", "1.2", "1.3"]) == {
        "1.1": ("fail", "c", True),  # a and c
        "1.2": ("pass", "c", False),  # only b (old is a fourth visit back)
        "1.3": ("pass", "c", False),  # only a
    }
    # a single earlier failure is no repeat
    assert hints([visit("a", 2, {"1.1": "fail"})], ["1.1"]) == {"1.1": ("fail", "a", False)}


def test_items_are_matched_by_code_across_template_versions() -> None:
    # v1 had no 6.3 (added in v2) and 5.2 was renumbered 5.4 in v2
    v1 = visit("v1", 1, {"1.1": "fail", "5.2": "fail"})
    v2 = visit("v2", 5, {"1.1": "fail", "5.4": "pass", "6.3": "fail"})
    assert hints([v1, v2], ["1.1", "5.4", "6.3", "5.2"]) == {
        "1.1": ("fail", "v2", True),
        "5.4": ("pass", "v2", False),
        "6.3": ("fail", "v2", False),
        "5.2": ("fail", "v1", False),  # only the old visit has this code
    }
    assert hints([v1], ["6.3"]) == {}  # absent in the older version: no hint


def test_drafts_returned_voided_other_templates_and_the_current_visit_do_not_count() -> None:
    visits = [
        visit("ok", 1, {"1.1": "pass"}, status="submitted"),
        visit("draft", 2, {"1.1": "fail"}, status="draft"),
        visit("returned", 3, {"1.1": "fail"}, status="returned"),
        visit("void", 4, {"1.1": "fail"}, status="voided"),
        visit("other", 5, {"1.1": "fail"}, template="hotel-daily"),
        visit("now", 6, {"1.1": "fail"}, status="published"),
    ]
    assert hints(visits, ["1.1"]) == {"1.1": ("pass", "ok", False)}
    for status in ("resubmitted", "approved", "published"):
        later = visit("x", 7, {"1.1": "fail"}, status=status)
        assert hints([*visits, later], ["1.1"])["1.1"] == ("fail", "x", False)


def test_an_unanswered_item_falls_back_to_the_visit_before() -> None:
    visits = [
        visit("overt", 1, {"1.1": "fail", "2.1": "fail"}),
        visit("covert", 2, {"1.1": "fail"}),  # 2.1 is not checked covertly
    ]
    assert hints(visits, ["1.1", "2.1", "9.9"]) == {
        "1.1": ("fail", "covert", True),
        "2.1": ("fail", "overt", False),
    }
