import hashlib

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.domain.dates import in_window
from nhl_bronze.protection import open_store
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.readers.history import latest as read_latest
from nhl_bronze.storage.files import files_holding_games
from nhl_bronze.storage.history import (
    VERSION,
    content_hash,
    duplicate_latest_keys,
    latest_of_games,
    latest_of_window_games,
    latest_versions,
)
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, GAMES_HISTORICAL_STAGING
from nhl_bronze_tests.storage.rows import D1, D2, D3, NOW, team_rows


def latest_in_window(store, spec, start, end) -> pl.DataFrame:
    """The current rows dated in the window (versions judged over the whole table: a moved game's current rows
    are under its new date)."""
    return latest_of_window_games(store.open(spec), start, end).filter(in_window(start, end))

HISTORY = GAMES_HISTORICAL_HISTORY


def merge(store, frame, start, end, run_id):
    return merge_new_versions(store, HISTORY, lambda: frame, start, end, run_id, NOW)


def test_history_rerun_adds_nothing_and_a_correction_adds_a_version(store):
    first = merge(store, team_rows(D1, 1), D1, D2, "run-1")
    again = merge(store, team_rows(D1, 1), D1, D2, "run-2")
    corrected = merge(store, team_rows(D1, 1, goals=4), D1, D2, "run-3")

    assert (first.rows_written, again.rows_written, corrected.rows_written) == (2, 0, 1)
    assert again.rows_unchanged == 2
    assert store.scan(HISTORY).collect().height == 3
    current = read_latest(store, HISTORY).collect()
    assert current.filter(pl.col("team") == "TOR")[["goalsFor", VERSION, "_run_id"]].row(0) == (4, 2, "run-3")


def test_history_reverting_correction_becomes_latest_again(store):
    for run, goals in enumerate([3, 4, 3]):
        merge(store, team_rows(D1, 1, goals=goals), D1, D2, f"r{run}")
    current = latest_versions(store.scan(HISTORY), HISTORY).collect()
    assert current.filter(pl.col("team") == "TOR")[["goalsFor", VERSION]].row(0) == (3, 3)


def test_history_new_column_is_merged_in_and_old_rows_read_null(store):
    merge(store, team_rows(D1, 1), D1, D2, "run-1")
    merge(store, team_rows(D2, 2, extra={"xNew": 1.5}), D2, D3, "run-2")

    history = store.scan(HISTORY).collect()
    assert history.height == 4
    assert history.filter(pl.col("gameId") == 1)["xNew"].null_count() == 2
    assert history.filter(pl.col("gameId") == 2)["xNew"].to_list() == [1.5, 1.5]


def test_history_merge_prunes_to_its_window(store):
    for offset in range(10):
        day = D1.replace(day=1 + offset)
        merge(store, team_rows(day, offset), day, D1.replace(day=2 + offset), "r")
    last = DeltaTable(store.uri(HISTORY)).history(1)[0]
    assert last["operation"] == "MERGE"
    assert last["operationMetrics"]["num_target_files_skipped_during_scan"] >= 8


def test_latest_of_a_window_keeps_only_that_window(store):
    merge(store, team_rows(D1, 1), D1, D2, "r1")
    merge(store, team_rows(D2, 2), D2, D3, "r2")
    assert latest_in_window(store, HISTORY, D2, D3)["gameId"].unique().to_list() == [2]


def test_nothing_staged_writes_nothing(store):
    result = merge_new_versions(store, HISTORY, lambda: None, D1, D2, "r", NOW)
    assert (result.rows_written, store.exists(HISTORY)) == (0, False)


def test_content_hash_is_stable_and_sensitive():
    rows = team_rows(D1, 1)
    assert content_hash(rows).to_list() == content_hash(rows.select(reversed(rows.columns))).to_list()
    assert content_hash(rows).to_list() != content_hash(team_rows(D1, 1, goals=9)).to_list()
    # The documented rule (docs/DATA_DICTIONARY.md), pinned: a change would silently re-version history.
    documented = "gameDate=20241008\x1fgameId=1\x1fgoalsFor=3\x1fseason=20242025\x1fsituation=all\x1fteam=TOR"
    assert content_hash(rows)[0] == hashlib.sha1(documented.encode()).hexdigest()
    assert content_hash(rows.with_columns(xNew=pl.lit(None, pl.Float64)))[0] == content_hash(rows)[0]


def test_a_new_column_that_reads_null_does_not_re_version_unchanged_rows(store):
    merge(store, team_rows(D1, 1), D1, D2, "before")
    widened = merge(store, team_rows(D1, 1).with_columns(xNew=pl.lit(None, pl.Float64)), D1, D2, "after")
    assert widened.rows_written == 0
    filled = merge(store, team_rows(D1, 1).with_columns(xNew=pl.lit(0.5)), D1, D2, "filled")
    assert filled.rows_written == 2  # a real new value is a new version


def test_a_removed_column_does_not_re_version_unchanged_rows(store):
    merge(store, team_rows(D1, 1, extra={"xOld": 7}), D1, D2, "before")
    assert merge(store, team_rows(D1, 1), D1, D2, "after").rows_written == 0
    assert store.scan(HISTORY).collect().height == 2


def test_a_value_that_disappears_is_a_new_version(store):
    merge(store, team_rows(D1, 1), D1, D2, "before")
    result = merge(store, team_rows(D1, 1).with_columns(goalsFor=pl.lit(None, pl.Int32)), D1, D2, "after")
    assert result.rows_written == 2


