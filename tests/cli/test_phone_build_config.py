"""The `flet build` configuration: app root and entry, icons, permissions, and a phone
runtime that only needs pure-Python packages or ones with mobile wheels."""

from __future__ import annotations

import re
import subprocess
import tomllib
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PURE = {
    "annotated-types", "anyio", "certifi", "flet", "flet-camera", "flet-geolocator", "h11",
    "httpcore", "httpx", "idna", "oauthlib", "pydantic", "repath", "six", "sqlmodel",
    "typing-extensions", "typing-inspection",
}  # fmt: skip
# Binary packages with Android/iOS wheels from Flet's mobile-forge recipes (flet-notes §5).
MOBILE_FORGE = {"pillow", "pydantic-core", "sqlalchemy", "greenlet", "msgpack"}


def runtime_closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = [Requirement(r).name for r in roots]
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        for raw in requires(name) or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_flet_build_finds_the_entry_module_in_the_app_root() -> None:
    flet = PYPROJECT["tool"]["flet"]
    app_root = ROOT / flet["app"]["path"]
    assert (app_root / f"{flet['app']['module']}.py").is_file()
    assert (app_root / "fieldcore").is_dir() and (app_root / "fieldapp").is_dir()


def test_permissions_camera_and_foreground_location_only() -> None:
    flet = PYPROJECT["tool"]["flet"]
    assert set(flet["permissions"]) == {"camera", "location"}
    assert flet["android"]["permission"]["android.permission.ACCESS_BACKGROUND_LOCATION"] is False
    info = flet["ios"]["info"]
    assert info["NSCameraUsageDescription"] and info["NSLocationWhenInUseUsageDescription"]


def test_phone_runtime_dependencies_are_mobile_safe() -> None:
    closure = runtime_closure(PYPROJECT["project"]["dependencies"])
    assert {"flet", "sqlmodel", "httpx", "pillow"} <= closure
    unknown = closure - PURE - MOBILE_FORGE
    assert not unknown, f"check these have Android/iOS wheels before adding them: {unknown}"
    server_only = {"fastapi", "uvicorn", "typer", "psycopg", "alembic", "flet-web"}
    assert not closure & server_only


def test_icon_art_is_square_1024_and_copied_where_flet_build_reads_it(tmp_path: Path) -> None:
    for name in ("icon.png", "splash.png"):
        with Image.open(ROOT / "assets" / "icons" / name) as art:
            assert art.format == "PNG" and art.size == (1024, 1024)
    make = subprocess.run(
        ["make", "-n", "phone-assets"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "app/assets/" in make.stdout and "NotoSansSC-Subset.otf" in make.stdout
