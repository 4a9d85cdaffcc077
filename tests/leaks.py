"""What a test leaves running: child processes of the pytest process and Chromium pages.

A leaked page keeps a renderer process burning CPU until the browser closes (after the
last e2e test), and a leaked child process until the run ends; on a 2-CPU machine they
slow every test after them. `tests/conftest.py` takes a `snapshot` before each test's
function-scoped fixtures are set up and compares after they are torn down, so what a
module- or session-scoped fixture keeps across tests is in the snapshot and never counts.

Children are read from /proc (psutil is not a dependency). Only direct children count:
Chromium starts and ends its own renderer processes lazily, so its grandchildren come and
go on their own; the page that owns a renderer is what a test can leak."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Browsers that live across tests (tests/e2e registers its package-scoped Chromium).
WATCHED_BROWSERS: list[Any] = []
# Processes of fixtures that live across tests but start or restart them *during* a test
# (the chaos server is SIGKILLed and started again mid-test by design): each callable
# gives the pids it owns now (tests/faults/central.py registers its servers).
SHARED_PROCESSES: list[Callable[[], Iterable[int]]] = []


@dataclass(frozen=True)
class Snapshot:
    children: frozenset[int] = frozenset()
    contexts: frozenset[Any] = frozenset()
    pages: frozenset[Any] = frozenset()
    taken: float = 0.0  # CLOCK_BOOTTIME, the clock of a process's start time


@dataclass
class Leaks:
    children: set[int] = field(default_factory=set)
    contexts: list[Any] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.children or self.contexts or self.pages)

    def describe(self) -> str:
        parts = [f"child process {pid}: {_cmdline(pid)}" for pid in sorted(self.children)]
        parts += [f"Chromium page {page.url}" for page in self.pages]
        if self.contexts:
            parts.append(f"{len(self.contexts)} Chromium browser context(s)")
        return "; ".join(parts)


def live_children(parent: int | None = None) -> frozenset[int]:
    """Pids of the running (not zombie) direct children of `parent` (this process).

    The kernel lists each thread's children (/proc/PID/task/TID/children): a few files,
    where reading every /proc/*/stat cost ≈ 6 ms of CPU, twice per test. A kernel without
    those files (CONFIG_PROC_CHILDREN) gets the full scan."""
    parent = os.getpid() if parent is None else parent
    if not Path(f"/proc/{parent}/task/{parent}/children").exists():
        return _children_by_scan(parent)
    found = set()
    for listing in Path(f"/proc/{parent}/task").glob("*/children"):
        try:
            pids = listing.read_text().split()
        except OSError:  # the thread ended while we looked
            continue
        found |= {int(pid) for pid in pids if _running(int(pid))}
    return frozenset(found)


def _children_by_scan(parent: int) -> frozenset[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None and int(stat[1]) == parent and stat[0] not in ("Z", "X"):
            found.add(int(entry.name))
    return frozenset(found)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after "(comm)", from the state on (None: it ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()  # comm may hold spaces and parentheses


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _started_before(pid: int, moment: float) -> bool:
    """Whether the process started in a clock tick before `moment` (CLOCK_BOOTTIME s).

    A thread's children list can miss an entry while another child exits during the read
    (proc(5)); a child missing from the `before` snapshot that had started earlier is not
    the test's leak."""
    stat = _stat(pid)
    if stat is None:
        return False
    ticks = os.sysconf("SC_CLK_TCK")
    return int(stat[19]) < int(moment * ticks)  # field 22 "starttime", in ticks since boot


def _open_contexts(browsers: list[Any]) -> list[Any]:
    return [ctx for b in browsers if b.is_connected() for ctx in b.contexts]


def snapshot(browsers: list[Any] | None = None) -> Snapshot:
    contexts = _open_contexts(WATCHED_BROWSERS if browsers is None else browsers)
    pages = [page for ctx in contexts for page in ctx.pages]
    taken = time.clock_gettime(time.CLOCK_BOOTTIME)
    return Snapshot(live_children(), frozenset(contexts), frozenset(pages), taken)


def leaked_since(before: Snapshot, browsers: list[Any] | None = None) -> Leaks:
    now = snapshot(browsers)
    shared = {pid for owned in SHARED_PROCESSES for pid in owned()}
    new = now.children - before.children - shared
    return Leaks(
        children={pid for pid in new if not _started_before(pid, before.taken)},
        contexts=[ctx for ctx in now.contexts if ctx not in before.contexts],
        pages=[page for page in now.pages if page not in before.pages],
    )


def close(leaks: Leaks) -> None:
    """End what leaked, so one leaking test does not slow down the rest of the run."""
    for page in leaks.pages:
        page.close()
    for ctx in leaks.contexts:
        ctx.close()
    for pid in leaks.children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # it ended, or its Popen reaped it, in the meantime


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:200]
