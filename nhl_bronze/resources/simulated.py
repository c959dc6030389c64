"""The offline twin of ``NhlApiResource``: the same client, every request answered in-process by the simulator."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.simulator.http import simulator_transport
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.simulator.synthetic import SyntheticNhl


class SimulatedNhlApiResource(NhlApiResource):
    """The offline twin: same client, every request answered in-process by the simulator.

    ``recorded_dir`` serves a folder of recorded responses (``RecordedNhl``); otherwise the synthetic league
    (``SyntheticNhl(today=simulator_today, seed=simulator_seed)``).
    """

    simulator_today: str | None = None  # YYYY-MM-DD; decides which synthetic games are final
    simulator_seed: int = 0
    recorded_dir: str | None = None

    def make_backend(self) -> Any:
        today = date.fromisoformat(self.simulator_today) if self.simulator_today else None
        if self.recorded_dir:
            return RecordedNhl(self.recorded_dir, today=today)
        return SyntheticNhl(today=today, seed=self.simulator_seed)

    def make_transport(self) -> httpx.AsyncBaseTransport:
        return simulator_transport(self.make_backend())
