"""Argon2id at its lowest cost, in-process (tests/conftest.py) and in the `mingcha serve` /
`mingcha app` subprocesses the e2e and fault tests start (`subprocesses`).

At production cost one hash is a few hundred milliseconds of CPU: every server process pays
one at import (sync_server/org/accounts.py DUMMY_HASH), so does every app process (the CLI
imports it), and every sign-in one more. The parameters themselves are tested where they
matter: tests/server/test_auth.py (marked `real_password_hashing`) and the login storm
(`mingcha bench storm`, run small by tests/cli/test_bench_storm.py, at production cost).

Kept light: the subprocesses import it before anything of the server's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ROOT = Path(__file__).resolve().parents[1]


@cache
def cheap_hasher() -> tuple[PasswordHash, str]:
    """Argon2id at its lowest cost, and a dummy hash made with it."""
    hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return hasher, hasher.hash("timing-equaliser")


def run_mingcha() -> None:
    """`mingcha` with every hash cheap: `PasswordHash.recommended` is what accounts.py
    builds its hasher (and DUMMY_HASH) from on import, so it is replaced before that."""
    PasswordHash.recommended = classmethod(lambda cls: cheap_hasher()[0])  # type: ignore[method-assign,assignment]
    from sync_server.cli import main

    main()


@contextmanager
def subprocesses() -> Iterator[None]:
    """Within: every `mingcha` process sync_server/bench/procs.py starts hashes cheaply (the
    repository root put on its path first, whatever the directory pytest runs in)."""
    from sync_server.bench import procs

    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
    code += "from tests.cheap_hashing import run_mingcha; run_mingcha()"
    with_cheap = [sys.executable, "-c", code]
    before, procs.MINGCHA = procs.MINGCHA, with_cheap
    try:
        yield
    finally:
        procs.MINGCHA = before
