"""A shaped loopback link for the sync benches: one-way latency, a bandwidth cap per
direction, byte counters, and an optional cut (TCP RST) after N client bytes.

Unlike the fault proxy's per-chunk `delay` (tests/faults/proxy.py), latency here is a
pipeline: each chunk is held until `delay` after it arrived, while later chunks keep
flowing, and the cap paces the sending — so a 3 MB upload takes about size/rate + RTT, as
on a real mobile link, not one delay per 16 KB chunk.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
import time

BUF = 64 * 1024
LINGER_RST = struct.pack("ii", 1, 0)  # close() then sends RST, not FIN


class ShapedLink:
    def __init__(self, target_port: int, delay: float, up_bps: int, down_bps: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.delay, self.up_bps, self.down_bps = delay, up_bps, down_bps
        self.bytes_up = self.bytes_down = 0
        self.cut_up_after: int | None = None  # the next connection is reset after this many
        self.cuts = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._listener.close()
        with self._lock:
            conns, self._open = list(self._open), set()
        for s in conns:
            s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                cut, self.cut_up_after = self.cut_up_after, None
            with self._lock:
                self._open.update((client, upstream))
            pair = (client, upstream)
            self._pipe(client, upstream, self.up_bps, "up", cut, pair)
            self._pipe(upstream, client, self.down_bps, "down", None, pair)

    def _pipe(
        self,
        src: socket.socket,
        dst: socket.socket,
        rate: int,
        direction: str,
        cut: int | None,
        pair: tuple[socket.socket, socket.socket],
    ) -> None:
        held: queue.Queue[tuple[float, bytes]] = queue.Queue()

        def read() -> None:
            while True:
                try:
                    data = src.recv(BUF)
                except OSError:
                    data = b""
                held.put((time.monotonic(), data))
                if not data:
                    return

        def write() -> None:
            sent = 0
            while True:
                arrived, data = held.get()
                if not data:
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    return
                wait = arrived + self.delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if cut is not None and sent + len(data) >= cut:
                    data = data[: max(0, cut - sent)]
                    self._send(dst, data, direction)
                    self.cuts += 1
                    for s in pair:  # RST both ways: a dead zone mid-upload
                        with contextlib.suppress(OSError):
                            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
                            s.close()
                    return
                if not self._send(dst, data, direction):
                    return
                sent += len(data)
                time.sleep(len(data) / rate)  # serialization time at the capped rate

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()

    def _send(self, dst: socket.socket, data: bytes, direction: str) -> bool:
        try:
            dst.sendall(data)
        except OSError:
            return False
        with self._lock:
            if direction == "up":
                self.bytes_up += len(data)
            else:
                self.bytes_down += len(data)
        return True
