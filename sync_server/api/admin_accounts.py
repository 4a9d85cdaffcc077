"""The admin API's accounts, /v1/admin/accounts: create with a role and a scope, change the
role, disable or enable, reset a password, revoke devices, replace assignments.

Admins only (403 auth.forbidden otherwise); the last active admin can be neither disabled
nor demoted (409 admin.last_admin). A password is hashed before the write transaction
opens (argon2 is slow; the transaction holds SQLite's only writer). See api/ADMIN.md.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from sqlmodel import Session

from fieldcore.literals import one_of
from fieldcore.problems import DomainError
from fieldcore.workflow import ROLES
from sync_server.api.admin import AUTH, AdminDep, C, PathCode, as_admin, file_bytes
from sync_server.api.admin_models import (
    AccountCreate,
    AccountOut,
    AccountPatch,
    AccountsImportOut,
    Assignments,
    ImportFile,
    PasswordReset,
    Revoked,
)
from sync_server.api.deps import EngineDep, NowDep, schema_version
from sync_server.api.problems import responses
from sync_server.core.db import read_session
from sync_server.org import accounts_import
from sync_server.org import manage_accounts as acc
from sync_server.org.admin import get_user, hash_new_password
from sync_server.org.org_import import sheet_text
from sync_server.tables import User

router = APIRouter(
    prefix="/v1/admin/accounts",
    tags=["admin"],
    dependencies=[Depends(schema_version)],
    responses=responses(*AUTH),
)
NOT_FOUND = (*AUTH, C.USER_NOT_FOUND)


def account_out(session: Session, user: User, now: datetime) -> AccountOut:
    return view_out(acc.account_view(session, user, now))


def view_out(view: acc.AccountView) -> AccountOut:
    return AccountOut(
        username=view.username,
        display_name=view.display_name,
        alias=view.alias,
        role=one_of(view.role, ROLES),
        active=view.active,
        regions=list(view.regions),
        sites=list(view.sites),
        devices=view.devices,
    )


@router.get("", response_model=list[AccountOut])
def list_accounts(actor: AdminDep, engine: EngineDep, now: NowDep) -> list[AccountOut]:
    """Every account with its role, assignments and signed-in devices."""
    with read_session(engine) as session:
        return [view_out(v) for v in acc.list_accounts(session, now)]


@router.post(
    "",
    response_model=AccountOut,
    status_code=201,
    responses=responses(*AUTH, C.USER_EXISTS, C.ORG_NOT_FOUND),
)
def create_account(
    body: AccountCreate, actor: AdminDep, engine: EngineDep, now: NowDep
) -> AccountOut:
    """Create an account with its role, password and regions or sites (an inspector or
    supervisor: regions and sites; a site manager: sites; an admin: none, sees all)."""
    hashed = hash_new_password(body.password)
    return as_admin(
        engine,
        actor,
        lambda s, by, _: account_out(
            s,
            acc.create_account(
                s,
                by,
                body.username,
                body.role,
                hashed,
                body.display_name,
                body.alias,
                body.regions,
                body.sites,
            ),
            now,
        ),
    )


@router.patch(
    "/{username}",
    response_model=AccountOut,
    responses=responses(*NOT_FOUND, C.ADMIN_LAST_ADMIN),
)
def edit_account(
    username: PathCode, body: AccountPatch, actor: AdminDep, engine: EngineDep, now: NowDep
) -> AccountOut:
    """Change the role (assignments the new role cannot hold are dropped) or disable /
    enable the account (disabling revokes its devices)."""

    def work(s: Session, by: User, _: object) -> AccountOut:
        user = get_user(s, username)
        if body.role is not None:
            user = acc.change_role(s, by, username, body.role)
        if body.active is not None:
            user = acc.set_active(s, by, username, body.active, now)
        return account_out(s, user, now)

    return as_admin(engine, actor, work)


@router.post("/{username}/password", response_model=AccountOut, responses=responses(*NOT_FOUND))
def reset_password(
    username: PathCode, body: PasswordReset, actor: AdminDep, engine: EngineDep, now: NowDep
) -> AccountOut:
    """Set a new password; the account's devices are revoked (they sign in again)."""
    hashed = hash_new_password(body.password)
    return as_admin(
        engine,
        actor,
        lambda s, by, _: account_out(s, acc.reset_password(s, by, username, hashed, now), now),
    )


@router.post("/{username}/revoke-devices", response_model=Revoked, responses=responses(*NOT_FOUND))
def revoke_devices(username: PathCode, actor: AdminDep, engine: EngineDep, now: NowDep) -> Revoked:
    """Sign every phone of the account out (nothing unsynced is lost on the phones)."""
    return as_admin(
        engine,
        actor,
        lambda s, by, _: Revoked(revoked=acc.revoke_devices(s, by, username, now)),
    )


@router.put(
    "/{username}/assignments",
    response_model=AccountOut,
    responses=responses(*NOT_FOUND, C.ORG_NOT_FOUND),
)
def set_assignments(
    username: PathCode, body: Assignments, actor: AdminDep, engine: EngineDep, now: NowDep
) -> AccountOut:
    """Replace the account's regions and sites; its phones re-download their scope."""
    return as_admin(
        engine,
        actor,
        lambda s, by, _: account_out(
            s, acc.set_assignments(s, by, username, body.regions, body.sites), now
        ),
    )


@router.post("/import/preview", response_model=AccountsImportOut)
def preview_accounts_import(
    body: ImportFile, actor: AdminDep, engine: EngineDep
) -> AccountsImportOut:
    """What importing this .xlsx or CSV of accounts would do, with every row's problem;
    writes nothing. Columns: username,role,name,password[,alias,regions,sites]."""
    try:
        text = sheet_text(file_bytes(body), body.filename)
    except DomainError as exc:
        if exc.code != C.IMPORT_INVALID:
            raise
        return AccountsImportOut(problems=exc.details["problems"], accounts=[])
    with read_session(engine) as session:
        rows, problems = accounts_import.preview_accounts(session, text)
    return AccountsImportOut(problems=problems, accounts=[r.username for r in rows])


@router.post(
    "/import",
    response_model=AccountsImportOut,
    responses=responses(*AUTH, C.IMPORT_INVALID),
)
def import_accounts(body: ImportFile, actor: AdminDep, engine: EngineDep) -> AccountsImportOut:
    """Create every account of the file or none: any problem is 422 import.invalid with
    `details.problems`. Each account gets its own audit row, and the import one more."""
    text = sheet_text(file_bytes(body), body.filename)
    with read_session(engine) as session:
        rows, problems = accounts_import.preview_accounts(session, text)
    if problems:
        raise DomainError(C.IMPORT_INVALID, "\n".join(problems), problems=problems)
    hashed = accounts_import.hash_passwords(rows)  # slow: before the write transaction
    as_admin(engine, actor, lambda s, by, _: accounts_import.import_accounts(s, by, rows, hashed))
    return AccountsImportOut(problems=[], accounts=[r.username for r in rows])
