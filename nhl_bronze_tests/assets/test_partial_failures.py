"""Issue 8: one bad game must not keep a whole range out of history (black box: a real Dagster run, Delta tables)."""

import polars as pl

from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_range, read_table

PLAYERS, TEAMS = "bronze_player_game_stats_v2", "bronze_games_historical_v2"


def test_good_dates_reach_history_in_the_same_run_and_the_failed_games_are_named(tmp_path):
    # 2024020009 (2024-10-09) cannot be fetched; 2024020022 (2024-10-11) has a boxscore with sog "n/a".
    result = materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-03", "2024-10-11", raise_on_error=False,
                               api={"failing_game": 2024020009, "malformed_boxscore_game": 2024020022})

    assert not result.success
    for table in (PLAYERS, TEAMS):
        assert read_table(tmp_path, table)["gameId"].unique().to_list() == [2024020001], table
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["all_games_merged"]  # after both history merges
    message = failures[0].step_failure_data.error.message
    assert "game 2024020009 (2024-10-09)" in message and "play-by-play failed" in message
    assert "game 2024020022 (2024-10-11)" in message and "boxscore" in message and "n/a" in message
    checks = {(c.asset_key.to_user_string(), c.check_name): c.passed for c in result.get_asset_check_evaluations()}
    assert checks[("bronze_player_game_stats_v2_staging", "all_games_staged")] is False
    assert checks[(PLAYERS, "all_games_merged")] is False and checks[(PLAYERS, "never_shrinks")] is True


def test_a_boxscore_without_a_team_abbreviation_fails_only_its_date(tmp_path):
    result = materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-09", "2024-10-11", raise_on_error=False,
                               api={"malformed_boxscore_game": 2024020009, "boxscore_breakage": "missing_abbrev"})

    assert not result.success
    assert read_table(tmp_path, TEAMS).filter(pl.col("situation") == "all")["gameId"].to_list() == [2024020022] * 2
    message = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.message
    assert "game 2024020009 (2024-10-09)" in message and "abbrev" in message
