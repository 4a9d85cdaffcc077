"""Is the process answering a start-up probe the one we started?

A port found free is free only until someone binds it: between the check and our server's
bind (or while a server is restarted on its old port) another process can take it, and a
probe that believes any 200 then points the phone at a stranger. /healthz names the
answering worker's pid; it must be the started process or one of its children (uvicorn's
workers).
"""

from __future__ import annotations

import json
from pathlib import Path


def stranger_pid(probe_body: bytes, started: int) -> int | None:
    """The pid named by a /healthz answer when it is not `started` or its descendant; None
    when it is ours, or when the answer names no pid (a page: nothing to check)."""
    try:
        pid = json.loads(probe_body).get("pid")
    except (ValueError, AttributeError):
        return None
    if not isinstance(pid, int) or isinstance(pid, bool):
        return None
    return None if descends_from(pid, started) else pid


def descends_from(pid: int, ancestor: int) -> bool:
    """Whether `pid` is `ancestor` or its (grand)child (Linux /proc; elsewhere: assume so)."""
    for _ in range(16):
        if pid == ancestor:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return not Path("/proc/self/stat").exists()
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the name: ppid
        if pid <= 1:
            return False
    return False