def test_rows_stored_under_an_older_hash_scheme_compare_on_content(store):
    """History written before this hash rule holds other _row_hash values: a rebuild must not re-version it."""
    legacy = team_rows(D1, 1).with_columns(
        pl.lit("186d3a6dd64fb6e7733688e15fc0ec32084b242c").alias("_row_hash"),
        pl.lit(NOW).cast(pl.Datetime("us", "UTC")).alias("_ingested_at"),
        pl.lit("legacy-run").alias("_run_id"),
        pl.lit(1, pl.Int32).alias(VERSION),
    )
    store.append(HISTORY, legacy)
    assert merge(store, team_rows(D1, 1), D1, D2, "rebuild").rows_written == 0
    assert merge(store, team_rows(D1, 1, goals=4), D1, D2, "fix").rows_written == 1


def test_a_moved_game_becomes_the_next_version_of_the_same_keys(store):
    """Issue 8: a final game that the schedule later lists under another date."""
    merge(store, team_rows(D1, 1), D1, D2, "r1")
    merge(store, team_rows(D1, 5), D1, D2, "r1")
    moved = merge(store, team_rows(D2, 1), D2, D3, "r2")  # same game, same numbers, new date

    assert moved.rows_written == 2
    history = store.scan(HISTORY).collect()
    assert history.height == 6  # the old date's rows are superseded, never deleted
    latest = read_latest(store, HISTORY).collect()
    assert latest.height == 4  # one latest row per key over the whole table
    game = latest.filter(pl.col("gameId") == 1)
    assert game["gameDate"].to_list() == [20241009, 20241009] and game[VERSION].to_list() == [2, 2]
    assert latest_in_window(store, HISTORY, D1, D2)["gameId"].to_list() == [5, 5]  # moved away from D1
    assert sorted(latest_in_window(store, HISTORY, D2, D3)["gameId"].to_list()) == [1, 1]
    window_latest = latest_of_window_games(store.open(HISTORY), D1, D2)  # the check of the old date's window
    assert window_latest.height == 4 and duplicate_latest_keys(window_latest, HISTORY) == 0
    assert merge(store, team_rows(D2, 1), D2, D3, "r3").rows_written == 0  # a re-run adds nothing
    moving_merge = DeltaTable(store.uri(HISTORY)).history(1)[0]  # the re-run committed nothing
    assert "20241008" in moving_merge["operationParameters"]["predicate"]  # the old date, literally


def test_version_lookup_opens_only_files_that_can_hold_the_games(store):
    for offset in range(10):
        day = D1.replace(day=1 + offset)
        merge(store, team_rows(day, 100 + offset), day, D1.replace(day=2 + offset), "r")
    table = store.table(HISTORY)
    files = files_holding_games(table, "gameId", [103, 107])
    assert len(files) == 2
    assert store.scan_table(table, only_files=files).collect()["gameId"].unique().sort().to_list() == [103, 107]
    assert latest_of_games(store.open(HISTORY), [103, 107])["gameId"].unique().sort().to_list() == [103, 107]


def test_a_lost_commit_is_retried_with_the_staged_rows_read_again(store, tmp_path):
    """Issue 8: another writer commits the same game between this merge's snapshot and its commit, while
    staging is rebuilt. The retry must re-read staging (not reuse the frame it read first) and re-plan."""
    staging_spec = GAMES_HISTORICAL_STAGING
    merge(store, team_rows(D1, 1, goals=3), D1, D2, "first")
    store.overwrite_window(staging_spec, team_rows(D1, 1, goals=4), D1, D2)
    other_writer = open_store(tmp_path)  # a second writer with its own handles
    reads = []

    def read_staged():
        staged = store.open(staging_spec).scan_window(D1, D2).collect()
        reads.append(staged["goalsFor"][0])
        if len(reads) == 1:  # the concurrent run: it merges the staged correction and rebuilds staging again
            merge_new_versions(other_writer, HISTORY, lambda: staged, D1, D2, "concurrent", NOW)
            other_writer.overwrite_window(staging_spec, team_rows(D1, 1, goals=5), D1, D2)
        return staged

    result = merge_new_versions(store, HISTORY, read_staged, D1, D2, "retried", NOW)

    assert reads == [4, 5]  # the retry read staging again
    assert result.rows_written == 1
    tor = store.scan(HISTORY).filter(pl.col("team") == "TOR").sort(VERSION).collect()
    assert tor[["goalsFor", VERSION, "_run_id"]].rows() == [(3, 1, "first"), (4, 2, "concurrent"), (5, 3, "retried")]


def test_a_zero_that_changes_sign_is_a_new_version_as_its_hash_says(store):
    merge(store, team_rows(D1, 1, extra={"xg": 0.0}), D1, D2, "before")
    assert merge(store, team_rows(D1, 1, extra={"xg": 0.0}), D1, D2, "same").rows_written == 0
    assert merge(store, team_rows(D1, 1, extra={"xg": -0.0}), D1, D2, "signed").rows_written == 2


def test_the_window_check_can_read_keys_only(store):
    merge(store, team_rows(D1, 1), D1, D2, "r1")
    merge(store, team_rows(D1, 1, goals=4), D1, D2, "r2")
    latest = latest_of_window_games(store.open(HISTORY), D1, D2, columns=[*HISTORY.key, VERSION])
    assert sorted(latest.columns) == sorted([*HISTORY.key, VERSION])
    assert sorted(latest[VERSION].to_list()) == [1, 2]  # TOR corrected (2), MTL unchanged (1)
