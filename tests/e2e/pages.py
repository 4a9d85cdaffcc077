"""What a browser page said, printed when its test failed.

CI keeps no files and a Playwright timeout only tells which action did not finish. Once a
click on the console's username field hung for its whole 30 s inside "performing click
action" (the input events were never acknowledged by the page), with nothing in the server
log. Whether the page's own code had failed (Flutter prints its exceptions to the console),
and whether the page could still draw a frame at all, tell a hung or busy renderer from a
broken app; so both are printed, and the frame kept under test-artifacts/ when it comes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.phone import ARTIFACTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

LAST_MESSAGES = 40
FRAME_WAIT_MS = 5_000  # a page that draws nothing in 5 s on a quiet teardown is stuck


def report_failed(test_name: str, pages: list[Page]) -> None:
    for number, page in enumerate(pages, 1):
        print(f"----- page {number} of {len(pages)}: {page.url} -----")
        for error in page.page_errors():  # Dart's exceptions reach JS as a bare "Exception"
            stack = "\n    ".join((error.stack or "").splitlines()[:8])
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
