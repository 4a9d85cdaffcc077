"""When a sign-in attempt may be checked: progressive delay per user, a cap per address.

Shared by the phones' login and the console's sign-in, so the rule lives here once.

- Per user: the first `login_max_failures` consecutive failures are answered at once; after
  n ≥ max consecutive failures the next attempt is checked only from
  `base · 2^(n − max)` seconds (capped at `login_delay_max_seconds`) after the latest one.
  A success ends the run, so a locked-out user who knows the password waits seconds, not
  the quarter of an hour a fixed lock-out cost, while a guesser gets one try per cap.
- Per client address: at most `login_address_max_failures` failures (any usernames) in
  `login_window_seconds`; it bounds one address spraying many usernames.

Attempts refused here are not recorded, so waiting out the delay is enough. Attempts are
recorded as failures *before* the password is checked (see sync_server/org/signin.py), so
parallel guesses are counted too.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import write_session
from sync_server.tables import LoginAttempt

_MAX_DOUBLINGS = 30  # beyond this the cap applies anyway; keeps the power small


def user_delay(settings: Settings, failures: int) -> float:
    """Seconds an attempt waits after the latest of `failures` consecutive failures."""
    over = failures - settings.login_max_failures
    if over < 0:
        return 0.0
    doubled = settings.login_delay_base_seconds * 2 ** min(over, _MAX_DOUBLINGS)
    return float(min(doubled, settings.login_delay_max_seconds))


def check(session: Session, settings: Settings, username: str, address: str, now: datetime) -> None:
    """Refuse an attempt that comes too soon after failures for this user or address.

    Raises:
        DomainError(auth.throttled): with `retry_after`, whole seconds until it may be made.
    """
    wait = max(
        _user_wait(session, settings, username, now), _address_wait(session, settings, address, now)
    )
    if wait > 0:
        raise DomainError(ProblemCode.AUTH_THROTTLED, retry_after=max(1, math.ceil(wait)))


def _user_wait(session: Session, settings: Settings, username: str, now: datetime) -> float:
    last_success = session.exec(
        select(sa.func.max(LoginAttempt.id)).where(
            LoginAttempt.username == username,
            col(LoginAttempt.success).is_(True),
        )
    ).one()
    # ids, not times, order the attempts: several can share one clock reading
    run = select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username,
        col(LoginAttempt.success).is_(False),
        LoginAttempt.at >= now - timedelta(seconds=settings.login_streak_seconds),
    )
    if last_success is not None:
        run = run.where(col(LoginAttempt.id) > last_success)
    failures, latest = session.exec(run).one()
    delay = user_delay(settings, failures)
    if not delay or latest is None:
        return 0.0
    return (latest + timedelta(seconds=delay) - now).total_seconds()


def _address_wait(session: Session, settings: Settings, address: str, now: datetime) -> float:
    if not address:
        return 0.0
    window = timedelta(seconds=settings.login_window_seconds)
    # the failure that would have to leave the window for one more to be allowed
    limiting = session.exec(
        select(LoginAttempt.at)
        .where(
            LoginAttempt.ip == address,
            col(LoginAttempt.success).is_(False),
            LoginAttempt.at > now - window,
        )
        .order_by(col(LoginAttempt.at).desc())
        .offset(settings.login_address_max_failures - 1)
        .limit(1)
    ).first()
    if limiting is None:
        return 0.0
    return (limiting + window - now).total_seconds()


def forget_old(engine: sa.Engine, settings: Settings, now: datetime) -> int:
    """Delete attempts too old to count for any rule (the server's upkeep calls this), so
    a guessing storm does not grow the table for ever. Safe for the per-user run: a
    success older than the horizon only ever ended failures older still."""
    horizon = now - timedelta(
        seconds=max(settings.login_streak_seconds, settings.login_window_seconds)
    )
    with write_session(engine) as session:
        result = session.exec(sa.delete(LoginAttempt).where(col(LoginAttempt.at) < horizon))
        return int(result.rowcount or 0)
