"""Console sign-in: supervisors and admins only."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.problems import DomainError, ProblemCode, message
from sync_server.console.shell import Console


async def login(console: Console) -> ft.View:
    username = ft.TextField(label="用户名 Username", width=320)
    password = ft.TextField(
        label="密码 Password", password=True, can_reveal_password=True, width=320
    )
    error = ft.Text("", color=ft.Colors.ERROR)

    async def submit(e: Any) -> None:
        try:
            console.signed_in = await console.services.sign_in(
                (username.value or "").strip(),
                password.value or "",
                # throttled per browser address (the real one behind a trusted proxy),
                # so failures elsewhere lock nobody else out
                ip=console.page.client_ip or "console",
            )
        except DomainError as exc:
            error.value = message(exc.code, "zh")
            if exc.code == ProblemCode.AUTH_THROTTLED:  # the wait is short: say how short
                error.value += f"({exc.details.get('retry_after', 1)} 秒后)"
            return
        await console.go("/")

    password.on_submit = submit
    return ft.View(
        route="/login",
        appbar=ft.AppBar(title=ft.Text("明察 督察台")),
        padding=ft.Padding.all(32),
        controls=[
            ft.Text("督察登录 · Supervisor sign-in", size=22, weight=ft.FontWeight.BOLD),
            username,
            password,
            ft.Semantics(content=error, identifier="console-login-error"),
            ft.FilledButton("登录 Sign in", on_click=submit, height=48),
        ],
        spacing=16,
    )
