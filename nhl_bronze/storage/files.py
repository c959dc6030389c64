"""Which data files of a snapshot can hold given dates or games, from the log alone (no data file is opened).

A file's range of a column is its partition value when the table is partitioned by that column, else the
``min``/``max`` statistics the log keeps per file; a file without either (written without statistics) may hold
anything. Every reader that prunes files by date or game asks here: history's version lookup, a window's rows,
the rows per date of a merge plan, the raw store's bodies of a window.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, game_date_int

LOW, HIGH = "_low", "_high"  # the columns of ``file_ranges``: the range a file can hold (null: unknown)


def file_ranges(table: DeltaTable, column: str) -> pl.DataFrame:
    """One row per live data file: ``path``, ``num_records``, its ``partition.*`` values and the range of
    ``column`` it can hold (``_low``/``_high`` as Int64; null when unknown)."""
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    if actions.is_empty():
        return pl.DataFrame(schema={"path": pl.String, "num_records": pl.Int64, LOW: pl.Int64, HIGH: pl.Int64})
    partition, low, high = f"partition.{column}", f"min.{column}", f"max.{column}"
    if partition in actions.columns:
        bounds = [pl.col(partition).cast(pl.Int64).alias(LOW), pl.col(partition).cast(pl.Int64).alias(HIGH)]
    elif low in actions.columns and high in actions.columns:
        bounds = [pl.col(low).cast(pl.Int64).alias(LOW), pl.col(high).cast(pl.Int64).alias(HIGH)]
    else:
        bounds = [pl.lit(None, pl.Int64).alias(LOW), pl.lit(None, pl.Int64).alias(HIGH)]
    return actions.with_columns(*bounds)


def meets(first: int, end: int) -> pl.Expr:
    """A ``file_ranges`` row whose range meets ``[first, end)`` (an unknown bound meets everything)."""
    return (pl.col(LOW).is_null() | (pl.col(LOW) < end)) & (pl.col(HIGH).is_null() | (pl.col(HIGH) >= first))


def date_ranges(table: DeltaTable) -> pl.DataFrame:
    return file_ranges(table, GAME_DATE_COLUMN)


def files_dated_in(table: DeltaTable, start: date, end: date) -> list[str]:
    """Data files that can hold a row dated in ``[start, end)``: a table compacted in date order (history,
    staging) holds a window's rows in a few of its files, however many seasons it holds."""
    return date_ranges(table).filter(meets(game_date_int(start), game_date_int(end)))["path"].to_list()


def files_holding_games(table: DeltaTable, column: str, game_ids: list[int]) -> list[str]:
    """Data files whose range of ``column`` contains one of ``game_ids``."""
    if not game_ids:
        return []
    ranges = file_ranges(table, column)
    if ranges.is_empty():
        return []
    ids = pl.Series(game_ids).sort()
    # For each file, the first id at or above its low bound and the first id above its high bound: an id lies in
    # the range exactly when the second comes after the first. Unknown bounds take the extreme ids.
    first_at_or_above_low = ids.search_sorted(ranges[LOW].fill_null(ids.min()), side="left")
    first_above_high = ids.search_sorted(ranges[HIGH].fill_null(ids.max()), side="right")
    return ranges.filter(first_above_high > first_at_or_above_low)["path"].to_list()
