"""A template loads whole or not at all, and every problem names file, path and fault."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fieldcore.problems import ProblemCode
from fieldcore.template_loader import TemplateError, parse_template
from tests.core.factories import item, template_dict


def problems_of(data: Any, name: str = "hotel-daily.v1.json") -> list[str]:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(TemplateError) as err:
        parse_template(text, name)
    assert err.value.code == ProblemCode.TEMPLATE_INVALID
    return err.value.problems


def bad(**changes: Any) -> dict[str, Any]:
    data = template_dict()
    data.update(id="hotel-daily")
    data.update(changes)
    return data


def test_valid_template_loads_with_its_items() -> None:
    data = template_dict()
    t = parse_template(json.dumps(data), "rules.v1.json")
    assert [i.code for _, i in t.iter_items()] == ["A.1", "A.2", "B.1", "B.2"]
    assert t.max_points == 20


def test_error_names_file_and_json_path_of_a_nested_field() -> None:
    cats = template_dict()["categories"] * 2
    cats = [dict(c, code=f"C{n}") for n, c in enumerate(cats)]
    cats[2] = dict(cats[2], items=[item(f"X.{n}") for n in range(5)])
    cats[2]["items"][4]["deduction"]["points"] = 0
    with pytest.raises(TemplateError) as err:
        parse_template(json.dumps(bad(categories=cats)), "hotel-daily.v1.json")
    assert (
        str(err.value)
        == "hotel-daily.v1.json: categories[2].items[4].deduction.points: must be > 0"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"version": 0}, "version: must be >= 1"),
        ({"modes": ["overt", "secret"]}, "modes[1]: must be one of 'overt' or 'covert'"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"title": ""}, "title: must not be empty"),
        ({"categories": []}, "categories: must not be empty"),
        ({"id": "Hotel Daily"}, "id: has the wrong format (expected ^[a-z0-9]+(-[a-z0-9]+)*$)"),
    ],
)
def test_schema_problems_are_reported_with_their_path(change: dict, expected: str) -> None:
    assert expected in problems_of(bad(**change))


def test_missing_required_field_is_reported() -> None:
    data = bad()
    del data["document"]["effective"]
    assert problems_of(data) == ["document.effective: is required"]


def test_every_problem_is_reported_together() -> None:
    data = bad(version=0, colour="red")
    data["categories"][1]["items"][0]["source"] = "page 3"
    found = problems_of(data)
    assert len(found) == 3
    assert any(p.startswith("categories[1].items[0].source: has the wrong format") for p in found)


@pytest.mark.parametrize(
    ("deduction", "expected"),
    [
        ({"kind": "fixed"}, "deduction.points: is required for kind fixed"),
        (
            {"kind": "zero_category", "points": 1},
            "deduction.points: not allowed for kind zero_category",
        ),
        ({"kind": "fixed", "points": 1, "cap": 3}, "deduction.cap: only per_occurrence and figure"),
        ({"kind": "figure", "points": 1}, "deduction.min: a figure rule needs min, max or both"),
        (
            {"kind": "figure", "points": 1, "min": 90, "max": 80},
            "deduction.max: must be > min (90)",
        ),
        (
            {"kind": "fixed", "points": 1, "min": 3},
            "deduction.min: only figure deductions have min",
        ),
        ({"kind": "bonus", "points": 1}, "deduction.kind: must be one of"),
    ],
)
def test_deduction_fields_must_fit_their_kind(deduction: dict, expected: str) -> None:
    data = bad()
    data["categories"][0]["items"][1]["deduction"] = deduction
    found = problems_of(data)
    assert any(p.startswith("categories[0].items[1]." + expected) for p in found), found


def test_duplicate_item_codes_across_categories_are_refused() -> None:
    data = bad()
    data["categories"][1]["items"][0]["code"] = "A.1"
    assert "items: duplicate code 'A.1'" in problems_of(data)


def test_undeclared_subject_is_refused() -> None:
    data = bad()
    data["categories"][0]["items"][0]["subject"] = "driver"
    assert "categories[0].items[0].subject: 'driver' is not in subjects" in problems_of(data)


def test_grades_must_cover_zero() -> None:
    data = bad()
    data["scoring"]["grades"] = [{"code": "合格", "min": 60}]
    assert any("one band must start at min 0" in p for p in problems_of(data))


def test_covert_mode_needs_a_covert_item() -> None:
    data = bad()
    for c in data["categories"]:
        for i in c["items"]:
            i["covert_ok"] = False
    assert "modes: covert is allowed but no item has covert_ok" in problems_of(data)


def test_file_name_must_match_id_and_version() -> None:
    assert problems_of(template_dict(), "rules.v2.json") == [
        "id: file name says rules v2, the file says rules v1"
    ]


@pytest.mark.parametrize("text", ["{", "", "[1, 2]", '"x"', b"\xff\xfe"])
def test_malformed_json_or_wrong_root_is_one_clear_problem(text: str | bytes) -> None:
    with pytest.raises(TemplateError) as err:
        parse_template(text, "x.v1.json")
    assert len(err.value.problems) >= 1
    assert str(err.value).startswith("x.v1.json: ")


def test_error_carries_a_problem_payload_for_the_wire() -> None:
    with pytest.raises(TemplateError) as err:
        parse_template(json.dumps(bad(version=0)), "hotel-daily.v1.json")
    problem = err.value.to_problem("en")
    assert problem["code"] == "template.invalid"
    assert problem["details"] == {
        "file": "hotel-daily.v1.json",
        "problems": ["version: must be >= 1"],
    }


def test_assumed_values_load_with_their_note() -> None:
    data = template_dict()
    data["scoring"].update(assumed=True, assumed_note="合格线借用001:L310的85分")
    data["categories"][0].update(assumed=True)
    data["categories"][0]["items"][0].update(assumed=True, assumed_note="原文未给分值")
    t = parse_template(json.dumps(data), "rules.v1.json")
    first_category, first_item = next(t.iter_items())
    assert t.scoring.assumed and first_category.assumed and first_item.assumed
    assert first_item.assumed_note == "原文未给分值"
    assert not t.scoring.per_subject  # pooled headline unless the template says otherwise


def test_a_note_on_a_value_not_marked_assumed_is_refused() -> None:
    data = bad()
    data["categories"][1]["items"][0]["assumed_note"] = "自定"
    assert problems_of(data) == [
        "categories[1].items[0].assumed_note: only an assumed value has a note (set assumed: true)"
    ]
