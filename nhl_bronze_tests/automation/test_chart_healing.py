"""Incomplete games heal (issue 21): a game stored without its shift chart is asked again until the chart comes.

Against the recorded API over loopback HTTP: the first run finds no shift chart (empty or 404), history stores the
game without ice time, ``status``/``verify`` list it with its age, ``final_games_sensor`` requests its date again
on the days the re-ask rule says, and once the chart is published that run gives the game's rows a new history
version with ice time. Before, the sensor asked only for games missing entirely: the game kept no ice time.
"""

import dagster as dg
import polars as pl
import pytest

from nhl_bronze.automation.sensors import final_games_sensor
from nhl_bronze.cli.attention import chart_problems, collect_attention
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.simulator.faults import FaultConfig
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import SAMPLES, STAGING_AND_HISTORY, as_date, read_table, resources

GAME, GAME_DATE = 2024020001, "2024-10-04"


def chart_requests(data_dir, today, api):
    context = dg.build_sensor_context(
        resources=resources(data_dir) | {"nhl_api": api, "clock": ClockResource(today=today)},
        instance=dg.DagsterInstance.ephemeral())
    return [r for r in final_games_sensor(context).run_requests
            if r.tags["nhl_bronze/trigger"] == "final_games_sensor:charts"]


@pytest.mark.parametrize("missing_kind_seed", [0, 3])  # seeds whose missing chart is a 404 / an empty chart
def test_a_game_stored_without_its_chart_gets_ice_time_when_the_chart_is_published(tmp_path, missing_kind_seed):
    data_dir = tmp_path / "data"
    store = DeltaStore(data_dir)
    with SimulatorServer(RecordedNhl(SAMPLES),
                         FaultConfig(missing_shift_charts=1.0, seed=missing_kind_seed)) as server:
        api = NhlApiResource(web_api_url=server.web_api_url, stats_api_url=server.stats_api_url, rate_limit=0,
                             max_retries=1, backoff_base_seconds=0.01)

        def run(partition):
            return dg.materialize(STAGING_AND_HISTORY, partition_key=partition,
                                  resources=resources(data_dir) | {"nhl_api": api})

        assert run(GAME_DATE).success
        first = read_table(data_dir, PLAYER_GAME_STATS_HISTORY.name)
        assert first["icetime"].is_null().all() and first["_version"].unique().to_list() == [1]

        # Listed with its age (days since the game) while it has no chart.
        attention = collect_attention(store, as_date("2024-10-12"))
        assert [(g.game_id, g.age_days, g.next_ask) for g in attention.without_chart] == [
            (GAME, 8, as_date("2024-10-12"))]
        assert chart_problems(store, as_date("2024-10-12")) == [
            f"bronze_player_game_stats_v2: game {GAME} of {GAME_DATE} has no shift chart (no ice time), 8 days "
            "after the game; asked again on 2024-10-12"]

        # Day 2 is covered by the daily run (lookback 3 days); day 15 falls between the weekly asks.
        assert chart_requests(data_dir, "2024-10-06", api) == []
        assert chart_requests(data_dir, "2024-10-19", api) == []
        [request] = chart_requests(data_dir, "2024-10-12", api)
        assert request.partition_key == GAME_DATE
        assert request.tags["nhl_bronze/games_without_chart"] == str(GAME)

        # Still not published: the requested run changes nothing.
        assert run(request.partition_key).success
        assert read_table(data_dir, PLAYER_GAME_STATS_HISTORY.name).height == first.height

        server.set_faults(None)  # the chart is published
        assert chart_requests(data_dir, "2024-10-25", api)[0].partition_key == GAME_DATE  # day 21: weekly
        assert run(GAME_DATE).success

    healed = read_table(data_dir, PLAYER_GAME_STATS_HISTORY.name)
    latest = healed.filter(pl.col("_version") == pl.col("_version").max().over("playerId", "gameId", "situation"))
    assert latest["_version"].unique().to_list() == [2]
    all_situations = latest.filter(pl.col("situation") == "all")
    assert all_situations["icetime"].is_not_null().all() and all_situations["icetime"].min() > 0
    assert healed.height == 2 * first.height  # version 1 kept: history only grows
    assert collect_attention(store, as_date("2024-10-25")).without_chart == []
    assert chart_requests(data_dir, "2024-10-25", api) == []
