"""What can go wrong with one proxied connection: the fault kinds FaultProxy (proxy.py)
injects, a Fault's parameters, and the seeded random mix chaos runs draw one fault per
connection from (parameters chosen to bite on sync traffic).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

KINDS = ("pass", "delay", "bandwidth", "drop", "reset", "truncate", "blackhole")
UP, DOWN = "up", "down"  # client → server, server → client


@dataclass(frozen=True)
class Fault:
    kind: str = "pass"
    delay: float = 0.0  # delay: seconds per forwarded chunk
    rate: int = 0  # bandwidth: bytes per second, each direction
    at: int = 0  # reset / truncate: byte offset in `direction`
    direction: str = DOWN  # reset: which stream is cut

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")
        if self.direction not in (UP, DOWN):
            raise ValueError(f"direction must be {UP!r} or {DOWN!r}")


PASS = Fault()

# A mix for chaos runs: kind → weight. Passes dominate so that syncs make progress.
DEFAULT_MIX: dict[str, float] = {
    "pass": 5,
    "delay": 1,
    "bandwidth": 1,
    "drop": 1,
    "reset": 2,
    "truncate": 2,
    "blackhole": 0.3,
}


def random_fault(rng: random.Random, mix: dict[str, float]) -> Fault:
    """One fault drawn from `mix` with parameters that make it bite on sync traffic."""
    kind = rng.choices(list(mix), weights=list(mix.values()))[0]
    if kind == "delay":
        return Fault(kind, delay=rng.uniform(0.005, 0.05))
    if kind == "bandwidth":
        return Fault(kind, rate=rng.choice((64 * 1024, 256 * 1024, 1024 * 1024)))
    if kind == "reset":
        direction = rng.choice((UP, DOWN))  # requests carry the photo chunks: cut them deeper
        return Fault(
            kind, at=rng.randrange(0, 200_000 if direction == UP else 1500), direction=direction
        )
    if kind == "truncate":
        return Fault(kind, at=rng.randrange(0, 400))
    return Fault(kind)
