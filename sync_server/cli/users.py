"""`mingcha user …`: accounts, their regions and sites, and their devices.

disable / enable / role / reset-password make the changes the console's 管理 page makes,
through the same rules (org/manage_accounts.py: roles that exist, never without an
active admin, one audit row naming the operator "cli"). A refused change prints its
problem code on stderr, exits 2 and changes nothing.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError
from fieldcore.workflow import ROLES
from sync_server.cli.base import app, fail
from sync_server.cli.common import DataDir, table, write
from sync_server.org import accounts, admin
from sync_server.org import manage_accounts as acc
from sync_server.org.audit import OPERATOR
from sync_server.tables import Device, Region, Site, User, UserScope, utcnow

user_app = typer.Typer(help="Accounts and devices.", no_args_is_help=True)
app.add_typer(user_app, name="user")
Codes = Annotated[list[str] | None, typer.Option(help="Repeat for several.")]


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt (never an
    argument, which would stay in the shell's history and the process list)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, supervisor, inspector or site_manager")],
    name: Annotated[str, typer.Option(help="Display name, e.g. 王检查")] = "",
    alias: Annotated[str, typer.Option(help="Shown on photo watermarks")] = "",
    region: Codes = None,
    site: Codes = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an account (and its region or site assignments)."""
    try:  # hashed first: the transaction below holds the database's writer
        hashed = admin.hash_new_password(read_password(password_stdin))
    except DomainError as exc:
        raise fail(exc) from None

    def work(session: Session) -> None:
        user = admin.add_user(session, username, role, hashed, name, alias)
        admin.assign(session, user, region or [], site or [])

    write(data_dir, work)
    print(f"created {role} {username}")


@user_app.command("assign")
def assign(
    username: str, region: Codes = None, site: Codes = None, data_dir: DataDir = None
) -> None:
    """Add region or site assignments (the user's phones re-download their scope)."""
    write(
        data_dir, lambda s: admin.assign(s, admin.get_user(s, username), region or [], site or [])
    )
    print(f"assigned {username}")


@user_app.command("list")
def list_users(data_dir: DataDir = None) -> None:
    """Accounts with their scope and active devices."""

    def rows(session: Session) -> list[list[str]]:
        out = []
        now = utcnow()
        for user in session.exec(select(User).order_by(User.username)).all():
            scopes = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
            regions = [session.get(Region, s.region_id) for s in scopes if s.region_id]
            sites = [session.get(Site, s.site_id) for s in scopes if s.site_id]
            names = [r.code for r in (*regions, *sites) if r is not None]  # foreign keys: all
            devices = session.exec(
                select(Device).where(
                    Device.user_id == user.id,
                    col(Device.revoked_at).is_(None),
                    Device.token_expires_at > now,
                )
            ).all()
            out.append(
                [
                    user.username,
                    user.role,
                    user.display_name,
                    " ".join(names) or "—",
                    str(len(devices)),
                    "" if user.active else "disabled",
                ]
            )
        return out

    table(write(data_dir, rows), ["username", "role", "name", "scope", "devices", ""])


@user_app.command("revoke-devices")
def revoke_devices(username: str, data_dir: DataDir = None) -> None:
    """Revoke every device token of a user (their phones must sign in again; nothing
    unsynced is lost on the phones)."""
    count = write(
        data_dir, lambda s: accounts.revoke_devices(s, admin.get_user(s, username), utcnow())
    )
    print(f"revoked {count} device(s) of {username}")


@user_app.command("disable")
def disable(username: str, data_dir: DataDir = None) -> None:
    """Disable an account: its phones' and console tabs' sessions are refused from their
    next request on, and it cannot sign in (refused for the last active admin)."""
    changed = write(data_dir, lambda s: _set_active(s, username, False))
    print(f"disabled {username}" if changed else f"{username} was already disabled")


@user_app.command("enable")
def enable(username: str, data_dir: DataDir = None) -> None:
    """Enable a disabled account again (its devices sign in afresh)."""
    changed = write(data_dir, lambda s: _set_active(s, username, True))
    print(f"enabled {username}" if changed else f"{username} was already enabled")


def _set_active(session: Session, username: str, active: bool) -> bool:
    """Whether anything changed."""
    before = admin.get_user(session, username).active
    acc.set_active(session, OPERATOR, username, active, utcnow())
    return before != active


@user_app.command("role")
def role(
    username: str,
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help=f"One of: {', '.join(ROLES)}")],
    data_dir: DataDir = None,
) -> None:
    """Change an account's role (assignments the new role cannot hold are dropped; the
    last active admin cannot be demoted)."""

    def work(session: Session) -> str:
        before = admin.get_user(session, username).role
        acc.change_role(session, OPERATOR, username, new_role)
        return before

    before = write(data_dir, work)
    print(f"{username}: {before} → {new_role}" if before != new_role else f"{username} is {before}")


@user_app.command("reset-password")
def reset_password(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
    data_dir: DataDir = None,
) -> None:
    """Set a new password (prompted, or one line of stdin); the account's devices and
    console tabs must sign in again."""
    try:  # hashed first: the transaction below holds the database's writer
        hashed = admin.hash_new_password(read_password(password_stdin))
    except DomainError as exc:
        raise fail(exc) from None
    write(data_dir, lambda s: acc.reset_password(s, OPERATOR, username, hashed, utcnow()))
    print(f"password reset for {username}; their devices must sign in again")
