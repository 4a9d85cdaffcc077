"""An S3-compatible server on loopback for the object-store backend (photos/backends.py):
the tests' store (tests/s3kit.py) and `mingcha bench sync --blob s3`.

No S3 server that stores objects for real can be installed from the registries this
project reaches (PyPI, Debian, npm: MinIO, Garage, SeaweedFS ship no such package; Debian's
radosgw needs a Ceph cluster), so this runs moto's server (`moto[server]`, a dev
dependency): a real HTTP server process on a loopback port that speaks the S3 REST
protocol to boto3 as a store would, keeping objects in its memory. It is an emulator, and
what it does not check, nothing measured or tested against it proves:

* request signatures and credentials: any access key and secret are accepted;
* latency and throughput: a request costs a loopback round trip and a Python handler, not
  the tens of milliseconds to a region, nor a real store's per-prefix request rates;
* consistency and durability: every read sees the last write at once, and nothing is
  ever lost, unlike a store with replicas or a disk that fills up;
* the limits of a real store (request rates, object and part sizes beyond the 5 MiB
  minimum part it does enforce), and network faults between hosts: it never throttles
  (503 SlowDown) nor fails (500), so the fault tests put bench/s3gate.py in front of it,
  which answers those itself, and the TCP fault proxy (bench/proxy.py) in front of that;
* bucket policies only in part: an explicit Deny on an object action is enforced (403,
  with an empty body where S3 sends AccessDenied).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from sync_server.bench.procs import free_port

CREDENTIALS = {"aws_access_key_id": "mingcha", "aws_secret_access_key": "mingcha-secret"}
REGION = "us-east-1"


class S3Server:
    """One moto server process on a free loopback port, holding `bucket`."""

    def __init__(self, log_dir: Path, bucket: str) -> None:
        self.bucket, self.port = bucket, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "moto.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_up()
            self.client().create_bucket(Bucket=bucket)
        except BaseException:
            self.close()
            raise

    def _wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:  # e.g. moto not installed (a dev dependency)
                raise RuntimeError(f"moto server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"moto server not up in {timeout} s")

    def client(self) -> Any:
        return s3_client(self.url)

    def env(self, prefix: str) -> dict[str, str]:
        """The MINGCHA_* settings of a `mingcha serve` storing blobs under `prefix`."""
        return {
            "MINGCHA_BLOB_URL": f"s3://{self.bucket}/{prefix}",
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
            .paginate(Bucket=self.bucket, Prefix=f"{prefix}/")
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


def s3_client(url: str, config: Any = None) -> Any:
    """A boto3 S3 client for the emulator (or anything in front of it) at `url`."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        config=config,
    )
