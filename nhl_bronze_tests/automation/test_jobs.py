"""bronze_job's bookkeeping: a range run records one evaluation per check and run (not one planned row per date
and check), the UI's partition status still shows every materialized date, a failing date is named, and the
blocking staging checks still keep a bad window out of history."""

from __future__ import annotations

import dagster as dg
import pytest

from nhl_bronze.assets.history import ALL_GAMES_MERGED_RUN_KEY
from nhl_bronze.automation.jobs import UNPARTITIONED_WITH_CHECKS, bronze_job, partition_range_tags
from nhl_bronze.catalog import games_in_table
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import ALL_ASSETS, resources

FIRST, LAST = "2024-10-03", "2024-10-11"
DATES = [f"2024-10-{day:02d}" for day in range(3, 12)]
PARTITIONED = ("bronze_player_game_stats_v2_staging", "bronze_games_historical_v2_staging",
               "bronze_player_game_stats_v2", "bronze_games_historical_v2")


def run_bronze_job(data_dir, first: str, last: str, **api) -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    defs = dg.Definitions(assets=ALL_ASSETS, jobs=[bronze_job], resources=resources(data_dir, **api),
                          executor=dg.in_process_executor)
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("bronze_job").execute_in_process(
        instance=instance, tags=partition_range_tags(first, last), raise_on_error=False)
    return instance, result


def check_rows_of_run(instance: dg.DagsterInstance, run_id: str) -> dict[dg.AssetCheckKey, list]:
    """The run's rows in the instance's check table (what the UI's check status reads), per check."""
    storage = instance.event_log_storage
    return {key: [row for row in storage.get_asset_check_execution_history(key, limit=10_000) if row.run_id == run_id]
            for definition in ALL_ASSETS for key in definition.check_keys}


@pytest.fixture(scope="module")
def range_run(tmp_path_factory):
    """One bronze_job run over nine dates; the only game of 2024-10-09 (2024020009) cannot be fetched."""
    instance, result = run_bronze_job(tmp_path_factory.mktemp("range"), FIRST, LAST, failing_game=2024020009)
    return instance, result


def test_a_range_run_records_one_row_per_check_not_one_per_date(range_run):
    instance, result = range_run
    rows = check_rows_of_run(instance, result.run_id)

    # every check of the assets is still declared (and shown) in the code location: 12, plus the schedule contract's
    # two, the shift-chart rule's warning and each history table's content sample (rows_match_their_hash)
    assert len(rows) == 17
    reported = {key: found for key, found in rows.items()
                if key != ALL_GAMES_MERGED_RUN_KEY and key.asset_key not in UNPARTITIONED_WITH_CHECKS}
    assert len(reported) == 14
    assert {key: len(found) for key, found in reported.items()} == dict.fromkeys(reported, 1)
    assert all(row.partition is None for found in reported.values() for row in found)
    # The one check the job selects (it fails the run after both merges) is planned per date by Dagster.
    planned = [row.partition for row in rows[ALL_GAMES_MERGED_RUN_KEY] if row.partition is not None]
    assert sorted(planned) == DATES


def test_the_partition_status_shows_every_date_the_range_run_materialized(range_run):
    instance, _ = range_run
    for asset in PARTITIONED:
        assert sorted(instance.get_materialized_partitions(dg.AssetKey(asset))) == DATES, asset


def test_the_failing_date_and_game_are_named_by_the_run_evaluations(range_run):
    instance, result = range_run
    assert not result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    staged = evaluations[("bronze_player_game_stats_v2_staging", "all_games_staged")]
    assert not staged.passed and staged.metadata["failed_dates"].value == ["2024-10-09"]
    assert staged.metadata["dates"].value == f"{FIRST} .. {LAST}"
    for history in ("bronze_player_game_stats_v2", "bronze_games_historical_v2"):
        merged = evaluations[(history, "all_games_merged")]
        assert not merged.passed and merged.metadata["failed_dates"].value == ["2024-10-09"]
        assert {game.split(" ")[1] for game in games_in_table(merged.metadata["failed_games"])} == {"2024020009"}
        assert evaluations[(history, "never_shrinks")].passed
    # What the UI shows as the check's latest result is the run's evaluation.
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("bronze_player_game_stats_v2_staging"), "all_games_staged")])
    [record] = latest.values()
    assert record.run_id == result.run_id and record.status.value == "FAILED"


def test_a_failed_blocking_check_stops_the_job_before_history(tmp_path):
    # The date's only game fails on a first run: no staging table exists, so the column contract check fails.
    _, result = run_bronze_job(tmp_path, "2024-10-09", "2024-10-09", failing_game=2024020009)

    assert not result.success
    started = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START}
    assert started == {"bronze_schedule_raw", "bronze_staging"}, started
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "column_contract of bronze_player_game_stats_v2_staging" in message and "2024-10-09" in message
    failed = {(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations()
              if not e.passed}
    assert ("bronze_player_game_stats_v2_staging", "column_contract") in failed
    assert not any(DeltaStore(tmp_path).exists(spec) for spec in (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY))
