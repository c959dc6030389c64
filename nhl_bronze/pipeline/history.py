"""``merge_window``: where staged rows become history rows.

Each history table takes the staged rows of the window in chunks of at most ``MERGE_CHUNK_ROWS`` staged rows and
inserts only rows whose content differs from the latest stored version of their key
(``protection.merge.merge_new_versions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl

from nhl_bronze.domain.dates import game_date_int, window_dates
from nhl_bronze.pipeline.report import MergeReport, TableMerge, TableState
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import VERSION, duplicate_latest_keys, latest_of_window_games
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    TableSpec,
)

if TYPE_CHECKING:
    from nhl_bronze.storage.snapshot import TableSnapshot

# Staged rows per merge: bounds memory over a multi-season window (each chunk holds its staged rows and their
# latest stored versions, ~0.2 GB for 50 k player rows), while a table of few rows per date (teams: 18x fewer)
# merges in a few chunks instead of one per month (each merge pays an audit and two log openings).
MERGE_CHUNK_ROWS = 50_000
# history table -> the staging table it is merged from
STAGING_OF: dict[TableSpec, TableSpec] = {
    PLAYER_GAME_STATS_HISTORY: PLAYER_GAME_STATS_STAGING,
    GAMES_HISTORICAL_HISTORY: GAMES_HISTORICAL_STAGING,
}


class NothingStagedError(LookupError):
    """The staging table a history table merges from does not exist yet."""


def merge_window(store: DeltaStore, start: date, end: date, run_id: str,
                 tables: Sequence[TableSpec] = tuple(STAGING_OF)) -> MergeReport:
    """Merge the staged rows of ``[start, end)`` into each history table of ``tables`` (default: both).

    Safe to re-run: rows identical to the latest version of their key are not inserted again, so a re-run,
    a rebuilt staging table or a full backfill can only add versions, never remove one. A date whose staging
    failed still holds its previous staged rows, which history already has or may take: nothing is lost.
    """
    report = MergeReport(start, end, run_id)
    ingested_at = datetime.now(UTC)
    for history in tables:
        staging = STAGING_OF[history]
        # One snapshot of staging serves every chunk: each fresh open replays staging's log, which a long rebuild
        # grows by ~70 commits (13 opens of it were a fifth of a three-season re-merge).
        staged = store.open(staging)
        if not staged.exists:
            raise NothingStagedError(
                f"{staging.name} does not exist yet: materialize staging for {start}..{end} before {history.name}")
        # One snapshot of history serves the row count before, the chunks' merges and the state after.
        target = store.open(history)
        rows_before = target.row_count()
        inserted = unchanged = 0
        for chunk_start, chunk_end in merge_chunks(start, end, staged.rows_per_date(start, end), MERGE_CHUNK_ROWS):
            result = merge_new_versions(
                store, target, lambda t=staged, s=chunk_start, e=chunk_end: staged_rows(t, s, e),
                chunk_start, chunk_end, run_id, ingested_at,
            )
            inserted += result.rows_written
            unchanged += result.rows_unchanged
        target.refresh()
        # The latest versions of the window's games over the whole table (a moved game has rows elsewhere).
        latest = (latest_of_window_games(target, start, end, columns=[*history.key, VERSION])
                  if target.exists else None)
        latest_rows = 0 if latest is None else latest.height
        duplicates = 0 if latest is None else duplicate_latest_keys(latest, history)
        state = TableState(history.name, target.uri, target.version() if latest is not None else -1,
                           target.row_count(), duplicates, exists=latest is not None)
        report.tables[history.name] = TableMerge(state, inserted, unchanged, rows_before, latest_rows)
    return report


def staged_rows(staged: TableSnapshot, start: date, end: date) -> pl.DataFrame:
    """The rows staging holds now for ``[start, end)``, read through the snapshot ``staged`` once it is brought up to
    date (only the commits since its last read are read): each chunk, and a retried merge, plans against the
    current staged rows, as with a fresh open of the table."""
    return staged.refresh().scan_window(start, end).collect()


def merge_chunks(start: date, end: date, rows_per_date: dict[int, int], max_rows: int) -> list[tuple[date, date]]:
    """``[start, end)`` cut into consecutive windows of at most ``max_rows`` rows (a date holding more is a window
    of its own); dates without rows join the window before them."""
    chunks: list[tuple[date, date]] = []
    chunk_start, rows = start, 0
    for day in window_dates(start, end):
        day_rows = rows_per_date.get(game_date_int(day), 0)
        if rows and rows + day_rows > max_rows:
            chunks.append((chunk_start, day))
            chunk_start, rows = day, 0
        rows += day_rows
    return [*chunks, (chunk_start, end)] if start < end else chunks
