"""End-to-end fixtures: Debian's Chromium through Playwright, and the real server and app
processes (`mingcha serve`, `mingcha app`) on loopback ports."""

from __future__ import annotations

import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sync_server.bench.procs import Proc, demo_server, phone_app, url_of
from tests import cheap_hashing, leaks
from tests.e2e import pages

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# --stack-trace-limit: a trap in Flutter's renderer (wasm) shows V8's default 10 frames,
# not enough to reach the Dart code that called it (pages.report_failed names them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--js-flags=--stack-trace-limit=60",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("no chromium on PATH: `.ci/run` installs Debian's chromium for these tests")
    return found


# Package scope (a fixture's package is where it is defined): later modules on the same
# worker start their servers at production cost again (the storm bench needs it).
@pytest.fixture(scope="package", autouse=True)
def _cheap_subprocess_hashing() -> Iterator[None]:
    """Every `mingcha serve` / `mingcha app` here hashes passwords cheaply (the sign-ins
    are what is tested, not argon2's cost: tests/cheap_hashing.py)."""
    with cheap_hashing.subprocesses():
        yield


# Package scope: Playwright's sync API keeps an event loop running in this thread while
# it lives, which would break every asyncio test collected after these (tests/ui).
@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        leaks.WATCHED_BROWSERS.append(launched)
        try:
            yield launched
        finally:
            leaks.WATCHED_BROWSERS.remove(launched)
            launched.close()


@pytest.fixture
def browser(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Browser]:
    """The shared Chromium, for one test: every page (and its context) the test opened is
    closed when it ends, passed or failed. An open page keeps a renderer process busy until
    the browser closes after the last e2e test. When the test failed, what each page said
    is printed first (pages.report_failed). A test whose pages had to ask for a font fails
    (pages.fonts_asked_for)."""
    before = set(chromium.contexts)
    try:
        yield chromium
    finally:
        opened = [c for c in chromium.contexts if c not in before]
        shown = [p for c in opened for p in c.pages]
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            pages.report_failed(request.node.name, shown)
        asked = pages.fonts_asked_for(shown)
        for context in opened:
            context.close()
        assert not asked, f"the pages asked for fonts the server does not have: {asked}"


@dataclass
class Served:
    """A central server seeded with the demo organisation (all the console tests drive)."""

    root: Path
    server: Proc

    @property
    def server_dir(self) -> Path:
        return self.root / "server"


@dataclass
class Stack(Served):
    """The central server and one phone app process."""

    app: Proc

    @property
    def phone_db(self) -> Path:
        return self.root / "phone" / "mingcha.db"

    @property
    def app_url(self) -> str:
        return url_of(self.app)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report, kept on the test for its fixtures (did the test itself fail?)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def served(request: pytest.FixtureRequest, seeded_data: Path, tmp_path: Path) -> Iterator[Served]:
    """A server of the test's own, without a phone app (the console tests start none)."""
    server = demo_server(seeded_data, tmp_path / "server", tmp_path)
    server.start()
    try:
        yield Served(tmp_path, server)
    finally:
        server.stop()
        _print_logs_if_failed(request, tmp_path)


@pytest.fixture
def stack(request: pytest.FixtureRequest, seeded_data: Path, tmp_path: Path) -> Iterator[Stack]:
    server = demo_server(seeded_data, tmp_path / "server", tmp_path)
    server.start()
    app = phone_app(tmp_path / "phone", url_of(server), tmp_path)
    made = Stack(tmp_path, server, app)
    try:
        app.start()
        yield made
    finally:
        made.app.stop()
        made.server.stop()
        _print_logs_if_failed(request, tmp_path)


def _print_logs_if_failed(request: pytest.FixtureRequest, log_dir: Path) -> None:
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print_logs(log_dir)


def print_logs(log_dir: Path) -> None:
    """The end of every process log of a failed test: what the server and the phones said
    is often the only trace of why a screen never came (CI keeps no files)."""
    for log in sorted(log_dir.glob("*.log")):
        print(f"----- {log.name} (last 4000 characters) -----")
        print(log.read_text(errors="replace")[-4000:])
