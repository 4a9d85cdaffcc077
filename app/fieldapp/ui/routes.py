"""The phone app's route table: which screen each route shows, with which parameters.

Screens are plain `async def build(ui, **params) -> ft.View` functions, awaited once per
route change; Flet 1.0's declarative `Router` renders `@component` functions instead, so
it does not fit them, and a regular expression per route keeps ids strict (a malformed id
leads home instead of into a screen).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import flet as ft

from fieldapp.ui.screens import (
    checklist,
    finish,
    hide,
    home,
    login,
    new_visit,
    rectification,
    sites,
    sync_screen,
)

UUID = r"[0-9a-f-]{36}"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    build: Callable[..., Awaitable[ft.View]]  # (ui, **path and query parameters)
    query: frozenset[str] = frozenset()  # query keys passed on (?task=…)
    signed_in: bool = True  # without a signed-in account the sign-in screen shows instead
    over_home: bool = True  # drawn over home, so Back (and the swipe) lead there


def route(
    pattern: str,
    build: Callable[..., Awaitable[ft.View]],
    query: tuple[str, ...] = (),
    signed_in: bool = True,
    over_home: bool = True,
) -> Route:
    return Route(re.compile(pattern), build, frozenset(query), signed_in, over_home)


LOGIN = route(r"^/login$", login.build, signed_in=False, over_home=False)
HOME = route(r"^/$", home.build, over_home=False)
ROUTES: list[Route] = [
    LOGIN,
    HOME,
    route(r"^/sites$", sites.build),
    route(rf"^/new/(?P<site_id>{UUID})$", new_visit.build, query=("task",)),
    route(rf"^/visit/(?P<visit_id>{UUID})$", checklist.build),
    route(rf"^/visit/(?P<visit_id>{UUID})/finish$", finish.build),
    route(r"^/sync$", sync_screen.build),
    route(rf"^/rect/(?P<rect_id>{UUID})$", rectification.build),
    route(r"^/hide$", hide.build, over_home=False),  # a covert visit's blank page
]


def resolve(path_and_query: str) -> tuple[Route, dict[str, Any]]:
    """The route and its parameters; anything unknown leads home."""
    path, _, query = path_and_query.partition("?")
    for candidate in ROUTES:
        match = candidate.pattern.match(path or "/")
        if match:
            extra = {k: v[0] for k, v in parse_qs(query).items() if k in candidate.query}
            return candidate, {**match.groupdict(), **extra}
    return HOME, {}


def parent_route(path_and_query: str) -> str:
    """Where Back leads: one path segment up when that is a screen of its own, else home
    (/visit/…/finish → its checklist; /visit/…, /sites, /new/… → home)."""
    path = path_and_query.partition("?")[0].rstrip("/")
    parent = path.rsplit("/", 1)[0]
    return parent if parent and resolve(parent)[0] is not HOME else "/"
