"""The only code in the project that writes Delta tables.

Every write names a ``TableSpec``; the spec says whether the table is protected. Protected tables (history, raw
landing) only ever grow: this module offers them nothing but appends and insert-only merges, creates them with
``delta.appendOnly=true`` (so even a direct ``deltalake`` overwrite or delete is refused by the Delta protocol),
and merges new columns in with ``merge_schema`` instead of rewriting the table.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import polars as pl
from deltalake import DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import CommitFailedError

from nhl_bronze.domain.dates import in_window, window_predicate
from nhl_bronze.storage.tables import TableSpec

INGESTED_AT = "_ingested_at"
RUN_ID = "_run_id"
ROW_HASH = "_row_hash"
VERSION = "_version"
HISTORY_META_COLUMNS = (INGESTED_AT, RUN_ID, ROW_HASH, VERSION)

_APPEND_ONLY = {"delta.appendOnly": "true"}
_COMMIT_ATTEMPTS = 8
_T = TypeVar("_T")


class ProtectedTableError(PermissionError):
    """Raised when code asks for an operation that could remove rows from a protected table."""


@dataclass(frozen=True)
class WriteResult:
    table: str
    operation: str
    rows_written: int
    table_version: int


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


def _retry_commit(operation: Callable[[], _T]) -> _T:
    """Concurrent writers to one table lose optimistic-commit races; re-running the whole operation is safe
    because each operation re-reads the table state it depends on."""
    for attempt in range(_COMMIT_ATTEMPTS):
        try:
            return operation()
        except CommitFailedError:
            if attempt == _COMMIT_ATTEMPTS - 1:
                raise
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.random())
    raise AssertionError("unreachable")


class DeltaStore:
    """Delta tables under one root folder: table ``T`` lives at ``root/T``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, spec: TableSpec) -> str:
        return str(self.root / spec.name)

    def exists(self, spec: TableSpec) -> bool:
        return DeltaTable.is_deltatable(self.path(spec))

    def version(self, spec: TableSpec) -> int | None:
        return DeltaTable(self.path(spec)).version() if self.exists(spec) else None

    def row_count(self, spec: TableSpec) -> int:
        """Rows in the current version, from the log's per-file statistics (no data file is read)."""
        if not self.exists(spec):
            return 0
        records = DeltaTable(self.path(spec)).get_add_actions(flatten=True).column("num_records").to_pylist()
        if any(count is None for count in records):  # a file written without statistics
            return self.scan(spec).select(pl.len()).collect().item()
        return int(sum(records))

    def scan(self, spec: TableSpec) -> pl.LazyFrame:
        return pl.scan_delta(self.path(spec))

    def read_window(self, spec: TableSpec, start: date, end: date) -> pl.DataFrame | None:
        """Rows of ``[start, end)``; None when the table does not exist yet."""
        if not self.exists(spec):
            return None
        return self.scan(spec).filter(in_window(start, end)).collect()

    # -- staging: replace exactly one window ---------------------------------------------------------------

    def overwrite_window(self, spec: TableSpec, frame: pl.DataFrame, start: date, end: date) -> WriteResult:
        """Replace the rows of ``[start, end)`` with ``frame``; rows outside the window are untouched.

        Delta validates every written row against the predicate, so a row of another date makes the write fail
        instead of silently landing outside its window.
        """
        self._refuse_if_protected(spec, "overwrite")
        predicate = window_predicate(start, end)

        def write() -> None:
            if frame.is_empty():
                if self.exists(spec):
                    DeltaTable(self.path(spec)).delete(predicate)
                else:
                    self._create(spec, frame)
                return
            write_deltalake(
                self.path(spec),
                frame,
                mode="overwrite",
                predicate=predicate if self.exists(spec) else None,
                partition_by=list(spec.partition_by) or None,
                schema_mode="merge",
            )

        _retry_commit(write)
        return WriteResult(spec.name, "overwrite_window", frame.height, self.version(spec) or 0)

    # -- history: append new versions only -------------------------------------------------------------------

    def merge_new_versions(
        self,
        spec: TableSpec,
        frame: pl.DataFrame,
        start: date,
        end: date,
        run_id: str,
        ingested_at: datetime,
    ) -> HistoryMergeResult:
        """Insert each row whose content differs from the latest stored version of its key, as version n+1.

        Re-running a window with unchanged data inserts nothing; a corrected game inserts new versions; nothing
        is ever updated or deleted. The MERGE matches on (key, _version), so two concurrent writers computing
        the same next version insert it once, and its predicate carries the window's literal date range so
        its cost does not grow with the size of the history.
        """
        self._require_protected(spec)
        key = list(spec.key)
        if not self.exists(spec):
            self._create(spec, _with_history_columns(frame.clear(), key, _no_versions(frame, key), run_id, ingested_at))

        def merge() -> tuple[int, int, int]:
            # The Delta log is opened once per attempt: re-opening it is what grows with the table's history.
            table = DeltaTable(self.path(spec))
            window = pl.scan_delta(table).filter(in_window(start, end)).collect()
            current = (
                latest_versions(window.lazy(), spec).select([*key, ROW_HASH, VERSION]).collect()
                if not window.is_empty()
                else _no_versions(frame, key)
            )
            changed = frame.with_columns(content_hash(frame)).join(
                current, on=[*key, ROW_HASH], how="anti", nulls_equal=True
            )
            if changed.is_empty():
                return 0, frame.height, table.version()
            source = _with_history_columns(changed, key, current, run_id, ingested_at)
            matches = " AND ".join(f"t.{k} = s.{k}" for k in (*key, VERSION))
            stats = (
                table.merge(
                    source,
                    predicate=f"{window_predicate(start, end, 't')} AND {matches}",
                    source_alias="s",
                    target_alias="t",
                    merge_schema=True,
                )
                .when_not_matched_insert_all()
                .execute()
            )
            inserted = int(stats["num_target_rows_inserted"])
            return inserted, frame.height - inserted, table.version()

        inserted, unchanged, version = _retry_commit(merge)
        return HistoryMergeResult(spec.name, "merge_new_versions", inserted, version, unchanged)

    # -- raw landing: append only ------------------------------------------------------------------------------

    def append(self, spec: TableSpec, frame: pl.DataFrame, compress: bool = False) -> WriteResult:
        if frame.is_empty():
            return WriteResult(spec.name, "append", 0, self.version(spec) or 0)
        properties = WriterProperties(compression="ZSTD", compression_level=6) if compress else None

        def write() -> None:
            write_deltalake(
                self.path(spec),
                frame,
                mode="append",
                partition_by=list(spec.partition_by) or None,
                configuration=_APPEND_ONLY if spec.protected else None,
                schema_mode="merge",
                writer_properties=properties,
            )

        _retry_commit(write)
        return WriteResult(spec.name, "append", frame.height, self.version(spec) or 0)

    # -- derived: full rebuild ---------------------------------------------------------------------------------

    def replace(self, spec: TableSpec, frame: pl.DataFrame) -> WriteResult:
        """Rebuild a derived table from scratch; only for tables that can be recomputed from history."""
        self._refuse_if_protected(spec, "replace")
        _retry_commit(
            lambda: write_deltalake(self.path(spec), frame, mode="overwrite", schema_mode="overwrite")
        )
        return WriteResult(spec.name, "replace", frame.height, self.version(spec) or 0)

    # -- guards ------------------------------------------------------------------------------------------------

    def _create(self, spec: TableSpec, empty: pl.DataFrame) -> None:
        write_deltalake(
            self.path(spec),
            empty,
            mode="append",
            partition_by=list(spec.partition_by) or None,
            configuration=_APPEND_ONLY if spec.protected else None,
        )

    @staticmethod
    def _refuse_if_protected(spec: TableSpec, operation: str) -> None:
        if spec.protected:
            raise ProtectedTableError(
                f"refusing to {operation} protected table {spec.name!r}: it is append-only history"
            )

    @staticmethod
    def _require_protected(spec: TableSpec) -> None:
        if not spec.protected:
            raise ValueError(f"{spec.name!r} is not a history table; versioned merges are for protected tables")



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


def latest_versions(history: pl.LazyFrame, spec: TableSpec) -> pl.LazyFrame:
    """The current row of every key: its highest ``_version``. This is how readers should read history."""
    return history.filter(pl.col(VERSION) == pl.col(VERSION).max().over(list(spec.key)))
