"""Fault-test fixtures: the tally of randomized runs and injected faults printed at the end
of the session (every chaos server starts from a copy of `seeded_data`, tests/conftest.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests import cheap_hashing

TALLY: Counter[str] = Counter()  # "runs", "syncs" and one entry per fault kind


@pytest.fixture(scope="package", autouse=True)
def _cheap_subprocess_hashing() -> Iterator[None]:
    """Every `mingcha serve` here hashes passwords cheaply (tests/cheap_hashing.py); package
    scope, so later modules on the same worker (the login storm) get production cost."""
    with cheap_hashing.subprocesses():
        yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY["runs"]:
        return
    faults = {k: v for k, v in sorted(TALLY.items()) if k not in ("runs", "syncs")}
    kinds = ", ".join(f"{k} {v}" for k, v in faults.items())
    terminalreporter.write_line(
        f"chaos: {TALLY['runs']} randomized runs, {TALLY['syncs']} syncs, "
        f"{sum(faults.values())} faults injected ({kinds})"
    )
