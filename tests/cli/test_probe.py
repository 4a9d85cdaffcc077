"""A start-up probe accepts only the process it started (sync_server/core/probe.py): a port
found free can be taken by someone else before our server binds it, and `mingcha demo`
then pointed the phone at that stranger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import typer

from sync_server.cli.demo import wait_until_up
from sync_server.core.probe import stranger_pid
from tests.faults.test_port_taken import stranger  # noqa: F401  (a fixture)

FAMILY = (
    "import subprocess, sys; child = subprocess.Popen(['sleep', '60']); "
    "print(child.pid, flush=True); sys.stdin.read(); child.kill()"
)


@pytest.fixture
def family() -> Iterator[tuple[int, int]]:
    """A started process and its child (as uvicorn's workers are): (parent, child) pids."""
    proc = subprocess.Popen(
        [sys.executable, "-c", FAMILY], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdin is not None
    child = int(proc.stdout.readline())
    yield proc.pid, child
    proc.stdin.close()
    proc.wait(10)
    proc.stdout.close()


def _health(pid: object) -> bytes:
    return json.dumps({"status": "ok", "pid": pid}).encode()


def test_the_started_process_and_its_workers_are_ours(family: tuple[int, int]) -> None:
    parent, child = family
    assert stranger_pid(_health(parent), parent) is None
    assert stranger_pid(_health(child), parent) is None


def test_any_other_process_is_a_stranger(family: tuple[int, int]) -> None:
    parent, child = family
    assert stranger_pid(_health(os.getpid()), parent) == os.getpid()  # the parent's parent
    assert stranger_pid(_health(parent), child) == parent


@pytest.mark.parametrize("body", [b"<html>app</html>", b"{}", b"[]", _health("12"), b""])
def test_an_answer_without_a_pid_is_not_checked(body: bytes) -> None:
    assert stranger_pid(body, os.getpid()) is None


def test_demo_does_not_take_a_stranger_on_its_port_for_its_server(
    stranger: int,  # noqa: F811
) -> None:
    """Before, `wait_until_up` returned at the stranger's first 200; now it waits for our
    process, which (here) stops, and says so."""
    ours = subprocess.Popen(["sleep", "1"])
    try:
        with pytest.raises(typer.Exit):
            wait_until_up(f"http://127.0.0.1:{stranger}/healthz", ours, "sync server", 30)
    finally:
        ours.kill()
        ours.wait()
