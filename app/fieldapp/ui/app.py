"""The app shell: page setup, routes, and the small toolkit every screen uses.

Screens are modules with `async def build(ui, **params) -> ft.View`; they read through
the Store facade (in a worker thread) and emit intents. They never see SQL or HTTP.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import flet as ft

from fieldapp.config import AppConfig
from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.downloads import Media
from fieldapp.sync.runner import SyncRunner
from fieldapp.text import Text
from fieldcore.problems import DomainError

Builder = Callable[..., Awaitable[ft.View]]
SEED = ft.Colors.INDIGO


class UI:
    """What screens get: the page, the store, sync, strings, navigation and feedback."""

    def __init__(self, page: ft.Page, config: AppConfig, store: Store, sync: SyncRunner) -> None:
        self.page = page
        self.config = config
        self.store = store
        self.t = Text(config.lang)
        self.sync = sync
        self.hidden_from: str | None = None  # covert quick-hide: the route to return to
        self.render: Callable[[str], Awaitable[None]] | None = None

    async def run(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Blocking work (SQLite, Pillow, HTTP) off the event loop."""
        return await asyncio.to_thread(fn, *args, **kw)

    async def go(self, route: str) -> None:
        if route == self.page.route and self.render is not None:
            await self.render(route)  # same route: no route-change event would come
        else:
            await self.page.push_route(route)

    async def refresh(self) -> None:
        if self.render is not None:
            await self.render(self.page.route or "/")

    def toast(self, message: str, error: bool = False) -> None:
        self.page.show_dialog(
            ft.SnackBar(ft.Text(message), bgcolor=ft.Colors.ERROR_CONTAINER if error else None)
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

    async def attempt(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Run a store intent in a worker; on a domain error show it and return None."""
        try:
            result = await self.run(fn, *args, **kw)
        except DomainError as exc:
            self.fail(exc)
            return None
        self.sync.poke()
        return result


QUERY_KEYS = {"task"}
ROUTES: list[tuple[str, str]] = [
    (r"^/login$", "login"),
    (r"^/$", "home"),
    (r"^/sites$", "sites"),
    (r"^/new/(?P<site_id>[0-9a-f-]{36})$", "new_visit"),
    (r"^/visit/(?P<visit_id>[0-9a-f-]{36})$", "checklist"),
    (r"^/visit/(?P<visit_id>[0-9a-f-]{36})/finish$", "finish"),
    (r"^/sync$", "sync_screen"),
    (r"^/rect/(?P<rect_id>[0-9a-f-]{36})$", "rectification"),
    (r"^/hide$", "hide"),
]


def resolve(route: str) -> tuple[str, dict[str, str]]:
    """Screen name and parameters of a route; `?task=…` style queries become parameters."""
    path, _, query = route.partition("?")
    extra = {k: v[0] for k, v in parse_qs(query).items() if k in QUERY_KEYS}
    for pattern, screen in ROUTES:
        match = re.match(pattern, path or "/")
        if match:
            return screen, {**match.groupdict(), **extra}
    return "home", {}


def parent_route(route: str) -> str:
    """Where Back leads: one path segment up when that is a screen of its own, else home
    (/visit/…/finish → its checklist; /visit/…, /sites, /new/… → home)."""
    path = route.partition("?")[0].rstrip("/")
    parent = path.rsplit("/", 1)[0]
    return parent if parent and resolve(parent)[0] not in ("home",) else "/"


class Services:
    """What all sessions of one app process share: the store and the background sync.

    A phone has one session; in web mode every browser tab is a session of the same
    process and data directory, so they must not each open a store or run a sync loop.
    """

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.store: Store | None = None
        self.sync: SyncRunner | None = None

    async def start(self) -> tuple[Store, SyncRunner]:
        if self.store is None or self.sync is None:
            from fieldapp.ui import screens

            self.store = await asyncio.to_thread(Store, self.config.db_path)
            await asyncio.to_thread(screens.startup_cleanup, self.store, self.config)
            media = Media(self.config.blob_dir, self.config.thumb_dir)
            self.sync = SyncRunner(self.store, self.make_client, media)
            asyncio.get_running_loop().create_task(self.sync.run_forever())
        return self.store, self.sync

    def make_client(self) -> SyncClient | None:
        identity = self.store.identity() if self.store else None
        if not identity or not identity.get("token"):
            return None
        return SyncClient(identity["server"], identity["token"])


def make_main(config: AppConfig) -> Callable[[ft.Page], Awaitable[None]]:
    """The Flet entry point for one session (one phone, or one browser tab in web mode)."""
    services = Services(config)

    async def main(page: ft.Page) -> None:
        from fieldapp.ui import screens

        page.title = "明察 Mingcha"
        page.fonts = {"NotoSC": "fonts/NotoSansSC-Subset.otf"}
        page.theme = ft.Theme(font_family="NotoSC", color_scheme_seed=SEED)
        page.theme_mode = ft.ThemeMode.LIGHT
        store, sync = await services.start()
        ui = UI(page, config, store, sync)
        ui.t = Text(await ui.run(store.language) or config.lang)
        mine: list[Any] = []  # this session's sync listeners, dropped when it ends

        async def show(route: str) -> None:
            name, params = resolve(route)
            identity = await ui.run(store.identity)
            if name != "login" and not (identity and identity.get("token")):
                name, params = "login", {}  # never signed in, or signed out
            page.title = "明察 Mingcha"  # a covert checklist or the hide screen overrides it
            view = await getattr(screens, name).build(ui, **params)
            stack = [view]
            if name not in ("home", "login", "hide"):
                stack.insert(0, await screens.home.build(ui))
            page.views.clear()
            page.views.extend(stack)
            page.update()

        async def on_route(e: ft.RouteChangeEvent) -> None:
            await show(e.route)

        async def on_pop(e: ft.ViewPopEvent) -> None:
            await ui.go(parent_route(page.route or "/"))

        ui.render = show

        def on_disconnect(e: Any) -> None:
            for listener in mine:
                if listener in sync.listeners:
                    sync.listeners.remove(listener)

        page.on_route_change = on_route
        page.on_view_pop = on_pop
        page.on_disconnect = page.on_close = on_disconnect
        ui.listen = lambda fn: (mine.append(fn), sync.listeners.append(fn))  # type: ignore[attr-defined]
        await show(page.route or "/")

    return main
