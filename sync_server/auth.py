"""Accounts and devices: argon2 password hashes, throttled login, opaque device tokens.

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

import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.config import Settings
from sync_server.tables import Device, LoginAttempt, User

_hasher = PasswordHash.recommended()  # argon2id
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_throttle(
    session: Session, settings: Settings, username: str, ip: str, now: datetime
) -> None:
    """Refuse a login after too many recent failures for this user or from this address."""
    since = now - timedelta(seconds=settings.login_window_seconds)
    recent = (
        select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    )  # type: ignore[union-attr]
    by_user = session.exec(recent.where(LoginAttempt.username == username)).one()
    by_ip = session.exec(recent.where(LoginAttempt.ip == ip)).one() if ip else 0
    if by_user >= settings.login_max_failures or by_ip >= 4 * settings.login_max_failures:
        raise DomainError(ProblemCode.AUTH_THROTTLED, retry_after=settings.login_window_seconds)


def authenticate(
    session: Session, username: str, password: str, ip: str, now: datetime
) -> User | None:
    """The active user with these credentials, or None; records the attempt either way."""
    user = session.exec(select(User).where(User.username == username)).first()
    ok, new_hash = _hasher.verify_and_update(password, user.password_hash if user else _DUMMY_HASH)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(username=username, ip=ip, at=now, success=ok))
    if ok and new_hash and user is not None:
        user.password_hash = new_hash  # parameters were strengthened since it was hashed
    return user if ok else None


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


def resolve_token(
    session: Session, authorization: str | None, now: datetime
) -> tuple[Device, User]:
    """The device and user behind `Authorization: Bearer <token>`.

    Raises:
        DomainError: auth.token_missing / token_invalid / token_revoked / token_expired.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError(ProblemCode.AUTH_TOKEN_MISSING)
    device = session.exec(
        select(Device).where(Device.token_hash == token_hash(token.strip()))
    ).first()
    if device is None:
        raise DomainError(ProblemCode.AUTH_TOKEN_INVALID)
    user = session.get(User, device.user_id)
    if device.revoked_at is not None or user is None or not user.active:
        raise DomainError(ProblemCode.AUTH_TOKEN_REVOKED)
    if device.token_expires_at <= now:
        raise DomainError(
            ProblemCode.AUTH_TOKEN_EXPIRED, expired_at=device.token_expires_at.isoformat()
        )
    return device, user


def revoke_devices(session: Session, user: User, now: datetime) -> int:
    """Revoke every device of a user; returns how many were active."""
    devices = session.exec(
        select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
    ).all()  # type: ignore[union-attr]
    for device in devices:
        device.revoked_at = now
    return len(devices)
