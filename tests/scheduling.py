"""How `make test` spreads the suite over its xdist workers (`-n auto --dist loadfile`), and
what each worker spent (printed at the end of the run, to see which unit is the critical
path).

Each module is one unit of work, run whole on one worker (its servers and seeded databases
are set up once), and every browser test is in one unit. Units are handed out in the order
collected, longest first as far as can be told without timing them: the browser tests, then
the modules that start server, app or bench processes, then the rest. xdist's own order
(units with the most tests first) put the browser unit nineteenth and the one-test chaos
module among the last, so a worker could start minutes of work when the other had none
left.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
BROWSER_TESTS = TESTS / "e2e"
# Modules that drive real `mingcha` processes (servers killed and restarted, benches, fault
# proxies): a few tests each, each worth seconds to a minute.
PROCESS_TESTS = (TESTS / "faults", TESTS / "cli")


def heaviness(path: Path) -> int:
    """0 runs first: the browser unit, then process-driving modules, then the rest."""
    if path.is_relative_to(BROWSER_TESTS):
        return 0
    return 1 if any(path.is_relative_to(d) for d in PROCESS_TESTS) else 2


def heaviest_first(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: heaviness(item.path))  # stable: modules stay whole


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Each module runs whole on one worker, and every browser test on the same worker, one
    after another: two browsers, apps and servers at once on 2 CPUs made Flutter so slow that
    30 s waits ran out. (Not `--dist loadgroup`: pytest 9.2 silently drops its groups,
    pytest-xdist #1386.) Units go out in collection order (heaviest_first)."""
    from xdist.scheduler import LoadFileScheduling

    class BrowsersTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/e2e/"):
                return "tests/e2e"
            return super()._split_scope(nodeid)

    config.option.loadscopereorder = False  # xdist's default: most tests first
    return BrowsersTogether(config, log)


class WorkerTimes:
    """The time each worker spent in tests (set-up, call, tear-down) and the longest units,
    summed on the controller from the workers' reports."""

    def __init__(self) -> None:
        self.by_worker: defaultdict[str, float] = defaultdict(float)
        self.by_unit: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        node = getattr(report, "node", None)  # set by xdist on the controller only
        if node is None:
            return
        self.by_worker[node.gateway.id] += report.duration
        module = report.nodeid.split("::", 1)[0]
        unit = "tests/e2e" if module.startswith("tests/e2e/") else module
        self.by_unit[unit] += report.duration

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.by_worker:
            return
        terminalreporter.section("time in tests per worker, and the longest units")
        for worker, spent in sorted(self.by_worker.items()):
            terminalreporter.write_line(f"{worker}: {spent:.1f} s")
        longest = sorted(self.by_unit.items(), key=lambda kv: -kv[1])[:8]
        for unit, spent in longest:
            terminalreporter.write_line(f"{spent:7.1f} s  {unit}")
