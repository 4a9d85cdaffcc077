"""Where the phone app keeps its data and finds its assets, from the environment.

On a phone `flet build` runs the app with FLET_APP_STORAGE_DATA / _CACHE set to private
app directories; `mingcha app` and tests pass --data-dir instead (plain `python` runs do
not set those variables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[1]  # the Flet app root (app/)


@dataclass(frozen=True)
class AppConfig:
    data_dir: Path
    cache_dir: Path
    assets_dir: Path
    server_url: str = ""  # prefilled on the sign-in screen
    lang: str = "zh"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "mingcha.db"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def thumb_dir(self) -> Path:
        return self.cache_dir / "thumbs"

    @property
    def font(self) -> Path:
        return self.assets_dir / "fonts" / "NotoSansSC-Subset.otf"

    @classmethod
    def from_env(cls, data_dir: str | None = None, server_url: str | None = None) -> AppConfig:
        data = Path(
            data_dir
            or os.environ.get("FLET_APP_STORAGE_DATA")
            or Path.home() / ".local" / "share" / "mingcha"
        )
        cache = Path(os.environ.get("FLET_APP_STORAGE_CACHE") or data / "cache")
        return cls(
            data_dir=data,
            cache_dir=cache,
            assets_dir=find_assets(),
            server_url=server_url or os.environ.get("MINGCHA_SERVER_URL", ""),
            lang=os.environ.get("MINGCHA_LANG", "zh"),
        )


def find_assets() -> Path:
    """app/assets in a phone build (copied there by the build), else the repository's."""
    for candidate in (
        os.environ.get("FLET_ASSETS_DIR"),
        APP_ROOT / "assets",
        APP_ROOT.parent / "assets",
    ):
        if candidate and (Path(candidate) / "fonts").is_dir():
            return Path(candidate)
    return APP_ROOT.parent / "assets"
