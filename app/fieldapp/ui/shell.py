"""The toolkit every phone screen gets: the page, the store, sync, strings, navigation,
feedback and sync listeners — one `UI` per session.

It knows no screen: drawing a route is the `render` function the app (fieldapp.ui.app)
hands in, so screens import this module and nothing here imports them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import flet as ft

from fieldapp.config import AppConfig
from fieldapp.sync.client import SyncClient
from fieldapp.sync.runner import Listener
from fieldapp.text import Text
from fieldapp.ui.services import AppServices
from fieldapp.ui.theme import HIGH_CONTRAST, NORMAL, apply_theme, palette
from fieldcore.problems import DomainError

P = ParamSpec("P")
T = TypeVar("T")


class UI:
    """What screens get: the page, the store, sync, strings, navigation and feedback."""

    def __init__(
        self,
        page: ft.Page,
        services: AppServices,
        render: Callable[[UI, str], Awaitable[None]],
        lang: str,
        high_contrast: bool = False,
    ) -> None:
        self.page = page
        self.services = services
        self.config: AppConfig = services.config
        self.store = services.store
        self.sync = services.sync
        self.t = Text(lang)
        self.high_contrast = high_contrast  # the sunlight theme (fieldapp.ui.theme)
        self.palette = palette(high_contrast)
        self.hidden_from: str | None = None  # covert quick-hide: the route to return to
        self.covert = False  # a covert visit is on screen: covered when the app is left
        self._render = render
        self._listeners: list[Listener] = []  # this session's, dropped when it ends

    async def run(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """Blocking work (SQLite, Pillow, HTTP) off the event loop."""
        return await asyncio.to_thread(fn, *args, **kw)

    async def attempt(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T | None:
        """Run a store intent in a worker; on a domain error show it and return None."""
        try:
            result = await asyncio.to_thread(fn, *args, **kw)
        except DomainError as exc:
            self.fail(exc)
            return None
        self.sync.poke()
        return result

    def connect(self, server_url: str) -> SyncClient:
        """A client for signing in to `server_url` (the caller closes it)."""
        return self.services.connect(server_url, "")

    # ---- navigation -------------------------------------------------------------------
    async def go(self, route: str) -> None:
        if route == self.page.route:
            await self._render(self, route)  # same route: no route-change event would come
        else:
            await self.page.push_route(route)

    async def refresh(self) -> None:
        await self._render(self, self.page.route or "/")

    # ---- feedback ---------------------------------------------------------------------
    def toast(self, message: str, error: bool = False) -> None:
        self.page.show_dialog(
            ft.SnackBar(
                ft.Text(message, color=ft.Colors.ON_ERROR_CONTAINER if error else None),
                bgcolor=ft.Colors.ERROR_CONTAINER if error else None,
            )
        )
        self.page.update()  # show_dialog switches auto-update off for this handler

    def fail(self, exc: Exception) -> None:
        """Show a domain or sync error in words (never swallow it)."""
        code = getattr(exc, "code", "")
        detail = getattr(exc, "detail", "") or getattr(exc, "message", "")
        text = self.t.problem(str(code), detail) if code else str(exc)
        self.toast(text, error=True)

    async def toggle_language(self, e: Any = None) -> None:
        """Switch zh ⇄ en, remember it on the phone, and redraw the current screen."""
        self.t.toggle()
        await self.run(self.store.set_language, self.t.lang)
        await self.refresh()

    def contrast_caption(self) -> str:
        """The switch offers the theme not in use, as the language switch does."""
        return self.t("common.contrast_off" if self.high_contrast else "common.contrast_on")

    async def toggle_contrast(self, e: Any = None) -> None:
        """Switch the high-contrast theme on or off, remember it, and redraw."""
        self.high_contrast = not self.high_contrast
        self.palette = palette(self.high_contrast)
        apply_theme(self.page, self.high_contrast)
        await self.run(self.store.set_theme, HIGH_CONTRAST if self.high_contrast else NORMAL)
        await self.refresh()

    # ---- sync listeners ---------------------------------------------------------------
    def listen(self, listener: Listener) -> None:
        """Tell `listener` of every sync state change until this session ends."""
        self._listeners.append(listener)
        self.sync.listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self.sync.listeners:
            self.sync.listeners.remove(listener)

    def close(self) -> None:
        """The session ended: its screens stop listening (the sync itself goes on)."""
        for listener in self._listeners:
            self.unlisten(listener)
        self._listeners.clear()
