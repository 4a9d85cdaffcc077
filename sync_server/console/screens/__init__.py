"""Console screens: each builds one ft.View for the Console shell."""

from sync_server.console.screens.dashboards import dashboards
from sync_server.console.screens.exports import exports
from sync_server.console.screens.login import login
from sync_server.console.screens.queue import queue
from sync_server.console.screens.rectifications import rectification, rectifications
from sync_server.console.screens.tasks import tasks
from sync_server.console.screens.visit import visit

__all__ = [
    "dashboards",
    "exports",
    "login",
    "queue",
    "rectification",
    "rectifications",
    "tasks",
    "visit",
]
