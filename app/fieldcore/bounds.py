"""Bounds on every value a client may send, so that whatever validates can be stored.

Both databases must accept each value that passes the wire schema: PostgreSQL refuses NUL
in text, neither database nor UTF-8 can hold an unpaired surrogate, a 32-bit INTEGER column
overflows at 2^31, BIGINT at 2^63, and Python's datetime cannot move 0001-01-01+08:00 to
UTC. A value outside these bounds is the client's error, answered as such (PROTOCOL.md,
Bounds); inside them the server never fails on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from annotated_types import GroupedMetadata, MaxLen, MinLen
from pydantic import AfterValidator, AwareDatetime, Field

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER
INT64_MAX = 2**63 - 1  # BIGINT on both databases
# Every time and date of a record, in UTC. 1970, not later: a phone whose clock was reset
# (dead battery: 1970-01-01) still records evidence; its photo rows carry clock_offset_ms,
# and refusing the row would lose the photo. Before 1970 no device clock is plausible.
FIRST_YEAR, LAST_YEAR = 1970, 2100
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_AFTER_LAST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


def storable_text(value: str) -> str:
    """Text both databases store as given: no NUL, valid UTF-8 (no unpaired surrogate)."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (an unpaired surrogate is not)") from None
    return value


def utc_in_range(value: datetime) -> datetime:
    """The time in UTC, between the years 1970 and 2100 inclusive."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+08:00 is in year 0 in UTC
        raise ValueError(f"time must be in the years {FIRST_YEAR}–{LAST_YEAR} (UTC)") from None
    if not _EARLIEST <= utc < _AFTER_LAST:
        raise ValueError(f"time must be in the years {FIRST_YEAR}–{LAST_YEAR} (UTC)")
    return utc


def date_in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"date must be in the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


@dataclass(frozen=True)
class StorableText(GroupedMetadata):
    """`Annotated[str, StorableText(n)]`: at most n characters that every database stores
    unchanged. Metadata rather than a function returning a type, so that type checkers read
    the annotation as the `str` it is."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield MinLen(self.min_length)
        yield MaxLen(self.max_length)
        yield AfterValidator(storable_text)


UtcTime = Annotated[AwareDatetime, AfterValidator(utc_in_range)]
RecordDate = Annotated[date, AfterValidator(date_in_range)]
Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]
