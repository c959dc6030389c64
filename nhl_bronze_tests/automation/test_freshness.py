"""Freshness per partition: red while the date that is due is missing from history, green once it is there."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.automation.freshness import history_freshness_checks
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY

HISTORY_KEYS = [dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name), dg.AssetKey(GAMES_HISTORICAL_HISTORY.name)]


def _due_partition() -> str:
    """The game date that must be in history now: the day before the most recent 8 a.m. US Eastern."""
    now = datetime.now(ZoneInfo("America/New_York"))
    deadline_day = now.date() if now.time() >= time(8) else now.date() - timedelta(days=1)
    return (deadline_day - timedelta(days=1)).isoformat()


def _evaluate(instance: dg.DagsterInstance) -> dict[dg.AssetKey, bool]:
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key, partitions_def=game_date_partitions) for key in HISTORY_KEYS],
        asset_checks=history_freshness_checks,
        jobs=[dg.define_asset_job("freshness", selection=dg.AssetSelection.all_asset_checks())],
    )
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance, raise_on_error=False)
    return {e.asset_key: e.passed for e in result.get_asset_check_evaluations()}


def _record(instance: dg.DagsterInstance, partition: str) -> None:
    for key in HISTORY_KEYS:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def test_history_is_stale_until_the_due_date_is_materialized():
    due = _due_partition()
    day_before = (datetime.fromisoformat(due) - timedelta(days=1)).date().isoformat()
    instance = dg.DagsterInstance.ephemeral()
    _record(instance, day_before)  # an older date arriving does not make history fresh
    assert _evaluate(instance) == dict.fromkeys(HISTORY_KEYS, False)
    _record(instance, due)
    assert _evaluate(instance) == dict.fromkeys(HISTORY_KEYS, True)


def test_the_bronze_job_leaves_the_freshness_checks_to_their_sensor():
    from nhl_bronze.automation.freshness import bronze_freshness_sensor
    from nhl_bronze.definitions import defs

    graph = defs.resolve_asset_graph()
    job_graph = defs.resolve_job_def("bronze_job").asset_layer.asset_graph
    in_job = {(key.asset_key, key.name) for key in job_graph.asset_check_keys}
    freshness = {(key, "freshness_check") for key in HISTORY_KEYS}
    assert freshness <= {(key.asset_key, key.name) for key in graph.asset_check_keys}  # in the code location
    assert not freshness & in_job
    assert (HISTORY_KEYS[0], "all_games_merged") in in_job  # the job's own check step stays (jobs.py)
    assert defs.resolve_sensor_def(bronze_freshness_sensor.name) is not None
