"""The rig of the object store's fault tests (test_s3_faults.py): a `mingcha serve` whose
S3 endpoint is the fault proxy in front of the HTTP fault gate in front of moto, a phone
syncing with it directly, and the checks every such test ends with.

    server --S3--> FaultProxy --> S3Gate --> moto        phone --> server (no faults)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync_server.bench.proxy import FaultProxy
from sync_server.bench.s3 import S3Server
from sync_server.bench.s3gate import S3Gate
from sync_server.core.config import Settings
from sync_server.photos.store import PhotoStore
from tests.faults.central import Server
from tests.faults.chaos import check
from tests.faults.phone import Phone

ATTEMPTS = 2  # the server's tries per store request (s3_attempts)
STALL = 60.0  # s a stalled request is held: far past the read timeout (ended at close)


@dataclass
class Rig:
    server: Server
    gate: S3Gate
    proxy: FaultProxy
    phone: Phone
    moto: S3Server
    prefix: str
    before: set[uuid.UUID]  # the server's visits before this phone's first (chaos.check)

    def stored(self) -> list[str]:
        """Every blob the store holds under the server's prefix, asked of moto directly."""
        return [key.rsplit("/", 1)[1] for key in self.moto.keys(self.prefix)]

    def add_photos(self, seed: int, count: int) -> set[str]:
        known = {b.sha256 for b in self.phone.blobs()}
        rng = random.Random(seed)
        self.phone.new_visit(rng)
        for _ in range(count):
            self.phone.photo(rng)
        new = {b.sha256 for b in self.phone.blobs()} - known
        assert len(new) == count
        return new

    def nothing_present_unstored(self) -> None:
        """No photo row says its bytes are in that the store lacks; the stored bytes hash
        to their names (chaos.check re-hashes every recorded blob)."""
        central = self.server.snapshot(self.phone.device)
        stored = set(self.stored())
        present = {p.sha256 for p in central.photos.values() if p.blob_present}
        assert present <= stored, f"recorded present, not in the store: {present - stored}"
        assert central.blobs <= stored, "a blob row without its object"


@pytest.fixture(scope="module", name="shared_rig")
def module_rig(
    seeded_data: Path, tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server
) -> Iterator[Rig]:
    """One server, gate, proxy and phone for the module (a server start is the slow part);
    each test starts from a phone with everything synced and no fault planned (`rig`)."""
    root = tmp_path_factory.mktemp("s3-faults")
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    with S3Gate(s3_server.port) as gate, FaultProxy(gate.port) as proxy:
        env = {
            **s3_server.env(prefix),
            "MINGCHA_CONSOLE": "false",
            "MINGCHA_S3_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}",
            "MINGCHA_S3_ATTEMPTS": str(ATTEMPTS),
            "MINGCHA_S3_CONNECT_TIMEOUT": "2",
            "MINGCHA_S3_READ_TIMEOUT": "2",
        }
        server = Server(seeded_data, root / "server", root, env)
        direct = Settings(data_dir=root / "server", **s3_server.settings(prefix))
        server.blobs = PhotoStore.from_settings(direct)  # the test's own reads skip the faults
        server.ensure_up()
        phone = Phone(root / "phone", server.port, keepalive=True, timeout=30)
        try:
            assert phone.sign_in(), phone.errors
            before = set(server.snapshot(phone.device).visits)
            yield Rig(server, gate, proxy, phone, s3_server, prefix, before)
        finally:
            phone.close()
            server.close()


@pytest.fixture(name="rig")
def fresh_rig(shared_rig: Rig) -> Iterator[Rig]:
    rig = shared_rig
    for heal in (rig.gate.heal, rig.proxy.heal):
        heal()
    report = rig.phone.sync()
    assert report is not None and report.ok, rig.phone.errors
    rig.gate.seen.clear()
    rig.gate.acted.clear()
    rig.proxy.counts.clear()
    rig.phone.errors.clear()
    try:
        yield rig
    finally:
        rig.gate.heal()
        rig.proxy.heal()


def gate_settings(rig: Rig, tmp_path: Path) -> Settings:
    """An in-process store (the console's, an export's) reaching moto through the gate."""
    return Settings(
        data_dir=tmp_path / "console",
        **{**rig.moto.settings(rig.prefix), "s3_endpoint_url": rig.gate.url},
        s3_attempts=ATTEMPTS,
        s3_read_timeout=2,
    )


def sync_fails_with_storage_failed(rig: Rig) -> None:
    assert rig.phone.sync() is None, "the sync did not fail"
    assert rig.phone.errors[-1] == "server.storage_failed", rig.phone.errors
    rig.nothing_present_unstored()


def sync_delivers_everything(rig: Rig) -> None:
    """One sync stores every photo the phone has, each once, and nothing else."""
    shas = {b.sha256 for b in rig.phone.blobs()}
    report = rig.phone.sync()
    assert report is not None and report.ok, rig.phone.errors
    assert {b.state for b in rig.phone.blobs()} == {"uploaded"}
    stored = rig.stored()
    assert sorted(stored) == sorted(set(stored)) and set(stored) == shas  # each once, no other
    central = rig.server.snapshot(rig.phone.device)
    assert {p.sha256 for p in central.photos.values() if p.blob_present} == shas
    rig.nothing_present_unstored()
    check(rig.phone, rig.server, rig.before, final=True)
