"""The history merge: a protected write that inserts only new versions of history rows.

A history run hashes each staged row's content and inserts only rows whose hash differs from the latest stored
version of their key, as ``_version = latest + 1``, with an insert-only MERGE (``DeltaStore.merge_insert``: nothing
is ever updated or deleted). The table is audited before anything is read or written, and the store's guard
checks the snapshot again at the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, in_window, window_predicate
from nhl_bronze.protection.audit import require_untampered
from nhl_bronze.storage.history import (
    GAME_ID,
    INGESTED_AT,
    ROW_HASH,
    RUN_ID,
    VERSION,
    content_hash,
    latest_of_games,
    new_versions,
)
from nhl_bronze.storage.snapshot import TableSnapshot
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import WriteResult, require_protected, retry_commit

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore

MERGE_BATCH_ROWS = 1024  # rows per chunk of a MERGE's source (``in_batches``)


@dataclass(frozen=True)
class HistoryMergeResult(WriteResult):
    rows_unchanged: int


def merge_new_versions(
    store: DeltaStore,
    target: TableSpec | TableSnapshot,
    read_staged: Callable[[], pl.DataFrame | None],
    start: date,
    end: date,
    run_id: str,
    ingested_at: datetime,
) -> HistoryMergeResult:
    """Insert each staged row whose content differs from the latest stored version of its key, as version n+1.

    Re-running a window with unchanged data inserts nothing; a corrected game inserts new versions; nothing
    is ever updated or deleted. The MERGE matches on (key, _version), so two concurrent writers computing
    the same next version insert it once, and its predicate carries the window's literal date range so
    its cost does not grow with the size of the history. ``read_staged`` is called again on every commit
    retry: a retry must plan against fresh staged rows as well as a fresh table. ``target``: the history
    table's spec, or its snapshot opened earlier (e.g. by the previous chunk of the same run), brought up to date
    instead of opened again.
    """
    snapshot = target if isinstance(target, TableSnapshot) else store.open(target)
    spec = snapshot.spec
    require_protected(spec)
    key = list(spec.key)
    opened_now = not isinstance(target, TableSnapshot)

    def merge() -> tuple[int, int, int]:
        # The snapshot is brought up to date once per attempt (re-opening the log is what grows with the table's
        # history), before the staged rows are read: whatever commits after it makes this commit fail and the
        # retry read both again. The audit judges this same snapshot (blocking: never write on top of damage).
        nonlocal opened_now
        if not opened_now:
            snapshot.refresh()
        opened_now = False
        if snapshot.exists:
            require_untampered(store, snapshot)
        staged = read_staged()
        if staged is None:  # nothing staged yet: nothing to merge
            return 0, 0, snapshot.version() or 0
        # Sorted (history's new files hold their rows in date order) into a compact copy, in small chunks: staged
        # rows filtered out of a few large staging files, merged as they came, made a three-season first merge
        # peak at 788 MB of RSS against 584 MB this way (``in_batches``).
        staged = in_batches(staged.sort(GAME_DATE_COLUMN, *key), MERGE_BATCH_ROWS)
        if not snapshot.exists:
            store.create_table(spec, _with_history_columns(staged.clear(), key, _no_versions(staged, key), run_id,
                                                           ingested_at))
            snapshot.refresh()
        # The latest stored rows of the staged games, whole: what decides which staged rows are new versions.
        stored = latest_of_games(snapshot, staged[GAME_ID].unique().to_list())
        changed = new_versions(staged, stored, key)
        if changed.is_empty():
            return 0, staged.height, snapshot.version() or 0
        current = stored.select([*key, VERSION]) if not stored.is_empty() else _no_versions(staged, key)
        source = _with_history_columns(changed, key, current, run_id, ingested_at)
        matches = " AND ".join(f"t.{k} = s.{k}" for k in (*key, VERSION))
        # The store's guard audits this snapshot again right before the commit (incremental: nothing new to read).
        inserted = store.merge_insert(snapshot, source, f"{_target_dates(start, end, stored)} AND {matches}")
        return inserted, staged.height - inserted, snapshot.version() or 0

    inserted, unchanged, version = retry_commit(merge)
    return HistoryMergeResult(spec.name, "merge_new_versions", inserted, version, unchanged)


def in_batches(frame: pl.DataFrame, rows: int) -> pl.DataFrame:
    """``frame`` as chunks of at most ``rows`` rows (no copy). Merged as one chunk, 49 k player rows into an empty
    history peaked at 609-648 MB of RSS in 1.65 s; in 1,024-row chunks at 482-504 MB in 1.41 s (deltalake 1.6)."""
    if frame.height <= rows:
        return frame
    return pl.concat([frame.slice(offset, rows) for offset in range(0, frame.height, rows)], rechunk=False)


def _target_dates(start: date, end: date, stored: pl.DataFrame) -> str:
    """A literal date predicate on the target: the window, plus the current dates of games moving into it
    (delta-rs prunes files only on literals)."""
    window = window_predicate(start, end, "t")
    if stored.is_empty():
        return window
    dates = stored.filter(~in_window(start, end))[GAME_DATE_COLUMN].unique().sort().to_list()
    if not dates:
        return window
    return f"(({window}) OR t.{GAME_DATE_COLUMN} IN ({', '.join(str(d) for d in dates)}))"


def _no_versions(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return frame.select(key).clear().with_columns(
        pl.lit(None, pl.String).alias(ROW_HASH), pl.lit(None, pl.Int32).alias(VERSION)
    )


def _with_history_columns(
    rows: pl.DataFrame, key: list[str], current: pl.DataFrame, run_id: str, ingested_at: datetime
) -> pl.DataFrame:
    """Stamp rows with lineage and their version number: one more than the key's current latest version."""
    hashed = rows if ROW_HASH in rows.columns else rows.with_columns(content_hash(rows))
    previous = current.select([*key, pl.col(VERSION).alias("_previous_version")])
    return (
        hashed.join(previous, on=key, how="left", nulls_equal=True)
        .with_columns(
            pl.lit(ingested_at).cast(pl.Datetime("us", "UTC")).alias(INGESTED_AT),
            pl.lit(run_id, dtype=pl.String).alias(RUN_ID),
            (pl.col("_previous_version").fill_null(0) + 1).cast(pl.Int32).alias(VERSION),
        )
        .drop("_previous_version")
    )
