"""`mingcha demo --empty` (what `make demo` runs, without the 90 days of history that
tests/cli/test_demo_history.py covers): seeded server + inspector app, URLs printed, every
demo account signs in, Ctrl-C stops both processes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from sync_server.cli.demo import READY
from sync_server.org.demo_data import ACCOUNTS
from tests import leaks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_until_ready(proc: subprocess.Popen[str], timeout: float = 150) -> str:
    seen, deadline = "", time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError(f"demo exited {proc.returncode}: {seen}")
        seen += line
        if "stops everything" in line:
            return seen
    raise AssertionError(f"no ready banner within {timeout} s: {seen}")


def wait_or_tell_where(proc: subprocess.Popen[str], timeout: float) -> int:
    """The launcher's exit status; if it has not stopped in time, fail with what it printed
    after its banner and where each of its threads was (faulthandler on SIGUSR1)."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(1)
        for child in leaks.live_children(proc.pid):
            os.kill(child, signal.SIGKILL)
        proc.kill()
        assert proc.stdout is not None
        said = proc.stdout.read()
        raise AssertionError(f"the launcher outlived SIGINT by {timeout} s:\n{said}") from None


def is_listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_demo_starts_seeded_server_and_app_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    server_port, app_port = free_port(), free_port()
    with subprocess.Popen(
        [
            *(sys.executable, "-m", "sync_server.cli", "demo", "--data-dir", str(tmp_path)),
            "--empty",
            *("--server-port", str(server_port), "--app-port", str(app_port)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        check_running_demo(proc, server_port, app_port)
    assert not is_listening(server_port) and not is_listening(app_port)
    assert (tmp_path / "server" / "central.db").exists()


def check_running_demo(proc: subprocess.Popen[str], server_port: int, app_port: int) -> None:
    try:
        banner = read_until_ready(proc)
        assert READY in banner and "demo data seeded" in banner
        urls = re.findall(r"http://127\.0\.0\.1:(\d+)/", banner)
        assert str(server_port) in urls and str(app_port) in urls
        for account in ACCOUNTS:  # printed, and really working
            assert f"{account.username:<11} {account.password}" in banner
            login = httpx.post(
                f"http://127.0.0.1:{server_port}/v1/auth/login",
                json={
                    "username": account.username,
                    "password": account.password,
                    "device_id": str(uuid.uuid4()),
                },
                headers={SCHEMA_HEADER: str(SCHEMA_VERSION)},
            )
            assert login.status_code == 200, login.text
            assert login.json()["user"]["role"] == account.role
        page = httpx.get(f"http://127.0.0.1:{app_port}/")
        assert page.status_code == 200 and "flutter" in page.text.lower()
        console = httpx.get(f"http://127.0.0.1:{server_port}/console/")
        assert f"127.0.0.1:{server_port}/console/" in banner
        assert console.status_code == 200 and '<base href="/console/">' in console.text
        proc.send_signal(signal.SIGINT)  # what Ctrl-C delivers to the launcher
        assert wait_or_tell_where(proc, 30) == 0
    finally:
        if proc.poll() is None:  # the launcher did not stop: its server and app, in their
            for child in leaks.live_children(proc.pid):  # own sessions, would outlive it
                os.kill(child, signal.SIGKILL)
            proc.kill()
