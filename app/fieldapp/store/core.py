"""What every part of the phone's store shares: its SQLite engine, its clock, one
transaction per call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from fieldapp.store.db import open_db, transaction

Clock = Callable[[], datetime]
P = ParamSpec("P")
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreCore:
    """The database, the clock, and `_tx`: one transaction per call."""

    def __init__(self, path: Path, clock: Clock = utcnow) -> None:
        self.path = path
        self.engine: sa.Engine = open_db(path)
        self.now = clock

    def close(self) -> None:
        self.engine.dispose()

    def _tx(
        self,
        fn: Callable[Concatenate[Session, datetime, P], T],
        *args: P.args,
        **kw: P.kwargs,
    ) -> T:
        """`fn(session, now, …)` in one transaction."""
        with transaction(self.engine) as session:
            return fn(session, self.now(), *args, **kw)
