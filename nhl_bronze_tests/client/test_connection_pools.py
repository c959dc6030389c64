"""The session splits its in-flight cap over several small connection pools: the cap holds and is reachable."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from nhl_bronze.client.session import CONNECTIONS_PER_POOL
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.simulator.core import NhlBackend, SimResponse
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.common import SAMPLES

BOXSCORE = "/v1/gamecenter/2024020009/boxscore"


@dataclass
class ConcurrencyProbe:
    """A backend that holds each answer a moment and records how many requests it served at once."""

    inner: NhlBackend
    hold_seconds: float = 0.15
    peak: int = 0
    _now: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        with self._lock:
            self._now += 1
            self.peak = max(self.peak, self._now)
        try:
            time.sleep(self.hold_seconds)
            return self.inner.handle(method, path, query)
        finally:
            with self._lock:
                self._now -= 1


def test_the_in_flight_cap_holds_and_is_reached_across_pools():
    cap = 2 * CONNECTIONS_PER_POOL + 3  # three pools, the last one smaller
    probe = ConcurrencyProbe(RecordedNhl(SAMPLES))
    with SimulatorServer(probe) as server:
        api = NhlApiResource(web_api_url=server.web_api_url, stats_api_url=server.stats_api_url,
                             max_in_flight=cap, rate_limit=0.0)
        with api.open_session() as session:
            requester = session._requester
            assert len(requester.clients) == 3

            async def many() -> list:
                return await asyncio.gather(*(requester.get_json(server.web_api_url + BOXSCORE[3:])
                                              for _ in range(3 * cap)))

            responses = session._loop.run(many())
    assert len(responses) == 3 * cap and all(r.status == 200 for r in responses)
    assert probe.peak == cap
    assert server.request_count == 3 * cap
