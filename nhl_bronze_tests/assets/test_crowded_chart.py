"""A real game whose shift chart puts more than six skaters of a side on the ice lands in history (issue 21).

Before, the game failed its date on every run (``all_games_merged`` failed the run) and never reached history.
Now its rows land with ice time from the documented best-effort rule, and ``shift_chart_rules`` warns by name.
"""

import json

import dagster as dg
import polars as pl

from nhl_bronze.simulator.core import NhlBackend, SimResponse, json_response
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import SAMPLES, STAGING_AND_HISTORY, RecordedApi, materialize_day, read_table

GAME = 2024020009


class CrowdedShiftChart:
    """Every player of one team of the game gets an extra shift at 05:00-05:30 of period 1 in the chart."""

    def __init__(self, inner: NhlBackend, game_id: int):
        self.inner, self.game_id = inner, game_id

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        response = self.inner.handle(method, path, query)
        if "shiftcharts" not in path or str(self.game_id) not in query.get("cayenneExp", "") or response.status != 200:
            return response
        body = json.loads(response.body)
        shifts = [row for row in body["data"] if row["typeCode"] == 517]
        team = {row["playerId"]: row for row in shifts if row["teamId"] == shifts[0]["teamId"]}
        body["data"] += [{**row, "period": 1, "startTime": "05:00", "endTime": "05:30"} for row in team.values()]
        return json_response(body)


class CrowdedChartApi(RecordedApi):
    def make_backend(self):
        return CrowdedShiftChart(RecordedNhl(SAMPLES), GAME)


def test_a_game_with_seven_skaters_a_side_lands_with_ice_time_and_a_warning_naming_it(tmp_path):
    api = CrowdedChartApi(recorded_dir=str(SAMPLES), max_retries=1, backoff_base_seconds=0.01, rate_limit=0)
    result = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09", resources={"nhl_api": api})

    assert result.success
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "shift_chart_rules"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    [named] = check.metadata["games"].value
    assert named.startswith(f"game {GAME} (2024-10-09): the ") and "skaters on the ice in period 1 at 05:" in named
    history = read_table(tmp_path, PLAYER_GAME_STATS_HISTORY.name).filter(pl.col("situation") == "all")
    assert history["gameId"].unique().to_list() == [GAME]
    assert history["icetime"].is_not_null().all() and history["I_F_shotsOnGoal"].sum() > 0
