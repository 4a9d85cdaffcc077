"""First run: server address and sign-in (needs the network once)."""

from __future__ import annotations

import logging

import flet as ft

from fieldapp.store.pending import UnsyncedWork
from fieldapp.sync.errors import SyncError
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, tagged

log = logging.getLogger(__name__)


async def build(ui: UI) -> ft.View:
    t = ui.t
    identity = await ui.run(ui.store.identity)
    server = ft.TextField(
        label=t("login.server"),
        value=(identity or {}).get("server") or ui.config.server_url,
        keyboard_type=ft.KeyboardType.URL,
    )
    username = ft.TextField(
        label=t("login.username"), value=(identity or {}).get("user", {}).get("username", "")
    )
    password = ft.TextField(label=t("login.password"), password=True, can_reveal_password=True)
    message = ft.Text("", color=ft.Colors.ERROR)
    if ui.sync.state.needs_login and identity and identity.get("token"):
        message.value = t("login.expired")  # the server refused the token (not a sign-out)

    busy = ft.Row(
        [ft.ProgressRing(width=18, height=18, stroke_width=2), ft.Text(t("login.busy"))],
        visible=False,
    )

    def working(on: bool) -> None:
        # shown at once: a first sign-in over a slow network can take the whole timeout,
        # and a second tap meanwhile would enrol the device twice
        busy.visible, button.disabled = on, on
        busy.update()
        button.update()

    async def submit(e: ft.Event[ft.Button] | ft.Event[ft.TextField]) -> None:
        if button.disabled:
            return
        message.value = ""
        working(True)
        url = (server.value or "").strip().rstrip("/")
        client = ui.connect(url)
        try:
            device = await ui.run(ui.store.device_for, (username.value or "").strip(), url)
            login = await ui.run(
                client.login, username.value or "", password.value or "", device, "Mingcha"
            )
            await ui.run(ui.store.enroll, url, login)
        except UnsyncedWork as exc:
            message.value = t("login.unsynced", n=exc.count, user=exc.username)
        except SyncError as exc:  # offline, an unreadable answer, or the server's refusal
            message.value = t.reason(exc.code)
        except Exception as exc:  # a defect: say so on screen instead of doing nothing
            log.exception("sign-in failed")
            message.value = t("login.failed", detail=type(exc).__name__)
        finally:
            await ui.run(client.close)
        if message.value:
            working(False)
            message.update()
            return
        ui.sync.state.needs_login = False
        ui.sync.poke()
        try:
            await ui.go("/")
        except Exception as exc:  # signed in, but home could not be drawn: say so
            log.exception("home after sign-in failed")
            message.value = t("login.failed", detail=type(exc).__name__)
            working(False)
            message.update()

    button = big_button(t("login.submit"), submit, ft.Icons.LOGIN)
    password.on_submit = submit  # the keyboard's Go/Enter signs in too

    return ft.View(
        route="/login",
        appbar=ft.AppBar(
            title=ft.Text(t("app.title")),
            actions=[
                ft.TextButton(t("common.language"), on_click=ui.toggle_language),
                ft.IconButton(  # sunlight: before signing in too
                    ft.Icons.CONTRAST,
                    tooltip=ui.contrast_caption(),
                    on_click=ui.toggle_contrast,
                ),
            ],
        ),
        padding=ft.Padding.all(20),
        controls=[
            ft.Text(t("login.title"), size=24, weight=ft.FontWeight.BOLD),
            ft.Text(t("login.once"), color=ft.Colors.OUTLINE),
            server,
            username,
            password,
            tagged(message, "login-message"),
            busy,
            button,
        ],
        spacing=14,
    )
