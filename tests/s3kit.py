"""An S3-compatible server for the tests of the object-store backend (photos/backends.py).

No S3 server that stores objects for real can be installed from the registries this
project reaches (PyPI, Debian, npm: MinIO, Garage, SeaweedFS ship no such package; Debian's
radosgw needs a Ceph cluster), so the tests run moto's server (`moto[server]`, a dev
dependency): a real HTTP server process on a loopback port that speaks the S3 REST
protocol to boto3 as a store would, keeping objects in its memory. It is an emulator, and
what it does not check, these tests do not prove:

* request signatures and credentials: any access key and secret are accepted;
* consistency and durability: every read sees the last write at once, and nothing is
  ever lost, unlike a store with replicas or a disk that fills up;
* the limits of a real store (request rates, object and part sizes beyond the 5 MiB
  minimum part it does enforce), and network faults between hosts;
* bucket policies only in part: an explicit Deny on an object action is enforced (403,
  with an empty body where S3 sends AccessDenied), which is what `refuse_puts` needs.

One server per test session (per xdist worker), started on first use; each test gets its
own key prefix in one bucket, so tests never see each other's blobs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sync_server.bench.procs import free_port
from tests import leaks

BUCKET = "mingcha-test"
CREDENTIALS = {"aws_access_key_id": "mingcha", "aws_secret_access_key": "mingcha-secret"}
REGION = "us-east-1"
BACKENDS = ("local", "s3")
# The tests whose outcome depends on where blobs live run on both backends:
# `pytestmark = both_backends` (or on one test). MINGCHA_TEST_BLOB=s3 runs every other
# server test on the object store too.
both_backends = pytest.mark.parametrize("blob_backend", BACKENDS, indirect=True)
# read at import: tests/conftest.py hides MINGCHA_* variables from the tests themselves
DEFAULT_BACKEND = os.environ.get("MINGCHA_TEST_BLOB", "") or "local"


class S3Server:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "moto.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_up()
        self.client().create_bucket(Bucket=BUCKET)

    def _wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"moto server not up in {timeout} s")

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.url, region_name=REGION, **CREDENTIALS)

    def env(self, prefix: str) -> dict[str, str]:
        """The MINGCHA_* settings of a `mingcha serve` storing blobs under `prefix`."""
        return {
            "MINGCHA_BLOB_URL": f"s3://{BUCKET}/{prefix}",
            "MINGCHA_S3_ENDPOINT_URL": self.url,
            "MINGCHA_S3_REGION": REGION,
            "MINGCHA_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "MINGCHA_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def settings(self, prefix: str) -> dict[str, Any]:
        """The same, as Settings keyword arguments."""
        return {k.removeprefix("MINGCHA_").lower(): v for k, v in self.env(prefix).items()}

    def keys(self, prefix: str) -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=BUCKET, Prefix=f"{prefix}/")
        )
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("s3"))
    pids = lambda: [server.proc.pid] if server.proc.poll() is None else []  # noqa: E731
    leaks.SHARED_PROCESSES.append(pids)  # started by the first test that needs it, kept
    try:
        yield server
    finally:
        server.close()
        leaks.SHARED_PROCESSES.remove(pids)


@pytest.fixture
def blob_backend(request: pytest.FixtureRequest) -> str:
    """Where this test's server keeps finished blobs: "local" (the default) or "s3"."""
    backend = getattr(request, "param", None) or DEFAULT_BACKEND
    assert backend in BACKENDS, backend
    return str(backend)


def blob_settings(request: pytest.FixtureRequest, backend: str) -> dict[str, Any]:
    """Settings keyword arguments for `backend`: none for local, a fresh prefix for s3."""
    if backend != "s3":
        return {}
    server: S3Server = request.getfixturevalue("s3_server")
    return server.settings(f"t-{uuid.uuid4().hex[:12]}")


def serve_env(request: pytest.FixtureRequest, backend: str = DEFAULT_BACKEND) -> dict[str, str]:
    """The same as MINGCHA_* variables, for a `mingcha serve` subprocess."""
    return {f"MINGCHA_{k.upper()}": v for k, v in blob_settings(request, backend).items()}


def refuse_puts(client: Any, bucket: str, prefix: str, refuse: bool) -> None:
    """Deny (or allow again) every PutObject under `prefix` by the bucket's policy: the
    store itself then answers each PUT there with 403, as S3 does when a policy or a
    revoked key forbids the write. Reads go on, other prefixes are untouched. The policy
    is the whole bucket's: one test at a time sets it (one S3 server per test session)."""
    if not refuse:
        client.delete_bucket_policy(Bucket=bucket)
        return
    keys = f"{prefix}/*" if prefix else "*"
    statement = {
        "Sid": "MingchaTestRefusesBlobs",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",  # a PUT, and each part of a multipart upload
        "Resource": f"arn:aws:s3:::{bucket}/{keys}",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
