"""The newest shipped version of a template and the one a new draft of it becomes, so
tests of editing and publishing follow the shipped files instead of naming `.v1`/`.v2`."""

from __future__ import annotations

from sync_server.templates.catalog import resolve_template


def newest_and_next(template_id: str) -> tuple[str, str]:
    """("store-patrol.v2", "store-patrol.v3") while v2 is the newest shipped file."""
    newest = resolve_template(template_id).version
    return f"{template_id}.v{newest}", f"{template_id}.v{newest + 1}"
