"""The S3-compatible store of the object-store backend's tests (photos/backends.py): moto's
server on loopback (sync_server/bench/s3.py says why moto, and what an emulator does not
check, which these tests do not prove either).

One server per test session (per xdist worker), started on first use; each test gets its
own key prefix in one bucket, so tests never see each other's blobs. `refuse_puts` makes
the bucket itself refuse a prefix's writes (a policy moto enforces).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sync_server.bench.s3 import S3Server
from tests import leaks

BUCKET = "mingcha-test"
BACKENDS = ("local", "s3")
# The tests whose outcome depends on where blobs live run on both backends:
# `pytestmark = both_backends` (or on one test). MINGCHA_TEST_BLOB=s3 runs every other
# server test on the object store too.
both_backends = pytest.mark.parametrize("blob_backend", BACKENDS, indirect=True)
# read at import: tests/conftest.py hides MINGCHA_* variables from the tests themselves
DEFAULT_BACKEND = os.environ.get("MINGCHA_TEST_BLOB", "") or "local"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("s3"), BUCKET)
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
