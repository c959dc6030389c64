"""How ``merge_window`` cuts a long window (by staged rows, not by days) and reads each cut."""

from datetime import date

from nhl_bronze.pipeline.history import merge_chunks, staged_rows
from nhl_bronze.protection import open_store
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING
from nhl_bronze_tests.storage.rows import D1, D2, team_rows

OCT = {20241001: 30, 20241002: 30, 20241004: 50, 20241005: 80, 20241006: 10}


def test_chunks_hold_at_most_the_row_limit_and_cover_the_window():
    chunks = merge_chunks(date(2024, 10, 1), date(2024, 10, 8), OCT, 70)
    assert chunks == [
        (date(2024, 10, 1), date(2024, 10, 4)),  # 30 + 30 (+ the empty 10-03)
        (date(2024, 10, 4), date(2024, 10, 5)),  # 50
        (date(2024, 10, 5), date(2024, 10, 6)),  # 80: one date over the limit is a chunk of its own
        (date(2024, 10, 6), date(2024, 10, 8)),  # 10 and the empty 10-07
    ]


def test_a_window_of_few_rows_is_one_chunk_and_an_empty_window_none():
    assert merge_chunks(date(2024, 10, 1), date(2024, 10, 8), OCT, 1_000) == [(date(2024, 10, 1), date(2024, 10, 8))]
    assert merge_chunks(date(2024, 10, 9), date(2024, 10, 12), OCT, 70) == [(date(2024, 10, 9), date(2024, 10, 12))]
    assert merge_chunks(date(2024, 10, 9), date(2024, 10, 9), OCT, 70) == []


def test_each_cut_reads_staging_as_it_is_now_not_as_the_merge_first_opened_it(tmp_path):
    store = open_store(tmp_path)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    staged = store.open(GAMES_HISTORICAL_STAGING)  # opened once when the merge starts
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 7), D1, D2)  # staging rebuilt meanwhile

    assert staged_rows(staged, D1, D2)["gameId"].unique().to_list() == [7]
