"""Accounts and devices: argon2 password hashes, opaque device tokens (sign-in itself and its
throttle: sync_server/org/signin.py, login_throttle.py).

A phone enrolls as a device at login and receives a random bearer token; the server keeps
only its sha256, so a stolen database leaks no usable token. Tokens expire and can be
revoked per device (`mingcha user revoke-devices`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.tables import Device, ServerMeta, User

_hasher = PasswordHash.recommended()  # argon2id
# checked for an unknown user, so that answer takes as long as a wrong password
DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, a stronger hash to store or None). Slow on purpose: call it with no
    transaction open (sync_server/org/signin.py)."""
    return _hasher.verify_and_update(password, password_hash)


@dataclass(frozen=True)
class Enrollment:
    device: Device
    token: str


def enroll_device(
    session: Session, settings: Settings, user: User, device_id: uuid.UUID, name: str, now: datetime
) -> Enrollment:
    """Give this device a fresh token; a device keeps its mutation counter across logins.

    Raises:
        DomainError(auth.device_taken): the device id is enrolled for another user.
    """
    token = secrets.token_urlsafe(32)
    device = session.get(Device, device_id, with_for_update=True)
    if device is not None and device.user_id != user.id:
        raise DomainError(ProblemCode.AUTH_DEVICE_TAKEN, device_id=str(device_id))
    if device is None:
        device = Device(id=device_id, user_id=user.id, token_hash="", token_expires_at=now)
        session.add(device)
    device.name = name or device.name
    device.token_hash = token_hash(token)
    device.token_expires_at = now + timedelta(days=settings.token_days)
    device.revoked_at = None
    device.last_seen_at = now
    return Enrollment(device, token)


@dataclass(frozen=True)
class Bearer:
    """Who a token belongs to, with what their scope is computed from (org/scope.py)."""

    device: Device
    user: User
    server_epoch: str
    scope_version: str | None  # None: a database without the row (never cache a scope)


def _meta(key: str) -> Any:
    return select(ServerMeta.value).where(ServerMeta.key == key).scalar_subquery()


@cache
def _bearer_query() -> Any:
    """Built once: constructing the statement and its cache key on every request cost
    more than running it (measured, issue 15)."""
    return (
        select(Device, User, _meta("epoch"), _meta("scope_version"))
        .join(User, col(User.id) == col(Device.user_id), isouter=True)
        .where(col(Device.token_hash) == sa.bindparam("token_hash"))
    )


def resolve_token(
    session: Session, authorization: str | None, now: datetime
) -> tuple[Device, User]:
    """The device and user behind `Authorization: Bearer <token>` (see `resolve_bearer`)."""
    bearer = resolve_bearer(session, authorization, now)
    return bearer.device, bearer.user


def resolve_bearer(session: Session, authorization: str | None, now: datetime) -> Bearer:
    """The device and user behind `Authorization: Bearer <token>`, with the database's epoch
    and scope version.

    Raises:
        DomainError: auth.token_missing / token_invalid / token_revoked / token_expired.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError(ProblemCode.AUTH_TOKEN_MISSING)
    # one query: every request pays for this (device and user read fresh, so a revoked
    # device or a disabled user is refused at once; the versions say whether a cached
    # scope still holds)
    found = session.exec(_bearer_query(), params={"token_hash": token_hash(token.strip())}).first()
    if found is None:
        raise DomainError(ProblemCode.AUTH_TOKEN_INVALID)
    device, user, epoch, version = found
    if epoch is None:
        raise RuntimeError("database not initialised: run `mingcha db upgrade`")
    if device.revoked_at is not None or user is None or not user.active:
        raise DomainError(ProblemCode.AUTH_TOKEN_REVOKED)
    if device.token_expires_at <= now:
        raise DomainError(
            ProblemCode.AUTH_TOKEN_EXPIRED, expired_at=device.token_expires_at.isoformat()
        )
    return Bearer(device, user, epoch, version)


def check_console_session(session: Session, signed_in: User) -> User:
    """The account behind a console tab, as the database has it now. The tab holds the
    row it signed in with, so a session lasts only while that row is unchanged where it
    matters: disabling, a role change or a password reset end it at the tab's next
    request, as they end a phone's token (revoke_devices).

    Raises:
        DomainError(auth.token_revoked): the account was disabled, removed, or given
            another role or password since the tab signed in.
    """
    user = session.get(User, signed_in.id)
    if (
        user is None
        or not user.active
        or user.role != signed_in.role
        or user.password_hash != signed_in.password_hash
    ):
        raise DomainError(ProblemCode.AUTH_TOKEN_REVOKED, username=signed_in.username)
    return user


def revoke_devices(session: Session, user: User, now: datetime) -> int:
    """Revoke every device of a user; returns how many were active."""
    devices = session.exec(
        select(Device).where(Device.user_id == user.id, col(Device.revoked_at).is_(None))
    ).all()
    for device in devices:
        device.revoked_at = now
    return len(devices)


CONSOLE_NS = uuid.UUID("6d696e67-6368-612d-636f-6e736f6c6521")  # "mingcha-console!"


def console_device(session: Session, user: User, now: datetime) -> Device:
    """This user's console device (its mutation numbering), created on first use."""
    device_id = uuid.uuid5(CONSOLE_NS, str(user.id))
    device = session.get(Device, device_id, with_for_update=True)
    if device is None:
        device = Device(
            id=device_id,
            user_id=user.id,
            name="console",
            token_hash=f"console-{device_id.hex}",  # never a usable bearer token
            token_expires_at=now,
        )
        session.add(device)
        session.flush()
    return device
