"""The check in tests/conftest.py (`_nothing_left_open`) sees what a test leaves open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import leaks

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_a_child_process_left_running_is_reported_and_ended() -> None:
    before = leaks.snapshot([])
    child = subprocess.Popen(SLEEPER)
    left = leaks.leaked_since(before, [])
    assert left.children == {child.pid}
    assert "time.sleep(120)" in left.describe()
    leaks.close(left)
    assert not Path(f"/proc/{child.pid}").exists()  # ended and reaped
    child.wait()  # settles the Popen object (the check reaped its process)
    assert not leaks.leaked_since(before, [])


def test_a_child_process_the_test_stopped_is_not_reported() -> None:
    before = leaks.snapshot([])
    child = subprocess.Popen(SLEEPER)
    child.kill()
    child.wait()
    assert not leaks.leaked_since(before, [])


def test_a_process_running_before_the_test_is_not_reported() -> None:
    child = subprocess.Popen(SLEEPER)  # as a module-scoped fixture's server
    try:
        before = leaks.snapshot([])
        assert not leaks.leaked_since(before, [])
    finally:
        child.kill()
        child.wait()


class FakePage:
    def __init__(self, context: FakeContext, url: str) -> None:
        self.context, self.url = context, url

    def close(self) -> None:
        self.context.pages.remove(self)


class FakeContext:
    """Playwright's BrowserContext as the check reads it (contexts, pages, close)."""

    def __init__(self, browser: FakeBrowser) -> None:
        self.browser, self.pages = browser, list[FakePage]()

    def close(self) -> None:
        self.pages.clear()
        self.browser.contexts.remove(self)


class FakeBrowser:
    def __init__(self) -> None:
        self.contexts = list[FakeContext]()

    def is_connected(self) -> bool:
        return True

    def new_page(self, url: str) -> FakePage:
        context = FakeContext(self)
        self.contexts.append(context)
        page = FakePage(context, url)
        context.pages.append(page)
        return page


def test_a_page_left_open_is_reported_and_closed_but_one_opened_before_is_not() -> None:
    browser = FakeBrowser()
    kept = browser.new_page("http://kept/")  # the fixture's, opened before the test
    before = leaks.snapshot([browser])
    browser.new_page("http://leaked/")
    left = leaks.leaked_since(before, [browser])
    assert [p.url for p in left.pages] == ["http://leaked/"]
    assert "Chromium page http://leaked/" in left.describe()
    leaks.close(left)
    assert [c.pages for c in browser.contexts] == [[kept]]
    assert not leaks.leaked_since(before, [browser])


def test_a_page_the_test_closed_is_not_reported() -> None:
    browser = FakeBrowser()
    before = leaks.snapshot([browser])
    browser.new_page("http://closed/").close()
    browser.contexts[0].close()
    assert not leaks.leaked_since(before, [browser])
