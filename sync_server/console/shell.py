"""What a console screen gets: the page, the shared services, the signed-in user,
navigation and feedback — one `Console` per browser tab.

It knows no screen: drawing a route is the `render` function the app
(sync_server.console.app) hands in, so screens import this module and nothing here
imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from fieldcore.problems import DomainError, ProblemCode, message
from sync_server.console.services import ConsoleServices
from sync_server.tables import User


class Console:
    def __init__(
        self,
        page: ft.Page,
        services: ConsoleServices,
        render: Callable[[Console, str], Awaitable[None]],
    ) -> None:
        self.page, self.services = page, services  # this tab's own (ConsoleServices.for_tab)
        self._render = render

    @property
    def signed_in(self) -> User | None:
        """Who signed in on this tab; the tab's services check it still holds."""
        return self.services.signed_in

    @signed_in.setter
    def signed_in(self, user: User | None) -> None:
        self.services.signed_in = user

    @property
    def user(self) -> User:
        """The signed-in supervisor or admin (every screen but sign-in has one)."""
        if self.signed_in is None:
            raise RuntimeError("nobody is signed in to this console tab")
        return self.signed_in

    async def go(self, route: str) -> None:
        if route == self.page.route:
            await self._render(self, route)  # same route: no route-change event would come
        else:
            await self.page.push_route(route)

    def fail(self, exc: DomainError) -> None:
        text = message(exc.code, "zh") + (f"({exc.detail})" if exc.detail else "")
        if exc.code == ProblemCode.AUTH_TOKEN_REVOKED:  # disabled, demoted or new password
            text = "登录已失效,请重新登录 Signed out: please sign in again"
        self.toast(text, error=True)

    def toast(self, text: str, error: bool = False) -> None:
        self.page.show_dialog(  # an error's text takes its container's own "on" colour: the
            ft.SnackBar(  # snack bar's default light text was unreadable on ERROR_CONTAINER
                ft.Text(text, color=ft.Colors.ON_ERROR_CONTAINER if error else None),
                bgcolor=ft.Colors.ERROR_CONTAINER if error else None,
            )
        )
        self.page.update()  # show_dialog switches auto-update off for this handler
