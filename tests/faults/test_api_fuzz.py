"""Schemathesis against the live server's own `/openapi.json` (sync-design §3.2, T13).

A real `mingcha serve` subprocess on loopback, seeded with the demo organisation. Every
operation in the schema is called with generated (valid and invalid) input, once as each
role — inspector, supervisor, site manager, admin — and every answer must be a non-5xx
with a documented status, content type and body (the Problem shape for errors).

Bounded for `make test`; MINGCHA_SOAK=1 generates many more cases per operation.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from sync_server.bench.procs import Proc, demo_server
from sync_server.org.demo_data import ACCOUNTS

# a pack of photos is raw bytes to the fuzzer (PROTOCOL.md, packs): random bodies probe
# its framing, which must answer 4xx, never 5xx
schemathesis.serializer.alias("application/vnd.mingcha.pack", "application/octet-stream")
SOAK = bool(os.environ.get("MINGCHA_SOAK"))  # read at import: tests run with MINGCHA_* cleared
EXAMPLES = 300 if SOAK else 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_server(
    seeded_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """The server's URL and a bearer token per role (signed in before any fuzzing, so the
    address throttle that generated failed logins trip cannot lock the roles out)."""
    root = tmp_path_factory.mktemp("fuzz")
    server: Proc = demo_server(seeded_data, root / "data", root)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MINGCHA_CONSOLE", "false")  # the API only: the console has its own tests
        server.start()
    try:
        base = server.probe.removesuffix("healthz")
        tokens = {}
        with httpx.Client(base_url=base, headers={SCHEMA_HEADER: str(SCHEMA_VERSION)}) as http:
            for account in ACCOUNTS:
                r = http.post(
                    "/v1/auth/login",
                    json={
                        "username": account.username,
                        "password": account.password,
                        "device_id": str(uuid.uuid4()),
                    },
                )
                assert r.status_code == 200, r.text
                tokens[account.role] = r.json()["token"]
        yield base, tokens
    finally:
        server.stop()
        tail = server.tail()
        assert "Traceback" not in tail, tail  # nothing blew up behind a 4xx either


@pytest.mark.timeout(3600 if SOAK else 300)
def test_every_operation_answers_as_documented_for_every_role(
    live_server: tuple[str, dict[str, str]],
) -> None:
    """Each operation gets its own Hypothesis run (valid and invalid input), so one broken
    operation does not hide another; every failure is listed at the end."""
    base, tokens = live_server
    # logout revokes the token it is called with: it would sign the roles out mid-run
    schema = schemathesis.openapi.from_url(f"{base}openapi.json").exclude(path="/v1/auth/logout")
    failures: dict[str, str] = {}
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # an operation the schema cannot describe
        operations.append(result.ok())
    assert len(operations) >= 8, [op.label for op in operations]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call_as_every_role(case: schemathesis.Case) -> None:
            for token in tokens.values():
                headers = {"Authorization": f"Bearer {token}"}
                if not (case.headers and SCHEMA_HEADER in case.headers):
                    headers[SCHEMA_HEADER] = str(SCHEMA_VERSION)
                case.call_and_validate(base_url=base.rstrip("/"), headers=headers, checks=CHECKS)

        try:
            call_as_every_role()
        except (AssertionError, BaseExceptionGroup) as exc:  # collect every operation's
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
