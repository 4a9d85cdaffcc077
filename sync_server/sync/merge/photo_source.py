"""Where a pushed evidence photo came from, judged by the shared rule
(fieldcore/evidence.py): a camera-only item, or any photo of a 暗访 visit of a template
that says so, takes only camera shots — a gallery photo is refused `photo.camera_required`."""

from __future__ import annotations

from typing import Any

from fieldcore.evidence import check_photo_source
from sync_server.sync.merge.context import PushContext
from sync_server.tables import Finding, Visit
from sync_server.templates.versions import get_template


def check_source(
    ctx: PushContext, visit: Visit, finding: Finding | None, values: dict[str, Any]
) -> None:
    """Raises DomainError(photo.camera_required) for a photo its item may not take."""
    template = get_template(ctx.session, visit.template_key)
    item = None
    if finding is not None:
        found = template.items_by_code.get(finding.item_code)
        item = found[1] if found is not None else None
    check_photo_source(template, item, visit.mode, values.get("source"))
