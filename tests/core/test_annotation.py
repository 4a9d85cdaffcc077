"""Marked-up evidence: which marks and links make a valid annotation (fieldcore/annotation)."""

from __future__ import annotations

import json
import uuid

import pytest

from fieldcore.annotation import (
    MAX_MARKS,
    Mark,
    Original,
    check_annotation,
    check_link_fields,
    check_marks,
    counts_as_evidence,
    marks_json,
    parse_marks,
    shown_in_place,
    with_copies,
)
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.records import checked_values

VISIT, FINDING = uuid.uuid4(), uuid.uuid4()
SHA = "a" * 64
ME = uuid.uuid4()


def mark(
    tool: str = "rect", x0: int = 10, y0: int = 10, x1: int = 50, y1: int = 40, text: str = ""
) -> Mark:
    return Mark(tool=tool, x0=x0, y0=y0, x1=x1, y1=y1, text=text)  # type: ignore[arg-type]


def original(**over: object) -> Original:
    fields: dict[str, object] = {
        "sha256": SHA,
        "kind": "evidence",
        "author": ME,
        "parent": (VISIT, FINDING, None),
        "width": 1600,
        "height": 1200,
    }
    return Original(**{**fields, **over})  # type: ignore[arg-type]


def reason(exc: pytest.ExceptionInfo[DomainError]) -> str:
    assert exc.value.code == ProblemCode.PHOTO_ANNOTATION_INVALID
    return str(exc.value.details["reason"])


def test_each_tool_inside_the_photo_is_a_valid_mark() -> None:
    check_marks(
        [
            mark("circle", 100, 100, 300, 250),
            mark("rect", 1599, 1199, 1500, 1100),  # dragged up-left: still a box
            mark("arrow", 0, 0, 1600, 1200),  # the edges themselves are inside
            mark("text", 20, 30, 20, 30, text="灭火器过期"),
        ],
        1600,
        1200,
    )


@pytest.mark.parametrize(
    ("marks", "why"),
    [
        ([], "no_marks"),
        ([mark()] * (MAX_MARKS + 1), "too_many_marks"),
        ([mark(x1=1601)], "out_of_bounds"),
        ([mark("arrow", 5, 1201, 5, 5)], "out_of_bounds"),
        ([mark("circle", 10, 10, 10, 90)], "empty_shape"),
        ([mark("arrow", 7, 7, 7, 7)], "empty_shape"),
        ([mark("text", 5, 5, 9, 9, text="x")], "empty_shape"),
        ([mark("text", 5, 5, 5, 5, text="  ")], "text"),
        ([mark("rect", text="a label on a box")], "text"),
    ],
)
def test_marks_that_draw_nothing_or_fall_outside_are_refused(marks: list[Mark], why: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_marks(marks, 1600, 1200)
    assert reason(exc) == why


def test_marks_travel_as_canonical_json_and_read_back_the_same() -> None:
    marks = [mark("text", 3, 4, 3, 4, text="裂缝"), mark("arrow", 1, 2, 30, 40)]
    text = marks_json(marks)
    assert parse_marks(text) == marks
    assert json.loads(text)[0] == {
        "tool": "text",
        "x0": 3,
        "y0": 4,
        "x1": 3,
        "y1": 4,
        "text": "裂缝",
    }
    spaced = json.dumps([m.model_dump() for m in marks], indent=2)
    assert checked_values("photo", {"marks": spaced})["marks"] == text  # stored canonical


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        '{"tool": "rect"}',  # an object, not a list
        '[{"tool": "star", "x0": 1, "y0": 1, "x1": 2, "y1": 2}]',
        '[{"tool": "rect", "x0": -1, "y0": 1, "x1": 2, "y1": 2}]',
        '[{"tool": "rect", "x0": 1.5, "y0": 1, "x1": 2, "y1": 2}]',
        '[{"tool": "rect", "x0": 1, "y0": 1, "x1": 2, "y1": 2, "colour": "red"}]',
        '[{"tool": "text", "x0": 1, "y0": 1, "x1": 1, "y1": 1, "text": "' + "长" * 41 + '"}]',
    ],
)
def test_a_marks_value_that_is_not_a_list_of_shapes_is_an_invalid_value(bad: str) -> None:
    with pytest.raises(DomainError) as exc:
        checked_values("photo", {"marks": bad})
    assert exc.value.code == ProblemCode.SYNC_INVALID_VALUE
    assert exc.value.details["field"] == "marks"


def test_an_annotation_names_its_original_and_hash_and_has_marks() -> None:
    assert check_link_fields("annotation", uuid.uuid4(), SHA, "[]") is True
    assert check_link_fields(None, None, None, None) is False
    assert check_link_fields("evidence", None, None, None) is False
    for half in [("annotation", None, SHA, "[]"), ("evidence", uuid.uuid4(), None, None)]:
        with pytest.raises(DomainError) as exc:
            check_link_fields(*half)
        assert reason(exc) == "fields"


def test_an_annotation_of_the_authors_own_original_on_the_same_item_is_valid() -> None:
    check_annotation(
        original(), annotates_sha256=SHA, author=ME, parent=(VISIT, FINDING, None), marks=[mark()]
    )


@pytest.mark.parametrize(
    ("orig", "changes", "why"),
    [
        (None, {}, "original_missing"),
        (original(kind="annotation"), {}, "original_is_annotation"),
        (original(author=uuid.uuid4()), {}, "other_author"),
        (original(), {"parent": (VISIT, uuid.uuid4(), None)}, "other_parent"),
        (original(), {"parent": (uuid.uuid4(), FINDING, None)}, "other_parent"),
        (original(), {"annotates_sha256": "b" * 64}, "hash_mismatch"),
        (original(width=40), {}, "out_of_bounds"),
    ],
)
def test_a_bad_link_is_refused_with_its_reason(
    orig: Original | None, changes: dict[str, object], why: str
) -> None:
    args: dict[str, object] = {
        "annotates_sha256": SHA,
        "author": ME,
        "parent": (VISIT, FINDING, None),
        "marks": [mark()],
        **changes,
    }
    with pytest.raises(DomainError) as exc:
        check_annotation(orig, **args)  # type: ignore[arg-type]
    assert reason(exc) == why


def test_only_originals_count_for_the_photo_required_rule() -> None:
    assert counts_as_evidence("evidence") and counts_as_evidence(None)
    assert not counts_as_evidence("annotation")


def test_a_copy_takes_its_originals_place_and_is_never_an_entry_of_its_own() -> None:
    # (id, annotates): photo 1 with a copy 3 listed before it, photo 2 alone, and copy 4 of
    # a photo not among them (its original was deleted)
    photos = [(3, 1), (1, None), (2, None), (4, 9)]
    pairs = with_copies(photos, lambda p: p[0], lambda p: p[1])
    assert pairs == [((1, None), (3, 1)), ((2, None), None)]  # two pieces of evidence
    assert shown_in_place(pairs, marked=True) == [(3, 1), (2, None)]
    assert shown_in_place(pairs, marked=False) == [(1, None), (2, None)]
