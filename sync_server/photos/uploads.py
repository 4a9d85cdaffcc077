"""Photo bytes in: "which are missing?", resumable uploads (tus subset), verification.

A photo row travels through push first; its bytes follow here. Only hashes referenced by
photos the caller may see are answered (no existence oracle), only a photo's uploader may
upload its bytes, and nothing is accepted before the server has re-hashed the whole file
and checked it is a complete JPEG within the pixel limit. Bytes already stored by someone
else are uploaded again all the same (proof of possession, photos.access); the stored copy
is kept and the new one discarded. No web framework in here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import read_session, write_session
from sync_server.org.scope import Actor
from sync_server.photos import access, upload_space
from sync_server.photos.jpeg_check import verify_jpeg_bytes
from sync_server.photos.store import PhotoStore, storage_failed, valid_sha
from sync_server.tables import Blob, Photo, Upload

C = ProblemCode


def missing(
    session: Session, store: PhotoStore, actor: Actor, hashes: list[str], now: datetime
) -> dict[str, Any]:
    """Which of `hashes` the caller must upload, may read, or will not be told about; and
    for the caller's own unfinished uploads, how many bytes are in (resume there: a pack
    part's `offset`). Who holds a hash besides the caller is never revealed: a hash of the
    caller's own photo is 'missing' until the caller has uploaded those bytes themselves."""
    visible, present = access.present_for(session, actor, hashes)
    ordered = list(dict.fromkeys(hashes))
    lacking = [h for h in ordered if h in visible and h not in present]
    return {
        "missing": lacking,
        "present": [h for h in ordered if h in present],
        "unknown": [h for h in ordered if h not in visible],
        "partial": _offsets(session, actor, lacking, now),
    }


def _offsets(session: Session, actor: Actor, hashes: list[str], now: datetime) -> dict[str, int]:
    if not hashes:
        return {}
    rows = session.exec(
        select(Upload.sha256, sa.func.max(Upload.offset))
        .where(
            col(Upload.sha256).in_(hashes),
            Upload.user_id == actor.user_id,
            col(Upload.completed_at).is_(None),
            Upload.expires_at > now,
            Upload.offset > 0,
        )
        .group_by(Upload.sha256)
    ).all()
    return {sha: int(offset) for sha, offset in rows}


@dataclass(frozen=True)
class UploadState:
    id: uuid.UUID
    sha256: str
    offset: int
    length: int
    expires_at: datetime
    complete: bool


def _state(u: Upload) -> UploadState:
    return UploadState(u.id, u.sha256, u.offset, u.length, u.expires_at, u.completed_at is not None)


def create_upload(
    session: Session,
    store: PhotoStore,
    settings: Settings,
    actor: Actor,
    sha256: str,
    length: int,
    now: datetime,
) -> UploadState:
    """Open (or resume) the upload of a photo's bytes; complete at once if they are here."""
    photo = (
        session.exec(
            select(Photo).where(
                Photo.sha256 == sha256,
                Photo.uploaded_by == actor.user_id,
                col(Photo.deleted_at).is_(None),
            )
        ).first()
        if valid_sha(sha256)
        else None
    )
    if photo is None:
        raise DomainError(C.BLOB_NOT_REFERENCED, sha256=sha256)
    if length != photo.byte_size or length > settings.max_photo:
        code = C.BLOB_TOO_LARGE if length > settings.max_photo else C.REQUEST_INVALID
        raise DomainError(
            code, f"length {length}, photo says {photo.byte_size}", max=settings.max_photo
        )
    if access.stored_and_held(session, actor.user_id, sha256):
        access.mark_present(session, sha256, actor.user_id, actor.device_id)
        return UploadState(uuid.uuid4(), sha256, length, length, now, True)
    # Stored but uploaded by someone else: this caller must still send the bytes (proof of
    # possession); the same answer as for bytes nobody has, so nothing is revealed.
    existing = session.exec(
        select(Upload)
        .where(
            Upload.sha256 == sha256,
            Upload.user_id == actor.user_id,
            col(Upload.completed_at).is_(None),
            Upload.expires_at > now,
        )
        .order_by(col(Upload.offset).desc())  # the furthest one, as `missing` says
    ).first()
    if existing is not None:
        return _state(existing)
    upload_space.check_quota(session, settings, actor, length, now)
    if store.free_bytes() < 2 * length:
        raise DomainError(C.SERVER_STORAGE_FAILED, "disk full", retry_after=300)
    upload = Upload(
        sha256=sha256,
        length=length,
        user_id=actor.user_id,
        device_id=actor.device_id,
        expires_at=now + timedelta(hours=settings.upload_expiry_hours),
    )
    session.add(upload)
    session.flush()
    return _state(upload)


def own_upload(session: Session, actor: Actor, upload_id: uuid.UUID, now: datetime) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None or upload.user_id != actor.user_id:
        raise DomainError(C.UPLOAD_NOT_FOUND)
    if upload.completed_at is None and upload.expires_at <= now:
        raise DomainError(C.UPLOAD_EXPIRED)
    return upload


