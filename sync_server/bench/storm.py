"""`mingcha bench storm`: one device's pushes while failed logins storm the server (issue 11 §5).

A real `mingcha serve` (SQLite, one worker, argon2 at production cost) is measured over real
HTTP: the median latency of one device's pushes alone, then while streams send wrong-password
logins, each from a fresh loopback address (127.x.y.z: Linux routes the whole /8 to lo) so the
per-address throttle never turns them away cheaply. Alone and storm rounds are interleaved,
so whatever else the machine does weighs on both sides of the ratio alike.

Argon2 takes a few hundred milliseconds of CPU; when it ran under the single SQLite writer
lock, every push queued behind it (9 ms → 1,185 ms in the probe). That it no longer does is
asserted without a clock in tests/server/test_login_storm.py; this measures what is left,
which on a machine with few CPUs is mostly the storm's hashing competing for them.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from sync_server.bench.common import machine, progress
from sync_server.bench.procs import Proc, free_port

HEADERS = {SCHEMA_HEADER: str(SCHEMA_VERSION)}
USERNAME, PASSWORD = "wang", "long-password"
BOUND_SECONDS = 30  # a wait bound for one storm round on a loaded machine, not a timing claim


def start_server(root: Path, **env: str) -> Proc:
    """`mingcha serve` on SQLite with one region and one inspector (USERNAME, PASSWORD)."""
    from sync_server.cli.common import write
    from sync_server.org import admin

    data = root / "server"
    data.mkdir()

    def seed(session):
        admin.add_region(session, "NX", "宁夏")
        user = admin.add_user(session, USERNAME, "inspector", PASSWORD)
        admin.assign(session, user, ["NX"])

    write(data, seed)
    port = free_port()
    proc = Proc(
        "server",
        ["serve", "--port", str(port), "--data-dir", str(data)],
        f"http://127.0.0.1:{port}/healthz",
        root,
        env,
    )
    proc.start()
    return proc


def address_of(proc: Proc) -> str:
    return proc.probe.removeprefix("http://").removesuffix("/healthz")


class Device:
    """One signed-in phone pushing one mutation at a time on a kept-alive connection."""

    def __init__(self, address: str) -> None:
        self.http = httpx.Client(base_url=f"http://{address}", headers=HEADERS, timeout=60)
        r = self.http.post(
            "/v1/auth/login",
            json={"username": USERNAME, "password": PASSWORD, "device_id": str(uuid.uuid4())},
        )
        if r.status_code != 200:
            raise RuntimeError(f"sign-in refused: {r.status_code} {r.text}")
        self.http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.seq = itertools.count(1)

    def push_seconds(self) -> float:
        mutation = {
            "seq": next(self.seq),
            "entity": "visit",
            "id": str(uuid.uuid4()),
            # a site outside the scope: rejected, but consumed in a write like any push
            "fields": {"site_id": str(uuid.uuid4()), "template_key": "x.v1", "mode": "overt"},
        }
        started = time.perf_counter()
        r = self.http.post("/v1/sync/push", json={"mutations": [mutation]})
        elapsed = time.perf_counter() - started
        if r.status_code != 200:
            raise RuntimeError(f"push refused: {r.status_code} {r.text}")
        return elapsed

    def close(self) -> None:
        self.http.close()


class LoginStorm:
    """Wrong-password logins for unknown users, each from a new loopback address."""

    def __init__(self, address: str, streams: int) -> None:
        self.host, port = address.split(":")
        self.port = int(port)
        self.stop = threading.Event()
        self.addresses = (
            f"127.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in itertools.count(2)
        )
        self.lock = threading.Lock()
        self.answers: list[int] = []
        self.threads = [threading.Thread(target=self._stream) for _ in range(streams)]

    def __enter__(self) -> LoginStorm:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def refused_as_wrong(self) -> int:
        with self.lock:
            return self.answers.count(401)

    def _stream(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                source = next(self.addresses)
            body = json.dumps(
                {
                    "username": f"ghost-{uuid.uuid4().hex[:8]}",
                    "password": "wrong-password",
                    "device_id": str(uuid.uuid4()),
                }
            )
            conn = http.client.HTTPConnection(
                self.host, self.port, timeout=60, source_address=(source, 0)
            )
            try:
                conn.request(
                    "POST", "/v1/auth/login", body, {**HEADERS, "Content-Type": "application/json"}
                )
                status = conn.getresponse().status
            finally:
                conn.close()
            with self.lock:
                self.answers.append(status)


def run(pushes: int = 30, streams: int = 6, rounds: int = 3) -> dict[str, Any]:
    """Push latency alone and during a login storm, `rounds` of each interleaved; a storm
    round lasts until it has `pushes // rounds` pushes and as many failed logins."""
    per_round = max(1, pushes // rounds)
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-storm-") as tmp:
        proc = start_server(Path(tmp))
        try:
            out = _measure(address_of(proc), per_round, streams, rounds)
        finally:
            proc.stop()
    return {"bench": "storm", **out, "machine": machine()}


def _measure(address: str, per_round: int, streams: int, rounds: int) -> dict[str, Any]:
    device = Device(address)
    alone: list[float] = []
    stormed: list[float] = []
    answers: list[int] = []
    try:
        for _ in range(5):
            device.push_seconds()  # warm-up: connection, first queries
        with progress("storm rounds", rounds) as advance:
            for _ in range(rounds):
                alone += [device.push_seconds() for _ in range(per_round)]
                measured: list[float] = []
                with LoginStorm(address, streams) as storm:
                    deadline = time.monotonic() + BOUND_SECONDS
                    while time.monotonic() < deadline and (
                        len(measured) < per_round or storm.refused_as_wrong() < per_round
                    ):
                        measured.append(device.push_seconds())
                stormed += measured
                answers += storm.answers
                advance()
    finally:
        device.close()
    alone_ms, storm_ms = statistics.median(alone) * 1000, statistics.median(stormed) * 1000
    return {
        "streams": streams,
        "pushes_alone": len(alone),
        "pushes_in_storm": len(stormed),
        "failed_logins": answers.count(401),
        "other_login_answers": sorted(set(answers) - {401}),
        "alone_p50_ms": round(alone_ms, 2),
        "storm_p50_ms": round(storm_ms, 2),
        "ratio": round(storm_ms / alone_ms, 3),
    }
