"""From picked or shot bytes to a stored evidence photo: stamp, process (off the UI
thread), attach to the visit item or rectification."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fieldapp.photos import PhotoError, Stamp, process
from fieldapp.ui.geo import current_position
from fieldapp.ui.shell import UI
from fieldcore.evidence import PhotoSource


async def save_photo(
    ui: UI, raw: bytes, site_code: str, source: PhotoSource | None = None, **attach: Any
) -> Any:
    """Process and attach a photo; returns the photo row, or None after showing why not.

    `source` says whether the camera shot it or it was picked (None: neither, e.g. the
    drawn signature). `attach` names what the photo belongs to: visit_id and finding_id_,
    or rectification_id.
    """
    identity = await ui.run(ui.store.identity) or {}
    user = identity.get("user", {})
    position = await current_position(ui.page, timeout=2)
    stamp = Stamp(
        taken_at=datetime.now(UTC),
        site_code=site_code,
        alias=user.get("display_name") or user.get("username", ""),
        clock_offset_ms=await ui.run(ui.store.clock_offset_ms),
        lat=position[0] if position else None,
        lon=position[1] if position else None,
    )
    try:
        photo = await ui.run(
            process, raw, stamp, ui.config.blob_dir, ui.config.thumb_dir, ui.config.font
        )
    except PhotoError as exc:
        ui.toast(str(exc), error=True)
        return None
    photo = replace(photo, source=source)
    return await ui.attempt(ui.store.attach_photo, photo, **attach)
