"""Getting a photo: the camera where the platform has one, else a picked image file —
unless the item takes camera shots only (fieldcore.evidence), where a picked file is never
offered and a device without a camera says so."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from fieldapp.text import Text
from fieldcore.evidence import PhotoSource


class NoCamera(Exception):
    """The item needs a camera shot and this device (e.g. the web app) has no camera."""


async def get_photo(
    page: ft.Page, t: Text, allowed: tuple[PhotoSource, ...]
) -> tuple[bytes, PhotoSource] | None:
    """A photo and where it came from, or None when the user gave none.

    Raises:
        NoCamera: only the camera is allowed and there is none.
    """
    camera, cameras = await _cameras()
    if cameras:
        shot = await _shoot(page, t, camera, cameras)
        if shot is not None:
            return shot, "camera"
        if "gallery" not in allowed:
            return None  # the camera is there and the user cancelled
    elif "gallery" not in allowed:
        raise NoCamera
    picked = await pick_image()
    return (picked, "gallery") if picked is not None else None


async def pick_image() -> bytes | None:
    """An image file chosen by the user (web: its bytes; phone: read from its path)."""
    files = await ft.FilePicker().pick_files(
        file_type=ft.FilePickerFileType.IMAGE, with_data=True, allow_multiple=False
    )
    if not files:
        return None
    chosen = files[0]
    if chosen.bytes is not None:
        return bytes(chosen.bytes)
    if chosen.path:
        return await asyncio.to_thread(lambda: open(chosen.path, "rb").read())  # type: ignore[arg-type]
    return None


async def _cameras() -> tuple[Any, list[Any]]:
    """The camera control and the device's cameras (none when the platform has none)."""
    try:
        import flet_camera as fc

        camera = fc.Camera(preview_enabled=True, width=320, height=420)
        cameras = await asyncio.wait_for(camera.get_available_cameras(), 5)
    except Exception:
        return None, []
    return camera, list(cameras or [])


async def take_picture(page: ft.Page, t: Text) -> bytes | None:
    """A photo from the camera (preview in a dialog), or None when there is no camera."""
    camera, cameras = await _cameras()
    return await _shoot(page, t, camera, cameras) if cameras else None


async def _shoot(page: ft.Page, t: Text, camera: Any, cameras: list[Any]) -> bytes | None:
    """The preview in a dialog and the shot, or None when the user cancels."""
    import flet_camera as fc

    result: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()

    async def shoot(e: Any) -> None:
        try:
            data = await camera.take_picture()
        except Exception:
            data = None
        page.pop_dialog()
        page.update()
        if not result.done():
            result.set_result(bytes(data) if data else None)

    def cancel(e: Any) -> None:
        page.pop_dialog()
        page.update()
        if not result.done():
            result.set_result(None)

    page.show_dialog(
        ft.AlertDialog(
            modal=True,
            content=camera,
            actions=[
                ft.TextButton(t("common.cancel"), on_click=cancel),
                ft.FilledButton(t("check.photo"), icon=ft.Icons.CAMERA, on_click=shoot),
            ],
        )
    )
    page.update()
    await camera.initialize(cameras[0], fc.ResolutionPreset.HIGH, enable_audio=False)
    return await result