def check_chunk(chunk: bytes, checksum: str | None) -> None:
    """`Upload-Checksum: sha256 <base64>` of this chunk, when the client sends one."""
    if not checksum:
        return
    algorithm, _, encoded = checksum.partition(" ")
    try:
        expected = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(C.UPLOAD_CHECKSUM_MISMATCH, "unreadable checksum") from None
    if algorithm.lower() != "sha256" or hashlib.sha256(chunk).digest() != expected:
        raise DomainError(C.UPLOAD_CHECKSUM_MISMATCH)


def append_chunk(
    engine: sa.Engine,
    store: PhotoStore,
    settings: Settings,
    actor: Actor,
    upload_id: uuid.UUID,
    offset: int,
    chunk: bytes,
    checksum: str | None,
    now: datetime,
) -> UploadState:
    """Append one chunk at `offset`; the last one completes and verifies the blob."""
    check_chunk(chunk, checksum)
    with read_session(engine) as session:  # no temp file for an upload that is not yours
        own_upload(session, actor, upload_id, now)
    with store.locked_temp(upload_id) as f:
        # The temp file's lock keeps every other append to this upload out until the new
        # offset is committed, so the write and its fsync run with no transaction open (on
        # SQLite a write transaction holds the one writer every push needs). A crash
        # between the fsync and the commit leaves bytes past the committed offset, which
        # the next append cuts (`_write_at`).
        with read_session(engine) as session:
            upload = own_upload(session, actor, upload_id, now)
            if upload.completed_at is not None:
                return _state(upload)
            if offset != upload.offset:
                raise DomainError(C.UPLOAD_OFFSET_MISMATCH, offset=upload.offset)
            if offset + len(chunk) > upload.length:
                raise DomainError(C.UPLOAD_TOO_LONG, length=upload.length)
        if chunk and _staged(f) < offset:
            _restart(engine, actor, upload_id, now)
        _write_at(f, offset, chunk)
        with write_session(engine) as session:
            upload = own_upload(session, actor, upload_id, now)
            upload.offset = offset + len(chunk)
            if upload.offset < upload.length:
                return _state(upload)
        return _complete(engine, store, settings, actor, upload_id, now)


def _staged(f: IO[bytes]) -> int:
    return f.seek(0, os.SEEK_END)


def _restart(engine: sa.Engine, actor: Actor, upload_id: uuid.UUID, now: datetime) -> None:
    """The bytes before the offset are not in this host's temp file: the upload began on
    another host sharing the database (temp files stay on the host that received them,
    README "Two hosts"), or its file was purged. Start again from 0, as after a hash
    mismatch; the client resumes where the answer says. (An empty last chunk is let
    through: its bytes may already be in the store, see `_complete`.)"""
    with write_session(engine) as session:
        own_upload(session, actor, upload_id, now).offset = 0
    raise DomainError(C.UPLOAD_OFFSET_MISMATCH, offset=0)


def _write_at(f: IO[bytes], offset: int, chunk: bytes) -> None:
    """Bytes past the acknowledged offset were never confirmed (a crash between the write
    and the commit): cut them before appending."""
    try:
        f.truncate(offset)
        f.seek(offset)
        f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    except OSError as exc:
        raise storage_failed(exc) from exc


def _complete(
    engine: sa.Engine,
    store: PhotoStore,
    settings: Settings,
    actor: Actor,
    upload_id: uuid.UUID,
    now: datetime,
) -> UploadState:
    with read_session(engine) as session:
        sha256 = own_upload(session, actor, upload_id, now).sha256
        holder = access.holds(session, actor.user_id, sha256)
    # Hashing up to max_photo bytes takes a while: outside any transaction, so it never
    # holds SQLite's one writer (the caller holds this upload's temp file lock).
    # A crash after `store.commit` put the bytes in the store (renamed into place, or
    # PUT) and before the commit below leaves them there and this upload unfinished; its
    # resend re-creates an empty temp file, on this host or another one sharing the
    # store. The bytes in place count (re-hashed here), not that temp, but only for a
    # caller already recorded as holding them (recorded below, before the store gets
    # them): bytes someone else placed prove nothing about this caller.
    placed = store.read_intact(sha256)
    if not (placed is not None and holder) and store.digest(upload_id) != sha256:
        with write_session(engine) as session:
            own_upload(session, actor, upload_id, now).offset = 0  # not the photo's: restart
            store.discard(upload_id)
        raise DomainError(C.BLOB_HASH_MISMATCH, sha256=sha256)
    try:
        data = placed if placed is not None else store.temp_path(upload_id).read_bytes()
        width, height = verify_jpeg_bytes(data, settings.max_image_pixels)
    except OSError as exc:
        raise storage_failed(exc) from exc
    except DomainError:
        if placed is None:  # these bytes hash right, so they will always be refused: drop them
            upload_space.forget_refused(engine, store, upload_id)
        raise
    if not holder:  # before the rename, so a crash after it still knows who proved them
        with write_session(engine) as session:
            access.record_holder(session, sha256, actor.user_id, now)
    if placed is not None:
        store.discard(upload_id)
    else:
        store.commit(upload_id, sha256)
    with write_session(engine) as session:
        upload = own_upload(session, actor, upload_id, now)
        if session.get(Blob, upload.sha256) is None:
            session.add(
                Blob(
                    sha256=upload.sha256,
                    byte_size=upload.length,
                    width=width,
                    height=height,
                    stored_at=now,
                )
            )
        upload.completed_at = now
        access.mark_present(session, upload.sha256, actor.user_id, actor.device_id)
        return _state(upload)
