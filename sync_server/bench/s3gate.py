"""An HTTP-level fault layer in front of an S3-compatible server (moto, bench/s3.py): the
store's own faults, request by request, which a TCP proxy cannot aim (boto3 keeps its
connections open, so "the next connection" is not "the next request").

moto answers every request it can (it emulates no throttling and no internal errors), so
the gate answers the planned ones itself, as a real store would:

* ``error``  a canned S3 error after reading the whole request: 503 ``SlowDown`` (S3's
             throttling answer), 500 ``InternalError``, any status and code. The XML body is
             S3's (`<Error><Code>…`), `Connection: close`, nothing reaches moto.
* ``reset``  the request is read, then the connection is reset (RST): nothing answered,
             and the client cannot tell whether the store acted. With ``forward`` the
             request does reach moto first (stored, the answer lost).
* ``cut``    moto's answer is sent up to half its body, then the connection is reset: a
             GET whose body breaks off after its headers.
* ``stall``  the request is read and held unanswered for `seconds` (the client's read
             timeout must fire first), then the connection closed.
* ``slow``   answered `seconds` late (below the client's read timeout: a slow store).

Each plan matches requests by method (None: any) and applies to the next `times` of them;
unplanned requests pass to moto. `seen` counts requests by method, `acted` the faults
that acted. Stdlib only (http.server threads); one fresh connection to moto per request.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACTIONS = ("error", "reset", "cut", "stall", "slow")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "expect"}


@dataclass
class Plan:
    action: str
    times: int
    method: str | None = None  # GET, PUT, HEAD… (None: any request)
    status: int = 503
    code: str = "SlowDown"
    seconds: float = 0.0  # stall / slow
    forward: bool = False  # reset: let moto act on the request before the reset

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")


def error_xml(code: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>injected by the test gate</Message>"
        f"<RequestId>{uuid.uuid4().hex[:16]}</RequestId></Error>"
    ).encode()


class S3Gate:
    """Serves 127.0.0.1:`port`, passing requests to 127.0.0.1:`upstream_port` (moto)
    except those a plan claims. A context manager, or `start()` / `close()`."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.plans: list[Plan] = []
        self.seen: Counter[str] = Counter()
        self.acted: Counter[str] = Counter()  # "error 503", "reset", "cut"…
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> S3Gate:
        self._thread.start()
        return self

    def __enter__(self) -> S3Gate:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()  # stalled requests end now
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def plan(self, action: str, times: int = 1, **how: object) -> None:
        """The next `times` requests (of `method`, if given) meet `action`."""
        with self._lock:
            self.plans.append(Plan(action, times, **how))  # type: ignore[arg-type]

    def throttle(self, times: int, method: str | None = None) -> None:
        """503 SlowDown, S3's "reduce your request rate", for the next `times` requests."""
        self.plan("error", times, method=method, status=503, code="SlowDown")

    def heal(self) -> None:
        with self._lock:
            self.plans.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(p.times for p in self.plans)

    def claim(self, method: str) -> Plan | None:
        """The plan this request meets (one use of it), or None: pass it to moto."""
        with self._lock:
            self.seen[method] += 1
            for plan in self.plans:
                if plan.method in (None, method):
                    plan.times -= 1
                    if plan.times <= 0:
                        self.plans.remove(plan)
                    return plan
        return None

    def count(self, what: str) -> None:
        with self._lock:
            self.acted[what] += 1

    def wait(self, seconds: float) -> None:
        self._closing.wait(seconds)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a connection this gate reset on purpose ends in an error: not news


def _handler_for(gate: S3Gate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, and Expect: 100-continue handled

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the tests read `seen` and `acted`

        def _handle(self) -> None:
            if self.headers.get("Transfer-Encoding"):  # boto3 sends Content-Length (and
                # Expect: 100-continue on PUTs); a chunked body would be misread: say so
                self._error(Plan("error", 1, status=501, code="NotImplemented"))
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            plan = gate.claim(self.command)
            if plan is None:
                self._answer(*self._upstream(body))
                return
            if plan.action == "error":
                gate.count(f"error {plan.status}")
                self._error(plan)
            elif plan.action == "reset":
                if plan.forward:
                    self._upstream(body)
                gate.count("reset")
                self._reset()
            elif plan.action == "cut":
                gate.count("cut")
                self._answer(*self._upstream(body), cut=True)
            elif plan.action == "stall":
                gate.count("stall")
                gate.wait(plan.seconds)
                self.close_connection = True
            else:  # slow
                gate.count("slow")
                gate.wait(plan.seconds)
                self._answer(*self._upstream(body))

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def _upstream(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", gate.upstream_port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            finally:
                conn.close()

        def _answer(
            self, status: int, headers: list[tuple[str, str]], body: bytes, cut: bool = False
        ) -> None:
            self.send_response(status)
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            for k, v in headers:
                if k.lower() not in HOP_BY_HOP | {"date", "server"}:
                    self.send_header(k, v)
            # a HEAD's length is the object's; anything else's, the body sent
            size = length if self.command == "HEAD" and length else str(len(body))
            self.send_header("Content-Length", size)
            self.end_headers()
            if self.command == "HEAD":
                return
            if cut:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self._reset()
                return
            self.wfile.write(body)

        def _error(self, plan: Plan) -> None:
            xml = b"" if self.command == "HEAD" else error_xml(plan.code)
            self.send_response(plan.status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml)))
            if plan.status == 503:
                self.send_header("Retry-After", "1")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(xml)
            self.close_connection = True

        def _reset(self) -> None:
            with contextlib.suppress(OSError):
                linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.close()
            self.close_connection = True

    return Handler
