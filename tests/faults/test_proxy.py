"""The fault proxy itself: each fault does what it says, measured on real loopback sockets.

The upstream is a tiny TCP server that reads a request of known length, answers with a
known number of bytes and records what it received — so each test can see both ends.
Timing is only ever checked against generous lower bounds.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.faults.proxy import DEFAULT_MIX, DOWN, UP, Fault, FaultProxy


@dataclass
class Upstream:
    """Reads `expect` bytes per connection, then answers `reply` bytes and closes."""

    expect: int
    reply: int
    received: list[int] = field(default_factory=list)  # bytes read, per connection
    errors: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                got = 0
                try:
                    while got < self.expect:
                        data = conn.recv(65536)
                        if not data:
                            break
                        got += len(data)
                    if got >= self.expect:
                        conn.sendall(b"r" * self.reply)
                except OSError as exc:
                    self.errors.append(type(exc).__name__)
                self.received.append(got)
                self.done.set()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream(expect=100_000, reply=50_000)
    yield server
    server.close()


def exchange(port: int, payload: bytes, timeout: float = 10) -> tuple[bytes, str]:
    """Send `payload`, read until EOF: (bytes received, how it ended)."""
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(payload)
            while True:
                data = s.recv(65536)
                if not data:
                    return got, "eof"
                got += data
        except ConnectionResetError:
            return got, "reset"
        except BrokenPipeError:
            return got, "reset"
        except TimeoutError:
            return got, "timeout"


PAYLOAD = b"q" * 100_000


def test_passes_bytes_untouched_both_ways(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        got, end = exchange(proxy.port, PAYLOAD)
    assert (len(got), end) == (50_000, "eof")
    assert upstream.received == [100_000]
    assert proxy.injected == 0 and proxy.bytes == {UP: 100_000, DOWN: 50_000}


def test_delay_holds_every_chunk_back(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("delay", delay=0.1))
        start = time.monotonic()
        got, end = exchange(proxy.port, PAYLOAD)
        took = time.monotonic() - start
    assert (len(got), end) == (50_000, "eof")
    assert took >= 0.2  # at least one delayed chunk each way
    assert proxy.counts["delay"] == 1


def test_bandwidth_caps_both_directions(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("bandwidth", rate=200_000))
        start = time.monotonic()
        got, _ = exchange(proxy.port, PAYLOAD)
        took = time.monotonic() - start
    assert len(got) == 50_000 and upstream.received == [100_000]
    assert took >= 0.6  # 150 kB at 200 kB/s is 0.75 s; uncapped loopback takes ~1 ms


def test_drop_closes_before_anything_is_forwarded(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("drop"))
        got, end = exchange(proxy.port, b"hello")
        assert got == b"" and end in ("eof", "reset")
        time.sleep(0.2)
    assert upstream.received == []  # the server never saw a connection
    assert proxy.counts["drop"] == 1


@pytest.mark.parametrize("at", [0, 1, 30_000])
def test_reset_upstream_at_a_byte_offset_sends_rst_to_both_sides(
    upstream: Upstream, at: int
) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("reset", at=at, direction=UP))
        got, end = exchange(proxy.port, PAYLOAD)
        assert upstream.done.wait(5)
    assert (got, end) == (b"", "reset")
    assert upstream.received == [at]  # exactly `at` bytes got through
    if at:  # the server's read failed with a reset, not a clean end of stream
        assert upstream.errors == ["ConnectionResetError"]
    assert proxy.counts["reset"] == 1


def test_reset_in_the_response_cuts_it_at_the_offset(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("reset", at=20_000, direction=DOWN))
        got, end = exchange(proxy.port, PAYLOAD)
    assert end == "reset" and len(got) <= 20_000
    assert upstream.received == [100_000]  # the request was whole: the server handled it


def test_a_reset_beyond_the_stream_does_nothing_and_is_not_counted(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("reset", at=10**9, direction=UP))
        got, end = exchange(proxy.port, PAYLOAD)
    assert (len(got), end) == (50_000, "eof") and proxy.injected == 0


@pytest.mark.parametrize("at", [0, 777])
def test_truncate_passes_the_request_and_only_the_start_of_the_response(
    upstream: Upstream, at: int
) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("truncate", at=at))
        got, end = exchange(proxy.port, PAYLOAD)
    assert upstream.received == [100_000]  # the server saw the whole request (and answered)
    assert (len(got), end) == (at, "eof")
    assert proxy.counts["truncate"] == 1


def test_blackhole_accepts_and_never_answers(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("blackhole"))
        got, end = exchange(proxy.port, b"hello", timeout=0.5)
        assert (got, end) == (b"", "timeout")
    assert upstream.received == [] and proxy.counts["blackhole"] == 1


def test_a_schedule_is_served_in_order_before_the_fixed_fault(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.plan([Fault("drop"), Fault("truncate", at=5)])
        assert exchange(proxy.port, PAYLOAD)[0] == b""
        assert exchange(proxy.port, PAYLOAD)[0] == b"rrrrr"
        assert len(exchange(proxy.port, PAYLOAD)[0]) == 50_000  # schedule used up: pass
    assert proxy.counts == {"drop": 1, "truncate": 1}


def test_a_server_that_is_down_looks_like_a_closed_connection() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with FaultProxy(dead) as proxy:
        got, end = exchange(proxy.port, b"hello")
    assert got == b"" and end in ("eof", "reset")


def test_random_faults_replay_from_the_seed() -> None:
    a, b, c = (FaultProxy(1, seed=s, mix=DEFAULT_MIX) for s in (7, 7, 8))
    try:
        first = [a.drawn(n) for n in range(1, 200)]
        assert first == [b.drawn(n) for n in range(1, 200)]
        assert first != [c.drawn(n) for n in range(1, 200)]
        assert {f.kind for f in first} == set(DEFAULT_MIX)  # every kind is drawn
    finally:
        for p in (a, b, c):
            p.close()


def test_counts_add_up_over_many_random_connections(upstream: Upstream) -> None:
    upstream.expect, upstream.reply = 2_000, 2_000
    mix = {k: v for k, v in DEFAULT_MIX.items() if k != "blackhole"}
    with FaultProxy(upstream.port, seed=3, mix=mix) as proxy:
        ends = [exchange(proxy.port, b"q" * 2_000, timeout=5)[1] for _ in range(40)]
    assert "timeout" not in ends
    assert proxy.connections == 40
    acting = [proxy.drawn(n) for n in range(1, 41)]
    # every drawn drop, delay, bandwidth and truncate acted; resets only where reached
    for kind in ("drop", "delay", "bandwidth", "truncate"):
        assert proxy.counts[kind] == sum(f.kind == kind for f in acting), kind
    assert proxy.counts["reset"] <= sum(f.kind == "reset" for f in acting)
