import dataclasses
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from nhl_bronze.protection import open_store
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.readers.history import latest as read_latest
from nhl_bronze.storage.delta import ProtectedTableError
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    RAW_API_RESPONSES,
    TableSpec,
)
from nhl_bronze_tests.storage.rows import D1, D2, D3, NOW, team_rows


def test_overwrite_window_replaces_only_its_dates(store):
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2), D2, D3)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 3, goals=5), D2, D3)

    table = store.scan(GAMES_HISTORICAL_STAGING).collect().sort("gameId")
    assert table["gameId"].unique().to_list() == [1, 3]


def test_overwrite_window_with_no_rows_empties_the_window(store):
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2), D2, D3)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2).clear(), D2, D3)

    assert store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].unique().to_list() == [1]


def test_overwrite_window_rejects_rows_outside_the_window(store):
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    with pytest.raises(Exception, match=r"(?i)invalid data|validation"):
        store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D3, 9), D1, D2)
    assert store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].to_list() == [1, 1]


def test_overwrite_window_through_an_earlier_snapshot_keeps_what_others_committed_since(store):
    """A run writes staging window after window through one snapshot; a commit another writer made in between
    (here: another date's window) is read before the write, kept, and counted in the version reported."""
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    snapshot = store.open(GAMES_HISTORICAL_STAGING)  # version 0
    open_store(store.root).overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2), D2, D3)  # version 1

    result = store.overwrite_window(snapshot, team_rows(D1, 3), D1, D2)

    assert (result.table_version, store.version(GAMES_HISTORICAL_STAGING)) == (2, 2)
    assert sorted(store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].unique()) == [2, 3]


def test_history_refuses_overwrite_and_replace_through_the_store(store):
    merge_new_versions(store, GAMES_HISTORICAL_HISTORY, lambda: team_rows(D1, 1), D1, D2, "run-1", NOW)
    with pytest.raises(ProtectedTableError):
        store.overwrite_window(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2)
    with pytest.raises(ProtectedTableError):
        store.replace(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1))
    assert store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 2


def test_history_refuses_overwrite_and_delete_through_deltalake_directly(store):
    merge_new_versions(store, GAMES_HISTORICAL_HISTORY, lambda: team_rows(D1, 1), D1, D2, "run-1", NOW)
    uri = store.uri(GAMES_HISTORICAL_HISTORY)
    with pytest.raises(CommitFailedError, match="append-only"):
        DeltaTable(uri).delete("gameId = 1")
    with pytest.raises(CommitFailedError, match="append-only"):
        write_deltalake(uri, store.scan(GAMES_HISTORICAL_HISTORY).collect().head(1), mode="overwrite")
    assert store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 2


def test_row_count_comes_from_the_log_and_matches_the_data(store):
    assert store.row_count(GAMES_HISTORICAL_HISTORY) == 0
    merge_new_versions(store, GAMES_HISTORICAL_HISTORY, lambda: team_rows(D1, 1), D1, D2, "run-1", NOW)
    merge_new_versions(store, GAMES_HISTORICAL_HISTORY, lambda: team_rows(D2, 2), D2, D3, "run-2", NOW)
    assert store.row_count(GAMES_HISTORICAL_HISTORY) == store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 4


@pytest.mark.parametrize("folder", ["data dir", "season=2024", "a b/x=1 y"])
def test_a_data_dir_with_spaces_or_equals_signs_is_just_a_path(tmp_path, folder):
    """Issue 8: paths are paths. Every operation works under such a root, and the folders above the table are
    neither URL-encoded nor read as hive partitions."""
    root = tmp_path / folder
    store = open_store(str(root))
    assert store.uri(GAMES_HISTORICAL_STAGING) == f"{root}/{GAMES_HISTORICAL_STAGING.name}"
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2), D2, D3)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 3), D2, D3)
    merge_new_versions(store, GAMES_HISTORICAL_HISTORY,
                       lambda: store.open(GAMES_HISTORICAL_STAGING).scan_window(D1, D3).collect(), D1, D3, "run-1", NOW)
    store.replace(TableSpec("derived_table", ("gameId",), partition_by=()), team_rows(D1, 7))

    staged = store.open(GAMES_HISTORICAL_STAGING).scan_window(D1, D3).collect()
    assert sorted(staged.columns) == sorted(team_rows(D1, 1).columns)
    assert sorted(staged["gameId"].unique().to_list()) == [1, 3]
    assert read_latest(store, GAMES_HISTORICAL_HISTORY).collect().height == 4
    assert store.row_count(GAMES_HISTORICAL_HISTORY) == 4
    assert store.scan(TableSpec("derived_table", ("gameId",), partition_by=())).collect()["gameId"].to_list() == [7, 7]
    assert (root / GAMES_HISTORICAL_HISTORY.name / "_delta_log").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == [folder.split("/")[0]]  # no "%20" twin folder


