"""Administering accounts: create with a role and a scope, reset a password, disable or
enable, change the role, revoke devices, and assign regions and sites.

An organisation cannot lock itself out: the last active admin can be neither disabled nor
demoted (admin.last_admin). Every change is checked before anything is written and leaves
one audit row, naming the admin who made it (or the command line's operator: audit.py).
Passwords arrive already hashed (`admin.hash_new_password`), so argon2 never
runs inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import ROLES
from sync_server.org import accounts
from sync_server.org.admin import HashedPassword, get_user
from sync_server.org.audit import Actor, audit, require_admin
from sync_server.org.manage_org import region_named, site_named, text
from sync_server.tables import Device, Region, Site, User, UserScope

C = ProblemCode
# who may hold which assignments: admins see everything; site managers only their sites
ASSIGNABLE = {
    "admin": (),
    "supervisor": ("region", "site"),
    "inspector": ("region", "site"),
    "site_manager": ("site",),
}


@dataclass(frozen=True)
class AccountView:
    username: str
    display_name: str
    alias: str
    role: str
    active: bool
    regions: tuple[str, ...]
    sites: tuple[str, ...]
    devices: int  # active device tokens


def list_accounts(session: Session, now: datetime) -> list[AccountView]:
    return [
        account_view(session, u, now) for u in session.exec(select(User).order_by(User.username))
    ]


def account_view(session: Session, user: User, now: datetime) -> AccountView:
    regions, sites = assignments(session, user)
    devices = session.exec(
        select(func.count())
        .select_from(Device)
        .where(
            Device.user_id == user.id,
            col(Device.revoked_at).is_(None),
            Device.token_expires_at > now,
            ~col(Device.token_hash).startswith("console-"),
        )
    ).one()
    return AccountView(
        user.username,
        user.display_name,
        user.alias,
        user.role,
        user.active,
        regions,
        sites,
        int(devices),
    )


def assignments(session: Session, user: User) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(region codes, site codes) assigned to the user, sorted."""
    rows = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
    regions = [session.get(Region, r.region_id) for r in rows if r.region_id]
    sites = [session.get(Site, r.site_id) for r in rows if r.site_id]
    return (
        tuple(sorted(r.code for r in regions if r is not None)),
        tuple(sorted(s.code for s in sites if s is not None)),
    )


def _role(role: str) -> str:
    if role not in ROLES:
        raise DomainError(
            C.REQUEST_INVALID, f"role must be one of {', '.join(ROLES)}", field="role"
        )
    return role


def _check_scope(role: str, regions: Sequence[str], sites: Sequence[str]) -> None:
    allowed = ASSIGNABLE[role]
    if (regions and "region" not in allowed) or (sites and "site" not in allowed):
        raise DomainError(
            C.REQUEST_INVALID,
            f"a {role} is assigned {' or '.join(allowed) or 'nothing (sees everything)'}",
            field="regions" if regions and "region" not in allowed else "sites",
        )


def create_account(
    session: Session,
    by: User,
    username: str,
    role: str,
    password: HashedPassword,
    display_name: str = "",
    alias: str = "",
    regions: Sequence[str] = (),
    sites: Sequence[str] = (),
) -> User:
    require_admin(by)
    username = text("username", username, 64)
    if any(ch.isspace() for ch in username):
        raise DomainError(C.REQUEST_INVALID, "username has spaces", field="username")
    _check_scope(_role(role), regions, sites)
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise DomainError(C.USER_EXISTS, username)
    user = User(
        username=username,
        role=role,
        display_name=text("display_name", display_name, 200, False) or username,
        alias=text("alias", alias, 64, False) or username,
        password_hash=password.value,
    )
    session.add(user)
    session.flush()
    _replace_scope(session, user, regions, sites)
    audit(
        session,
        by,
        "account.create",
        "user",
        username,
        role=role,
        regions=list(regions),
        sites=list(sites),
    )
    return user


def set_assignments(
    session: Session, by: User, username: str, regions: Sequence[str], sites: Sequence[str]
) -> User:
    """Replace the user's regions and sites; their phones re-download their scope."""
    require_admin(by)
    user = get_user(session, username)
    _check_scope(user.role, regions, sites)
    before = assignments(session, user)
    _replace_scope(session, user, regions, sites)
    audit(
        session,
        by,
        "account.assign",
        "user",
        username,
        before={"regions": list(before[0]), "sites": list(before[1])},
        after={"regions": sorted(regions), "sites": sorted(sites)},
    )
    return user


def _replace_scope(
    session: Session, user: User, regions: Sequence[str], sites: Sequence[str]
) -> None:
    region_ids = {region_named(session, code).id for code in regions}  # checked first
    site_ids = {site_named(session, code).id for code in sites}
    for row in session.exec(select(UserScope).where(UserScope.user_id == user.id)).all():
        session.delete(row)
    session.flush()
    session.add_all(UserScope(user_id=user.id, region_id=r) for r in region_ids)
    session.add_all(UserScope(user_id=user.id, site_id=s) for s in site_ids)
    user.scope_version += 1


def _active_admins(session: Session) -> int:
    """How many active admins there are, their rows locked until this transaction ends:
    two admins disabling each other at once on PostgreSQL would otherwise both see two
    and leave none (SQLite has one writer at a time anyway)."""
    query = select(User.id).where(User.role == "admin", col(User.active)).with_for_update()
    return len(session.exec(query).all())


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == "admin" and user.active and _active_admins(session) <= 1:
        raise DomainError(C.ADMIN_LAST_ADMIN, user.username, username=user.username)


def change_role(session: Session, by: Actor, username: str, role: str) -> User:
    """A new role drops assignments the role cannot hold (a site manager keeps sites only)."""
    require_admin(by)
    user, role = get_user(session, username), _role(role)
    if role == user.role:
        return user
    if role != "admin":
        _keep_an_admin(session, user)
    regions, sites = assignments(session, user)
    allowed = ASSIGNABLE[role]
    _replace_scope(
        session,
        user,
        regions if "region" in allowed else (),
        sites if "site" in allowed else (),
    )
    audit(session, by, "account.role", "user", username, before=user.role, after=role)
    user.role = role
    return user


def set_active(session: Session, by: Actor, username: str, active: bool, now: datetime) -> User:
    """Disable (its devices are revoked: phones must sign in again) or enable an account."""
    require_admin(by)
    user = get_user(session, username)
    if user.active == active:
        return user
    if not active:
        _keep_an_admin(session, user)
        accounts.revoke_devices(session, user, now)
    audit(session, by, "account.enable" if active else "account.disable", "user", username)
    user.active = active
    return user


def reset_password(
    session: Session, by: Actor, username: str, password: HashedPassword, now: datetime
) -> User:
    """A new password; the account's devices are revoked, so an old session cannot go on."""
    require_admin(by)
    user = get_user(session, username)
    user.password_hash = password.value
    revoked = accounts.revoke_devices(session, user, now)
    audit(session, by, "account.password", "user", username, revoked_devices=revoked)
    return user


def revoke_devices(session: Session, by: Actor, username: str, now: datetime) -> int:
    require_admin(by)
    user = get_user(session, username)
    count = accounts.revoke_devices(session, user, now)
    audit(session, by, "account.revoke_devices", "user", username, revoked=count)
    return count
