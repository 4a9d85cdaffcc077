"""core/jsontext.dumps writes exactly what json.dumps writes (the engines' JSON columns
use it), and refuses what json.dumps refuses."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_server.core.jsontext import dumps

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(values)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value)


def test_non_text_keys_as_json_dumps_writes_them() -> None:
    value: dict[Any, Any] = {1: "a", 2.5: None, False: [], None: 0}
    assert dumps(value) == json.dumps(value)


@pytest.mark.parametrize("value", [uuid.uuid4(), {"at": object()}, [b"bytes"]])
def test_a_value_json_has_no_form_for_is_refused_as_json_dumps_refuses_it(value: Any) -> None:
    with pytest.raises(TypeError) as ours:
        dumps(value)
    with pytest.raises(TypeError) as theirs:
        json.dumps(value)
    assert str(ours.value) == str(theirs.value)
