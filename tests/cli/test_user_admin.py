"""`mingcha user disable | enable | role | reset-password` on a World's database: the
console's rules (org/manage_accounts.py) with the operator "cli" in the audit log; a
disabled account's phone token and open console tab are refused at their next request;
refusals print a problem code, exit 2 and change nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, cast

import flet as ft
import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from fieldcore.problems import DomainError, ProblemCode
from sync_server.cli import app as cli
from sync_server.console.services import ConsoleServices
from sync_server.core.config import Settings
from sync_server.tables import AuditLog, User, UserScope
from tests.server.world import HEADERS, PASSWORD, Phone, World

runner = CliRunner()


@pytest.fixture
def mingcha(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """`mingcha …` in process, on the World's database."""
    monkeypatch.setenv("MINGCHA_DATABASE_URL", settings.database_url)

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, [*args, "--data-dir", str(settings.data_dir)], input=input)

    return invoke


def _user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def _audit(world: World) -> list[tuple[str, str, uuid.UUID | None, str]]:
    with Session(world.engine) as s:
        rows = s.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
        return [(r.action, r.entity_id, r.user_id, r.details["username"]) for r in rows]


def _me(world: World, phone: Phone) -> tuple[int, str | None]:
    r = world.client.get("/v1/auth/me", headers=phone.headers)
    return r.status_code, r.json().get("code")


def _tab(world: World, username: str) -> ConsoleServices:
    """A console tab signed in as `username`."""
    tab = ConsoleServices(world.state).for_tab()
    tab.signed_in = asyncio.run(tab.sign_in(username, PASSWORD, ip="192.0.2.9"))
    return tab


def _refused(tab: ConsoleServices) -> ProblemCode:
    with pytest.raises(DomainError) as caught:
        asyncio.run(tab.read(lambda s: s.exec(select(User)).all()))
    return caught.value.code


def test_disable_refuses_the_phone_and_the_console_tab_at_their_next_request(
    world: World, mingcha
) -> None:
    phone, tab = world.phone("sup1"), _tab(world, "sup1")
    assert _me(world, phone) == (200, None) and asyncio.run(tab.session_holds())
    result = mingcha("user", "disable", "sup1")
    assert result.exit_code == 0 and result.output == "disabled sup1\n", result.output
    assert _me(world, phone) == (401, "auth.token_revoked")
    assert _refused(tab) == ProblemCode.AUTH_TOKEN_REVOKED  # the tab's old User says active
    assert not asyncio.run(tab.session_holds())  # its next route shows the sign-in screen
    login = {"username": "sup1", "password": PASSWORD, "device_id": str(uuid.uuid4())}
    assert world.client.post("/v1/auth/login", headers=HEADERS, json=login).status_code == 401
    assert mingcha("user", "disable", "sup1").output == "sup1 was already disabled\n"

    assert mingcha("user", "enable", "sup1").output == "enabled sup1\n"
    assert _me(world, phone) == (401, "auth.token_revoked")  # its devices sign in afresh
    assert world.phone("sup1").token and asyncio.run(_tab(world, "sup1").session_holds())
    assert _audit(world) == [
        ("account.disable", "sup1", None, "cli"),
        ("account.enable", "sup1", None, "cli"),
    ]


def test_refusals_print_their_problem_code_and_change_nothing(world: World, mingcha) -> None:
    before = [(u.username, u.role, u.active, u.password_hash) for u in _all_users(world)]
    for args, code in (
        (("user", "disable", "admin"), "admin.last_admin"),
        (("user", "role", "admin", "inspector"), "admin.last_admin"),
        (("user", "role", "insp1", "boss"), "request.invalid"),
        (("user", "disable", "nobody"), "user.not_found"),
        (("user", "enable", "nobody"), "user.not_found"),
        (("user", "role", "nobody", "admin"), "user.not_found"),
    ):
        result = mingcha(*args)
        assert (result.exit_code, result.stderr.splitlines()[0]) == (2, f"error: {code}"), args
        assert result.stdout == ""
    short = mingcha("user", "reset-password", "insp1", "--password-stdin", input="short\n")
    assert (short.exit_code, short.stderr.splitlines()[0]) == (2, "error: request.invalid")
    missing = mingcha("user", "reset-password", "nobody", "--password-stdin", input="long-enough\n")
    assert (missing.exit_code, missing.stderr.splitlines()[0]) == (2, "error: user.not_found")
    after = [(u.username, u.role, u.active, u.password_hash) for u in _all_users(world)]
    assert after == before and _audit(world) == []


