"""A pushed photo row that is an annotation (标注): its link to the original, checked.

The rules are fieldcore/annotation.py's; this module only finds the original's row (the
push's cache, so an original pushed earlier in the same batch is found) and hands its
facts over. A deleted photo, or another author's, is the same as none: "original_missing".
"""

from __future__ import annotations

from typing import Any

from fieldcore.annotation import Original, check_annotation, check_link_fields, parse_marks
from sync_server.sync.merge.context import PushContext
from sync_server.tables import Photo


def check_new_annotation(ctx: PushContext, values: dict[str, Any]) -> None:
    """Refuse a new photo row whose annotation fields or link are not valid.

    Raises:
        DomainError(photo.annotation_invalid): `details.reason` says which rule failed.
    """
    if not check_link_fields(
        values.get("kind"),
        values.get("annotates_id"),
        values.get("annotates_sha256"),
        values.get("marks"),
    ):
        return
    row = ctx.rows.get(Photo, values["annotates_id"])
    original = None
    # another's photo is answered as none at all: the answer reveals nothing about it
    if row is not None and row.deleted_at is None and row.uploaded_by == ctx.actor.user_id:
        original = Original(
            sha256=row.sha256,
            kind=row.kind,
            author=row.uploaded_by,
            parent=(row.visit_id, row.finding_id, row.rectification_id),
            width=row.width,
            height=row.height,
        )
    check_annotation(
        original,
        annotates_sha256=values["annotates_sha256"],
        author=ctx.actor.user_id,
        parent=(values.get("visit_id"), values.get("finding_id"), values.get("rectification_id")),
        marks=parse_marks(values["marks"]),
    )
