"""A fault-injecting TCP proxy on loopback (Toxiproxy's toxics, stdlib threads only).

It sits between the phone's sync client and the server and decides, per accepted
connection, what goes wrong with it:

* ``delay``      every forwarded chunk waits `delay` seconds (latency, both directions)
* ``bandwidth``  each direction is capped at `rate` bytes/s
* ``drop``       the connection is closed before anything is forwarded
* ``reset``      after `at` bytes in one direction both sides get a TCP RST (SO_LINGER 0)
* ``truncate``   the first `at` response bytes pass, then both sides are closed; the cut
                 happens only once the server has answered, so the request *was* handled —
                 "the response was lost after the commit"
* ``blackhole``  accepted, read and never answered (the client's timeout must fire)

Faults come from a schedule (one Fault per connection, in order), from a fixed fault, or
at random from a seeded mix — the n-th connection's fault depends only on (seed, n), so a
run replays from its seed. `counts` says how many faults actually acted (a reset whose
byte offset the stream never reached did nothing and is not counted).

Shape mode (`shape=Shape(delay, up_bps, down_bps)`) turns the proxy into a mobile-like link
under every connection, faults or not: pipelined one-way latency and a bandwidth cap per
direction shared by all connections (sync_server/bench/shaping.py). `bytes` counts what was
delivered each way; a planned `Fault("reset", at=N, direction=UP)` cuts the next
connection after N client bytes — the bench link (sync_server/bench/link.py) is this mode.

The faults themselves (Fault, the seeded random mix) are in faults.py.
"""

from __future__ import annotations

import contextlib
import functools
import random
import select
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Self

from sync_server.bench.faults import DOWN, PASS, UP, Fault, random_fault
from sync_server.bench.shaping import BUF, Lane, Pacer, Shape, forward


class FaultProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`upstream_port`, injecting faults.

    Use as a context manager, or call `start()` / `close()`. `on_connect(n)` (optional) is
    called with each connection's number before it is served — the chaos test uses it to
    kill the server or expire a token at a chosen moment of a sync.
    """

    def __init__(
        self,
        upstream_port: int,
        seed: int = 0,
        mix: dict[str, float] | None = None,
        on_connect: Callable[[int], None] | None = None,
        shape: Shape | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.shape = shape or Shape()
        # one pacing clock per direction for the whole proxy: the link's cap is shared
        self._link = {UP: Pacer(self.shape.up_bps), DOWN: Pacer(self.shape.down_bps)}
        self.seed = seed
        self.mix: dict[str, float] | None = mix
        self.fixed: Fault | None = None
        self.schedule: list[Fault] = []
        self.on_connect = on_connect
        self.counts: Counter[str] = Counter()
        self.connections = 0
        self.bytes = Counter[str]()  # forwarded bytes per direction
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]

    # ---- configuration ------------------------------------------------------------------
    def set_fault(self, fault: Fault | None) -> None:
        """Every following connection gets `fault` (None: back to the schedule/mix)."""
        self.fixed = fault

    def plan(self, faults: Iterable[Fault]) -> None:
        """The next connections get these faults, in order (before the fixed fault or mix)."""
        with self._lock:
            self.schedule.extend(faults)

    def heal(self) -> None:
        """No more faults: every later connection passes untouched."""
        with self._lock:
            self.schedule.clear()
        self.fixed, self.mix = None, None

    def reset_bytes(self, direction: str, to: int = 0) -> None:
        """Restart the delivered-bytes counter of one direction (a bench's measuring span)."""
        with self._lock:
            self.bytes[direction] = to

    @property
    def injected(self) -> int:
        return sum(self.counts.values())

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> Self:
        self._spawn(self._accept_loop)
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        _close(self._listener)
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            _close(s)
        for t in list(self._threads):
            if t is not threading.current_thread():
                t.join(5)

    # ---- internals -----------------------------------------------------------------------
    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [x for x in self._threads if x.is_alive()]
            self._threads.append(t)
        t.start()

    def _track(self, s: socket.socket) -> socket.socket:
        with self._lock:
            self._socks.add(s)
        return s

    def _untrack(self, s: socket.socket) -> None:
        with self._lock:
            self._socks.discard(s)
        _close(s)

    def _next_fault(self, n: int) -> Fault:
        with self._lock:
            if self.schedule:
                return self.schedule.pop(0)
        if self.fixed is not None:
            return self.fixed
        return self.drawn(n)

    def drawn(self, n: int) -> Fault:
        """The mix's fault for connection `n`: a function of (seed, n) only."""
        if not self.mix:
            return PASS
        return random_fault(random.Random(f"{self.seed}:{n}"), self.mix)

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                n = self.connections
            self._spawn(self._serve, self._track(client), n)

    def _serve(self, client: socket.socket, n: int) -> None:
        try:
            if self.on_connect is not None:
                self.on_connect(n)
            fault = self._next_fault(n)
            if fault.kind == "drop":
                self._count("drop")
                return
            if fault.kind == "blackhole":
                self._count("blackhole")
                self._swallow(client)
                return
            try:
                upstream = self._track(
                    socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
                )
            except OSError:
                return  # server down: the client sees its connection closed
            upstream.settimeout(None)
            if fault.kind in ("delay", "bandwidth"):
                self._count(fault.kind)
            self._pipe(client, upstream, fault)
            self._untrack(upstream)
        finally:
            self._untrack(client)

    def _swallow(self, client: socket.socket) -> None:
        """Read whatever comes and never answer, until the client gives up or we close."""
        while not self._closing.is_set():
            ready, _, _ = select.select([client], [], [], 0.2)
            if ready:
                try:
                    if not client.recv(BUF):
                        return
                except OSError:
                    return

    def _pipe(self, client: socket.socket, upstream: socket.socket, fault: Fault) -> None:
        """Forward both directions until both sides have closed, applying the link's shape
        and `fault`; a reset or truncate acts when its byte offset is released."""
        lanes = [self._lane(client, upstream, UP, fault), self._lane(upstream, client, DOWN, fault)]
        if forward(lanes, functools.partial(self._cut, fault), self._closing, self._delivered):
            self._count(fault.kind)
            if fault.kind == "reset":
                _rst(client)
                _rst(upstream)
            # truncate: the finally-blocks close both sides with a FIN

    def _lane(self, src: socket.socket, dst: socket.socket, direction: str, fault: Fault) -> Lane:
        capped = fault.kind == "bandwidth"
        return Lane(
            src,
            dst,
            direction,
            link=self._link[direction],
            latency=self.shape.delay,
            own=Pacer(fault.rate if capped else 0),
            chunk_delay=fault.delay if fault.kind == "delay" else 0.0,
            slice=max(1, fault.rate // 20) if capped else 0,  # 50 ms slices
        )

    @staticmethod
    def _cut(fault: Fault, direction: str, done: int, size: int) -> int | None:
        """How many bytes of this block to pass before the fault acts (None: not here)."""
        if fault.kind == "reset" and direction == fault.direction and done + size > fault.at:
            return fault.at - done
        if fault.kind == "truncate" and direction == DOWN and done + size > fault.at:
            return fault.at - done
        return None

    def _delivered(self, direction: str, size: int) -> None:
        with self._lock:
            self.bytes[direction] += size


def _rst(s: socket.socket) -> None:
    """Close with SO_LINGER {on, 0}: the kernel sends RST instead of FIN."""
    with contextlib.suppress(OSError):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    _close(s)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.close()
