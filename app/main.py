"""明察 phone app entry point (what `flet build apk/ipa` packages; `mingcha app` for web)."""

import flet as ft

from fieldapp.config import AppConfig
from fieldapp.ui.app import make_main

if __name__ == "__main__":
    config = AppConfig.from_env()
    ft.run(make_main(config), assets_dir=str(config.assets_dir))
