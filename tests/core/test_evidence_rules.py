"""fieldcore/evidence.py: which sources a photo may come from, per item and mode; the
time-window and distance warnings the phone and the console share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldcore.evidence import (
    DISTANCE_LIMIT_M,
    TIME_TOLERANCE,
    PhotoFacts,
    VisitFacts,
    allowed_sources,
    camera_required,
    check_photo_source,
    distance_m,
    outside_visit,
    photo_warnings,
    warning_text,
)
from fieldcore.problems import DomainError, ProblemCode
from tests.core.factories import item, make_template

CATEGORIES = [
    {
        "code": "A",
        "title": "甲",
        "max": 10,
        "items": [item("A.1", camera_only=True), item("A.2")],
    }
]


def test_sources_per_item_and_mode() -> None:
    plain = make_template(CATEGORIES)
    strict = make_template(CATEGORIES, covert_camera_only=True)
    a1, a2 = (plain.items_by_code[c][1] for c in ("A.1", "A.2"))
    # a camera-only item: camera in every mode
    assert allowed_sources(plain, a1, "overt") == ("camera",)
    assert allowed_sources(plain, a1, "covert") == ("camera",)
    # an ordinary item of an ordinary template: camera or gallery, visit-level photos too
    assert allowed_sources(plain, a2, "covert") == ("camera", "gallery")
    assert allowed_sources(plain, None, "covert") == ("camera", "gallery")
    # the whole template in 暗访 only: every item and the visit-level photos
    assert allowed_sources(strict, a2, "covert") == ("camera",)
    assert allowed_sources(strict, None, "covert") == ("camera",)
    assert allowed_sources(strict, a2, "overt") == ("camera", "gallery")
    assert camera_required(strict, None, "covert") and not camera_required(strict, None, "overt")


def test_a_gallery_photo_or_one_that_does_not_say_is_refused_where_the_camera_is_required() -> None:
    template = make_template(CATEGORIES)
    a1, a2 = (template.items_by_code[c][1] for c in ("A.1", "A.2"))
    check_photo_source(template, a1, "overt", "camera")
    check_photo_source(template, a2, "overt", "gallery")
    check_photo_source(template, a2, "overt", None)  # an older app: fine where allowed
    for source in ("gallery", None):
        with pytest.raises(DomainError) as caught:
            check_photo_source(template, a1, "covert", source)
        assert caught.value.code == ProblemCode.PHOTO_CAMERA_REQUIRED
        assert caught.value.details == {"item": "A.1", "source": source or "unknown"}


def test_the_flags_default_to_off_and_are_part_of_the_format() -> None:
    template = make_template(CATEGORIES)
    assert template.covert_camera_only is False
    assert template.items_by_code["A.2"][1].camera_only is False


START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("taken", "finished", "flagged"),
    [
        (START + timedelta(minutes=30), END, False),
        (START - TIME_TOLERANCE, END, False),  # the tolerance itself is inside
        (START - TIME_TOLERANCE - timedelta(seconds=1), END, True),
        (END + TIME_TOLERANCE, END, False),
        (END + TIME_TOLERANCE + timedelta(seconds=1), END, True),
        (START + timedelta(days=3), None, False),  # not finished yet: no end to be after
        (START - timedelta(days=30), None, True),  # an old picture
        (None, END, False),  # unknown time: nothing to say
    ],
)
def test_time_window(taken: datetime | None, finished: datetime | None, flagged: bool) -> None:
    assert outside_visit(taken, START, finished) is flagged


def test_distance_and_the_combined_warnings_prefer_the_cameras_own_time() -> None:
    assert distance_m(30.0, 120.0, None, 120.0) is None
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195, rel=1e-3)
    visit = VisitFacts(START, END, site_lat=30.0, site_lon=120.0)
    on_site = PhotoFacts(START + timedelta(minutes=5), None, 30.0, 120.001)  # ~96 m
    assert photo_warnings(on_site, visit) == ()
    # taken in the app during the visit, but its EXIF says last week: flagged by EXIF time
    old = PhotoFacts(START + timedelta(minutes=5), START - timedelta(days=7), 30.0, 120.0)
    assert photo_warnings(old, visit) == ("outside_visit",)
    far = PhotoFacts(START + timedelta(minutes=5), None, 30.0, 120.01)  # ~963 m
    apart = distance_m(30.0, 120.01, 30.0, 120.0)
    assert apart is not None and apart > DISTANCE_LIMIT_M
    assert photo_warnings(far, visit) == ("far_from_site",)
    both = PhotoFacts(END + timedelta(hours=2), None, 31.0, 120.0)
    assert photo_warnings(both, visit) == ("outside_visit", "far_from_site")
    assert photo_warnings(far, VisitFacts(START, END)) == ()  # the site has no position
    assert warning_text("far_from_site") == "拍摄地点距场所超过 500 米"
    assert "outside" in warning_text("outside_visit", "en")
