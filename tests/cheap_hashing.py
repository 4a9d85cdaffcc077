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


def make_every_hash_cheap() -> None:
    """`PasswordHash.recommended` is what accounts.py builds its hasher (and DUMMY_HASH) from
    on import, so it is replaced before that."""
    PasswordHash.recommended = classmethod(lambda cls: cheap_hasher()[0])  # type: ignore[method-assign,assignment]


def run_mingcha() -> None:
    """`mingcha` with every hash cheap."""
    make_every_hash_cheap()
    from sync_server.cli import main

    main()


@contextmanager
def subprocesses() -> Iterator[None]:
    """Within: every `mingcha` process sync_server/bench/procs.py starts hashes cheaply (the
    repository root put on its path first, whatever the directory pytest runs in)."""
    from sync_server.bench import procs

    code = f"import sys, runpy; sys.path.insert(0, {str(ROOT)!r}); "
    code += "runpy.run_module('tests.cheap_hashing', run_name='__main__', alter_sys=True)"
    with_cheap = [sys.executable, "-c", code]
    before, procs.MINGCHA = procs.MINGCHA, with_cheap
    try:
        yield
    finally:
        procs.MINGCHA = before


# Run as the main module (`subprocesses`), not from `-c` code: the workers of `mingcha serve
# --workers N` (B3 on PostgreSQL) are spawned interpreters that import the parent's main
# module by name, as __mp_main__, before the app. From `-c` there was no module to import,
# so each worker hashed at production cost: its DUMMY_HASH, and at the first sign-in a
# rehash of the cheap seeded hash to production cost, stored, so every later sign-in
# verified at that cost (0.19 s of CPU a hash on this machine; B3 signs in 14 times).
if __name__ in ("__main__", "__mp_main__"):
    make_every_hash_cheap()
if __name__ == "__main__":
    run_mingcha()
