"""The console's web page gets its Chinese font as the Flutter engine's default font
(sync_server.console.mount_console): the file Flet's no-CDN font manifest names as "Roboto"
is served from our assets, and it is the bundled CJK subset."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from sync_server.core.config import Settings
from sync_server.main import create_app

CJK_FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Subset.otf"


def test_the_engines_default_font_is_the_bundled_cjk_font(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"console": True}))) as client:
        manifest = client.get("/console/assets/FontManifest.json").json()
        [default] = [family["fonts"] for family in manifest if family["family"] == "Roboto"]
        [asset] = [font["asset"] for font in default]
        served = client.get(f"/console/assets/{asset}")
    assert served.status_code == 200
    assert served.content == CJK_FONT.read_bytes()
