"""Fault-test fixtures: the tally of randomized runs and injected faults printed at the end
of the session (every chaos server starts from a copy of `seeded_data`, tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

import pytest

TALLY: Counter[str] = Counter()  # "runs", "syncs" and one entry per fault kind


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY["runs"]:
        return
    faults = {k: v for k, v in sorted(TALLY.items()) if k not in ("runs", "syncs")}
    kinds = ", ".join(f"{k} {v}" for k, v in faults.items())
    terminalreporter.write_line(
        f"chaos: {TALLY['runs']} randomized runs, {TALLY['syncs']} syncs, "
        f"{sum(faults.values())} faults injected ({kinds})"
    )
