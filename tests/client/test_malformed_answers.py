"""A 2xx answer that does not follow the protocol — a missing key, a wrong type, no JSON at
all, a missing `Upload-Offset`, a body its Content-Encoding does not describe — is a
transient failure the phone names (`client.bad_answer`) and retries later, for every call
the phone makes: never a KeyError or a ValidationError out of the sync.

The answers come from a real local HTTP server that says exactly the bytes a test gives it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fieldapp.store import Store
from fieldapp.sync.client import PackPart, SyncClient
from fieldapp.sync.downloads import Media
from fieldapp.sync.engine import run_sync
from fieldapp.sync.errors import BadAnswer, SyncError
from fieldapp.sync.runner import SyncRunner
from fieldapp.text import Text
from fieldapp.ui.widgets import sync_line
from fieldcore.protocol import PushRequest
from tests.client.answering import Answering

SHA = "a" * 64
UPLOAD = str(uuid.UUID(int=7))


@pytest.fixture
def server() -> Iterator[Answering]:
    answering = Answering()
    yield answering
    answering.close()


@pytest.fixture
def client(server: Answering) -> Iterator[SyncClient]:
    made = SyncClient(server.url, token="t", timeout=5)
    yield made
    made.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "p.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"x" * 1000)
    return path


def _calls(photo: Path) -> dict[str, Callable[[SyncClient], Any]]:
    """Every request the phone makes, as the sync engine and the sign-in make them."""
    return {
        "login": lambda c: c.login("insp1", "pw", uuid.uuid4()),
        "push": lambda c: c.push(PushRequest(mutations=[])),
        "pull": lambda c: c.pull(0, None),
        "missing": lambda c: c.missing([SHA]),
        "pack": lambda c: c.send_pack([PackPart(SHA, str(photo), 1003)], lambda n: None),
        "upload create": lambda c: c.create_upload(SHA, 1003),
        "upload chunk": lambda c: c.upload_chunk(UPLOAD, 0, b"x" * 10),
        "upload offset": lambda c: c.upload_offset(UPLOAD),
        "download": lambda c: b"".join(c.download(SHA)),
    }


JSON_CALLS = ["login", "push", "pull", "missing", "pack", "upload create"]
# bodies that are JSON but not the answer, or not JSON at all
WRONG_BODIES = [
    "{}",
    "[]",
    "null",
    '"results"',
    '{"results": "x"}',
    '{"results": [{"sha256": 1}]}',
    '{"missing": null, "present": [], "unknown": []}',
    '{"token": "t"',  # cut off
    "<html>gateway</html>",
    "",
]


@pytest.mark.parametrize("body", WRONG_BODIES)
@pytest.mark.parametrize("call", JSON_CALLS)
def test_a_2xx_body_that_is_not_the_answer_is_a_bad_answer(
    server: Answering, client: SyncClient, photo: Path, call: str, body: str
) -> None:
    server.answer(body, status=201 if call == "upload create" else 200)
    with pytest.raises(BadAnswer) as caught:
        _calls(photo)[call](client)
    assert caught.value.code == "client.bad_answer" and caught.value.retry
    assert caught.value.details == {"request": call}


def test_the_pack_answer_that_crashed_the_chaos_run_is_a_bad_answer(
    server: Answering, client: SyncClient, photo: Path
) -> None:
    """What the chaos run's phone got for a pack: a 2xx without `results` (here the answer
    `missing` gives). It used to end the sync with KeyError: 'results'."""
    server.answer('{"missing": [], "present": ["' + SHA + '"], "unknown": [], "partial": {}}')
    with pytest.raises(BadAnswer, match="pack"):
        client.send_pack([PackPart(SHA, str(photo), 1003)], lambda n: None)


@pytest.mark.parametrize("offset", [None, "", "abc", "-5", "1.5", "²"])
@pytest.mark.parametrize("call", ["upload chunk", "upload offset"])
def test_an_upload_answer_without_a_byte_offset_is_a_bad_answer(
    server: Answering, client: SyncClient, photo: Path, call: str, offset: str | None
) -> None:
    headers = {} if offset is None else {"Upload_Offset": offset}
    server.answer(b"", status=204 if call == "upload chunk" else 200, **headers)
    with pytest.raises(BadAnswer):
        _calls(photo)[call](client)


@pytest.mark.parametrize("call", [*JSON_CALLS, "upload chunk", "download"])
def test_a_body_its_content_encoding_does_not_describe_is_a_bad_answer(
    server: Answering, client: SyncClient, photo: Path, call: str
) -> None:
    """A body that cannot be decoded (a middlebox's doing) cannot be read."""
    server.answer(b"not gzip at all", Content_Encoding="gzip", Upload_Offset="10")
    with pytest.raises(BadAnswer):
        _calls(photo)[call](client)


@pytest.mark.parametrize("call", [*JSON_CALLS, "upload chunk", "upload offset", "download"])
@pytest.mark.parametrize("status", [300, 302])
def test_an_answer_that_is_neither_2xx_nor_an_error_is_a_bad_answer(
    server: Answering, client: SyncClient, photo: Path, call: str, status: int
) -> None:
    """No route of the sync server answers 3xx (and the phone follows no redirect):
    an answer like that came from something else on the way."""
    server.answer("{}", status=status, Location="http://elsewhere/", Upload_Offset="10")
    with pytest.raises(BadAnswer):
        _calls(photo)[call](client)


def test_a_problem_body_of_the_wrong_shape_still_names_the_status(
    server: Answering, client: SyncClient
) -> None:
    """An error answer whose body is not `{code, message, details}` (code a list, details a
    string) is still an error the phone can act on: named by its HTTP status."""
    server.answer('{"code": ["x"], "details": "y"}', status=409)
    with pytest.raises(SyncError) as caught:
        client.missing([SHA])
    assert caught.value.code == "http.409" and caught.value.details == {}


def test_a_mutation_gap_without_where_to_resume_does_not_loop(
    server: Answering, client: SyncClient, tmp_path: Path
) -> None:
    """`sync.mutation_gap` must say where to resend from; without it (or the same gap again
    after the resend) the push stops with a bad answer instead of resending forever."""
    store = _store(tmp_path)
    _queue_a_change(store)
    server.answer('{"code": "sync.mutation_gap", "details": {"expected": "x"}}', status=409)
    with pytest.raises(BadAnswer):
        run_sync(store, client)
    server.answer('{"code": "sync.mutation_gap", "details": {"expected": 1}}', status=409)
    before = server.requests
    with pytest.raises(BadAnswer):
        run_sync(store, client)
    assert server.requests - before == 2  # the push, and its resend from 1: no more
    store.close()


def test_a_bad_answer_stops_the_sync_shows_words_and_backs_off(
    server: Answering, tmp_path: Path
) -> None:
    """The whole loop: the sync stops with `client.bad_answer` (nothing raised past the
    runner), the inspector reads why in words, and the next try waits longer."""
    store = _store(tmp_path)
    server.answer('{"changes": "none"}')
    runner = SyncRunner(store, lambda: SyncClient(server.url, token="t", timeout=5))

    async def twice() -> list[float]:
        delays = [runner.next_delay()]
        for _ in range(2):
            assert await runner.sync_now() is None
            delays.append(runner.next_delay())
        return delays

    delays = asyncio.run(twice())
    assert runner.state.error_code == "client.bad_answer" and not runner.state.needs_login
    assert delays[1] < delays[2] <= 8 * 1.25 and delays[0] >= 30 * 0.75  # 2 s, 4 s … backoff
    zh, en = Text("zh"), Text("en")
    status = store.sync_status()
    assert "服务器的回复无法识别" in sync_line(status, runner.state, zh)
    assert "could not be read" in sync_line(status, runner.state, en)
    assert store.sync_status().last_error.startswith("client.bad_answer: pull")
    store.close()


def test_an_evidence_download_of_the_wrong_bytes_is_not_an_exception(
    server: Answering, client: SyncClient, tmp_path: Path
) -> None:
    """A 200 whose bytes are not the photo (a JSON body, a page) is recorded as a corrupt
    download and the sync goes on; nothing is kept."""
    from fieldapp.store.evidence import DownloadJob
    from fieldapp.sync import downloads
    from fieldapp.sync.engine import SyncProgress

    server.answer('{"results": []}')
    media = Media(tmp_path / "photos", tmp_path / "thumbs")
    media.blob_dir.mkdir()
    job = DownloadJob(sha256=SHA, byte_size=1000, path="", thumb_path="")
    with pytest.raises(downloads.CorruptDownload):
        downloads._fetch_one(
            None,  # type: ignore[arg-type]
            client,
            media,
            job,
            SyncProgress(),
            lambda p: None,
        )
    assert [p for p in media.blob_dir.rglob("*") if p.is_file()] == []


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "app.db")
    store.enroll("http://x", _login(store.device_id()))
    return store


def _login(device: uuid.UUID) -> Any:
    from fieldcore.protocol import LoginResponse

    now = datetime.now(UTC).isoformat()
    return LoginResponse.model_validate_json(
        json.dumps(
            {
                "token": "t",
                "expires_at": now,
                "device_id": str(device),
                "last_mutation_seq": 0,
                "user": {
                    "id": str(uuid.uuid4()),
                    "username": "insp1",
                    "display_name": "I",
                    "role": "inspector",
                },
                "server_time": now,
                "schema_versions": [1, 1],
            }
        )
    )


def _queue_a_change(store: Store) -> None:
    """One pending change in the outbox, as editing a visit's note would queue."""
    from fieldapp.store.db import transaction
    from fieldapp.store.tables import Outbox

    with transaction(store.engine) as s:
        s.add(
            Outbox(
                entity="visit",
                entity_id=uuid.uuid4(),
                fields={"note": "x"},
                created_at=datetime.now(UTC),
            )
        )
