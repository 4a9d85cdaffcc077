"""The real processes an end-to-end test drives: `mingcha serve` and `mingcha app`, each a
subprocess on a free loopback port with its own data directory and a log file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sync_server.cli.common import write


def _descends_from(pid: int, ancestor: int) -> bool:
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proc:
    """One `mingcha …` subprocess; `start` waits until `probe` answers, `kill` is SIGKILL."""

    def __init__(
        self,
        name: str,
        args: list[str],
        probe: str,
        log_dir: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name, self.args, self.probe, self.env = name, args, probe, env or {}
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sync_server.cli", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        stranger = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                taken = f" (port answered by pid {stranger})" if stranger else ""
                raise RuntimeError(
                    f"{self.name} exited {self.proc.returncode}{taken}: {self.tail()}"
                )
            try:
                with urllib.request.urlopen(self.probe, timeout=2) as answer:
                    stranger = self._stranger(answer.read())
                if stranger is None:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not up in {timeout} s: {self.tail()}")

    def _stranger(self, body: bytes) -> int | None:
        """The pid of another process answering our probe, None when it is ours.

        A port from `free_port()` is free only until someone binds it, and a server that is
        SIGKILLed and restarted on it (the chaos suite) leaves it free each time: on a busy
        machine another test's server can take it in between, and a probe that believed any
        answer let the phone sync with that stranger (the chaos run's `KeyError: 'results'`
        was a pack answered by something that was not our server). /healthz names the
        answering worker's pid: it must be our process or one of its children."""
        try:
            pid = json.loads(body).get("pid")
        except (ValueError, AttributeError):
            return None  # a probe without a pid (the phone app's page): nothing to check
        if not isinstance(pid, int) or self.proc is None:
            return None
        return None if _descends_from(pid, self.proc.pid) else pid

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: what the OS does to an app in the background, no clean-up at all."""
        self.stop(signal.SIGKILL)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def demo_server(data_dir: Path, log_dir: Path, port: int | None = None) -> Proc:
    """A central server (SQLite + blob folder) seeded with the demo organisation."""
    from sync_server import demo_data

    data_dir.mkdir(parents=True, exist_ok=True)
    write(data_dir, lambda s: demo_data.seed(s, datetime.now(UTC)))
    port = port or free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    return Proc("server", args, f"http://127.0.0.1:{port}/healthz", log_dir)


def phone_app(
    data_dir: Path, server_url: str, log_dir: Path, port: int | None = None, name: str = "app"
) -> Proc:
    """One phone. All browser tabs on one app process share its store and its signed-in
    account (fieldapp.ui.app.Services), so a second person needs a second process (`name`
    keeps its log apart)."""
    port = port or free_port()
    args = ["app", "--port", str(port), "--server", server_url, "--data-dir", str(data_dir)]
    return Proc(name, args, f"http://127.0.0.1:{port}/", log_dir)


def url_of(proc: Proc) -> str:
    return proc.probe.removesuffix("healthz")
