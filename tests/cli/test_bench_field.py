"""`mingcha bench field` without a browser: the generated long checklists are valid
templates of the asked size (never shipped), and the summary lists what is small or
overflows. The browser walk itself runs in tests/e2e/test_field_budgets.py."""

from __future__ import annotations

import pytest

from fieldcore.template_loader import parse_template
from sync_server.bench import field
from sync_server.bench.field_flow import Screen, Tally
from sync_server.bench.field_long import long_template
from sync_server.templates.catalog import checklist_dir


@pytest.mark.parametrize("n", [15, 150])
def test_the_long_checklists_are_valid_templates_of_n_items(n: int) -> None:
    template = parse_template(long_template(n), f"bench-long-{n}.v1.json")
    codes = [item.code for _, item in template.iter_items()]
    assert len(codes) == len(set(codes)) == n
    assert template.id == f"bench-long-{n}" and template.in_mode(
        template.items_by_code["1.1"][1], "overt"
    )
    assert not list(checklist_dir().glob("bench-long-*"))  # test-only: not a product checklist


def test_the_summary_counts_taps_and_lists_small_targets_with_or_without_a_reason() -> None:
    tally = Tally(steps={"start": 1, "fail 1.1": 6}, scroll_px={"start": 0, "fail 1.1": 300})
    small = {"role": "button", "label": "x", "x": 0, "y": 0, "w": 40.0, "h": 40.0}
    listed = {**small, "role": "checkbox", "label": next(iter(field.ALLOWED_SMALL))}
    tally.screens.append(Screen("finish", 9, [small, listed], [], ["a.png", "b.png"]))
    summary = field.summary(tally)
    assert summary["taps"] == 7 and summary["scroll_px"] == 300
    assert summary["scroll_px_per_step"] == {"fail 1.1": 300}
    assert [t["label"] for t in summary["small_targets"]] == ["x", listed["label"]]
    assert summary["small_targets_unlisted"] == [{**small, "screen": "finish", "reason": ""}]
    assert summary["overflow_at_1_3"] == [] and summary["screenshots"] == ["a.png", "b.png"]
