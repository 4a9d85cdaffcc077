"""The HTTP fault gate itself (sync_server/bench/s3gate.py): each planned answer is what
boto3 sees, request by request, and unplanned requests reach moto untouched. The client
here never retries (one attempt), so every fault shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from sync_server.bench.s3 import S3Server, s3_client
from sync_server.bench.s3gate import S3Gate


@pytest.fixture
def gate(s3_server: S3Server) -> Iterator[S3Gate]:
    with S3Gate(s3_server.port) as gate:
        yield gate


def client(gate: S3Gate) -> Any:
    once = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=1)
    return s3_client(gate.url, once)


def test_planned_answers_hit_the_matching_requests_in_order(
    gate: S3Gate, s3_server: S3Server
) -> None:
    s3, bucket, key = client(gate), s3_server.bucket, f"gate-{uuid.uuid4().hex[:8]}/photo"
    gate.throttle(1, method="PUT")
    gate.plan("error", 1, method="GET", status=500, code="InternalError")
    with pytest.raises(ClientError) as throttled:
        s3.put_object(Bucket=bucket, Key=key, Body=b"bytes")
    assert throttled.value.response["Error"]["Code"] == "SlowDown"
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    s3.put_object(Bucket=bucket, Key=key, Body=b"bytes")  # the plan was used up
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 5  # HEAD passes
    with pytest.raises(ClientError, match="InternalError"):
        s3.get_object(Bucket=bucket, Key=key)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"bytes"
    assert gate.acted == {"error 503": 1, "error 500": 1} and gate.pending() == 0
    assert gate.seen == {"PUT": 2, "HEAD": 1, "GET": 2}


def test_cut_reset_and_stall_break_the_exchange_where_they_say(
    gate: S3Gate, s3_server: S3Server
) -> None:
    s3, bucket, key = client(gate), s3_server.bucket, f"gate-{uuid.uuid4().hex[:8]}/photo"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 10_000)
    gate.plan("cut", 1, method="GET")
    got = s3.get_object(Bucket=bucket, Key=key)  # the headers came whole
    assert got["ContentLength"] == 10_000
    with pytest.raises(BotoCoreError):
        got["Body"].read()
    gate.plan("reset", 1, method="PUT", forward=True)
    with pytest.raises(BotoCoreError):
        s3.put_object(Bucket=bucket, Key=f"{key}-2", Body=b"stored")
    assert s3_server.client().get_object(Bucket=bucket, Key=f"{key}-2")["Body"].read() == b"stored"
    gate.plan("stall", 1, method="HEAD", seconds=60)  # past the 1 s read timeout
    with pytest.raises(BotoCoreError):
        s3.head_object(Bucket=bucket, Key=key)
    assert gate.acted == {"cut": 1, "reset": 1, "stall": 1}
