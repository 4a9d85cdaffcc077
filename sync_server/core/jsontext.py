"""JSON text for the database's JSON columns: `json.dumps`'s exact output, cheaper per call.

Every row a push writes carries two small JSON objects (`field_seq`, `field_by`), and the
engine serialises each with `json.dumps`, which builds a new C encoder per call through two
Python layers (`JSONEncoder.encode`, `iterencode`). Here the C encoder is built once with
`dumps`'s own defaults; only the circular-reference check is left out (it needs a shared
dict, and a value that refers to itself cannot come from a parsed request).
"""

from __future__ import annotations

import json
from _json import make_encoder  # CPython's C encoder, the one json.dumps itself uses
from typing import Any


def _refuse(value: Any) -> Any:
    """What `json.dumps` raises for a value JSON has no form for."""
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_encode = make_encoder(
    None,  # no circular-reference markers
    _refuse,
    json.encoder.encode_basestring_ascii,  # ensure_ascii=True, as dumps
    None,  # indent
    ": ",
    ", ",
    False,  # sort_keys
    False,  # skipkeys
    True,  # allow_nan
)


def dumps(value: Any) -> str:
    """`json.dumps(value)`, byte for byte (tests/server/test_json_text.py)."""
    if isinstance(value, str):  # dumps's own shortcut (the encoder takes containers)
        return json.dumps(value)
    return "".join(_encode(value, 0))
