"""An async token bucket shared by all requests of a session."""

from __future__ import annotations

import asyncio
import time


class AsyncTokenBucket:
    """At most ``rate`` request starts per second, evenly spaced (bucket capacity 1: no bursts).

    Capacity 1 is deliberate: the NHL API's tolerance for bursts is unknown, and evenly spaced requests are
    what "N requests per second" means to a server-side limiter. ``rate <= 0`` disables the limit.
    ``pause_until`` lets a 429's ``Retry-After`` hold back every request of the session, not just the retried one.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next_slot = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        # No lock needed: there is no await between reading and reserving the slot (one event loop).
        slot = max(time.monotonic(), self._next_slot, self._paused_until)
        self._next_slot = slot + self.interval
        wait = slot - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def pause_until(self, monotonic_deadline: float) -> None:
        self._paused_until = max(self._paused_until, monotonic_deadline)
