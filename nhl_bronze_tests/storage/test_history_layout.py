"""History compacted in game-date order: a window's lookups open only the files of its dates, with the same rows."""

from datetime import UTC, date, datetime, timedelta

import polars as pl

from nhl_bronze.protection import open_store
from nhl_bronze.protection.merge import in_batches, merge_new_versions
from nhl_bronze.storage.files import files_dated_in
from nhl_bronze.storage.history import latest_of_window_games
from nhl_bronze.storage.maintenance import maintain_table
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY as GAMES
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING as GAMES_STAGING

FIRST = date(2024, 10, 1)


def day_rows(n: int) -> pl.DataFrame:
    day = FIRST + timedelta(days=n)
    return pl.DataFrame(
        {"gameId": [2024020000 + n] * 400, "gameDate": [int(day.strftime("%Y%m%d"))] * 400, "season": 20242025,
         "team": [f"T{i}" for i in range(400)], "situation": "all", "goalsFor": range(400)},
        schema_overrides={"gameId": pl.Int32, "gameDate": pl.Int32, "season": pl.Int32, "goalsFor": pl.Int32})


def test_a_window_reads_the_files_of_its_dates_and_finds_the_same_latest_rows(tmp_path):
    store = open_store(tmp_path)
    for n in range(12):
        day = FIRST + timedelta(days=n)
        merge_new_versions(store, GAMES, lambda n=n: day_rows(n), day, day + timedelta(days=1), f"run-{n}",
                           datetime(2024, 10, 20, tzinfo=UTC))
    start, end = FIRST + timedelta(days=5), FIRST + timedelta(days=7)
    before = latest_of_window_games(store.open(GAMES), start, end).sort("gameId", "team")

    maintain_table(store, GAMES, sorted_file_bytes=1000)  # about 1024 rows per file here

    table = store.table(GAMES)
    assert 1 <= len(files_dated_in(table, start, end)) < len(table.get_add_actions(flatten=True))
    after = latest_of_window_games(store.open(GAMES), start, end).sort("gameId", "team")
    assert after.equals(before)
    assert after["gameId"].unique().sort().to_list() == [2024020005, 2024020006]


def test_in_batches_keeps_every_row_in_order_in_chunks_of_at_most_the_bound():
    frame = pl.DataFrame({"gameId": list(range(10)), "team": [f"T{i}" for i in range(10)]})

    batched = in_batches(frame, 4)

    assert batched.n_chunks() == 3  # 4 + 4 + 2
    assert batched.equals(frame)
    assert in_batches(frame, 10).n_chunks() == 1


def test_staging_compacted_in_date_order_rewrites_only_the_file_of_a_rerun_date(tmp_path):
    """Staging has history's layout: maintenance sorts a season into files of a few dates each, so a daily run
    that replaces its lookback dates rewrites one small file, not the season."""
    store = open_store(tmp_path)
    for first, last in ((0, 6), (6, 12)):  # two writes of six dates: two files of one season to compact
        store.overwrite_window(GAMES_STAGING, pl.concat([day_rows(n) for n in range(first, last)]),
                               FIRST + timedelta(days=first), FIRST + timedelta(days=last))
    before = store.scan(GAMES_STAGING).collect().sort("gameId", "team")

    maintain_table(store, GAMES_STAGING, sorted_file_bytes=1000)
    compacted = set(store.table(GAMES_STAGING).get_add_actions(flatten=True).column("path").to_pylist())
    rerun = FIRST + timedelta(days=6)
    store.overwrite_window(GAMES_STAGING, day_rows(6).with_columns(pl.col("goalsFor") + 1), rerun,
                           rerun + timedelta(days=1))

    after = set(store.table(GAMES_STAGING).get_add_actions(flatten=True).column("path").to_pylist())
    assert len(compacted) > 2
    assert len(compacted - after) == 1  # one compacted file rewritten, the others untouched
    rows = store.scan(GAMES_STAGING).collect().sort("gameId", "team")
    assert rows.filter(pl.col("gameId") != 2024020006).equals(before.filter(pl.col("gameId") != 2024020006))
    assert rows.filter(pl.col("gameId") == 2024020006)["goalsFor"].sum() == sum(range(1, 401))
