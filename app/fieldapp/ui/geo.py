"""GPS when the platform gives it; never blocks a visit for long when it does not."""

from __future__ import annotations

import asyncio

import flet as ft


async def current_position(page: ft.Page, timeout: float = 4.0) -> tuple[float, float] | None:
    try:
        import flet_geolocator as fg

        locator = fg.Geolocator()
        position = await asyncio.wait_for(locator.get_current_position(), timeout)
        return (position.latitude, position.longitude) if position else None
    except Exception:
        return None
