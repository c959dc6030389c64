"""History versioning: protected tables hold every version of every row, and a merge inserts only new versions.

A history run hashes each staged row's content and inserts only rows whose hash differs from the latest stored
version of their key, as ``_version = latest + 1``, with an insert-only MERGE (nothing is ever updated or
deleted). Readers take the highest ``_version`` of each key (``latest_versions``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from nhl_bronze.domain.dates import in_window, window_predicate
from nhl_bronze.storage.audit import audit_stamp, require_untampered
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import WriteResult, require_protected, retry_commit

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore

INGESTED_AT = "_ingested_at"
RUN_ID = "_run_id"
ROW_HASH = "_row_hash"
VERSION = "_version"
HISTORY_META_COLUMNS = (INGESTED_AT, RUN_ID, ROW_HASH, VERSION)


@dataclass(frozen=True)
class HistoryMergeResult(WriteResult):
    rows_unchanged: int


def content_hash(frame: pl.DataFrame, exclude: tuple[str, ...] = HISTORY_META_COLUMNS) -> pl.Series:
    """A stable (polars-version independent) SHA-1 of each row's values, in column-name order."""
    columns = sorted(c for c in frame.columns if c not in exclude)
    if frame.is_empty():
        return pl.Series(ROW_HASH, [], dtype=pl.String)
    canonical = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("\\N") for c in columns], separator="\x1f"
        ).alias("row")
    )["row"]
    names = "\x1f".join(columns)
    return pl.Series(
        ROW_HASH, [hashlib.sha1(f"{names}\x1e{row}".encode()).hexdigest() for row in canonical], dtype=pl.String
    )


def latest_versions(history: pl.LazyFrame, spec: TableSpec) -> pl.LazyFrame:
    """The current row of every key: its highest ``_version``. This is how readers should read history."""
    return history.filter(pl.col(VERSION) == pl.col(VERSION).max().over(list(spec.key)))


def merge_new_versions(
    store: DeltaStore,
    spec: TableSpec,
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
    retry: a retry must plan against fresh staged rows as well as a fresh table.
    """
    require_protected(spec)
    key = list(spec.key)

    def merge() -> tuple[int, int, int]:
        staged = read_staged()
        if staged is None:  # nothing staged yet: nothing to merge
            return 0, 0, store.version(spec) or 0
        store.create_table(spec, _with_history_columns(staged.clear(), key, _no_versions(staged, key), run_id,
                                                       ingested_at))
        audited = require_untampered(store, spec)  # blocking: never merge into a table that lost rows
        # The Delta log is opened once per attempt: re-opening it is what grows with the table's history.
        table = store.table(spec)
        window = store.scan_table(table).filter(in_window(start, end)).collect()
        current = (
            latest_versions(window.lazy(), spec).select([*key, ROW_HASH, VERSION]).collect()
            if not window.is_empty()
            else _no_versions(staged, key)
        )
        changed = staged.with_columns(content_hash(staged)).join(
            current, on=[*key, ROW_HASH], how="anti", nulls_equal=True
        )
        if changed.is_empty():
            return 0, staged.height, table.version()
        source = _with_history_columns(changed, key, current, run_id, ingested_at)
        matches = " AND ".join(f"t.{k} = s.{k}" for k in (*key, VERSION))
        stats = (
            table.merge(
                source,
                predicate=f"{window_predicate(start, end, 't')} AND {matches}",
                source_alias="s",
                target_alias="t",
                merge_schema=True,
                commit_properties=audit_stamp(audited),
            )
            .when_not_matched_insert_all()
            .execute()
        )
        inserted = int(stats["num_target_rows_inserted"])
        return inserted, staged.height - inserted, table.version()

    inserted, unchanged, version = retry_commit(merge)
    return HistoryMergeResult(spec.name, "merge_new_versions", inserted, version, unchanged)


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
