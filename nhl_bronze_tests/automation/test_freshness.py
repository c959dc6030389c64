"""Freshness per partition: red while the date that is due is missing from history, green once it is there."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg

from nhl_bronze.automation.freshness import due_game_date, history_freshness_checks
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY

HISTORY_KEYS = [dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name), dg.AssetKey(GAMES_HISTORICAL_HISTORY.name)]


def test_the_due_date_turns_over_at_8_am_eastern():
    # 2024-10-15 is in daylight time (UTC-4): 11:59 UTC is 7:59 a.m. Eastern, 12:00 UTC is 8:00 a.m.
    assert due_game_date(datetime(2024, 10, 15, 11, 59, tzinfo=UTC)) == date(2024, 10, 13)
    assert due_game_date(datetime(2024, 10, 15, 12, 0, tzinfo=UTC)) == date(2024, 10, 14)
    # 2025-01-15 is in standard time (UTC-5): 12:30 UTC is 7:30 a.m. Eastern.
    assert due_game_date(datetime(2025, 1, 15, 12, 30, tzinfo=UTC)) == date(2025, 1, 13)
    # 03:00 UTC on the 16th is 11 p.m. on the 15th in New York: the 15th's deadline (the 14th) still rules.
    assert due_game_date(datetime(2024, 10, 16, 3, 0, tzinfo=UTC)) == date(2024, 10, 14)


def _evaluate(instance: dg.DagsterInstance, today: str) -> dict[dg.AssetKey, dg.AssetCheckEvaluation]:
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key, partitions_def=game_date_partitions) for key in HISTORY_KEYS],
        asset_checks=history_freshness_checks,
        jobs=[dg.define_asset_job("freshness", selection=dg.AssetSelection.all_asset_checks())],
        resources={"clock": ClockResource(today=today)},
    )
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance, raise_on_error=False)
    return {e.asset_key: e for e in result.get_asset_check_evaluations()}


def _record(instance: dg.DagsterInstance, partition: str) -> None:
    for key in HISTORY_KEYS:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def test_a_pretended_today_judges_the_day_before_it_and_red_names_both_dates():
    """An offline or demo instance (NHL_BRONZE_TODAY: the simulator's today) is judged against that day, not the
    machine's calendar: the demo's week 2024-10-08..14 is fresh on its simulated 2024-10-15."""
    instance = dg.DagsterInstance.ephemeral()
    _record(instance, "2024-10-13")  # an older date arriving does not make history fresh
    evaluations = _evaluate(instance, today="2024-10-15")
    assert {key: e.passed for key, e in evaluations.items()} == dict.fromkeys(HISTORY_KEYS, False)
    failed = evaluations[HISTORY_KEYS[0]]
    assert failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["expected_date"].value == "2024-10-14"
    assert failed.metadata["newest_date_present"].value == "2024-10-13"
    assert "2024-10-14 is due by 8 a.m. US Eastern" in failed.description
    assert "the newest date present is 2024-10-13" in failed.description

    _record(instance, "2024-10-14")
    assert {key: e.passed for key, e in _evaluate(instance, today="2024-10-15").items()} == dict.fromkeys(
        HISTORY_KEYS, True)
    # A later simulated day wants a later date: the same history is stale again on 2024-10-17.
    assert not any(e.passed for e in _evaluate(instance, today="2024-10-17").values())


def test_the_check_explains_its_rule_in_the_ui():
    from nhl_bronze.definitions import defs

    graph = defs.resolve_asset_graph()
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys if key.name == "freshness_check"]
    assert {spec.asset_key for spec in specs} == set(HISTORY_KEYS)
    for spec in specs:
        assert "Evaluates freshness" not in (spec.description or "")
        assert "8 a.m. US Eastern" in spec.description and "NHL_BRONZE_TODAY" in spec.description


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