def test_file_uri_root_is_the_same_local_table(tmp_path):
    (tmp_path / "my data").mkdir()
    by_path = open_store(tmp_path / "my data")
    by_uri = open_store((tmp_path / "my data").as_uri())  # file:///.../my%20data
    by_path.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    assert by_uri.uri(GAMES_HISTORICAL_STAGING) == by_path.uri(GAMES_HISTORICAL_STAGING)
    assert by_uri.open(GAMES_HISTORICAL_STAGING).scan_window(D1, D2).collect().height == 2


def test_object_store_roots_are_joined_as_uris_and_options_stay_private():
    store = open_store("s3://bucket/lake/", storage_options={"AWS_SECRET_ACCESS_KEY": "hunter2"})
    assert store.uri(RAW_API_RESPONSES) == "s3://bucket/lake/raw_nhl_api_responses"
    assert "hunter2" not in repr(store) and "hunter2" not in str(store)
    assert store.storage_options == {"AWS_SECRET_ACCESS_KEY": "hunter2"}


def test_scan_reads_columns_added_later_as_null_in_older_files(store):
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 2, extra={"xNew": 1.5}), D2, D3)
    rows = store.scan(GAMES_HISTORICAL_STAGING).sort("gameId").collect()
    assert rows["xNew"].to_list() == [None, None, 1.5, 1.5]
    assert rows.schema["gameDate"] == pl.Int32


def test_rows_per_date_of_the_window_come_from_its_files(store):
    assert store.rows_per_date(GAMES_HISTORICAL_STAGING, D1, D3) == {}
    store.overwrite_window(GAMES_HISTORICAL_STAGING, pl.concat([team_rows(D1, 1), team_rows(D1, 2)]), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 3), D2, D3)

    assert store.rows_per_date(GAMES_HISTORICAL_STAGING, D1, D3) == {20241008: 4, 20241009: 2}
    assert store.rows_per_date(GAMES_HISTORICAL_STAGING, D2, D3) == {20241009: 2}


def test_rows_per_date_of_a_table_partitioned_by_date_come_from_the_log(store):
    by_date = dataclasses.replace(GAMES_HISTORICAL_STAGING, partition_by=("gameDate",))
    store.overwrite_window(by_date, pl.concat([team_rows(D1, 1), team_rows(D1, 2)]), D1, D2)
    store.overwrite_window(by_date, team_rows(D2, 3), D2, D3)
    for data_file in Path(store.uri(by_date)).rglob("*.parquet"):  # the answer must not need a data file
        data_file.write_bytes(b"not parquet")

    assert store.rows_per_date(by_date, D1, D3) == {20241008: 4, 20241009: 2}
    assert store.rows_per_date(by_date, D2, D3) == {20241009: 2}


def test_staging_is_laid_out_by_season_and_a_window_is_one_file(store):
    store.overwrite_window(GAMES_HISTORICAL_STAGING, pl.concat([team_rows(D1, 1), team_rows(D2, 2)]), D1, D3)

    table = DeltaTable(store.uri(GAMES_HISTORICAL_STAGING))
    assert table.metadata().partition_columns == ["season"]
    assert table.get_add_actions(flatten=True).num_rows == 1


def test_a_staging_table_created_by_date_keeps_its_layout(store):
    """Tables written before staging moved to the season layout go on working as they are, until migrated."""
    by_date = dataclasses.replace(GAMES_HISTORICAL_STAGING, partition_by=("gameDate",))
    store.overwrite_window(by_date, pl.concat([team_rows(D1, 1), team_rows(D2, 2)]), D1, D3)

    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 3), D2, D3)

    assert DeltaTable(store.uri(GAMES_HISTORICAL_STAGING)).metadata().partition_columns == ["gameDate"]
    assert sorted(store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].unique()) == [1, 3]


def test_a_date_rewritten_inside_a_window_written_at_once_keeps_the_other_dates(store):
    """One file holds both dates (season layout): replacing one of them rewrites the file without it."""
    store.overwrite_window(GAMES_HISTORICAL_STAGING, pl.concat([team_rows(D1, 1), team_rows(D2, 2)]), D1, D3)

    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D2, 3, goals=5), D2, D3)

    rows = store.scan(GAMES_HISTORICAL_STAGING).collect()
    assert sorted(rows["gameId"].unique()) == [1, 3]
    assert rows.filter(pl.col("gameId") == 1).height == team_rows(D1, 1).height
