"""Password sign-in that never holds the database writer while argon2 runs.

Argon2 costs a few hundred milliseconds of CPU on purpose. On SQLite every write holds the
one writer lock, so checking a password inside a write transaction made every device's
push queue behind every failed login (issue 11 §5). A sign-in is now three steps:

1. gate (short write): refuse it if throttled (sync_server/org/login_throttle.py), else record
   the attempt as a failure, so parallel guesses count before any of them is checked, and
   read the user's hash;
2. check the password with no transaction open, on a small pool of its own (a login storm
   queues there instead of taking the threads and CPUs that pushes need). An unknown user
   is checked against a dummy hash, so both answers take the same time;
3. on success only (short write): mark the attempt successful (which ends the user's run
   of failures) and rehash if the parameters were strengthened; then the caller's work
   (the phones' login enrols the device) in its own short write.

Used by the phones' login (sync_server/api/auth.py) and the console's sign-in.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from anyio import to_thread
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import run_write
from sync_server.org import accounts, login_throttle
from sync_server.tables import LoginAttempt, User

T = TypeVar("T")
ADDRESS_MAX = 64  # LoginAttempt.ip's width
USERNAME_MAX = 64  # User.username's and LoginAttempt.username's
# PostgreSQL advisory lock spaces (two-int keys: apart from any single-bigint lock)
_USERNAME_LOCKS, _ADDRESS_LOCKS = 0x4D43_0001, 0x4D43_0002


@dataclass(frozen=True)
class _Candidate:
    attempt_id: int
    user_id: uuid.UUID | None
    password_hash: str  # the user's, or the dummy one for an unknown or inactive user


_checkers: ThreadPoolExecutor | None = None
_checkers_guard = threading.Lock()


def _password_checkers(settings: Settings) -> ThreadPoolExecutor:
    """This process's password-check threads: by default half its CPUs, at least one."""
    global _checkers
    with _checkers_guard:
        if _checkers is None:
            size = settings.password_check_threads or max(1, _usable_cpus() // 2)
            _checkers = ThreadPoolExecutor(size, thread_name_prefix="password-check")
        return _checkers


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # Linux: the CPUs this process may run on
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


async def sign_in(
    engine: sa.Engine,
    settings: Settings,
    username: str,
    password: str,
    address: str,
    now: datetime,
    then: Callable[[Session, User], T],
) -> T:
    """`then(session, user)` for the active user with these credentials.

    Raises:
        DomainError: auth.throttled (with retry_after), auth.invalid_credentials, or what
            `then` raises (the sign-in still counts as a success).
    """
    if not _could_exist(username):  # and PostgreSQL refuses NUL in text: not even recorded
        raise DomainError(ProblemCode.AUTH_INVALID_CREDENTIALS)
    address = address.replace("\x00", "")[:ADDRESS_MAX]  # a forwarded one is the proxy's text
    candidate = await to_thread.run_sync(
        run_write, engine, lambda s: _gate(s, settings, username, address, now)
    )
    loop = asyncio.get_running_loop()
    ok, new_hash = await loop.run_in_executor(
        _password_checkers(settings), accounts.verify_password, password, candidate.password_hash
    )
    if not ok or candidate.user_id is None:
        raise DomainError(ProblemCode.AUTH_INVALID_CREDENTIALS)  # recorded by the gate
    user_id = candidate.user_id
    await to_thread.run_sync(
        run_write, engine, lambda s: _succeeded(s, candidate, user_id, new_hash)
    )
    return await to_thread.run_sync(run_write, engine, lambda s: _then(s, user_id, then))


def _could_exist(username: str) -> bool:
    return 0 < len(username) <= USERNAME_MAX and "\x00" not in username


def _one_gate_at_a_time(session: Session, username: str, address: str) -> None:
    """Parallel attempts for one username, or from one address, pass the gate one by one,
    each seeing the others' failures. SQLite's writers are serial already; PostgreSQL's
    concurrent transactions would each count only committed rows, so a burst of guesses
    would all pass: they queue on transaction-scoped advisory locks instead (held for the
    gate's few milliseconds; always the username's first, so two gates cannot deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for space, key in ((_USERNAME_LOCKS, username), (_ADDRESS_LOCKS, address)):
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": space, "key": key},
        )


def _gate(
    session: Session, settings: Settings, username: str, address: str, now: datetime
) -> _Candidate:
    _one_gate_at_a_time(session, username, address)
    login_throttle.check(session, settings, username, address, now)
    attempt = LoginAttempt(username=username, ip=address, at=now, success=False)
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        return _Candidate(attempt.id, None, accounts.DUMMY_HASH)
    return _Candidate(attempt.id, user.id, user.password_hash)


def _succeeded(
    session: Session, candidate: _Candidate, user_id: uuid.UUID, new_hash: str | None
) -> None:
    attempt = session.get(LoginAttempt, candidate.attempt_id)
    user = session.get(User, user_id)
    if attempt is None or user is None or not user.active:  # deactivated meanwhile
        raise DomainError(ProblemCode.AUTH_INVALID_CREDENTIALS)
    attempt.success = True
    if new_hash and user.password_hash == candidate.password_hash:
        user.password_hash = new_hash  # parameters were strengthened since it was hashed


def _then(session: Session, user_id: uuid.UUID, then: Callable[[Session, User], T]) -> T:
    user = session.get(User, user_id)
    assert user is not None
    return then(session, user)
