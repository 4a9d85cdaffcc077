"""When the fault proxy lets each forwarded byte go: link shaping and per-connection timing.

Each connection has two lanes (client → server, server → client). Bytes read from one side
wait in their lane until their release time, then go to the other side. The release time
composes two layers:

* the link (`Shape`, one per proxy): a one-way latency that is *pipelined* — bytes are
  held `delay` after they were transmitted while later bytes keep flowing, so N small
  writes cost one delay, not N — and a bandwidth cap per direction that is SHARED by every
  connection through the proxy. A phone has one radio: a client that opens four
  connections must not get four times the bandwidth. The sharing is a pacing clock per
  direction (`Pacer`: "the link is free at t", advanced under a lock), so bytes leave in
  arrival order across connections.
* the connection's own fault: `bandwidth` (a cap on this connection alone, in slices of
  50 ms) and `delay` (every chunk waits `delay` after the previous one: serial).

A lane reads at most `LIMIT` bytes ahead of what it has released — the sender's socket
buffer — so a bulk upload cannot book the link for minutes ahead of a small request.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 1024 * 1024  # bytes a lane holds before it stops reading its source
BUF = 16 * 1024  # one read; the `delay` fault waits once per chunk read

# (direction, bytes already released, size of the block due) → how many bytes of the block
# to pass before the connection is cut, or None: no cut in this block
Cut = Callable[[str, int, int], int | None]
Delivered = Callable[[str, int], None]  # (direction, bytes) after each send


@dataclass(frozen=True)
class Shape:
    """A mobile-like link: one-way latency each way, caps in bytes/s (0: uncapped)."""

    delay: float = 0.0
    up_bps: int = 0
    down_bps: int = 0


class Pacer:
    """One direction's transmitter: bytes go out one after another at `rate` (0: at once).

    Shared by every lane that uses it — that is what makes a cap a link's, not a socket's.
    """

    def __init__(self, rate: float = 0) -> None:
        self.rate = rate
        self._free_at = 0.0
        self._lock = threading.Lock()

    def reserve(self, size: int, ready: float) -> float:
        """Book the transmitter for `size` bytes ready at `ready`: when the last is out."""
        if not self.rate:
            return ready
        with self._lock:
            start = max(ready, self._free_at)
            self._free_at = start + size / self.rate
            return self._free_at


@dataclass
class Lane:
    """One direction of one connection: bytes read from `src`, each with a release time."""

    src: socket.socket
    dst: socket.socket
    direction: str
    link: Pacer  # shared by all connections (the link's cap)
    latency: float  # the link's one-way delay, pipelined
    own: Pacer  # this connection's cap (the `bandwidth` fault)
    chunk_delay: float = 0.0  # the `delay` fault: serial, per chunk
    slice: int = 0  # split chunks into pieces this big (0: whole) for smooth pacing
    queue: deque[tuple[float, bytes]] = field(default_factory=deque)
    buffered: int = 0
    sent: int = 0  # bytes released to dst so far
    last: float = 0.0  # release time of the newest piece: releases never reorder
    eof: bool = False  # src has closed its side
    shut: bool = False  # the FIN has been passed on to dst

    def admit(self, data: bytes, now: float) -> None:
        """Queue a chunk read at `now`, booking the link for it."""
        step = self.slice or len(data)
        for i in range(0, len(data), step):
            piece = data[i : i + step]
            at = self.link.reserve(len(piece), now) + self.latency
            at = max(self.own.reserve(len(piece), at), self.last)
            if i == 0:
                at += self.chunk_delay
            self.last = at
            self.queue.append((at, piece))
            self.buffered += len(piece)

    def take_due(self, now: float) -> bytes:
        """Every queued byte whose release time has come, as one block (b"": none)."""
        pieces = []
        while self.queue and self.queue[0][0] <= now:
            pieces.append(self.queue.popleft()[1])
        data = b"".join(pieces)
        self.buffered -= len(data)
        return data

    def wait(self, now: float) -> float | None:
        """Seconds until the next piece is due (None: nothing queued)."""
        return max(0.0, self.queue[0][0] - now) if self.queue else None

    @property
    def readable(self) -> bool:
        return not self.eof and self.buffered < LIMIT

    @property
    def drained(self) -> bool:
        return self.eof and not self.queue


def forward(lanes: list[Lane], cut: Cut, closing: threading.Event, delivered: Delivered) -> bool:
    """Pump `lanes` until both sides have closed, a socket fails or `closing` is set; True
    when `cut` ended it (its bytes are sent; closing the sockets is the caller's job).

    One thread per connection: release what is due, wait for the next release or the next
    readable byte, read — so a lane's pipelined latency costs no thread per chunk."""
    for lane in lanes:  # small writes go out when released, not when Nagle says
        with contextlib.suppress(OSError):
            lane.src.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while not closing.is_set():
        now = time.monotonic()
        for lane in lanes:
            outcome = _release(lane, now, cut, delivered)
            if outcome != "open":
                return outcome == "cut"
        if all(lane.drained for lane in lanes):
            return False
        waits = [w for lane in lanes if (w := lane.wait(now)) is not None]
        try:
            ready, _, _ = select.select(
                [lane.src for lane in lanes if lane.readable], [], [], min([0.2, *waits])
            )
        except (OSError, ValueError):  # a socket closed under us (the proxy is closing)
            return False
        for lane in lanes:
            if lane.src in ready and not _read(lane):
                return False
    return False


def _read(lane: Lane) -> bool:
    try:
        data = lane.src.recv(BUF)
    except OSError:
        return False
    if data:
        lane.admit(data, time.monotonic())
    else:
        lane.eof = True
    return True


def _release(lane: Lane, now: float, cut: Cut, delivered: Delivered) -> str:
    """Send what is due on `lane`: "open", "cut" (the cut's bytes sent) or "failed"."""
    data = lane.take_due(now)
    keep = cut(lane.direction, lane.sent, len(data)) if data else None
    if keep is not None:
        if keep:
            _send(lane, data[:keep], delivered)
        return "cut"
    if data and not _send(lane, data, delivered):
        return "failed"
    if lane.drained and not lane.shut:  # half-close: pass the FIN on after the data
        lane.shut = True
        with contextlib.suppress(OSError):
            lane.dst.shutdown(socket.SHUT_WR)
    return "open"


def _send(lane: Lane, data: bytes, delivered: Delivered) -> bool:
    try:
        lane.dst.sendall(data)
    except OSError:
        return False
    lane.sent += len(data)
    delivered(lane.direction, len(data))
    return True
