"""The blob store refuses new blobs for a while (Server.refuse_blobs: the local folder made
immutable, or the S3 bucket denying PutObject by a policy), then accepts them again.

The chaos runs meet this fault at random among others; here it is alone and certain, so
each promise is checked on its own: the phone is told `server.storage_failed` (retry
later), not that its photos are bad; the photo rows arrive, their bytes wait on the phone;
nothing is stored half, recorded without its bytes, or twice; and once the store accepts
again, the next sync delivers every photo from where it stood, with nothing to redo by hand.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from sync_server.bench.proxy import FaultProxy
from sync_server.photos.backends import S3Blobs
from tests.faults.central import Server
from tests.faults.chaos import check
from tests.faults.phone import Phone
from tests.s3kit import both_backends

PHOTOS = 3


def stored_blobs(server: Server) -> list[str]:
    """Every blob the store holds, by name: S3 objects under the prefix, or local files."""
    blobs = server.blobs.blobs
    if isinstance(blobs, S3Blobs):
        pages = blobs.client.get_paginator("list_objects_v2").paginate(
            Bucket=blobs.bucket, Prefix=f"{blobs.prefix}/"
        )
        return [o["Key"].rsplit("/", 1)[1] for page in pages for o in page.get("Contents", [])]
    root = server.blobs.root
    return [p.name for p in root.glob("??/??/*") if p.is_file()]


@both_backends
def test_a_refusing_store_holds_photos_back_with_a_clear_code_and_loses_nothing(
    server: Server, tmp_path: Path
) -> None:
    with FaultProxy(server.port) as proxy:  # no faults planned: a plain pass-through
        phone = Phone(tmp_path / "phone", proxy.port, keepalive=True, timeout=30)
        try:
            assert phone.sign_in() and phone.sync() is not None, phone.errors
            before = set(server.snapshot(phone.device).visits)
            rng = random.Random(15)
            phone.new_visit(rng)
            for _ in range(PHOTOS):
                phone.photo(rng)
            shas = {b.sha256 for b in phone.blobs()}
            assert len(shas) == PHOTOS
            assert server.refuse_blobs(True), "this machine cannot make the store refuse"

            for attempt in range(2):  # a retry while it still refuses changes nothing
                assert phone.sync() is None, f"attempt {attempt}: the sync did not fail"
                assert phone.errors[-1] == "server.storage_failed", phone.errors
                central = server.snapshot(phone.device)
                assert len(central.photos) == PHOTOS  # the rows came; their bytes wait
                assert not {p.sha256 for p in central.photos.values() if p.blob_present}
                assert not shas & central.blobs, "a blob recorded that the store refused"
                assert not shas & set(stored_blobs(server)), "the refused store holds one"
                states = {b.state for b in phone.blobs()}
                assert states <= {"local", "uploading"}, [(b.state, b.error) for b in phone.blobs()]
                check(phone, server, before, final=False)

            assert server.refuse_blobs(False)
            report = phone.sync()
            assert report is not None and report.ok, phone.errors
            assert report.photos_uploaded == PHOTOS
            assert {b.state for b in phone.blobs()} == {"uploaded"}
            central = server.snapshot(phone.device)
            assert shas <= central.blobs
            assert sorted(stored_blobs(server)) == sorted(shas)  # each once, nothing else
            photos_of = [p.sha256 for p in central.photos.values() if p.sha256 in shas]
            assert sorted(photos_of) == sorted(shas)  # one row per photo, none twice
            check(phone, server, before, final=True)  # every byte hashes to its name
        finally:
            phone.close()


@pytest.mark.parametrize("blob_backend", ["s3"], indirect=True)
def test_the_bucket_refuses_puts_under_this_servers_prefix_only(server: Server) -> None:
    """The policy answers a PUT under the server's prefix with 403, as S3 does, while
    another prefix of the same bucket (another test's) still takes PUTs and reads go on;
    accepting again leaves no policy behind."""
    from botocore.exceptions import ClientError

    blobs = server.blobs.blobs
    assert isinstance(blobs, S3Blobs)
    client, bucket = blobs.client, blobs.bucket
    client.put_object(Bucket=bucket, Key=f"{blobs.prefix}/kept", Body=b"before")
    assert server.refuse_blobs(True)
    with pytest.raises(ClientError) as refused:
        client.put_object(Bucket=bucket, Key=f"{blobs.prefix}/new", Body=b"x")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    client.put_object(Bucket=bucket, Key=f"other-{uuid.uuid4().hex[:8]}/x", Body=b"ok")
    assert client.get_object(Bucket=bucket, Key=f"{blobs.prefix}/kept")["Body"].read() == b"before"
    server.refuse_blobs(False)
    client.put_object(Bucket=bucket, Key=f"{blobs.prefix}/new", Body=b"x")
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        client.get_bucket_policy(Bucket=bucket)
