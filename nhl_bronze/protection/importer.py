"""Importing an existing table (the old system's exports) into a history table.

The source is a Delta table or Parquet files with the bronze column contract. It is validated against the
contract (every column present, no unknown column, types castable, required values and keys present, one row
per key), then merged month by month as versions with ``_run_id`` = the source label, through the same
insert-only merge as every history run: nothing is overwritten, and importing the same source twice adds
nothing. By default only keys history does not hold yet are imported, so an old export never shadows rows
already fetched; a later fetch of the same games adds corrected versions on top of the imported ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.contract import GAMES_HISTORICAL_COLUMNS, PLAYER_GAME_STATS_COLUMNS, Column
from nhl_bronze.domain.dates import GAME_DATE_COLUMN, chunk_window, date_of_game_date_int, in_window
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.storage.history import GAME_ID, HISTORY_META_COLUMNS, latest_of_games
from nhl_bronze.storage.scan import scan_snapshot
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, TableSpec
from nhl_bronze.storage.writes import require_protected

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore

CONTRACTS: dict[str, tuple[Column, ...]] = {
    PLAYER_GAME_STATS_HISTORY.name: PLAYER_GAME_STATS_COLUMNS,
    GAMES_HISTORICAL_HISTORY.name: GAMES_HISTORICAL_COLUMNS,
}
IMPORT_CHUNK_DAYS = 31


class ImportValidationError(ValueError):
    pass


@dataclass(frozen=True)
class ImportReport:
    table: str
    source: str
    source_label: str
    rows_read: int
    rows_inserted: int
    rows_unchanged: int
    rows_skipped_existing: int
    table_version: int | None


def import_into_history(
    store: DeltaStore, spec: TableSpec, source: str, source_label: str, supersede: bool = False
) -> ImportReport:
    """Validate ``source`` against ``spec``'s contract and add its rows to history as versions.

    ``supersede=True`` also adds a new version for keys history already holds when the source's content
    differs (the import then becomes their latest version); by default such keys are skipped.
    """
    require_protected(spec)
    contract = CONTRACTS.get(spec.name)
    if contract is None:
        raise ImportValidationError(f"{spec.name}: no column contract to import against")
    rows = _read_source(store, source)
    _check_columns(spec, source, rows.collect_schema(), contract)
    typed = rows.select(_cast(column) for column in contract)
    try:
        dates = typed.select(pl.col(GAME_DATE_COLUMN).min().alias("first"),
                             pl.col(GAME_DATE_COLUMN).max().alias("last"), pl.len().alias("rows")).collect()
    except pl.exceptions.PolarsError as error:
        raise ImportValidationError(f"{source}: does not fit the {spec.name} contract types: {error}") from error
    total = int(dates["rows"][0])
    if total == 0:
        return ImportReport(spec.name, source, source_label, 0, 0, 0, 0, store.version(spec))
    first, last = date_of_game_date_int(dates["first"][0]), date_of_game_date_int(dates["last"][0])
    ingested_at = datetime.now(UTC)
    inserted = unchanged = skipped = 0
    for start, end in chunk_window(first, last + timedelta(days=1), IMPORT_CHUNK_DAYS):
        try:
            collected = typed.filter(in_window(start, end)).collect()
        except pl.exceptions.PolarsError as error:  # a value that does not fit its contract type
            raise ImportValidationError(f"{source}: does not fit the {spec.name} contract types: {error}") from error
        chunk = _validated(spec, source, collected, contract)
        if chunk.is_empty():
            continue
        skipped_here = 0

        def read_staged(chunk: pl.DataFrame = chunk) -> pl.DataFrame:
            nonlocal skipped_here
            if supersede or not store.exists(spec):
                return chunk
            held = latest_of_games(store.open(spec), chunk[GAME_ID].unique().to_list()).select(spec.key)
            fresh = chunk.join(held, on=list(spec.key), how="anti", nulls_equal=True)
            skipped_here = chunk.height - fresh.height
            return fresh

        result = merge_new_versions(store, spec, read_staged, start, end, source_label, ingested_at)
        inserted += result.rows_written
        unchanged += result.rows_unchanged
        skipped += skipped_here
    return ImportReport(spec.name, source, source_label, total, inserted, unchanged, skipped, store.version(spec))


def _read_source(store: DeltaStore, source: str) -> pl.LazyFrame:
    try:
        is_delta = DeltaTable.is_deltatable(source, storage_options=store.storage_options)
    except OSError:  # a Parquet file, not a folder
        is_delta = False
    if is_delta:
        return scan_snapshot(DeltaTable(source, storage_options=store.storage_options), store.storage_options)
    try:
        return pl.scan_parquet(source, storage_options=store.storage_options, missing_columns="insert")
    except (FileNotFoundError, pl.exceptions.ComputeError) as error:
        raise ImportValidationError(f"{source}: neither a Delta table nor Parquet files ({error})") from error


def _check_columns(spec: TableSpec, source: str, schema: pl.Schema, contract: tuple[Column, ...]) -> None:
    names = {c.name for c in contract}
    missing = [c.name for c in contract if c.name not in schema]
    unknown = [c for c in schema if c not in names and c not in HISTORY_META_COLUMNS]
    if missing or unknown:
        raise ImportValidationError(
            f"{source} does not match the {spec.name} contract: missing columns {missing}, unknown columns {unknown}")


def _cast(column: Column) -> pl.Expr:
    # strict: a value that does not fit the contract type fails the import instead of turning null.
    return pl.col(column.name).cast(column.dtype, strict=True)


def _validated(spec: TableSpec, source: str, chunk: pl.DataFrame, contract: tuple[Column, ...]) -> pl.DataFrame:
    required = [c.name for c in contract if not c.nullable] + [GAME_ID, GAME_DATE_COLUMN, *spec.key]
    nulls = {name: n for name in dict.fromkeys(required) if (n := chunk[name].null_count())}
    if nulls:
        raise ImportValidationError(f"{source}: required values are null for {spec.name}: {nulls} (rows)")
    duplicated = chunk.filter(chunk.select(spec.key).is_duplicated())
    if not duplicated.is_empty():
        first = duplicated.select(spec.key).row(0, named=True)
        raise ImportValidationError(f"{source}: {duplicated.height} rows share a key of {spec.name}, e.g. {first} "
                                    f"(game {first.get(GAME_ID)}): one row per key and import")
    return chunk
