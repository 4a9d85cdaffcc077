"""A real local HTTP server that answers every request with exactly the bytes a test gives
it (tests/client/test_malformed_answers.py)."""

from __future__ import annotations

import socket

from sync_server.bench.loopback import LoopbackServer


class Answering(LoopbackServer):
    """Answers every request with `status`, `headers` and `body`, after reading it whole
    (request line, headers, Content-Length bytes); one request per connection."""

    def __init__(self) -> None:
        self.status, self.headers, self.body = 200, {"Content-Type": "application/json"}, b""
        self.requests = 0
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def answer(self, body: bytes | str, status: int = 200, **headers: str) -> None:
        self.status, self.body = status, body.encode() if isinstance(body, str) else body
        self.headers = {"Content-Type": "application/json", **headers}

    def handle(self, conn: socket.socket) -> None:
        method = self._read_request(conn)
        self.requests += 1
        head = [f"HTTP/1.1 {self.status} X", "Connection: close"]
        head += [f"{k.replace('_', '-')}: {v}" for k, v in self.headers.items()]
        head.append(f"Content-Length: {len(self.body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode()
        conn.sendall(raw if method == "HEAD" else raw + self.body)

    @staticmethod
    def _read_request(conn: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            piece = conn.recv(65536)
            if not piece:
                return ""
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            (
                int(v)
                for k, _, v in (x.partition(":") for x in lines[1:])
                if k.strip().lower() == "content-length"
            ),
            0,
        )
        while len(rest) < length:
            piece = conn.recv(65536)
            if not piece:
                break
            rest += piece
        return lines[0].split(" ")[0]
