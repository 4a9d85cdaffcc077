"""The real processes an end-to-end test drives: `mingcha serve` and `mingcha app`, each a
subprocess on a free loopback port with its own data directory and a log file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sync_server.core.probe import stranger_pid

# How a `mingcha` subprocess is run. The e2e and fault tests swap in one with argon2 at its
# lowest cost (tests/cheap_hashing.py): each server start and sign-in otherwise hashes at
# production cost, hundreds of times over a test run.
MINGCHA = [sys.executable, "-m", "sync_server.cli"]


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
                [*MINGCHA, *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        try:
            self._wait_up(timeout)
        except BaseException:
            self.stop()  # one that never came up is not left running (and its workers)
            raise

    def _wait_up(self, timeout: float) -> None:
        assert self.proc is not None
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
        """Another process answering our probe (its pid), None when it is ours.

        The chaos suite SIGKILLs its server and restarts it on the same port: in between
        the port is free, and on a busy machine another test's server can take it. A probe
        that believed any answer let the phone sync with that stranger (a pack answered by
        something else is a 2xx without `results`, as in the chaos run's KeyError)."""
        return stranger_pid(body, self.proc.pid) if self.proc is not None else None

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


def demo_server(seeded: Path, data_dir: Path, log_dir: Path, port: int | None = None) -> Proc:
    """A central server (SQLite + blob folder) on a copy of `seeded`, a data dir holding the
    demo organisation (the session's `seeded_data`, tests/conftest.py)."""
    shutil.copytree(seeded, data_dir)
    port = port or free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    return Proc("server", args, f"http://127.0.0.1:{port}/healthz", log_dir)


def phone_app(
    data_dir: Path, server_url: str, log_dir: Path, port: int | None = None, name: str = "app"
) -> Proc:
    """One phone. All browser tabs on one app process share its store and its signed-in
    account (fieldapp.ui.services.AppServices), so a second person needs a second process
    (`name` keeps its log apart)."""
    port = port or free_port()
    args = ["app", "--port", str(port), "--server", server_url, "--data-dir", str(data_dir)]
    return Proc(name, args, f"http://127.0.0.1:{port}/", log_dir)


def url_of(proc: Proc) -> str:
    return proc.probe.removesuffix("healthz")
