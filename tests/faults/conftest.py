"""Fault-test fixtures: the tally of randomized runs and injected faults printed at the end
of the session (every chaos server starts from a copy of `seeded_data`, tests/conftest.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import cheap_hashing
from tests.faults.central import Server
from tests.s3kit import serve_env

TALLY: Counter[str] = Counter()  # "runs", "syncs" and one entry per fault kind


@pytest.fixture(scope="package", autouse=True)
def _cheap_subprocess_hashing() -> Iterator[None]:
    """Every `mingcha serve` here hashes passwords cheaply (tests/cheap_hashing.py); package
    scope, so later modules on the same worker (the storm bench) get production cost."""
    with cheap_hashing.subprocesses():
        yield


@pytest.fixture
def server(
    seeded_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    blob_backend: str,
) -> Iterator[Server]:
    """A `mingcha serve` of its own for one test, on the test's blob backend (`both_backends`),
    console off; the chaos modules start theirs once per module instead."""
    monkeypatch.setenv("MINGCHA_CONSOLE", "false")
    central = Server(seeded_data, tmp_path / "server", tmp_path, serve_env(request, blob_backend))
    central.ensure_up()
    yield central
    central.close()  # a refusing store accepts blobs again first


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY["runs"]:
        return
    faults = {k: v for k, v in sorted(TALLY.items()) if k not in ("runs", "syncs")}
    kinds = ", ".join(f"{k} {v}" for k, v in faults.items())
    terminalreporter.write_line(
        f"chaos: {TALLY['runs']} randomized runs, {TALLY['syncs']} syncs, "
        f"{sum(faults.values())} faults injected ({kinds})"
    )
