"""A server restarted on its old port must be the one that answers there.

The chaos suite SIGKILLs its server and starts it again on the same port; in between the
port is free, and on a busy machine (several suites at once) another process can bind it.
The readiness probe then got 200 from that stranger, the harness went on, and the phone's
pack was answered by something that was not our server — a 2xx without `results`, the
chaos run's `KeyError: 'results'`. The probe now checks that /healthz names our process.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sync_server.bench.procs import Proc


class Stranger(BaseHTTPRequestHandler):
    """Another test's server: healthy, and answering everything with its own JSON."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"status": "ok", "pid": os.getpid(), "missing": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stranger() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stranger)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_server_whose_port_was_taken_is_not_taken_for_up(stranger: int, tmp_path: Path) -> None:
    args = ["serve", "--port", str(stranger), "--data-dir", str(tmp_path / "data")]
    proc = Proc("server", args, f"http://127.0.0.1:{stranger}/healthz", tmp_path)
    try:
        with pytest.raises(RuntimeError, match=f"answered by pid {os.getpid()}"):
            proc.start(timeout=120)
    finally:
        proc.stop()