def _all_users(world: World) -> list[User]:
    with Session(world.engine) as s:
        return list(s.exec(select(User).order_by(User.username)).all())


def test_role_moves_to_roles_that_exist_and_keeps_an_admin(world: World, mingcha) -> None:
    tab = _tab(world, "sup1")
    assert mingcha("user", "role", "sup1", "admin").output == "sup1: supervisor → admin\n"
    assert _user(world, "sup1").role == "admin"
    assert _refused(tab) == ProblemCode.AUTH_TOKEN_REVOKED  # signed in as a supervisor
    # two admins now: the first may step down; a site manager keeps sites only
    assert mingcha("user", "role", "admin", "site_manager").exit_code == 0
    result = mingcha("user", "role", "sup1", "inspector")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (2, "error: admin.last_admin")
    assert mingcha("user", "role", "insp1", "site_manager").exit_code == 0
    with Session(world.engine) as s:  # insp1's region assignment went with the role
        insp1 = s.exec(select(User).where(User.username == "insp1")).one()
        assert s.exec(select(UserScope).where(UserScope.user_id == insp1.id)).all() == []
    assert mingcha("user", "role", "insp1", "site_manager").output == "insp1 is site_manager\n"
    assert [a[:2] for a in _audit(world)] == [
        ("account.role", "sup1"),
        ("account.role", "admin"),
        ("account.role", "insp1"),
    ]


def test_reset_password_prompts_hidden_and_signs_everything_out(world: World, mingcha) -> None:
    phone, tab = world.phone("sup1"), _tab(world, "sup1")
    secret = "new-secret-2026"
    result = mingcha("user", "reset-password", "sup1", input=f"{secret}\n{secret}\n")
    assert result.exit_code == 0, result.output
    assert secret not in result.output  # typed at a hidden prompt, never echoed
    assert "password reset for sup1" in result.output
    assert _me(world, phone) == (401, "auth.token_revoked")
    assert _refused(tab) == ProblemCode.AUTH_TOKEN_REVOKED
    login = {"username": "sup1", "password": PASSWORD, "device_id": str(uuid.uuid4())}
    assert world.client.post("/v1/auth/login", headers=HEADERS, json=login).status_code == 401
    login["password"] = secret
    assert world.client.post("/v1/auth/login", headers=HEADERS, json=login).status_code == 200
    piped = mingcha("user", "reset-password", "sup1", "--password-stdin", input="piped-2026-x\n")
    assert piped.exit_code == 0 and "piped-2026-x" not in piped.output
    login["password"] = "piped-2026-x"
    assert world.client.post("/v1/auth/login", headers=HEADERS, json=login).status_code == 200
    assert [a[0] for a in _audit(world)] == ["account.password", "account.password"]


class _Page:
    """What console.app.show uses of a Flet page."""

    def __init__(self) -> None:
        self.views: list[Any] = []
        self.updates = 0

    def update(self) -> None:
        self.updates += 1


def test_a_disabled_accounts_console_tab_shows_the_sign_in_screen_next(
    world: World, mingcha
) -> None:
    from sync_server.console.app import show
    from sync_server.console.shell import Console

    async def no_screen(console: Console, route: str) -> None:
        raise AssertionError("show is called directly here")

    tab = _tab(world, "sup1")
    console = Console(cast(ft.Page, _Page()), tab, no_screen)
    assert mingcha("user", "disable", "sup1").exit_code == 0
    asyncio.run(show(console, "/rect"))
    assert console.signed_in is None and tab.signed_in is None
    assert [v.route for v in console.page.views] == ["/login"]
