"""``changed_by_value``: the value comparison that spares unchanged rows the hash must never call a row unchanged
that the hash rule (``content_hash``) calls changed."""

import polars as pl

from nhl_bronze.storage.history import content_hash
from nhl_bronze.storage.unchanged import changed_by_value

KEY = ["gameId", "team"]


def rows(**columns) -> pl.DataFrame:
    return pl.DataFrame({"gameId": [1, 1], "team": ["TOR", "MTL"], **columns})


def changed_teams(staged: pl.DataFrame, stored: pl.DataFrame) -> list[str]:
    return changed_by_value(staged, stored, KEY, staged.columns)["team"].to_list()


def test_equal_rows_are_unchanged_and_a_changed_value_is_not():
    stored = rows(goals=[3, 1], xg=[1.25, 0.5])
    assert changed_teams(rows(goals=[3, 1], xg=[1.25, 0.5]), stored) == []
    assert changed_teams(rows(goals=[3, 2], xg=[1.25, 0.5]), stored) == ["MTL"]
    assert changed_teams(rows(goals=[3, 1], xg=[1.26, 0.5]), stored) == ["TOR"]


def test_a_key_without_a_stored_row_is_changed():
    stored = rows(goals=[3, 1]).filter(pl.col("team") == "TOR")
    assert changed_teams(rows(goals=[3, 1]), stored) == ["MTL"]


def test_nulls_equal_each_other_but_not_a_value():
    stored = rows(goals=pl.Series([None, 1], dtype=pl.Int64))
    assert changed_teams(rows(goals=pl.Series([None, 1], dtype=pl.Int64)), stored) == []
    assert changed_teams(rows(goals=[0, 1]), stored) == ["TOR"]


def test_minus_zero_is_a_change_because_its_hash_is_one():
    staged, stored = rows(xg=[-0.0, float("nan")]), rows(xg=[0.0, float("nan")])
    assert content_hash(staged)[0] != content_hash(stored)[0]  # "-0.0" vs "0.0"
    assert content_hash(staged)[1] == content_hash(stored)[1]  # "NaN" both
    assert changed_teams(staged, stored) == ["TOR"]


def test_a_staged_column_the_stored_rows_lack_counts_as_null_there():
    stored = rows(goals=[3, 1])
    staged = rows(goals=[3, 1], xNew=pl.Series([None, 0.5], dtype=pl.Float64))
    assert changed_teams(staged, stored) == ["MTL"]


def test_a_stored_column_staging_no_longer_has_is_ignored():
    assert changed_teams(rows(goals=[3, 1]), rows(goals=[3, 1], xOld=[7, 8])) == []


def test_a_dtype_that_differs_decides_nothing():
    stored = rows(goals=pl.Series([3, 1], dtype=pl.Int32))
    assert changed_teams(rows(goals=pl.Series([3, 1], dtype=pl.Int64)), stored) == ["TOR", "MTL"]


def test_empty_stored_rows_leave_every_staged_row():
    assert changed_teams(rows(goals=[3, 1]), rows(goals=[3, 1]).clear()) == ["TOR", "MTL"]
