"""A mutation whose values the database or Python cannot take is rejected, not a crash.

The wire schema (fieldcore/records.py, bounds.py) already refuses every value known to
fail; this is the guard behind it. A value error raised while one mutation runs in its own
savepoint becomes that mutation's `sync.invalid_value`: the savepoint is rolled back, the
mutation is consumed and the push goes on, so a poison value can never block a phone's
queue by answering 500 every time it is resent. Only *value* errors qualify: a database
that is down, a deadlock or a lock timeout is a server failure (retried, then 503
`server.unavailable`) and a bug is still a 500 — neither is ever consumed as a rejection.

A rejection's message and details are stored and resent verbatim, so they are made
storable too (they may echo a field name the client chose).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from fieldcore.bounds import INT64_MAX, storable_text, utc_in_range
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation

log = logging.getLogger("mingcha.server")
MESSAGE_MAX = 500  # characters of a stored rejection message (the column holds 1000)
DETAIL_MAX = 200  # characters of any one string in stored details


def is_bad_value(exc: BaseException) -> bool:
    """The database refused a value (PostgreSQL class 22, a bind that could not convert),
    or Python could not compute with one; not a failure of the server itself."""
    if isinstance(exc, sa.exc.DataError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):  # operational, integrity, internal …
        return False
    if isinstance(exc, sa.exc.StatementError):  # raised binding a parameter
        return isinstance(exc.orig, ValueError | ArithmeticError)
    return isinstance(exc, ValueError | ArithmeticError)  # UnicodeError is a ValueError


def invalid_value(m: Mutation, exc: BaseException) -> DomainError:
    """The rejection of mutation `m`, whose values raised `exc` (a bad value)."""
    field = suspect_field(m.fields)
    log.warning(
        "push: %s %s seq %d refused by %s (field %r) — rejected as sync.invalid_value",
        m.entity,
        m.id,
        m.seq,
        type(exc).__name__,
        field,
    )
    return DomainError(ProblemCode.SYNC_INVALID_VALUE, field or "", field=field)


def suspect_field(fields: dict[str, Any]) -> str | None:
    """The first field whose value no database stores as given (None if none stands out)."""
    for name, value in fields.items():
        if not _storable(value):
            return _clean_text(name)
    return None


def _storable(value: Any) -> bool:
    try:
        if isinstance(value, str):
            storable_text(value)
            _storable_time(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            return -INT64_MAX <= value <= INT64_MAX
        elif isinstance(value, list):
            return all(_storable(v) for v in value)
        elif isinstance(value, dict):
            return all(_storable(k) and _storable(v) for k, v in value.items())
    except (ValueError, ArithmeticError, RecursionError):
        return False
    return True


def _storable_time(value: str) -> None:
    try:
        time = datetime.fromisoformat(value)
    except ValueError:
        return  # not a time: nothing more to check
    if time.tzinfo is not None:
        utc_in_range(time)


def clean(value: Any, depth: int = 0) -> Any:
    """`value` as both databases store JSON: text without NUL or lone surrogates, short."""
    if isinstance(value, str):
        return _clean_text(value)
    if depth > 5:
        return None
    if isinstance(value, dict):
        return {clean(k): clean(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [clean(v, depth + 1) for v in value[:50]]
    return value


def _clean_text(value: str) -> str:
    text = value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return text[:DETAIL_MAX]


def clean_message(message: str | None) -> str | None:
    if message is None:
        return None
    text = message.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return text[:MESSAGE_MAX]
