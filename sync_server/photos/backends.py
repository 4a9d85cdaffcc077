"""Where finished photo bytes live: one small interface, two backends.

`BlobBackend` holds whole, verified blobs addressed by sha256 and nothing else: unfinished
uploads are staged in local temp files (photos.store) and reach a backend only once their
bytes hashed right and passed the JPEG check, so a backend never holds a partial or
unverified blob.

* `LocalBlobs` (the default): `root/ab/cd/<sha256>`, the layout the server always had; a
  blob appears by fsync + rename, so it is there whole or not at all.
* `S3Blobs` (`MINGCHA_BLOB_URL=s3://bucket/prefix`): an S3-compatible object store shared
  by several server hosts. An object appears only whole (a PUT, or a multipart upload at
  its completion), so the rename's guarantee holds there too.

Why boto3 and not the MinIO client: boto3 is the reference S3 SDK, tested against AWS
and the S3-compatible stores (MinIO, Ceph RGW, Garage, R2…); its transfer manager streams
a file from disk and switches to multipart above a size by itself, with retries; and the
S3 server the tests run (moto) is built on botocore already, so one stack is installed.

Why staged temp files, not one multipart part per chunk: S3 refuses parts under 5 MiB
(all but the last), while a resume step is 512 KiB (photos.packs.CHUNK), so parts would
need their own buffering; sha256 and the JPEG check need the whole bytes before anything
is visible, and a multipart upload's hash state cannot be resumed by another process or
host after a crash. Staged locally, a chunk costs one local fsync; the store sees one PUT
per finished photo (a phone photo is a few MB, below the multipart threshold).

Errors reaching the store surface as `server.storage_failed` (503, Retry-After, retry later).

The store's own faults (tests/faults/test_s3_faults.py, through bench/s3gate.py and the
fault proxy): each request is bounded — `s3_connect_timeout` to connect, `s3_read_timeout`
for each answer byte — and tried `s3_attempts` times in all (default 3: 5 s, 10 s) with
botocore's standard retry mode, which retries throttling (503 SlowDown), 5xx answers,
resets and timeouts with jittered exponential backoff (≤ 1 s, then ≤ 2 s). So a store that
answers nothing holds a worker thread attempts × read timeout + backoff, ≤ 33 s by default
(a slow connect adds up to 5 s a try), near the phone's own 30 s timeout, never for ever.
Not bounded: a store trickling its answer slower than one read per read timeout (the
timeouts are per socket read; botocore has no whole-request deadline). The defaults are
shorter than botocore's (60 s read; with the 5 attempts this used: ~5 min) because past the
phone's timeout nobody waits for the answer. A PUT whose answer was lost after the store
acted is harmless (content addressed: the retry writes the same bytes, and
`uploads._complete` adopts bytes already in place). A GET whose body breaks off after its
headers is not retried by botocore: `read` turns it into `server.storage_failed` as well; a
`stream` already sending to the client can only end the response short (the client sees a
truncated body, never a wrong one).
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

log = logging.getLogger("mingcha.server")
READ_BLOCK = 1024 * 1024


class BlobBackend(Protocol):
    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None:
        """The stored blob's byte count; None when it is not stored."""

    def read(self, sha256: str) -> bytes | None:
        """The whole blob (at most max_photo bytes); None when it is not stored."""

    def stream(self, sha256: str) -> tuple[int, Iterator[bytes]] | None:
        """(size, the blob in blocks), to send it without holding it; None if absent. The
        blocks must be read to the end (or the iterator closed) to release the source."""

    def put(self, sha256: str, source: Path) -> None:
        """Store the verified file `source` as `sha256`, visible only whole. `source` is
        consumed (moved or deleted). Storing a blob that exists is harmless."""

    def local_path(self, sha256: str) -> Path | None:
        """The blob's file when it is on this host's disk (served as a file), else None."""

    def describe(self) -> str: ...


def unavailable(why: str) -> DomainError:
    return DomainError(ProblemCode.SERVER_STORAGE_FAILED, why, retry_after=30)


def disk_failed(exc: OSError) -> DomainError:
    return unavailable(errno.errorcode.get(exc.errno or 0, ""))


