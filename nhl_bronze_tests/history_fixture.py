"""A real history with a correction, shared by the reader and CLI tests (built once per session).

Two real Dagster runs over the recorded games of 2024-10-04..2024-10-11: the first while the shift chart of
2024020009 is not published yet (its shift-derived player columns are null), the second after it is (its player
rows gain version 2; its team rows do not depend on shifts and stay at version 1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nhl_bronze.protection import open_store
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import ALL_ASSETS, SAMPLES, RecordedApi, materialize_range

FIRST, LAST = "2024-10-04", "2024-10-11"
LATE_SHIFT_CHART_GAME = 2024020009
GAMES = {2024020001: 20241004, 2024020009: 20241009, 2024020022: 20241011}


class _ShiftChartNotPublishedYet(RecordedNhl):
    def __init__(self, folder: Path, game_id: int):
        super().__init__(folder)
        self.missing_game = game_id

    def on_shiftcharts(self, game_id: int) -> dict | None:
        return {"data": [], "total": 0} if game_id == self.missing_game else super().on_shiftcharts(game_id)


class RecordedApiWithoutShiftChart(RecordedApi):
    game_without_shift_chart: int = LATE_SHIFT_CHART_GAME

    def make_backend(self):
        return _ShiftChartNotPublishedYet(SAMPLES, self.game_without_shift_chart)


@dataclass(frozen=True)
class RecordedHistory:
    data_dir: Path
    first_run_id: str
    second_run_id: str
    between_runs: datetime  # a moment after the first run finished and before the second started
    player_version_after_first: int  # Delta versions of the history tables after the first run
    games_version_after_first: int

    @property
    def store(self) -> DeltaStore:
        return open_store(self.data_dir)


def build_recorded_history(data_dir: Path) -> RecordedHistory:
    api = RecordedApiWithoutShiftChart(recorded_dir=str(SAMPLES), max_retries=1, backoff_base_seconds=0.01,
                                       rate_limit=0)
    first = materialize_range(ALL_ASSETS, data_dir, FIRST, LAST, resources={"nhl_api": api})
    store = open_store(data_dir)
    player_version, games_version = store.version(PLAYER_GAME_STATS_HISTORY), store.version(GAMES_HISTORICAL_HISTORY)
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    second = materialize_range(ALL_ASSETS, data_dir, FIRST, LAST)
    return RecordedHistory(data_dir, first.run_id, second.run_id, between, player_version, games_version)
