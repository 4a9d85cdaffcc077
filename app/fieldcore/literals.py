"""A stored text value as the Literal type its column holds (a user's Role, a visit's Mode).

Database columns are plain text, so the rows carry `str`; the rules take the narrow
types. Values reach the tables only through validated writes, so a mismatch here is a
corrupt row, and it fails loudly instead of flowing on as an unknown role or mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

S = TypeVar("S", bound=str)


def one_of(value: str, allowed: Iterable[S]) -> S:
    """`value` itself, typed as the member of `allowed` it equals; ValueError if none."""
    options = tuple(allowed)
    for option in options:
        if option == value:
            return option
    raise ValueError(f"{value!r} is not one of {', '.join(options)}")
