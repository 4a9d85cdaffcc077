"""The editor's pure parts: form edits keep what was typed (a bad number stays, to be
reported), the 扣分标准 reader fills the deduction, the diff matches items by code, and
the preview scores sample visits as the phone would (and the veto fails a perfect score)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from fieldcore.deduction_rules import read_deduction
from sync_server.console.screens.editor_panels import conflict_lines, diff_lines, preview_lines
from sync_server.templates import draft_edit as edit
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.diff import ADDED, CATEGORY, ORDER, REMOVED, diff_bodies
from sync_server.templates.preview import preview


@pytest.fixture
def body() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((checklist_dir() / "store-patrol.v1.json").read_text())
    return data


def first(body: dict[str, Any]) -> dict[str, Any]:
    return body["categories"][0]["items"][0]


def test_typed_values_land_as_json_and_bad_ones_stay_as_typed(body: dict[str, Any]) -> None:
    item = first(body)
    edit.set_value(item, "deduction.points", "number", "2.5")
    edit.set_value(item, "deduction.cap", "number", "")  # emptied: removed
    edit.set_value(item, "na_allowed", "bool", False)
    assert item["deduction"] == {"kind": "per_occurrence", "points": 2.5}
    assert item["na_allowed"] is False
    edit.set_value(item, "deduction.points", "number", "两分")
    assert item["deduction"]["points"] == "两分"  # kept, so the check names it
    problems = preview(body).problems
    assert any(p.startswith("categories[0].items[0].deduction.points") for p in problems)


def test_an_understood_rule_fills_the_deduction_and_an_unknown_one_changes_nothing(
    body: dict[str, Any],
) -> None:
    item = first(body)
    assert edit.apply_reading(item, read_deduction("扣3分"))
    assert item["deduction"] == {"kind": "fixed", "points": 3}
    assert not edit.apply_reading(item, read_deduction("看情况酌情处理"))
    assert item["deduction"] == {"kind": "fixed", "points": 3}


def test_items_are_added_removed_and_moved_with_free_codes(body: dict[str, Any]) -> None:
    items = edit.items(body, 0)
    count = len(items)
    new = edit.add_item(body, 0)
    assert items[new]["code"] == f"1.{count + 1}" and items[new]["assumed"] is True
    assert "source" not in items[new]  # the author must cite the seed line: reported missing
    assert edit.move(items, new, -1) == new - 1 and items[new - 1]["text"] == "新条目"
    assert edit.move(items, 0, -1) == 0  # the top stays the top
    assert edit.remove(items, count - 1) == count - 1 and len(items) == count
    cat = edit.add_category(body)
    assert body["categories"][cat]["items"][0]["code"] == f"{cat + 1}.1"


def test_the_diff_matches_items_by_code(body: dict[str, Any]) -> None:
    old = json.loads(json.dumps(body))
    cats = body["categories"]
    first(body)["deduction"]["points"] = 5
    cats[0]["items"].insert(0, cats[0]["items"].pop(2))  # 1.3 to the top
    cats[1]["items"].append(cats[0]["items"].pop())  # the last of category 1 into 2
    del cats[2]["items"][0]
    edit.add_item(body, 3)
    changes = {(c.where, c.field): c for c in diff_bodies(old, body)}
    moved = old["categories"][0]["items"][-1]["code"]
    points = changes[("条目 1.1", "deduction.points")]
    assert (points.old, points.new) == (2, 5)
    assert ("类别 1", ORDER) in changes
    assert changes[(f"条目 {moved}", CATEGORY)].new == "2"
    assert ("条目 3.1", REMOVED) in changes
    assert any(field == ADDED for (_, field) in changes)
    assert ("条目 1.2", "deduction.points") not in changes  # moved down, not changed
    assert diff_lines(old, old) == ["与已发布版本相同 Same as the published version"]


def test_the_preview_scores_samples_as_the_inspector_sees_them(body: dict[str, Any]) -> None:
    shown = preview(body)
    assert shown.template is not None and not shown.problems
    by_title = {s.title: s.card for s in shown.scenarios}
    assert by_title["全部符合 All pass"].percent == Decimal(100)
    assert by_title["类别 1 岗位: 1.1 不符合"].total == Decimal(98)  # 2 points per occurrence
    veto = by_title["一票否决 Veto: 1.9 不符合"]
    assert veto.veto and veto.passed is False and veto.total == Decimal(100)
    first(body)["deduction"]["points"] = 5
    text = "\n".join(preview_lines(preview(body)))
    assert "类别 1 岗位: 1.1 不符合: 得分 95/100" in text


def test_a_refused_save_shows_who_changed_what_and_what_is_unsaved() -> None:
    details = {
        "revision": 3,
        "changes": [
            {
                "revision": 3,
                "by": "admin",
                "at": "2026-11-02T09:00:00+00:00",
                "fields": ["条目 1.1 deduction.cap"],
            }
        ],
    }
    text = conflict_lines(details, ["条目 1.1 text"])
    assert "修订 3 · admin · 2026-11-02T09:00:00: 条目 1.1 deduction.cap" in text
    assert text[-1].endswith("条目 1.1 text")
