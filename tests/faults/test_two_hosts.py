"""Two `mingcha serve` hosts behind one address (README, "Two hosts"): different data dirs,
one PostgreSQL database, one S3 bucket. A phone (the real Store and sync engine) works and
syncs through a loopback balancer that sends each sync to the other host, then every
connection to the other host, and the invariant holds at the end: every photo the phone
took is on the server exactly once (one row, one blob row, one object), readable through
either host, and both hosts answer the same rows. The per-host disk holds no photo: only
temp uploads, which a finished sync leaves empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import httpx
import pytest
import sqlalchemy as sa
import typer
from sqlmodel import Session, select

from fieldcore.problems import DomainError
from sync_server.bench.procs import Proc, free_port
from sync_server.bench.proxy import FaultProxy
from sync_server.bench.s3 import S3Server
from sync_server.core import dbinit
from sync_server.core.db import write_session
from sync_server.org import accounts
from sync_server.org.demo_data import PASSWORDS
from sync_server.tables import Blob, Finding, Photo, Visit
from tests.faults.phone import USER, Phone
from tests.serverkit import PG_URL, _postgres_url, cheap_hasher


@dataclass
class Hosts:
    procs: list[Proc]
    ports: list[int]
    data_dirs: list[Path]
    engine: sa.Engine
    prefix: str


@pytest.fixture
def hosts(tmp_path: Path, s3_server: S3Server) -> Iterator[Hosts]:
    url = _postgres_url()  # a fresh schema, or a skip saying PostgreSQL is not there
    schema = url.rsplit("%3D", 1)[1]
    engine = sa.create_engine(url)
    procs: list[Proc] = []
    try:
        dbinit.upgrade(engine)
        from sync_server.org import demo_data

        # the demo accounts' hashes at argon2's lowest cost: the hosts verify any cost
        cheap = mock.patch.object(accounts, "_hasher", cheap_hasher()[0])
        with cheap, write_session(engine) as session:
            demo_data.seed(session, datetime.now(UTC))
        prefix = f"two-hosts-{uuid.uuid4().hex[:8]}"
        env = {
            "MINGCHA_DATABASE_URL": url,
            "MINGCHA_CONSOLE": "false",
            **s3_server.env(prefix),
        }
        ports, dirs = [free_port(), free_port()], [tmp_path / "host-a", tmp_path / "host-b"]
        for name, port, data_dir in zip(("host-a", "host-b"), ports, dirs, strict=True):
            data_dir.mkdir()
            args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
            proc = Proc(name, args, f"http://127.0.0.1:{port}/healthz", tmp_path, env=env)
            procs.append(proc)
            proc.start()  # one after the other: the first one upgrades the schema
        yield Hosts(procs, ports, dirs, engine, prefix)
    finally:
        for proc in procs:
            proc.stop()
        engine.dispose()
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


class Balancer(FaultProxy):
    """A loopback load balancer: `sticky` sends every connection to one host; with
    `sticky = None` each new connection goes to the other host (round robin)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports, self.sent = ports, [0, 0]
        self.sticky: int | None = 0
        super().__init__(ports[0], on_connect=self._pick)

    def _pick(self, n: int) -> None:
        host = n % 2 if self.sticky is None else self.sticky
        self.upstream_port = self.ports[host]
        self.sent[host] += 1


def work(phone: Phone, rng: random.Random) -> None:
    """An inspector's session: a visit, answers, a note, photos; some submitted."""
    phone.new_visit(rng)
    for _ in range(3):
        phone.answer(rng)
    phone.note(rng)
    for _ in range(2):
        phone.photo(rng)
    if rng.random() < 0.5:
        with contextlib.suppress(DomainError):  # a failed item without its photo: a draft
            phone.submit(rng)


def synced(phone: Phone) -> None:
    report = phone.sync()
    assert report is not None and report.ok, (report, phone.errors)


def test_a_phone_syncing_through_two_hosts_keeps_every_photo_once(
    hosts: Hosts, s3_server: S3Server, tmp_path: Path
) -> None:
    rng = random.Random(15)
    with Balancer(hosts.ports) as balancer:
        phone = Phone(tmp_path / "phone", balancer.port, keepalive=False, timeout=30)
        try:
            assert phone.sign_in(), phone.errors  # through host A; the token is in the db
            synced(phone)  # the sites and templates, before any work
            for round_ in range(4):  # each sync through the other host
                balancer.sticky = round_ % 2
                work(phone, rng)
                synced(phone)
            balancer.sticky = None  # every connection to the other host, within one sync
            for _ in range(2):
                work(phone, rng)
                synced(phone)
            synced(phone)  # nothing left: a quiet sync
            assert all(balancer.sent), balancer.sent
            visits, findings, photo_ids = phone.ids()
            taken = {b.sha256 for b in phone.blobs()}
            assert {b.state for b in phone.blobs()} == {"uploaded"} and len(taken) >= 12
            # read back as a second device of the same inspector: a device is not sent its
            # own writes back (PROTOCOL.md, Pull), a fresh copy gets everything
            phone.client.login(USER, PASSWORDS[USER], uuid.uuid4())
            headers = phone.client._headers()
        finally:
            phone.close()

    with Session(hosts.engine) as s:
        assert set(s.exec(select(Visit.id)).all()) >= visits
        assert {f.id for f in s.exec(select(Finding)).all()} >= findings
        photos = [p for p in s.exec(select(Photo)).all() if p.id in photo_ids]
        stored = s.exec(select(Blob.sha256)).all()
    assert {p.id for p in photos} == photo_ids  # every photo row, once (ids are the key)
    assert {p.sha256 for p in photos} == taken and all(p.blob_present for p in photos)
    assert sorted(stored) == sorted(taken)  # one blob row per photo's bytes
    objects = [key.rsplit("/", 1)[1] for key in s3_server.keys(hosts.prefix)]
    assert sorted(objects) == sorted(taken)  # one object each, nothing else in the bucket
    for data_dir in hosts.data_dirs:  # no photo on a host's own disk; no temp file left
        files = [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
        assert [p.name for p in files if not p.name.startswith(".")] == []

    answers = []
    for port in hosts.ports:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for sha in taken:  # the bytes, through either host
                r = http.get(f"/v1/blobs/{sha}")
                assert r.status_code == 200, r.text
                assert hashlib.sha256(r.content).hexdigest() == sha
            r = http.get("/v1/sync/pull", params={"cursor": 0, "limit": 2000})
            assert r.status_code == 200, r.text
            answers.append({k: v for k, v in r.json().items() if k != "server_time"})
    assert answers[0] == answers[1]  # the same rows, whichever host answers
    pulled = {
        uuid.UUID(c["id"]): c["data"]["sha256"]
        for c in answers[0]["changes"]
        if c["entity"] == "photo" and c.get("data")
    }
    assert pulled == {p.id: p.sha256 for p in photos}  # and they are the phone's photos


def test_a_host_whose_bucket_cannot_be_reached_does_not_start(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync_server.cli.serve import blob_store_reachable
    from sync_server.core.config import Settings

    settings = Settings(data_dir=tmp_path, **s3_server.settings("p"))
    assert blob_store_reachable(settings) == f"s3://{settings.blob_url[5:]}"
    missing = settings.model_copy(update={"blob_url": "s3://no-such-bucket/p"})
    with pytest.raises(typer.Exit) as stopped:
        blob_store_reachable(missing)
    assert stopped.value.exit_code == 1 and "no-such-bucket" in capsys.readouterr().err
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        Settings(data_dir=tmp_path, blob_url="http://somewhere/bucket")
