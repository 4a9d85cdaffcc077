"""The console's route table: which screen each route shows.

Screens are `async def screen(console, …) -> ft.View` functions awaited once per route
change (Flet 1.0's declarative `Router` renders `@component` functions instead, so it does
not fit them). Every route but /login needs a signed-in supervisor or admin; an unknown
route shows the review queue.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import flet as ft

from sync_server.console.screens.admin import admin_screen
from sync_server.console.screens.appraisal import appraisal_screen
from sync_server.console.screens.dashboards import dashboards
from sync_server.console.screens.exports import exports
from sync_server.console.screens.login import login
from sync_server.console.screens.queue import queue
from sync_server.console.screens.rectifications import rectification, rectifications
from sync_server.console.screens.tasks import tasks
from sync_server.console.screens.template_editor import template_editor
from sync_server.console.screens.templates import templates
from sync_server.console.screens.visit import visit
from sync_server.console.shell import Console

Screen = Callable[[Console, dict[str, str]], Awaitable[ft.View]]  # (console, path params)
UUID = r"[0-9a-f-]{36}"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    screen: Screen


def route(pattern: str, screen: Screen) -> Route:
    return Route(re.compile(pattern), screen)


LOGIN = route(r"^/login$", lambda c, p: login(c))
QUEUE = route(r"^/$", lambda c, p: queue(c))
ROUTES: list[Route] = [
    LOGIN,
    QUEUE,
    route(rf"^/visit/(?P<id>{UUID})$", lambda c, p: visit(c, uuid.UUID(p["id"]))),
    route(r"^/rect$", lambda c, p: rectifications(c)),
    route(rf"^/rect/(?P<id>{UUID})$", lambda c, p: rectification(c, uuid.UUID(p["id"]))),
    route(r"^/dash$", lambda c, p: dashboards(c)),
    route(r"^/tasks$", lambda c, p: tasks(c)),
    route(r"^/exports$", lambda c, p: exports(c)),  # reads its own ?visit= prefill
    route(r"^/templates$", lambda c, p: templates(c)),
    route(
        rf"^/templates/draft/(?P<id>{UUID})$",
        lambda c, p: template_editor(c, uuid.UUID(p["id"])),
    ),
    route(r"^/appraisal$", lambda c, p: appraisal_screen(c)),
    route(r"^/admin$", lambda c, p: admin_screen(c)),
]


def resolve(path_and_query: str) -> tuple[Route, dict[str, str]]:
    """The route of a path (its query ignored) and its parameters; unknown: the queue."""
    path = path_and_query.partition("?")[0] or "/"
    for candidate in ROUTES:
        match = candidate.pattern.match(path)
        if match:
            return candidate, match.groupdict()
    return QUEUE, {}
