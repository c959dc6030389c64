from datetime import UTC, date, datetime

import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from nhl_bronze.storage.delta import (
    VERSION,
    DeltaStore,
    ProtectedTableError,
    content_hash,
    latest_versions,
)
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, GAMES_HISTORICAL_STAGING

D1, D2, D3 = date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)
NOW = datetime(2024, 10, 10, 12, tzinfo=UTC)


def team_rows(day: date, game_id: int, goals: int = 3, extra: dict | None = None) -> pl.DataFrame:
    rows = {
        "gameId": [game_id, game_id],
        "gameDate": [day.year * 10000 + day.month * 100 + day.day] * 2,
        "team": ["TOR", "MTL"],
        "situation": ["all", "all"],
        "goalsFor": [goals, 1],
    }
    frame = pl.DataFrame(rows, schema_overrides={"gameId": pl.Int32, "gameDate": pl.Int32, "goalsFor": pl.Int32})
    return frame.with_columns(**{k: pl.lit(v) for k, v in (extra or {}).items()})


@pytest.fixture
def store(tmp_path):
    return DeltaStore(tmp_path)


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


def test_history_rerun_adds_nothing_and_a_correction_adds_a_version(store):
    first = store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-1", NOW)
    again = store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-2", NOW)
    corrected = store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1, goals=4), D1, D2, "run-3", NOW)

    assert (first.rows_written, again.rows_written, corrected.rows_written) == (2, 0, 1)
    assert again.rows_unchanged == 2
    history = store.scan(GAMES_HISTORICAL_HISTORY).collect()
    assert history.height == 3
    current = latest_versions(store.scan(GAMES_HISTORICAL_HISTORY), GAMES_HISTORICAL_HISTORY).collect()
    assert current.filter(pl.col("team") == "TOR")[["goalsFor", VERSION, "_run_id"]].row(0) == (4, 2, "run-3")


def test_history_reverting_correction_becomes_latest_again(store):
    for run, goals in enumerate([3, 4, 3]):
        store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1, goals=goals), D1, D2, f"r{run}", NOW)
    current = latest_versions(store.scan(GAMES_HISTORICAL_HISTORY), GAMES_HISTORICAL_HISTORY).collect()
    assert current.filter(pl.col("team") == "TOR")[["goalsFor", VERSION]].row(0) == (3, 3)


def test_history_refuses_overwrite_and_replace_through_the_store(store):
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-1", NOW)
    with pytest.raises(ProtectedTableError):
        store.overwrite_window(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2)
    with pytest.raises(ProtectedTableError):
        store.replace(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1))
    assert store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 2


def test_history_refuses_overwrite_and_delete_through_deltalake_directly(store):
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-1", NOW)
    path = store.path(GAMES_HISTORICAL_HISTORY)
    with pytest.raises(CommitFailedError, match="append-only"):
        DeltaTable(path).delete("gameId = 1")
    with pytest.raises(CommitFailedError, match="append-only"):
        write_deltalake(path, store.scan(GAMES_HISTORICAL_HISTORY).collect().head(1), mode="overwrite")
    assert store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 2


def test_history_new_column_is_merged_in_and_old_rows_read_null(store):
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-1", NOW)
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D2, 2, extra={"xNew": 1.5}), D2, D3, "run-2", NOW)

    history = store.scan(GAMES_HISTORICAL_HISTORY).collect()
    assert history.height == 4
    assert history.filter(pl.col("gameId") == 1)["xNew"].null_count() == 2
    assert history.filter(pl.col("gameId") == 2)["xNew"].to_list() == [1.5, 1.5]


def test_history_merge_prunes_to_its_window(store):
    for offset in range(10):
        day = date(2024, 10, 1 + offset)
        store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(day, offset), day, date(2024, 10, 2 + offset),
                                 "r", NOW)
    table = DeltaTable(store.path(GAMES_HISTORICAL_HISTORY))
    last = table.history(1)[0]
    assert last["operation"] == "MERGE"
    assert last["operationMetrics"]["num_target_files_skipped_during_scan"] >= 8


def test_content_hash_is_stable_and_sensitive():
    rows = team_rows(D1, 1)
    assert content_hash(rows).to_list() == content_hash(rows.select(reversed(rows.columns))).to_list()
    assert content_hash(rows).to_list() != content_hash(team_rows(D1, 1, goals=9)).to_list()
    # Pinned value: a change of hash function would silently re-version all history on the next run.
    assert content_hash(rows)[0] == "186d3a6dd64fb6e7733688e15fc0ec32084b242c"


def test_row_count_comes_from_the_log_and_matches_the_data(store):
    assert store.row_count(GAMES_HISTORICAL_HISTORY) == 0
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D1, 1), D1, D2, "run-1", NOW)
    store.merge_new_versions(GAMES_HISTORICAL_HISTORY, team_rows(D2, 2), D2, D3, "run-2", NOW)
    assert store.row_count(GAMES_HISTORICAL_HISTORY) == store.scan(GAMES_HISTORICAL_HISTORY).collect().height == 4
