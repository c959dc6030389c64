"""``nhl-bronze maintain`` on a copy of real history: compacts, keeps every row, and refuses a short retention."""

from __future__ import annotations

import json
import shutil

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.readers import latest
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.cli.test_console_script import nhl_bronze
from nhl_bronze_tests.history_fixture import GAMES


def test_maintain_compacts_history_to_one_file_per_partition_and_keeps_every_row(recorded_history, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(recorded_history.data_dir, data_dir)
    uri = str(data_dir / PLAYER_GAME_STATS_HISTORY.name)
    rows_before = pl.read_delta(uri).sort("playerId", "gameId", "situation", "_version")
    files_before = len(DeltaTable(uri).file_uris())
    partitions = rows_before.select(DeltaTable(uri).metadata().partition_columns).n_unique()
    # The correction of the late game went into a file of its own next to the first run's.
    assert files_before > partitions

    result = nhl_bronze("maintain", "--json", "--table", PLAYER_GAME_STATS_HISTORY.name, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)["reports"]
    assert (report["table"], report["before"]["files"], report["after"]["files"]) == (
        PLAYER_GAME_STATS_HISTORY.name, files_before, partitions)
    assert len(DeltaTable(uri).file_uris()) == partitions
    assert pl.read_delta(uri).sort("playerId", "gameId", "situation", "_version").equals(rows_before)
    assert latest(uri).collect().height == 36 * 4 * len(GAMES)  # 36 skaters x 4 situations per game
    assert "maintaining bronze_player_game_stats_v2" in result.stderr
    assert nhl_bronze("verify", "-q", "--data-dir", str(data_dir)).returncode == 0  # compaction is not tampering


def test_maintain_refuses_a_retention_that_breaks_time_travel_and_names_the_table(recorded_history):
    result = nhl_bronze("maintain", "--retention-hours", "2", "--table", "bronze_games_historical_v2",
                        "--data-dir", str(recorded_history.data_dir))
    assert result.returncode == 1
    assert "bronze_games_historical_v2: maintenance failed: RetentionTooShortError" in result.stderr
