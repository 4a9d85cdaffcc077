"""What a browser page said, printed when its test failed.

CI keeps no files and a Playwright timeout only tells which action did not finish. Once a
click on the console's username field hung for its whole 30 s inside "performing click
action" (the input events were never acknowledged by the page), with nothing in the server
log. Whether the page's own code had failed (Flutter prints its exceptions to the console),
and whether the page could still draw a frame at all, tell a hung or busy renderer from a
broken app; so both are printed, and the frame kept under test-artifacts/ when it comes.

Once the console's renderer itself trapped ("RuntimeError: null function" at
skwasm.wasm:wasm-function[260]) and never drew again. The frames of such a trap are named
here from the symbol map flet-web ships beside the module: that one was FreeType loading a
CFF glyph outline (cf2_glyphpath_pushPrevElem … FT_GlyphLoader_CheckPoints →
ft_mem_qrealloc) through an FT_Memory whose realloc was null, not WebGL. V8 keeps ten
frames of a stack by default, too few to reach the Dart code that asked for the glyph, so
Chromium runs with 60 (conftest.CHROMIUM_ARGS).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from flet_web import get_package_web_dir

from tests.e2e.phone import ARTIFACTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

LAST_MESSAGES = 40
FRAME_WAIT_MS = 5_000  # a page that draws nothing in 5 s on a quiet teardown is stuck
FALLBACK_WARNING = "Failed to load font "  # Flutter's words, then the font and its URL
# A trap inside Flutter's renderer names only function numbers of its wasm module; the
# module's symbol map (shipped beside it by flet-web) turns them into C/C++ names.
WASM_FRAME = re.compile(r"/canvaskit/(?:[\w.-]+/)?(\w+)\.wasm:wasm-function\[(\d+)\]")


def report_failed(test_name: str, pages: list[Page]) -> None:
    for number, page in enumerate(pages, 1):
        print(f"----- page {number} of {len(pages)}: {page.url} -----")
        for error in page.page_errors():  # Dart's exceptions reach JS as a bare "Exception"
            lines = [named_wasm_frame(line) for line in (error.stack or "").splitlines()[:60]]
            stack = "\n    ".join(lines)
            print(f"page error: {error.name}: {error.message}\n    {stack}")
        for message in page.console_messages()[-LAST_MESSAGES:]:
            print(f"console {message.type}: {message.text}")
        print(_frame(page, f"{test_name}-failed-page{number}"))


def _frame(page: Page, name: str) -> str:
    """Take a screenshot: whether the renderer still draws, and what it showed."""
    from playwright.sync_api import Error

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=path, timeout=FRAME_WAIT_MS)
    except Error as exc:  # TimeoutError is a subclass: the renderer drew nothing
        return f"no frame within {FRAME_WAIT_MS} ms: {type(exc).__name__}: {exc.message[:200]}"
    return f"frame kept: {path}"


def fonts_asked_for(pages: list[Page]) -> list[str]:
    """The fallback fonts Flutter tried to fetch: it does when a text has a character that
    no loaded font has. Offline (no CDN) the server has none of them, so each is a 404 and
    the character is drawn as a box; the bundled CJK font is every page's default font
    (sync_server.console.mount_console) so that Chinese never needs one."""
    return [
        message.text.removeprefix(FALLBACK_WARNING)
        for page in pages
        for message in page.console_messages()
        if message.text.startswith(FALLBACK_WARNING)
    ]


def named_wasm_frame(line: str, web_dir: Path | None = None) -> str:
    """A stack line with the renderer's function name appended when it is a wasm frame."""
    found = WASM_FRAME.search(line)
    if not found:
        return line
    module, number = found.groups()
    name = wasm_symbols(str(web_dir or get_package_web_dir()), module).get(int(number))
    return f"{line}  [{name}]" if name else line


@functools.cache
def wasm_symbols(web_dir: str, module: str) -> dict[int, str]:
    """canvaskit/<module>.js.symbols: one `number:name` a line, C++ punctuation escaped
    as \\xx (`\\28` for "(")."""
    path = Path(web_dir) / "canvaskit" / f"{module}.js.symbols"
    if not path.is_file():
        return {}
    names = {}
    for line in path.read_text(errors="replace").splitlines():
        number, _, name = line.partition(":")
        if number.isdigit():
            names[int(number)] = re.sub(r"\\([0-9a-f]{2})", lambda m: chr(int(m[1], 16)), name)
    return names
