"""First run: the sign-in screen, its error messages, and what a sign-in leads to."""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft
import pytest

from fieldapp.config import AppConfig
from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldcore.problems import ProblemCode, message
from tests.server.world import PASSWORD, World
from tests.ui.harness import AppHarness
from tests.ui.support import SERVER, OpenApp, add_task


async def sign_in(h: AppHarness, username: str, password: str) -> None:
    await h.type_text(h.field("用户名"), username)
    await h.type_text(h.field("密码"), password)
    await h.fire(h.button("登录"))


def identity(config: AppConfig) -> dict | None:
    store = Store(config.db_path)
    try:
        return store.identity()
    finally:
        store.close()


@pytest.mark.asyncio
async def test_first_run_asks_for_server_user_and_password(open_app: OpenApp) -> None:
    h = await open_app()
    assert "登录" in h.strings() and "首次登录需要联网;之后可离线工作。" in h.strings()
    assert h.field("服务器地址").value == SERVER  # prefilled from the app's configuration
    assert h.field("用户名").value == ""
    password = h.field("密码")
    assert password.password is True and not password.value
    assert h.find("login-message").value == ""
    assert h.find_all(ft.FloatingActionButton) == []  # nothing of home behind it


@pytest.mark.asyncio
async def test_every_route_leads_to_sign_in_until_signed_in(open_app: OpenApp) -> None:
    for route in ("/sites", "/sync", "/visit/00000000-0000-0000-0000-000000000000"):
        h = await open_app(route)
        assert h.view.route == "/login", route
        assert len(h.page.views) == 1  # no screen stacked under the sign-in


@pytest.mark.asyncio
async def test_a_wrong_password_shows_the_servers_problem_in_chinese(
    open_app: OpenApp, server: World, config: AppConfig
) -> None:
    h = await open_app()
    await sign_in(h, "insp1", "not-the-password")
    shown = h.find("login-message").value
    assert shown == message(ProblemCode.AUTH_INVALID_CREDENTIALS, "zh") == "用户名或密码错误"
    assert h.delivered(shown)  # on the phone's screen, not only in the control tree
    assert h.view.route == "/login"
    assert identity(config) is None  # nothing remembered


@pytest.mark.asyncio
async def test_an_unreachable_server_says_so(open_app: OpenApp, config: AppConfig) -> None:
    h = await open_app()  # the real SyncClient: nothing listens on port 9
    await h.type_text(h.field("服务器地址"), "http://127.0.0.1:9/")
    await sign_in(h, "insp1", PASSWORD)
    assert h.find("login-message").value == "无法连接服务器,稍后自动重试"
    assert h.delivered("无法连接服务器,稍后自动重试")
    assert h.view.route == "/login" and identity(config) is None


@pytest.mark.asyncio
async def test_signing_in_opens_home_and_a_sync_brings_the_assigned_tasks(
    open_app: OpenApp, server: World, config: AppConfig
) -> None:
    add_task(server, "S1", "store-patrol", "overt")
    add_task(server, "S2", "store-patrol", "covert")
    h = await open_app()
    await sign_in(h, "insp1", PASSWORD)
    assert h.view.route == "/"
    assert (identity(config) or {})["user"]["username"] == "insp1"
    assert "指派任务" in h.strings() and "门店S1" not in h.strings()  # not pulled yet
    await h.fire(h.button("立即同步"))
    tasks = h.find_all(ft.ListTile, lambda t: t.leading.icon == ft.Icons.ASSIGNMENT)
    shown = {t.title.value: t.subtitle.value for t in tasks}
    assert shown.keys() == {"门店S1", "S2"}  # a covert task shows the site code only
    assert shown["门店S1"].startswith("门店/窗口明查暗访检查表 · 明查 · ")
    assert shown["S2"].startswith("门店/窗口明查暗访检查表 · 暗访 · ")
    assert h.delivered("门店S1", shown["S2"])
    assert "已全部同步" in h.find("sync-badge").content.controls[0].value


@pytest.mark.asyncio
async def test_signing_out_leads_to_sign_in_without_an_expired_warning_and_keeps_drafts(
    open_app: OpenApp,
    signed_in,
    server: World,
) -> None:

    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), "store-patrol.v1", "overt")
    h = await open_app()
    await h.fire(h.button("退出登录"))
    assert h.view.route == "/login"
    assert not h.find("login-message").value  # the user chose this: nothing expired
    again = await open_app("/")  # a restart does not bypass the sign-in
    assert again.view.route == "/login"
    assert store.visit_view(visit.id).visit.status == "draft"  # unsynced work is kept


@pytest.mark.asyncio
async def test_enter_in_the_password_field_signs_in(
    open_app: OpenApp, server: World, config: AppConfig
) -> None:
    h = await open_app()
    await h.type_text(h.field("用户名"), "insp1")
    await h.type_text(h.field("密码"), PASSWORD)
    await h.fire(h.field("密码"), "submit")
    assert h.view.route == "/"
    assert (identity(config) or {})["user"]["username"] == "insp1"


@pytest.mark.asyncio
async def test_while_signing_in_the_screen_says_so_and_the_button_waits(
    open_app: OpenApp, server: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await open_app()
    seen: list[tuple[bool, bool]] = []
    real_login = SyncClient.login

    def watched(self: SyncClient, *args: Any) -> Any:
        seen.append(("正在登录…" in h.strings(), h.button("登录").disabled is True))
        return real_login(self, *args)

    monkeypatch.setattr(SyncClient, "login", watched)
    await sign_in(h, "insp1", "not-the-password")
    assert seen == [(True, True)]  # busy line shown, no second tap while the server answers
    assert "正在登录…" not in h.strings()  # the answer came: hidden again …
    assert h.button("登录").disabled is not True  # … and a second try is possible


@pytest.mark.asyncio
async def test_an_unexpected_failure_is_shown_not_swallowed(
    open_app: OpenApp, server: World, config: AppConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store, *args: object) -> None:
        raise KeyError("a defect in the phone's own code")

    monkeypatch.setattr(Store, "enroll", broken)
    h = await open_app()
    await sign_in(h, "insp1", PASSWORD)
    assert h.view.route == "/login"
    assert h.find("login-message").value == "登录失败,请重试(KeyError)。"
    assert h.delivered("登录失败,请重试(KeyError)。")
    assert h.button("登录").disabled is not True


@pytest.mark.asyncio
async def test_a_home_screen_that_fails_after_sign_in_is_reported_not_a_silent_spinner(
    open_app: OpenApp, server: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store) -> None:
        raise RuntimeError("home query failed")

    monkeypatch.setattr(Store, "home", broken)
    h = await open_app()
    await sign_in(h, "insp1", PASSWORD)
    assert h.view.route == "/login"
    assert h.find("login-message").value == "登录失败,请重试(RuntimeError)。"
    assert "正在登录…" not in h.strings()
    assert h.button("登录").disabled is not True
