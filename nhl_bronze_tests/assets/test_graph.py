"""The asset graph end to end against the recorded real games, with real Delta tables and real Dagster runs."""

import shutil

import dagster as dg
import polars as pl
import pytest

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze_tests.support import (
    ALL_ASSETS,
    STAGING_AND_HISTORY,
    materialize_day,
    materialize_range,
    metadata,
    read_table,
)

PLAYERS, TEAMS = "bronze_player_game_stats_v2", "bronze_games_historical_v2"
PLAYERS_STAGING, TEAMS_STAGING = f"{PLAYERS}_staging", f"{TEAMS}_staging"


def sorted_rows(frame: pl.DataFrame, key) -> pl.DataFrame:
    return frame.drop([c for c in frame.columns if c.startswith("_")]).sort(key)


def test_definitions_load_with_the_contract_asset_keys():
    from nhl_bronze.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {PLAYERS_STAGING, TEAMS_STAGING, PLAYERS, TEAMS, "bronze_schedule_2023_v2", "bronze_skaters_2023_v2",
                    "bronze_schedule_raw",
                    "bronze_table_maintenance"}
    assert defs.resolve_job_def("bronze_job").partitions_def is not None


def test_one_partition_end_to_end(tmp_path):
    result = materialize_day(ALL_ASSETS, tmp_path, "2024-10-09")

    players, teams = read_table(tmp_path, PLAYERS), read_table(tmp_path, TEAMS)
    assert players["gameId"].unique().to_list() == [2024020009]
    assert players.group_by("playerId").len()["len"].unique().to_list() == [4]
    assert teams.height == 8
    assert set(PLAYER_GAME_STATS_SCHEMA.items()) <= set(players.schema.items())
    assert set(GAMES_HISTORICAL_SCHEMA.items()) <= set(teams.schema.items())
    staged = metadata(result, PLAYERS_STAGING)
    assert (staged["games_fetched"], staged["api_calls"], staged["dagster/row_count"]) == (1, 4, players.height)
    schedule = read_table(tmp_path, "bronze_schedule_2023_v2")
    assert schedule.filter(pl.col("GAME_ID") == 2024020009)[["AWAY", "HOME", "DAY"]].row(0) == ("CGY", "VAN", "Wed.")
    skaters = read_table(tmp_path, "bronze_skaters_2023_v2")
    assert skaters.height == players.height  # one game: one row per player, team, season and situation
    checks = result.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks)


def test_range_run_equals_the_same_days_run_one_by_one(tmp_path):
    materialize_range(STAGING_AND_HISTORY, tmp_path / "range", "2024-10-03", "2024-10-11")
    for day in range(3, 12):
        materialize_day(STAGING_AND_HISTORY, tmp_path / "daily", f"2024-10-{day:02d}")

    for table, key in ((PLAYERS, ["gameId", "playerId", "situation"]), (TEAMS, ["gameId", "team", "situation"])):
        by_range = sorted_rows(read_table(tmp_path / "range", table), key)
        by_day = sorted_rows(read_table(tmp_path / "daily", table), key)
        assert by_range["gameId"].unique().sort().to_list() == [2024020001, 2024020009, 2024020022]
        assert by_range.equals(by_day)


def test_rerunning_a_date_leaves_history_unchanged(tmp_path):
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")
    before = read_table(tmp_path, PLAYERS)
    again = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")

    assert read_table(tmp_path, PLAYERS).equals(before)
    assert metadata(again, PLAYERS)["rows_inserted"] == 0
    assert metadata(again, PLAYERS)["rows_unchanged"] == before.height


def test_deleting_staging_and_rerunning_leaves_history_unchanged(tmp_path):
    materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-04", "2024-10-11")
    history = {t: read_table(tmp_path, t) for t in (PLAYERS, TEAMS)}
    for staging in (PLAYERS_STAGING, TEAMS_STAGING):
        shutil.rmtree(tmp_path / staging)

    # Staging rebuilt for one date only: history must keep every other date.
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")
    for table, rows in history.items():
        assert read_table(tmp_path, table).equals(rows)


def test_a_game_that_keeps_failing_fails_only_its_date_and_loses_nothing(tmp_path):
    materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-04", "2024-10-11")
    staged_before = read_table(tmp_path, PLAYERS_STAGING)
    history_before = read_table(tmp_path, PLAYERS)

    result = materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-04", "2024-10-11", raise_on_error=False,
                               api={"failing_game": 2024020009})

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "2024020009" in message and "2024-10-09" in message
    staged_after = read_table(tmp_path, PLAYERS_STAGING)
    assert sorted_rows(staged_after, ["gameId", "playerId", "situation"]).equals(
        sorted_rows(staged_before, ["gameId", "playerId", "situation"]))
    assert read_table(tmp_path, PLAYERS).equals(history_before)


