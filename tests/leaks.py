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
    """Pids of the running (not zombie) direct children of `parent` (this process)."""
    parent = os.getpid() if parent is None else parent
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state not in ("Z", "X"):
            found.add(int(entry.name))
    return frozenset(found)


def _open_contexts(browsers: list[Any]) -> list[Any]:
    return [ctx for b in browsers if b.is_connected() for ctx in b.contexts]


def snapshot(browsers: list[Any] | None = None) -> Snapshot:
    contexts = _open_contexts(WATCHED_BROWSERS if browsers is None else browsers)
    pages = [page for ctx in contexts for page in ctx.pages]
    return Snapshot(live_children(), frozenset(contexts), frozenset(pages))


def leaked_since(before: Snapshot, browsers: list[Any] | None = None) -> Leaks:
    now = snapshot(browsers)
    shared = {pid for owned in SHARED_PROCESSES for pid in owned()}
    return Leaks(
        children=set(now.children - before.children - shared),
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
