"""Fault-test fixtures: the seeded demo data directory every chaos server starts from, and
the tally of randomized runs and injected faults printed at the end of the session."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

TALLY: Counter[str] = Counter()  # "runs", "syncs" and one entry per fault kind


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A server data dir with the demo organisation (seeded once, copied per server)."""
    from sync_server.cli.common import write
    from sync_server.org import demo_data

    data = tmp_path_factory.mktemp("seeded") / "server"
    data.mkdir()
    write(data, lambda s: demo_data.seed(s, datetime.now(UTC)))
    return data


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY["runs"]:
        return
    faults = {k: v for k, v in sorted(TALLY.items()) if k not in ("runs", "syncs")}
    kinds = ", ".join(f"{k} {v}" for k, v in faults.items())
    terminalreporter.write_line(
        f"chaos: {TALLY['runs']} randomized runs, {TALLY['syncs']} syncs, "
        f"{sum(faults.values())} faults injected ({kinds})"
    )
