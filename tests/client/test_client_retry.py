"""A request meeting a connection the server closed ("server disconnected") is sent once
more on a fresh connection — the idle keep-alive race — but a streamed pack is not (its
body is gone once read: the next sync resumes it instead)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.sync.client import PackPart, SyncClient
from fieldapp.sync.errors import Offline
from sync_server.bench.loopback import LoopbackServer

OK = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n"
    b'{"missing": [], "present": [], "unknown": []}  '
)


class HangUpFirst(LoopbackServer):
    """Reads each request; hangs up on the first `drops` connections, answers the rest."""

    def __init__(self, drops: int) -> None:
        self.drops, self.connections = drops, 0
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        self.connections += 1
        conn.recv(65536)  # the request (small)
        if self.connections > self.drops:
            conn.sendall(OK)


@pytest.fixture
def hang_up_once() -> Iterator[HangUpFirst]:
    server = HangUpFirst(drops=1)
    yield server
    server.close()


def test_a_dropped_keep_alive_is_retried_once_on_a_fresh_connection(
    hang_up_once: HangUpFirst,
) -> None:
    client = SyncClient(f"http://127.0.0.1:{hang_up_once.port}", token="t")
    assert client.missing(["ab"]).missing == []
    assert hang_up_once.connections == 2
    client.close()


def test_a_second_hang_up_is_offline() -> None:
    server = HangUpFirst(drops=2)
    client = SyncClient(f"http://127.0.0.1:{server.port}", token="t")
    with pytest.raises(Offline):
        client.missing(["ab"])
    assert server.connections == 2  # tried twice, not more
    client.close()
    server.close()


def test_a_streamed_pack_is_not_sent_twice(hang_up_once: HangUpFirst, tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 1000)
    client = SyncClient(f"http://127.0.0.1:{hang_up_once.port}", token="t")
    with pytest.raises(Offline):
        client.send_pack([PackPart("a" * 64, str(photo), 1003)], lambda n: None)
    assert hang_up_once.connections == 1
    client.close()
