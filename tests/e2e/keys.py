"""Typing into Flutter web text fields reliably: the helper lives with the browser bench
code (sync_server/bench/browser.py, which says why it retypes), shared by both."""

from __future__ import annotations

from sync_server.bench.browser import type_into

__all__ = ["type_into"]
