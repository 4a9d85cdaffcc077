"""fieldcore.literals.one_of: a stored text value as the Literal its column holds."""

from __future__ import annotations

import pytest

from fieldcore.checklist import MODES
from fieldcore.literals import one_of
from fieldcore.workflow import ROLES


def test_a_known_value_comes_back_as_itself() -> None:
    assert one_of("covert", MODES) == "covert"
    assert one_of("site_manager", ROLES) == "site_manager"


@pytest.mark.parametrize("value", ["", "Covert", "admin ", "inspector"])
def test_an_unknown_value_is_refused_naming_the_allowed_ones(value: str) -> None:
    with pytest.raises(ValueError, match="overt, covert"):
        one_of(value, MODES)
