"""A shaped loopback link for the sync benches: one-way latency, a bandwidth cap per
direction, byte counters, and an optional cut (TCP RST) after N client bytes.

A thin face over the fault proxy's shape mode (sync_server/bench/proxy.py, shaping.py): latency
is a pipeline — bytes are held `delay` after they were transmitted while later ones keep
flowing — and the cap paces the sending, so a 3 MB upload takes about size/rate + RTT, as
on a real mobile link, not one delay per chunk. The cap is the link's, shared by every
connection in a direction: a client that opens four connections does not get four times
the bandwidth of a single-connection plain copy.
"""

from __future__ import annotations

from sync_server.bench.faults import DOWN, UP, Fault
from sync_server.bench.proxy import FaultProxy
from sync_server.bench.shaping import Shape

# one-way delay and bytes/s each way. mobile: 100 ms round trip, 10 Mbit/s up, 40 down
# (the profile); fast: the same latency at 100 Mbit/s both ways, so the full 3 GB
# dataset runs in under an hour (at 10 Mbit/s its three transfers take ~2.5 h); none: no
# shaping at all, so what is left is the server's own cost (e.g. its blob store's)
PROFILES = {
    "mobile": Shape(delay=0.05, up_bps=10_000_000 // 8, down_bps=40_000_000 // 8),
    "fast": Shape(delay=0.05, up_bps=100_000_000 // 8, down_bps=100_000_000 // 8),
    "none": Shape(),
}
LINKS = {
    "mobile": "100 ms RTT, 10 Mbit/s up, 40 Mbit/s down",
    "fast": "100 ms RTT, 100 Mbit/s up and down",
    "none": "loopback, not shaped (the server's own cost)",
}


class ShapedLink:
    def __init__(self, target_port: int, shape: Shape) -> None:
        self.proxy = FaultProxy(target_port, shape=shape).start()
        self.port = self.proxy.port

    def stop(self) -> None:
        self.proxy.close()

    @property
    def bytes_up(self) -> int:
        """Client bytes delivered to the server (settable: a bench restarts its count)."""
        return self.proxy.bytes[UP]

    @bytes_up.setter
    def bytes_up(self, value: int) -> None:
        self.proxy.reset_bytes(UP, value)

    @property
    def bytes_down(self) -> int:
        return self.proxy.bytes[DOWN]

    @bytes_down.setter
    def bytes_down(self, value: int) -> None:
        self.proxy.reset_bytes(DOWN, value)

    @property
    def cut_up_after(self) -> int | None:
        """The next accepted connection is reset (RST both ways) after this many client
        bytes; None once that connection has taken it, or when nothing is planned."""
        planned = self.proxy.schedule
        return planned[0].at if planned else None

    @cut_up_after.setter
    def cut_up_after(self, at: int | None) -> None:
        self.proxy.heal()  # only ever one cut planned: a new value replaces the old
        if at is not None:
            self.proxy.plan([Fault("reset", at=at, direction=UP)])

    @property
    def cuts(self) -> int:
        """Connections the link has cut."""
        return self.proxy.counts["reset"]
