"""History compacted in game-date order: a window's lookups open only the files of its dates, with the same rows."""

from datetime import UTC, date, datetime, timedelta

import polars as pl

from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import files_dated_in, in_batches, latest_of_window_games, merge_new_versions
from nhl_bronze.storage.maintenance import maintain_table
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY as GAMES

FIRST = date(2024, 10, 1)


def day_rows(n: int) -> pl.DataFrame:
    day = FIRST + timedelta(days=n)
    return pl.DataFrame(
        {"gameId": [2024020000 + n] * 400, "gameDate": [int(day.strftime("%Y%m%d"))] * 400, "season": 20242025,
         "team": [f"T{i}" for i in range(400)], "situation": "all", "goalsFor": range(400)},
        schema_overrides={"gameId": pl.Int32, "gameDate": pl.Int32, "season": pl.Int32, "goalsFor": pl.Int32})


def test_a_window_reads_the_files_of_its_dates_and_finds_the_same_latest_rows(tmp_path):
    store = DeltaStore(tmp_path)
    for n in range(12):
        day = FIRST + timedelta(days=n)
        merge_new_versions(store, GAMES, lambda n=n: day_rows(n), day, day + timedelta(days=1), f"run-{n}",
                           datetime(2024, 10, 20, tzinfo=UTC))
    start, end = FIRST + timedelta(days=5), FIRST + timedelta(days=7)
    before = latest_of_window_games(store, GAMES, start, end).sort("gameId", "team")

    maintain_table(store, GAMES, sorted_file_bytes=1000)  # about 1024 rows per file here

    table = store.table(GAMES)
    assert 1 <= len(files_dated_in(table, start, end)) < len(table.get_add_actions(flatten=True))
    after = latest_of_window_games(store, GAMES, start, end).sort("gameId", "team")
    assert after.equals(before)
    assert after["gameId"].unique().sort().to_list() == [2024020005, 2024020006]


def test_in_batches_keeps_every_row_in_order_in_chunks_of_at_most_the_bound():
    frame = pl.DataFrame({"gameId": list(range(10)), "team": [f"T{i}" for i in range(10)]})

    batched = in_batches(frame, 4)

    assert batched.n_chunks() == 3  # 4 + 4 + 2
    assert batched.equals(frame)
    assert in_batches(frame, 10).n_chunks() == 1
