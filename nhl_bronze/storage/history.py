"""History rows: protected tables hold every version of every row; this module is the pure row logic (content
hashes, latest versions, which files can hold a game or a date). The merge that writes new versions is
``nhl_bronze.protection.merge`` (it is a protected write: audited before, recorded in the ledger after).

A history run hashes each staged row's content and inserts only rows whose hash differs from the latest stored
version of their key, as ``_version = latest + 1``, with an insert-only MERGE (nothing is ever updated or
deleted). Readers take the highest ``_version`` of each key (``latest_versions``).

Versions are looked up over the whole table, by the staged games' ids: a game the schedule moves to another
date gets its next version under the new date, and its old date's rows are superseded (never deleted), so
every key has exactly one latest row. The lookup stays cheap as history grows: the log's per-file ``gameId``
statistics select the few files that can hold those games before any file is opened.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Protocol

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, game_date_int
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from deltalake import DeltaTable


class SnapshotReader(Protocol):
    """What these functions read through (``DeltaStore`` is one): named here so that ``delta`` may use this
    module without this module importing ``delta`` back."""

    def table(self, spec: TableSpec, version: int | None = None) -> DeltaTable: ...

    def table_if_exists(self, spec: TableSpec) -> DeltaTable | None: ...

    def scan_table(self, table: DeltaTable, only_files: list[str] | None = None) -> pl.LazyFrame: ...

    def scan_window(self, table: DeltaTable, start: date, end: date) -> pl.LazyFrame: ...

INGESTED_AT = "_ingested_at"
RUN_ID = "_run_id"
ROW_HASH = "_row_hash"
VERSION = "_version"
HISTORY_META_COLUMNS = (INGESTED_AT, RUN_ID, ROW_HASH, VERSION)
GAME_ID = "gameId"  # every history key starts with the game: versions are looked up by game id


def content_hash(frame: pl.DataFrame, exclude: tuple[str, ...] = HISTORY_META_COLUMNS) -> pl.Series:
    """SHA-1 of each row's non-null values, each keyed by its column name, in column-name order.

    Nulls are left out, so a schema change does not change the hash of an unchanged row: a column added later
    (old rows read null) or a column that a row does not have contributes nothing. A value that changes,
    appears or disappears changes the hash. Stable across polars versions (no polars hash function).
    """
    columns = sorted(c for c in frame.columns if c not in exclude)
    if frame.is_empty():
        return pl.Series(ROW_HASH, [], dtype=pl.String)
    canonical = frame.select(
        pl.concat_str(
            [pl.lit(f"{c}=") + pl.col(c).cast(pl.String) for c in columns], separator="\x1f", ignore_nulls=True
        ).fill_null("").alias("row")
    )["row"]
    return pl.Series(ROW_HASH, [hashlib.sha1(row.encode()).hexdigest() for row in canonical], dtype=pl.String)


def latest_versions(history: pl.LazyFrame, spec: TableSpec) -> pl.LazyFrame:
    """The current row of every key: its highest ``_version``. This is how readers should read history."""
    return history.filter(pl.col(VERSION) == pl.col(VERSION).max().over(list(spec.key)))


def latest_of_games(
    store: SnapshotReader, spec: TableSpec, game_ids: list[int], table: DeltaTable | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """The latest version, over the whole table, of every key of these games (an empty frame for none);
    ``columns`` (key and ``_version`` included) reads only those."""
    table = table or store.table(spec)
    files = _files_that_may_hold(table, game_ids)
    rows = store.scan_table(table, only_files=files)
    if columns is not None:
        rows = rows.select(columns)
    if not files:
        return rows.collect()
    return latest_versions(rows.filter(pl.col(GAME_ID).is_in(game_ids)), spec).collect()


def versions_of_games(store: SnapshotReader, spec: TableSpec, game_ids: list[int], table: DeltaTable,
                      columns: list[str]) -> pl.DataFrame:
    """Every stored version of every key of these games (``columns`` only), read from the files whose logged
    ``gameId`` range can hold them: what an incremental reader needs to see what a new version superseded."""
    files = _files_that_may_hold(table, game_ids)
    rows = store.scan_table(table, only_files=files).select(columns)
    return rows.filter(pl.col(GAME_ID).is_in(game_ids)).collect() if files else rows.collect()


def latest_of_window_games(store: SnapshotReader, spec: TableSpec, start: date, end: date,
                           columns: list[str] | None = None) -> pl.DataFrame:
    """The latest version, over the whole table, of every key of the games with any row dated in
    ``[start, end)``: the unique-key check of a window (a moved game's old date included); ``columns`` as in
    ``latest_of_games`` (a check over three seasons needs the keys, not 600 k whole rows)."""
    table = store.table_if_exists(spec)
    if table is None:
        return pl.DataFrame()
    game_ids = (
        store.scan_window(table, start, end).select(pl.col(GAME_ID).unique()).collect()[GAME_ID]
    )
    return latest_of_games(store, spec, game_ids.to_list(), table, columns)


def duplicate_latest_keys(latest: pl.DataFrame, spec: TableSpec) -> int:
    """Rows beyond one per key among latest rows (0 when history is consistent)."""
    return 0 if latest.is_empty() else latest.height - latest.select(spec.key).unique().height


def _files_that_may_hold(table: DeltaTable, game_ids: list[int]) -> list[str]:
    """Data files whose logged ``gameId`` range contains one of the ids (no file is opened)."""
    if not game_ids:
        return []
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    low, high = f"min.{GAME_ID}", f"max.{GAME_ID}"
    if actions.is_empty() or low not in actions.columns or high not in actions.columns:
        return actions["path"].to_list() if not actions.is_empty() else []
    ids = pl.Series(game_ids).sort()
    # A file without statistics (min is null) may hold anything.
    lows, highs = actions[low], actions[high]
    first_at_or_above_low = ids.search_sorted(lows.fill_null(ids.min()), side="left")
    first_above_high = ids.search_sorted(highs.fill_null(ids.max()), side="right")
    return actions.filter(first_above_high > first_at_or_above_low)["path"].to_list()


def files_dated_in(table: DeltaTable, start: date, end: date) -> list[str]:
    """Data files whose logged ``gameDate`` range meets ``[start, end)`` (no file is opened): a table compacted in
    date order (history, staging) holds a window's rows in a few of its files, however many seasons it holds."""
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    low, high = f"min.{GAME_DATE_COLUMN}", f"max.{GAME_DATE_COLUMN}"
    if actions.is_empty() or low not in actions.columns or high not in actions.columns:
        return actions["path"].to_list() if not actions.is_empty() else []
    # A file without statistics (null bounds) may hold any date.
    overlaps = (pl.col(low).is_null() | (pl.col(low) < game_date_int(end))) & (
        pl.col(high).is_null() | (pl.col(high) >= game_date_int(start)))
    return actions.filter(overlaps)["path"].to_list()
