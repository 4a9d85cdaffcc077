"""Organisation and account administration, shared by the CLI, the console and tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import ROLES
from sync_server.core.changeset import ChangeSet
from sync_server.org.accounts import hash_password
from sync_server.tables import Region, Site, Subject, User, UserScope, VisitTask


def region_by_code(session: Session, code: str) -> Region:
    region = session.exec(select(Region).where(Region.code == code)).first()
    if region is None:
        raise DomainError(ProblemCode.IMPORT_INVALID, f"no region {code!r}", region=code)
    return region


def add_region(session: Session, code: str, name: str, parent: str | None = None) -> Region:
    existing = session.exec(select(Region).where(Region.code == code)).first()
    parent_id = region_by_code(session, parent).id if parent else None
    if existing is not None:
        existing.name, existing.parent_id = name, parent_id
        return existing
    region = Region(code=code, name=name, parent_id=parent_id)
    session.add(region)
    session.flush()
    return region


def add_site(
    session: Session,
    changes: ChangeSet,
    code: str,
    name: str,
    type: str,
    region: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Site:
    """Create or update a site by code (an import re-run updates, never duplicates)."""
    region_id = region_by_code(session, region).id
    site = session.exec(select(Site).where(Site.code == code)).first()
    if site is None:
        site = Site(code=code, name=name, type=type, region_id=region_id)
        session.add(site)
    elif site.region_id != region_id:
        _bump_all_scopes(session)  # a site moved: every phone re-downloads its scope
    site.name, site.type, site.region_id = name, type, region_id
    site.address, site.lat, site.lon, site.active = address, lat, lon, True
    changes.touch(site)
    return site


def add_subject(
    session: Session, changes: ChangeSet, site: Site, post: str, name: str = ""
) -> Subject:
    subject = Subject(site_id=site.id, post=post, name=name)
    session.add(subject)
    changes.touch(subject)
    return subject


@dataclass(frozen=True)
class HashedPassword:
    """A new account's password, already hashed (see `hash_new_password`)."""

    value: str


def hash_new_password(password: str) -> HashedPassword:
    """Check and hash a new password. Argon2 is slow on purpose: call this before opening
    the write transaction, which on SQLite holds the database's only writer meanwhile.

    Raises:
        DomainError(request.invalid): shorter than 8 characters.
    """
    if len(password) < 8:
        raise DomainError(ProblemCode.REQUEST_INVALID, "password needs at least 8 characters")
    return HashedPassword(hash_password(password))


def add_user(
    session: Session,
    username: str,
    role: str,
    password: str | HashedPassword,
    display_name: str = "",
    alias: str = "",
) -> User:
    """Create an account. Raises DomainError(user.exists) or (request.invalid) for a bad role
    or password. Pass a `HashedPassword` to keep the hashing out of the transaction."""
    if role not in ROLES:
        raise DomainError(ProblemCode.REQUEST_INVALID, f"role must be one of {', '.join(ROLES)}")
    hashed = password if isinstance(password, HashedPassword) else hash_new_password(password)
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise DomainError(ProblemCode.USER_EXISTS, username)
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        alias=alias or username,
        password_hash=hashed.value,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise DomainError(ProblemCode.USER_NOT_FOUND, username)
    return user


def assign(
    session: Session, user: User, regions: Iterable[str] = (), sites: Iterable[str] = ()
) -> None:
    """Add region or site assignments; the user's phones re-download their scope."""
    for code in regions:
        session.add(UserScope(user_id=user.id, region_id=region_by_code(session, code).id))
    for code in sites:
        site = session.exec(select(Site).where(Site.code == code)).first()
        if site is None:
            raise DomainError(ProblemCode.IMPORT_INVALID, f"no site {code!r}", site=code)
        session.add(UserScope(user_id=user.id, site_id=site.id))
    user.scope_version += 1


def add_task(
    session: Session,
    changes: ChangeSet,
    site: Site,
    template_id: str,
    mode: str,
    assignee: User,
    window_start: datetime,
    window_end: datetime,
    kind: str = "routine",
    created_by: uuid.UUID | None = None,
    note: str = "",
) -> VisitTask:
    task = VisitTask(
        site_id=site.id,
        template_id=template_id,
        mode=mode,
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        assignee_id=assignee.id,
        created_by=created_by,
        note=note,
    )
    session.add(task)
    changes.touch(task)
    return task


def _bump_all_scopes(session: Session) -> None:
    for user in session.exec(select(User)).all():
        user.scope_version += 1
