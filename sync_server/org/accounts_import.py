"""Accounts imported from a spreadsheet (.xlsx, first sheet) or CSV, all or nothing.

Columns (header on row 1): username, role, name, password[, alias, regions, sites];
regions and sites hold codes separated by spaces. Every row's problem is listed before
anything is written (`row N, column C: …`). Passwords are hashed between the check and
the write, outside the write transaction (argon2 is slow on purpose), so the write checks
again: a username taken meanwhile still refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import ROLES
from sync_server.org.admin import HashedPassword, hash_new_password
from sync_server.org.audit import audit, require_admin
from sync_server.org.manage_accounts import ASSIGNABLE, create_account
from sync_server.tables import Region, Site, User

REQUIRED = ("username", "role", "name", "password")
OPTIONAL = ("alias", "regions", "sites")
MAX_ROWS = 5_000


@dataclass(frozen=True)
class AccountRow:
    row: int
    username: str
    role: str
    name: str
    password: str
    alias: str
    regions: tuple[str, ...]
    sites: tuple[str, ...]


def parse_accounts(text: str) -> tuple[list[AccountRow], list[str]]:
    """(rows, problems) of the file's own content; `check_accounts` adds the database's."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    problems = [
        f"row 1, column {c}: required column is missing" for c in REQUIRED if c not in header
    ]
    problems += [
        f"row 1, column {c}: unknown column" for c in header if c not in REQUIRED + OPTIONAL
    ]
    if problems or not header:
        return [], problems or ["row 1: the file is empty (expected username,role,name,password)"]
    rows: list[AccountRow] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            problems.append(f"row {n}: more than {MAX_ROWS} accounts in one file")
            break
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row = AccountRow(
            n, cells.get("username", ""), cells.get("role", ""), cells.get("name", ""),
            cells.get("password", ""), cells.get("alias", ""),
            tuple(re.split(r"\s+", cells.get("regions", "")) if cells.get("regions") else ()),
            tuple(re.split(r"\s+", cells.get("sites", "")) if cells.get("sites") else ()),
        )  # fmt: skip
        problems += _row_problems(row, seen)
        rows.append(row)
    if not rows and not problems:
        problems.append("row 2: no accounts in the file")
    return rows, problems


def _row_problems(row: AccountRow, seen: dict[str, int]) -> list[str]:
    n, out = row.row, []
    out += [f"row {n}, column {c}: is empty" for c in REQUIRED if not getattr(row, c)]
    if len(row.username) > 64 or any(ch.isspace() for ch in row.username):
        out.append(f"row {n}, column username: at most 64 characters, no spaces")
    if row.username in seen:
        out.append(
            f"row {n}, column username: '{row.username}' is already on row {seen[row.username]}"
        )
    elif row.username:
        seen[row.username] = n
    if row.role and row.role not in ROLES:
        out.append(f"row {n}, column role: must be one of {', '.join(ROLES)}")
    elif row.role:
        allowed = ASSIGNABLE[row.role]
        for column, codes in (("regions", row.regions), ("sites", row.sites)):
            if codes and column[:-1] not in allowed:
                out.append(f"row {n}, column {column}: a {row.role} has no {column}")
    if row.password and len(row.password) < 8:
        out.append(f"row {n}, column password: needs at least 8 characters")
    if len(row.name) > 200 or len(row.alias) > 64:
        out.append(f"row {n}, column name: too long (name ≤ 200, alias ≤ 64)")
    return out


def check_accounts(session: Session, rows: list[AccountRow]) -> list[str]:
    """The problems only the database shows: taken usernames, unknown regions and sites."""
    users = set(session.exec(select(User.username)).all())
    regions = set(session.exec(select(Region.code)).all())
    sites = set(session.exec(select(Site.code)).all())
    out = []
    for row in rows:
        if row.username in users:
            out.append(f"row {row.row}, column username: '{row.username}' already exists")
        out += [
            f"row {row.row}, column regions: no region '{c}'"
            for c in row.regions
            if c not in regions
        ]
        out += [f"row {row.row}, column sites: no site '{c}'" for c in row.sites if c not in sites]
    return out


def preview_accounts(session: Session, text: str) -> tuple[list[AccountRow], list[str]]:
    rows, problems = parse_accounts(text)
    return rows, problems + check_accounts(session, rows)


def hash_passwords(rows: list[AccountRow]) -> dict[str, HashedPassword]:
    """Every row's password hashed; call it with no transaction open."""
    return {row.username: hash_new_password(row.password) for row in rows}


def import_accounts(
    session: Session, by: User, rows: list[AccountRow], hashed: dict[str, HashedPassword]
) -> int:
    """Create every account or none: any problem (checked again) raises import.invalid."""
    require_admin(by)
    problems = check_accounts(session, rows)
    if problems:
        raise DomainError(ProblemCode.IMPORT_INVALID, "\n".join(problems), problems=problems)
    for row in rows:
        create_account(
            session, by, row.username, row.role, hashed[row.username], row.name, row.alias,
            row.regions, row.sites,
        )  # fmt: skip
    audit(session, by, "accounts.import", "user", f"{len(rows)} accounts", count=len(rows))
    return len(rows)
