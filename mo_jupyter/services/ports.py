"""Which port a service listens on: one free now, outside the range the kernel gives outgoing
connections their local ports from."""

from __future__ import annotations

import random
import socket


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range of local ports for outgoing connections (Linux default 32768-60999)."""
    try:
        low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port free now, for a service, below the ephemeral range where it can: a port the kernel
    hands out (bind to 0) may be taken as the local end of any outgoing connection (a browser's)
    between this choice and the app's bind, which then fails."""
    low, _ = ephemeral_range()
    rng = random.SystemRandom()
    for _ in range(50 if low > 12000 else 0):
        port = rng.randrange(10000, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
