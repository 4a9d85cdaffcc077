"""Server settings, read from MINGCHA_* environment variables (pydantic-settings).

Embedded default: everything under one data directory — SQLite at DATA_DIR/central.db and
photos under DATA_DIR/blobs. Production sets MINGCHA_DATABASE_URL=postgresql+psycopg://…,
and several hosts share photos through MINGCHA_BLOB_URL=s3://bucket/prefix (README, "Two hosts").
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fieldcore.protocol import SCHEMA_VERSION


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINGCHA_", extra="ignore")

    data_dir: Path = Path("var/server")
    console: bool = True  # serve the supervisor console under /console (needs flet-web)
    database_url: str = ""  # empty: sqlite:///DATA_DIR/central.db
    blob_dir: Path | None = None  # None: DATA_DIR/blobs (with blob_url: temp uploads only)
    # Finished photos in an S3-compatible object store (photos/backends.py), shared by
    # every host: s3://bucket/prefix. Empty: in blob_dir on this host's disk.
    blob_url: str = ""
    s3_endpoint_url: str = ""  # empty: AWS; e.g. http://minio.internal:9000
    s3_region: str = ""  # empty: boto3's own (AWS_DEFAULT_REGION, ~/.aws/config)
    s3_access_key_id: str = ""  # empty: boto3's own chain (AWS_* variables, instance role…)
    s3_secret_access_key: SecretStr = SecretStr("")
    s3_addressing_style: Literal["auto", "path", "virtual"] = "path"  # path: MinIO & co.
    # How long one store request may take (photos/backends.py says why these bounds): a
    # request waits at most s3_connect_timeout to connect and s3_read_timeout for each
    # answer byte, and is tried s3_attempts times in all (throttling, 5xx, resets, timeouts)
    # with botocore's s3_retry_mode backoff, so a stalled store frees the worker thread.
    s3_connect_timeout: float = Field(5.0, gt=0, le=120)
    s3_read_timeout: float = Field(10.0, gt=0, le=600)
    s3_attempts: int = Field(3, ge=1, le=10)
    s3_retry_mode: Literal["standard", "adaptive"] = "standard"

    @field_validator("blob_url")
    @classmethod
    def _s3_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme != "s3" or not parts.netloc):
            raise ValueError(f"blob_url must be s3://bucket/prefix, not {value!r}")
        return value

    # PostgreSQL connections per worker process (core/db.py): db_pool_size kept open, at
    # most db_max_overflow more during a burst (closed again when it ends). Every open
    # connection is a PostgreSQL backend: keep workers × (pool + overflow) below the
    # server's max_connections.
    db_pool_size: int = Field(10, ge=1, le=200)
    db_max_overflow: int = Field(20, ge=0, le=200)

    # protocol window: requests stating another schema version are refused
    schema_min: int = SCHEMA_VERSION
    schema_max: int = SCHEMA_VERSION

    # request limits (bytes) — bad input is refused before it is parsed
    max_json_body: int = Field(8 * 1024 * 1024, ge=1024)
    max_chunk: int = Field(4 * 1024 * 1024, ge=1024)
    max_photo: int = Field(25 * 1024 * 1024, ge=1024)
    max_pack: int = Field(64 * 1024 * 1024, ge=1024)  # one pack of photos (streamed, not held)
    max_mutations: int = Field(1000, ge=1, le=1000)
    max_pull_limit: int = Field(2000, ge=1)
    max_image_pixels: int = Field(60_000_000, ge=1)  # Pillow's bomb guard, below its default

    # accounts
    token_days: int = Field(30, ge=1)
    upload_expiry_hours: int = Field(72, ge=1)
    # bytes: the declared lengths of one user's unfinished uploads (upload_space.py);
    # ten full-size photos in flight — a phone sends one at a time
    upload_quota: int = Field(256 * 1024 * 1024, ge=1024)
    # seconds between purges of abandoned uploads and orphan temp files (upkeep.py)
    upload_purge_interval: int = Field(3600, ge=1)

    @model_validator(mode="after")
    def _quota_fits_a_photo(self) -> Settings:
        if self.upload_quota < self.max_photo:
            raise ValueError("upload_quota must be at least max_photo")
        return self

    # sign-in throttling (PROTOCOL.md, Login). Per user: this many consecutive failures are
    # answered at once; after that each attempt waits base·2^(failures − max) seconds after
    # the last failure, at most delay_max: a locked-out user gets in after a short wait, a
    # guesser gets one try per delay_max. A success ends the run of failures; failures
    # older than streak_seconds no longer count.
    login_max_failures: int = Field(5, ge=1)
    login_delay_base_seconds: int = Field(1, ge=1)
    login_delay_max_seconds: int = Field(300, ge=1)
    login_streak_seconds: int = Field(86_400, ge=1)
    # Per client address: at most this many failures (any usernames) in the window.
    login_address_max_failures: int = Field(20, ge=1)
    login_window_seconds: int = Field(900, ge=1)
    # Threads per worker process that check passwords (argon2: ~0.1–0.5 s of CPU and 64 MB
    # each), so a login storm cannot take the threads or CPUs pushes need. 0: half the CPUs.
    password_check_threads: int = Field(0, ge=0, le=64)
    # Reverse proxies whose X-Forwarded-For names the real client (comma-separated
    # addresses or networks, e.g. "127.0.0.1,10.0.0.0/8"; "*" trusts every peer). Empty:
    # trust none, the peer's own address is the client's.
    forwarded_allow_ips: str = ""

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return ",".join(entries)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'central.db'}"

    @property
    def blobs_path(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")
