"""A one-thread TCP server on 127.0.0.1: the far end of a bench's plain-copy baseline and
of the tests' hand-written HTTP answers (tests/client). Subclasses say what to do with one
connection; the accept loop, the port and a clean close live here once."""

from __future__ import annotations

import contextlib
import socket
import threading


class LoopbackServer:
    """Accepts connections one at a time and hands each to `handle`, until `close`.

    A subclass sets its own attributes before calling `super().__init__()`: the serving
    thread starts here and may handle a connection at once."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            with conn:
                self.handle(conn)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self.sock.close()
        self._thread.join(5)