def test_an_empty_day_empties_its_window_and_succeeds(tmp_path):
    result = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-10")

    assert result.success
    assert read_table(tmp_path, PLAYERS_STAGING).height == 0
    assert metadata(result, PLAYERS_STAGING)["dagster/row_count"] == 0
    assert read_table(tmp_path, PLAYERS).height == 0


def test_a_game_not_final_yet_is_not_written_and_listed_as_pending(tmp_path):
    result = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09", api={"live_game": 2024020009})

    assert read_table(tmp_path, TEAMS_STAGING).height == 0
    staged = metadata(result, TEAMS_STAGING)
    assert staged["games_pending"] == 1
    [pending] = staged["pending_games"].records  # a table in the UI, one row per game
    assert pending.data["game_id"] == 2024020009 and "LIVE" in pending.data["reason"]
    assert staged["api_calls"] == 1  # the schedule only: nothing is fetched for a game that is not final


def test_raw_source_rebuilds_staging_identically_with_zero_api_calls(tmp_path):
    materialize_range(STAGING_AND_HISTORY, tmp_path, "2024-10-04", "2024-10-11")
    from_api = {t: read_table(tmp_path, t) for t in (PLAYERS_STAGING, TEAMS_STAGING)}
    for staging in (PLAYERS_STAGING, TEAMS_STAGING):
        shutil.rmtree(tmp_path / staging)

    from nhl_bronze.resources.ingest import IngestResource

    rebuilt = materialize_range(
        STAGING_AND_HISTORY, tmp_path, "2024-10-04", "2024-10-11",
        resources={"ingest": IngestResource(source="raw", parse_workers=1)},
        api={"web_api_url": "http://127.0.0.1:9/unreachable", "failing_game": 2024020009},
    )

    assert metadata(rebuilt, PLAYERS_STAGING)["api_calls"] == 0
    assert metadata(rebuilt, PLAYERS_STAGING)["source"] == "raw"
    assert metadata(rebuilt, PLAYERS)["rows_inserted"] == 0
    for table, key in ((PLAYERS_STAGING, ["gameId", "playerId", "situation"]),
                       (TEAMS_STAGING, ["gameId", "team", "situation"])):
        assert sorted_rows(read_table(tmp_path, table), key).equals(sorted_rows(from_api[table], key))


def test_a_new_column_in_code_keeps_old_history_rows(tmp_path, monkeypatch):
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")
    old = read_table(tmp_path, TEAMS)

    import nhl_bronze.pipeline.parse as staging_module

    original = staging_module.compute_batch

    def with_new_column(games):
        result = original(games)
        frames = result.frames
        new_frames = type(frames)(frames.players, frames.teams.with_columns(pl.lit(1.0).alias("newMetric")))
        return result._replace(frames=new_frames)

    monkeypatch.setattr(staging_module, "compute_batch", with_new_column)
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-11")

    history = read_table(tmp_path, TEAMS)
    assert history.height == old.height + 8
    assert history.filter(pl.col("gameId") == 2024020009)["newMetric"].null_count() == 8
    assert history.filter(pl.col("gameId") == 2024020022)["newMetric"].to_list() == [1.0] * 8


@pytest.mark.parametrize("table", [PLAYERS, TEAMS])
def test_history_is_append_only_on_disk(tmp_path, table):
    from deltalake import DeltaTable

    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")
    assert DeltaTable(str(tmp_path / table)).metadata().configuration.get("delta.appendOnly") == "true"


def test_history_check_fails_when_rows_disappear_behind_its_back(tmp_path):
    from deltalake import DeltaTable

    instance = dg.DagsterInstance.ephemeral()
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09", instance=instance)
    # Someone switches protection off and deletes rows, outside this project's code.
    table = DeltaTable(str(tmp_path / TEAMS))
    table.alter.set_table_properties({"delta.appendOnly": "false"})
    table.delete("situation = '5on5'")

    result = materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-11", instance=instance, raise_on_error=False)

    # The history audit refuses to write on top of the damage (issue 8); the untouched table still merges.
    failures = [e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure]
    assert not result.success
    assert len(failures) == 1 and f"'{TEAMS}' was tampered with" in failures[0] and "SET TBLPROPERTIES" in failures[0]
    checks = {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}
    assert checks[(PLAYERS, "never_shrinks")].passed
