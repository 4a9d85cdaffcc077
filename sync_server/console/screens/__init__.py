"""Console screens: each builds one ft.View for the Console shell."""

from sync_server.console.screens.login import login
from sync_server.console.screens.queue import queue
from sync_server.console.screens.rectifications import rectification, rectifications
from sync_server.console.screens.visit import visit

__all__ = ["login", "queue", "rectification", "rectifications", "visit"]
