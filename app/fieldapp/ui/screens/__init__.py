"""The screens, one module each (`async def build(ui, **params) -> ft.View`)."""

from __future__ import annotations

from fieldapp.config import AppConfig
from fieldapp.photos import clean_orphans
from fieldapp.store import Store
from fieldapp.ui.screens import (  # noqa: F401  (looked up by name in fieldapp.ui.app)
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


def startup_cleanup(store: Store, config: AppConfig) -> int:
    """Remove photo files a crash left without a row (runs before anything else)."""
    return clean_orphans(config.blob_dir, store.known_photo_hashes())
