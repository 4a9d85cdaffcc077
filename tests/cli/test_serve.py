"""`mingcha serve` with two uvicorn workers: starts on a fresh data dir within seconds, and
both workers serve one database correctly (SQLite, and PostgreSQL when it answers).

The region and the account are added in-process (Typer's runner, the same commands): the
server is the process under test; two more interpreters per run only cost start-up time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sync_server.cli import app
from tests.serverkit import PG_URL, _postgres_url

HEADERS = {"Mingcha-Schema": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mingcha(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    settings = {k: v for k, v in env.items() if k.startswith("MINGCHA_")}
    done = CliRunner().invoke(app, list(args), env=settings, input=stdin)
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.fixture(params=["sqlite", "postgres"])
def server_env(request: pytest.FixtureRequest, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGCHA_")}
    env["MINGCHA_DATA_DIR"] = str(tmp_path / "server")
    schema = None
    if request.param == "postgres":
        url = _postgres_url()
        env["MINGCHA_DATABASE_URL"] = url
        schema = url.rsplit("%3D", 1)[1]
    yield env
    if schema:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def test_two_workers_start_and_share_one_database(server_env: dict[str, str]) -> None:
    env = server_env
    mingcha("regions", "add", "NX", "宁夏", env=env)
    mingcha(
        "user",
        "add",
        "wang",
        "--role",
        "inspector",
        "--region",
        "NX",
        "--password-stdin",
        env=env,
        stdin="long-password\n",
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("mingcha")),
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 180  # a wait bound on a busy machine, not a timing claim
        while time.monotonic() < deadline and len(pids) < 2:
            try:
                with httpx.Client(base_url=base) as fresh:  # a new connection each time
                    pids.add(fresh.get("/healthz").json()["pid"])
            except httpx.TransportError:
                time.sleep(0.2)
        assert len(pids) == 2, f"workers answering: {pids}"

        def session(n: int) -> list[str]:
            with httpx.Client(base_url=base, headers=HEADERS, timeout=30) as c:
                token = c.post(
                    "/v1/auth/login",
                    json={
                        "username": "wang",
                        "password": "long-password",
                        "device_id": str(uuid.uuid4()),
                    },
                ).json()["token"]
                c.headers["Authorization"] = f"Bearer {token}"
                statuses = []
                for seq in range(1, 6):
                    r = c.post(
                        "/v1/sync/push",
                        json={
                            "mutations": [
                                {
                                    "seq": seq,
                                    "entity": "visit",
                                    "id": str(uuid.uuid4()),
                                    "fields": {
                                        "site_id": str(uuid.uuid4()),
                                        "template_key": "x.v1",
                                        "mode": "overt",
                                    },
                                }
                            ]
                        },
                    )
                    statuses.append(r.json()["results"][0]["code"] or "applied")
                return statuses

        with ThreadPoolExecutor(4) as pool:
            results = [code for codes in pool.map(session, range(4)) for code in codes]
        # every push was answered, each with the expected per-mutation rejection (the
        # random site is outside the inspector's scope) — no 5xx, no lost request
        assert results == ["scope.denied"] * 20
        with httpx.Client(base_url=base, headers=HEADERS) as c:
            assert c.get("/docs").status_code == 200
            assert "/v1/sync/push" in c.get("/openapi.json").json()["paths"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
