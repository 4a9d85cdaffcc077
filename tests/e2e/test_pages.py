"""What a failed browser test prints of its pages (tests/e2e/pages.py), without a browser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flet_web import get_package_web_dir

from tests.e2e.pages import fonts_asked_for, named_wasm_frame, wasm_symbols

TRAP = "    at http://127.0.0.1:48549/console/canvaskit/skwasm.wasm:wasm-function[260]:0xc454"


def test_a_renderer_frame_gets_its_function_name_from_the_shipped_symbol_map(
    tmp_path: Path,
) -> None:
    (tmp_path / "canvaskit").mkdir()
    (tmp_path / "canvaskit" / "skwasm.js.symbols").write_text(
        "0:invoke_vii\n260:ft_mem_qrealloc\n261:SkFont::measureText\\28void\\20const*\\29\n"
    )
    assert named_wasm_frame(TRAP, tmp_path) == f"{TRAP}  [ft_mem_qrealloc]"
    other = TRAP.replace("[260]", "[261]")
    assert named_wasm_frame(other, tmp_path).endswith("[SkFont::measureText(void const*)]")
    assert named_wasm_frame("    at main.dart.mjs:12:3", tmp_path) == "    at main.dart.mjs:12:3"
    unknown = TRAP.replace("[260]", "[999]")
    assert named_wasm_frame(unknown, tmp_path) == unknown


def test_flet_web_ships_the_symbol_map_of_the_renderer_it_serves() -> None:
    """skwasm is what Chromium runs (flet-notes §2.1); an upgrade that stopped shipping its
    map would leave a renderer trap as bare function numbers again."""
    assert len(wasm_symbols(get_package_web_dir(), "skwasm")) > 1000


@dataclass
class Message:
    text: str


@dataclass
class FakePage:
    said: list[str]

    def console_messages(self) -> list[Message]:
        return [Message(text) for text in self.said]


def test_the_fonts_flutter_failed_to_fetch_are_named() -> None:
    url = "assets/fonts/notosanssc/v37/k3kC.118.woff2"
    pages = [
        FakePage(["Flutter app loaded", f"Failed to load font Noto Sans SC 95 at {url}"]),
        FakePage(["Flutter app loaded"]),
    ]
    assert fonts_asked_for(cast(Any, pages)) == [f"Noto Sans SC 95 at {url}"]
