"""Console sign-in: supervisors and admins only."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from fieldcore.problems import DomainError, ProblemCode, message
from sync_server.console.shell import Console

log = logging.getLogger(__name__)


async def login(console: Console) -> ft.View:
    username = ft.TextField(label="用户名 Username", width=320)
    password = ft.TextField(
        label="密码 Password", password=True, can_reveal_password=True, width=320
    )
    error = ft.Text("", color=ft.Colors.ERROR)
    busy = ft.Row(
        [ft.ProgressRing(width=18, height=18, stroke_width=2), ft.Text("正在登录… Signing in…")],
        visible=False,
    )
    button = ft.FilledButton("登录 Sign in", height=48)

    def working(on: bool) -> None:
        # shown at once, so a tap that was taken is visibly taken (and not tapped again)
        busy.visible, button.disabled = on, on
        busy.update()
        button.update()

    def show(text: str) -> None:
        error.value = text
        working(False)
        error.update()

    async def submit(e: Any) -> None:
        if button.disabled:
            return
        error.value = ""
        working(True)
        try:
            console.signed_in = await console.services.sign_in(
                (username.value or "").strip(),
                password.value or "",
                # throttled per browser address (the real one behind a trusted proxy),
                # so failures elsewhere lock nobody else out
                ip=console.page.client_ip or "console",
            )
        except DomainError as exc:
            text = message(exc.code, "zh")
            if exc.code == ProblemCode.AUTH_THROTTLED:  # the wait is short: say how short
                text += f"({exc.details.get('retry_after', 1)} 秒后)"
            show(text)
            return
        except Exception as exc:  # a defect: say so on screen instead of doing nothing
            log.exception("console sign-in failed")
            show(f"登录失败,请重试 Sign-in failed ({type(exc).__name__})")
            return
        try:
            await console.go("/")
        except Exception as exc:  # signed in, but the queue could not be drawn: say so
            log.exception("console home after sign-in failed")
            show(f"登录失败,请重试 Sign-in failed ({type(exc).__name__})")

    button.on_click = submit
    password.on_submit = submit  # Enter signs in too
    return ft.View(
        route="/login",
        appbar=ft.AppBar(title=ft.Text("明察 督察台")),
        padding=ft.Padding.all(32),
        controls=[
            ft.Text("督察登录 · Supervisor sign-in", size=22, weight=ft.FontWeight.BOLD),
            username,
            password,
            ft.Semantics(content=error, identifier="console-login-error"),
            busy,
            button,
        ],
        spacing=16,
    )
