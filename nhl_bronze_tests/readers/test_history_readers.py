"""The readers over a real two-run history in which one game (2024020009) was corrected by the second run."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from nhl_bronze.readers import as_of, changes, latest
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.history_fixture import GAMES, LATE_SHIFT_CHART_GAME

# Each recorded game dresses 36 skaters (18 a side) and has 2 teams; 4 situations each.
PLAYER_ROWS_PER_GAME = 36 * 4
TEAM_ROWS_PER_GAME = 2 * 4


def _sorted(frame: pl.DataFrame, spec) -> pl.DataFrame:
    return frame.sort(list(spec.key))


def test_latest_reads_one_current_row_per_key_from_a_path_or_a_store(recorded_history):
    player_uri = str(recorded_history.data_dir / PLAYER_GAME_STATS_HISTORY.name)
    current = latest(player_uri).collect()
    assert current.height == PLAYER_ROWS_PER_GAME * len(GAMES)
    assert current.select(PLAYER_GAME_STATS_HISTORY.key).is_duplicated().sum() == 0
    corrected = current.filter(pl.col("gameId") == LATE_SHIFT_CHART_GAME)
    # The current rows of the corrected game are the second version, with the shift chart's ice time.
    assert corrected["_version"].unique().to_list() == [2]
    assert corrected["icetime"].null_count() == 0
    from_store = latest(recorded_history.store, PLAYER_GAME_STATS_HISTORY).collect()
    assert_frame_equal(_sorted(from_store, PLAYER_GAME_STATS_HISTORY), _sorted(current, PLAYER_GAME_STATS_HISTORY))
    assert latest(recorded_history.store, "bronze_games_historical_v2").collect().height == (
        TEAM_ROWS_PER_GAME * len(GAMES))


def test_as_of_between_the_runs_equals_delta_time_travel_to_that_moment(recorded_history):
    uri = str(recorded_history.data_dir / PLAYER_GAME_STATS_HISTORY.name)
    before_correction = as_of(uri, recorded_history.between_runs.isoformat()).collect()

    by_version = pl.read_delta(uri, version=recorded_history.player_version_after_first)
    by_timestamp = pl.read_delta(uri, version=recorded_history.between_runs)
    for snapshot in (by_version, by_timestamp):
        assert_frame_equal(_sorted(before_correction, PLAYER_GAME_STATS_HISTORY),
                                      _sorted(snapshot.select(before_correction.columns), PLAYER_GAME_STATS_HISTORY))
    # Before the correction the late game had no shift chart: every ice time of it was null.
    late_game = before_correction.filter(pl.col("gameId") == LATE_SHIFT_CHART_GAME)
    assert late_game.height == PLAYER_ROWS_PER_GAME and late_game["icetime"].null_count() == PLAYER_ROWS_PER_GAME


def test_as_of_before_the_first_run_is_empty_and_takes_a_zulu_timestamp(recorded_history):
    uri = str(recorded_history.data_dir / GAMES_HISTORICAL_HISTORY.name)
    assert as_of(uri, "2024-01-15T00:00Z").collect().height == 0
    later = (recorded_history.between_runs + timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ")
    assert as_of(uri, later).collect().height == TEAM_ROWS_PER_GAME * len(GAMES)


def test_change_feed_names_the_corrected_game_between_the_two_runs(recorded_history):
    uri = str(recorded_history.data_dir / PLAYER_GAME_STATS_HISTORY.name)
    by_runs = changes(uri, since=recorded_history.first_run_id, until=recorded_history.second_run_id)
    assert by_runs.select("gameId", "gameDate", "rows", "new_keys", "corrected_keys").rows() == [
        (LATE_SHIFT_CHART_GAME, GAMES[LATE_SHIFT_CHART_GAME], PLAYER_ROWS_PER_GAME, 0, PLAYER_ROWS_PER_GAME)
    ]
    assert by_runs["run_ids"].to_list() == [[recorded_history.second_run_id]]
    by_time = changes(uri, since=recorded_history.between_runs)
    assert by_time.drop("run_ids").equals(by_runs.drop("run_ids"))

    first_run = changes(uri, until=recorded_history.first_run_id)
    assert first_run.select("gameId", "new_keys", "corrected_keys").rows() == [
        (game, PLAYER_ROWS_PER_GAME, 0) for game in sorted(GAMES)
    ]
    # The team rows do not depend on the shift chart: the second run changed none of them.
    assert changes(recorded_history.data_dir / GAMES_HISTORICAL_HISTORY.name,
                   since=recorded_history.first_run_id).height == 0


def test_change_feed_names_an_unknown_run(recorded_history):
    with pytest.raises(ValueError, match="no-such-run"):
        changes(recorded_history.store, since="no-such-run", spec=PLAYER_GAME_STATS_HISTORY)
