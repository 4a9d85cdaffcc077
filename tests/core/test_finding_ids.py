"""`is_finding_id` (the server's check of a pushed finding's id) agrees with `finding_id`."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from fieldcore.workflow import finding_id, is_finding_id

CODES = st.text(min_size=1, max_size=40)


@given(st.uuids(), CODES)
def test_the_id_of_a_visit_and_item_is_recognised(visit_id: uuid.UUID, code: str) -> None:
    expected = finding_id(visit_id, code)
    assert is_finding_id(expected, visit_id, code)
    assert is_finding_id(expected, str(visit_id), code)


@given(st.uuids(), CODES, st.integers(0, 127))
def test_an_id_one_bit_off_is_not(visit_id: uuid.UUID, code: str, bit: int) -> None:
    """Also a flipped version or variant bit: the check compares all 128 bits."""
    other = uuid.UUID(int=finding_id(visit_id, code).int ^ (1 << bit))
    assert not is_finding_id(other, visit_id, code)


@given(st.uuids(), st.uuids(), CODES)
def test_another_visits_id_is_not(visit_id: uuid.UUID, other: uuid.UUID, code: str) -> None:
    assert is_finding_id(finding_id(other, code), visit_id, code) == (other == visit_id)
