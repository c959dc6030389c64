"""The staging checks that guard history (column contract, unique keys) are blocking: when one fails, the history
merge does not start, since nothing merged into append-only history can be taken back."""

from __future__ import annotations

import dagster as dg

from nhl_bronze.assets.staging import bronze_staging
from nhl_bronze.protection import open_store
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_day

HISTORY_STEPS = {PLAYER_GAME_STATS_HISTORY.name, GAMES_HISTORICAL_HISTORY.name}


def test_contract_and_key_checks_of_staging_are_blocking():
    blocking = {(spec.asset_key.to_user_string(), spec.name) for spec in bronze_staging.check_specs if spec.blocking}
    assert blocking == {(table, check) for table in ("bronze_player_game_stats_v2_staging",
                                                     "bronze_games_historical_v2_staging")
                        for check in ("unique_keys", "column_contract")}


def test_a_failed_contract_check_keeps_the_history_step_from_starting(tmp_path):
    # The date's only game keeps failing on a first run: no staging table exists, so the contract check fails.
    result = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09", raise_on_error=False,
                             api={"failing_game": 2024020009})

    assert not result.success
    failed_checks = {(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations()
                     if not e.passed}
    assert ("bronze_player_game_stats_v2_staging", "column_contract") in failed_checks
    started = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START}
    assert started == {"bronze_staging"}, started
    assert not any(open_store(tmp_path).exists(spec) for spec in (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY))
