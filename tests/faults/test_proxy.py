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

from sync_server.bench.faults import DEFAULT_MIX, DOWN, UP, Fault
from sync_server.bench.link import ShapedLink
from sync_server.bench.proxy import FaultProxy
from sync_server.bench.shaping import Shape


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
            # a thread per connection: concurrent clients are served concurrently
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
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

    def wait_for(self, connections: int) -> None:
        deadline = time.monotonic() + 5
        while len(self.received) < connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) >= connections, self.received

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
    upstream.wait_for(1)  # it records a connection after answering it
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
    upstream.wait_for(1)  # it records a connection after answering it
    assert upstream.received == [at]  # exactly `at` bytes got through
    if at:  # the server's read failed with a reset, not a clean end of stream
        assert upstream.errors == ["ConnectionResetError"]
    assert proxy.counts["reset"] == 1


def test_reset_in_the_response_cuts_it_at_the_offset(upstream: Upstream) -> None:
    with FaultProxy(upstream.port) as proxy:
        proxy.set_fault(Fault("reset", at=20_000, direction=DOWN))
        got, end = exchange(proxy.port, PAYLOAD)
    assert end == "reset" and len(got) <= 20_000
    upstream.wait_for(1)  # it records a connection after answering it
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
    upstream.wait_for(1)  # it records a connection after answering it
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


# ---- shape mode: the bench's mobile-like link ------------------------------------------------


def test_a_shaped_link_shares_its_cap_between_connections(upstream: Upstream) -> None:
    """Two concurrent uploads through one capped link take as long as one carrying both:
    a client cannot buy bandwidth by opening more connections."""
    upstream.expect, upstream.reply = 250_000, 10
    rate = 500_000
    with FaultProxy(upstream.port, shape=Shape(up_bps=rate)) as proxy:
        results: list[tuple[bytes, str]] = []
        clients = [
            threading.Thread(target=lambda: results.append(exchange(proxy.port, b"q" * 250_000)))
            for _ in range(2)
        ]
        start = time.monotonic()
        for t in clients:
            t.start()
        for t in clients:
            t.join(10)
        took = time.monotonic() - start
    assert results == [(b"r" * 10, "eof")] * 2 and upstream.received == [250_000] * 2
    # 500 kB at 500 kB/s: ≥ 1 s shared; a cap per connection would finish both in ~0.5 s
    assert took >= 0.8 * 500_000 / rate
    assert proxy.bytes == {UP: 500_000, DOWN: 20} and proxy.injected == 0


def send_in_pieces(port: int, pieces: int, size: int, gap: float) -> tuple[bytes, float]:
    """Write `pieces` small pieces `gap` apart, read the answer to EOF: (answer, seconds)."""
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each piece its own segment
        start = time.monotonic()
        for _ in range(pieces):
            s.sendall(b"q" * size)
            time.sleep(gap)
        while data := s.recv(65536):
            got += data
        return got, time.monotonic() - start


def test_shaped_latency_is_pipelined_not_paid_per_chunk(upstream: Upstream) -> None:
    upstream.expect, upstream.reply = 10 * 100, 100
    with FaultProxy(upstream.port, shape=Shape(delay=0.2)) as proxy:
        got, took = send_in_pieces(proxy.port, pieces=10, size=100, gap=0.01)
    assert got == b"r" * 100 and upstream.received == [1000]
    # one delay up and one down (+ the 0.1 s of gaps) ≈ 0.5 s; per-chunk delays would be
    # ≥ 2 s (ten pieces, 0.2 s each): the bound is that, so only load slower than 4× fails
    assert 0.4 <= took < 2.0


def test_a_shaped_link_cuts_the_next_connection_after_n_client_bytes(
    upstream: Upstream,
) -> None:
    link = ShapedLink(upstream.port, Shape(delay=0.01, up_bps=2_000_000, down_bps=2_000_000))
    try:
        link.cut_up_after = 30_000
        assert link.cut_up_after == 30_000
        got, end = exchange(link.port, PAYLOAD)
        upstream.wait_for(1)
        assert (got, end) == (b"", "reset")
        assert upstream.received == [30_000] and upstream.errors == ["ConnectionResetError"]
        assert (link.bytes_up, link.cuts, link.cut_up_after) == (30_000, 1, None)

        link.bytes_up = 0  # the bench restarts its count; the cut was for one connection only
        got, end = exchange(link.port, PAYLOAD)
        upstream.wait_for(2)
        assert (len(got), end) == (50_000, "eof") and upstream.received[1] == 100_000
        assert (link.bytes_up, link.bytes_down, link.cuts) == (100_000, 50_000, 1)
    finally:
        link.stop()
