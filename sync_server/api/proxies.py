"""The client's real address behind trusted reverse proxies (MINGCHA_FORWARDED_ALLOW_IPS).

Sign-in is throttled per client address. Behind a reverse proxy every request comes from
the proxy's address, so without this all clients would share one budget of failures; but
X-Forwarded-For is whatever the sender wrote, so it is believed only from a peer listed in
`forwarded_allow_ips`. The rule is uvicorn's (ProxyHeadersMiddleware): the client is the
right-most address in X-Forwarded-For that is not itself a trusted proxy. It is applied
here, in the app, rather than by uvicorn, so that it holds under any ASGI server, in tests,
and for the console's WebSocket (Flet reads the socket's client address) alike.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sync_server.core.config import Settings

log = logging.getLogger(__name__)


class TrustedProxies:
    """ASGI middleware: rewrites the client address only for a trusted peer."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        trusted = settings.forwarded_allow_ips
        self.rewrite = ProxyHeadersMiddleware(app, trusted_hosts=trusted) if trusted else None
        self.warned = False

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.rewrite is not None:
            await self.rewrite(scope, receive, send)  # type: ignore[arg-type]  # uvicorn's TypedDict scope vs Starlette's mapping: one dict
            return
        if not self.warned and scope["type"] in ("http", "websocket"):
            self._warn_if_proxied(scope)
        await self.app(scope, receive, send)

    def _warn_if_proxied(self, scope: Scope) -> None:
        if any(name == b"x-forwarded-for" for name, _ in scope.get("headers") or []):
            self.warned = True  # once per process: a hint to the operator, not a log flood
            peer = (scope.get("client") or ("?",))[0]
            log.warning(
                "X-Forwarded-For from %s ignored: if that is your reverse proxy, set "
                "MINGCHA_FORWARDED_ALLOW_IPS, or every client shares its sign-in throttle",
                peer,
            )
