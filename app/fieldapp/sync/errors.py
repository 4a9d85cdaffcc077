"""What can go wrong talking to the server, as the sync engine and the UI see it.

The HTTP library's exceptions never leave fieldapp.sync.client: they become these, each
with a stable problem code for the message shown to the inspector.
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base: `code` is a fieldcore problem code or one of the client codes below."""

    retry = True  # whether trying again later may succeed

    def __init__(self, code: str, message: str = "", details: dict[str, Any] | None = None):
        self.code, self.message, self.details = code, message, details or {}
        super().__init__(f"{code}: {message}" if message else code)


class Offline(SyncError):
    """No route to the server (no signal, DNS, refused, timed out)."""

    def __init__(self, message: str = "") -> None:
        super().__init__("client.offline", message)


class AuthExpired(SyncError):
    """The token expired or was revoked: sign in again (nothing local is lost)."""

    retry = False


class ServerBusy(SyncError):
    """5xx or 429: the server asks to come back later."""


class Rejected(SyncError):
    """The server refused the request itself (a 4xx other than auth): a bug or a version
    mismatch; retrying the same request will not help."""

    retry = False


class BadAnswer(SyncError):
    """A 2xx answer that does not follow the protocol (a body that does not validate, a
    missing or wrong header, an undecodable encoding). Transient: a middlebox, a cut or a
    server mid-upgrade can cause it, and every request is safe to send again, so the sync
    stops here and the next one — after the runner's backoff — starts over."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__("client.bad_answer", f"{what}: {why}", {"request": what})