class LocalBlobs:
    """Blobs under `root/ab/cd/<sha256>` on this host's disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def stream(self, sha256: str) -> tuple[int, Iterator[bytes]] | None:
        try:
            f = open(self.path(sha256), "rb")  # noqa: SIM115  (closed by the generator)
        except FileNotFoundError:
            return None
        return os.fstat(f.fileno()).st_size, _blocks(f)

    def put(self, sha256: str, source: Path) -> None:
        target = self.path(sha256)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as f:
                os.fsync(f.fileno())
            os.replace(source, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise disk_failed(exc) from exc

    def local_path(self, sha256: str) -> Path | None:
        path = self.path(sha256)
        return path if path.is_file() else None

    def describe(self) -> str:
        return str(self.root)


def _blocks(f: IO[bytes]) -> Iterator[bytes]:
    with f:
        yield from iter(lambda: f.read(READ_BLOCK), b"")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class S3Blobs:
    """Blobs as objects `prefix/ab/cd/<sha256>` in one bucket of an S3-compatible store.

    Objects are written once and never changed (content-addressed), so whichever host
    stores a blob first, every host reads the same bytes."""

    def __init__(self, client: S3Client, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def key(self, sha256: str) -> str:
        name = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def size(self, sha256: str) -> int | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise unavailable(_code(exc)) from exc
        except BotoCoreError as exc:
            raise unavailable(type(exc).__name__) from exc
        return int(head["ContentLength"])

    def exists(self, sha256: str) -> bool:
        return self.size(sha256) is not None

    def _get(self, sha256: str) -> GetObjectOutputTypeDef | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise unavailable(_code(exc)) from exc
        except BotoCoreError as exc:
            raise unavailable(type(exc).__name__) from exc

    def read(self, sha256: str) -> bytes | None:
        from botocore.exceptions import BotoCoreError

        got = self._get(sha256)
        if got is None:
            return None
        body = got["Body"]  # not `with … as`: that yields urllib3's raw response, whose
        try:  # errors escape botocore's (and miss its check of the byte count)
            return body.read()
        except BotoCoreError as exc:  # the body broke off after the headers (a reset, a
            # stall past read_timeout): botocore retries only until the headers came
            raise unavailable(type(exc).__name__) from exc
        finally:
            body.close()

    def stream(self, sha256: str) -> tuple[int, Iterator[bytes]] | None:
        got = self._get(sha256)
        if got is None:
            return None
        body = got["Body"]

        def blocks() -> Iterator[bytes]:
            with body:
                yield from body.iter_chunks(READ_BLOCK)

        return int(got["ContentLength"]), blocks()

    def put(self, sha256: str, source: Path) -> None:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_file(
                str(source),
                self.bucket,
                self.key(sha256),
                ExtraArgs={"ContentType": "image/jpeg"},
            )
        except ClientError as exc:
            raise unavailable(_code(exc)) from exc
        except Boto3Error as exc:  # the transfer manager wraps the store's refusal (403,
            # 503 after the retries…) in S3UploadFailedError, the ClientError as its context
            raise unavailable(_code(exc.__context__ or exc)) from exc
        except (BotoCoreError, OSError) as exc:
            raise unavailable(type(exc).__name__) from exc
        try:
            source.unlink(missing_ok=True)
        except OSError as exc:  # stored all the same: the purge removes the file later
            log.warning("temp file %s kept after its upload: %s", source.name, exc)

    def local_path(self, sha256: str) -> Path | None:
        return None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def check_bucket(self) -> None:
        """Fail at start-up, not at the first photo, when the bucket cannot be reached."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise RuntimeError(f"blob store {self.describe()} unreachable: {exc}") from exc


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", "")) or type(exc).__name__


def _not_found(exc: Exception) -> bool:
    return _code(exc) in {"404", "NoSuchKey", "NotFound"}


def backend_for(settings: Settings) -> BlobBackend:
    """The backend `settings` choose: `blob_url` s3://… or the local `blobs_path`."""
    if not settings.blob_url:
        return LocalBlobs(settings.blobs_path)
    import boto3
    from botocore.config import Config

    bucket, prefix = parse_s3_url(settings.blob_url)
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key.get_secret_value() or None,
        config=Config(
            s3={"addressing_style": settings.s3_addressing_style},
            retries={"mode": settings.s3_retry_mode, "total_max_attempts": settings.s3_attempts},
            connect_timeout=settings.s3_connect_timeout,
            read_timeout=settings.s3_read_timeout,
            max_pool_connections=32,  # uploads, packs and reads run on worker threads
        ),
    )
    return S3Blobs(client, bucket, prefix)


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
    return parts.netloc, parts.path.strip("/")
