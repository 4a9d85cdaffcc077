"""fieldcore.submission: which failed items still lack the photo their template requires."""

from __future__ import annotations

from fieldcore.checklist import Template
from fieldcore.submission import missing_photos
from tests.core.factories import FindingRow


def test_only_failed_in_scope_items_that_require_a_photo_are_missing_one(
    catalog: dict[str, Template],
) -> None:
    template = catalog["mall-property"]  # 1.3 and 1.5 not covert
    shot = FindingRow("1.4", "fail", 1)
    findings = [
        FindingRow("2.1", "fail", 1),
        FindingRow("1.1", "fail", 1),
        FindingRow("1.2", "pass"),
        FindingRow("1.3", "fail", 1),
        FindingRow("1.5", "fail", 1),  # no photo_on_fail
        shot,
    ]
    assert missing_photos(findings, {shot.id}, template, "covert") == ["1.1", "2.1"]
    assert missing_photos(findings, {shot.id}, template, "overt") == ["1.1", "1.3", "2.1"]
