"""The code that writes Delta tables: every ``write_deltalake`` and ``merge`` of the project's tables is here.

Every write names a ``TableSpec``; the spec says whether the table is protected. Protected tables (history, raw
landing) only ever grow: this module offers them nothing but appends and insert-only merges,
creates them with ``delta.appendOnly=true`` (so even a direct ``deltalake`` overwrite or delete is refused by
the Delta protocol), and merges new columns in with ``merge_schema`` instead of rewriting the table. Every
protected commit passes the store's ``CommitGuard`` (``nhl_bronze.protection.open_store`` installs it: the audit
before, the ledger entry after); a store without a guard refuses to write a protected table at all.

The table root is a local directory or an object-store URI (``s3://bucket/prefix``); credentials and endpoint
come from the standard ``AWS_*`` environment variables, which deltalake and polars read themselves, and from
optional ``storage_options``, which are never logged or shown (``repr`` prints the root only).
"""

from __future__ import annotations

import os
from datetime import date

import polars as pl
from deltalake import DeltaTable, WriterProperties, write_deltalake

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, game_date_int, in_window, window_predicate
from nhl_bronze.storage.history import files_dated_in, latest_of_window_games, latest_versions
from nhl_bronze.storage.location import join_uri, normalize_root
from nhl_bronze.storage.scan import scan_snapshot
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import (
    APPEND_ONLY,
    CommitGuard,
    ProtectedTableError,
    WriteResult,
    refuse_if_protected,
    retry_commit,
)

__all__ = ["DeltaStore", "ProtectedTableError", "WriteResult"]


class DeltaStore:
    """Delta tables under one root: table ``T`` lives at ``root/T`` (a path or a URI)."""

    def __init__(self, root: str | os.PathLike[str], storage_options: dict[str, str] | None = None,
                 guard: CommitGuard | None = None):
        self.root = normalize_root(root)
        self.storage_options = dict(storage_options) if storage_options else None
        self.guard = guard  # set by nhl_bronze.protection.open_store; None: protected tables are read-only

    def guard_for(self, spec: TableSpec) -> CommitGuard | None:
        """The guard every commit to ``spec`` passes: None for an unprotected table; refuses a protected table
        when the store has none (it was not opened by ``nhl_bronze.protection.open_store``)."""
        if not spec.protected:
            return None
        if self.guard is None:
            raise ProtectedTableError(f"refusing to write protected table {spec.name!r} through a store without "
                                      "the history guard: open the store with nhl_bronze.protection.open_store")
        return self.guard

    def __repr__(self) -> str:  # never the storage options: they may hold credentials
        return f"DeltaStore({self.root!r})"

    def uri(self, spec: TableSpec) -> str:
        return join_uri(self.root, spec.name)

    def table(self, spec: TableSpec, version: int | None = None) -> DeltaTable:
        return DeltaTable(self.uri(spec), version=version, storage_options=self.storage_options)

    def exists(self, spec: TableSpec) -> bool:
        return DeltaTable.is_deltatable(self.uri(spec), storage_options=self.storage_options)

    def table_if_exists(self, spec: TableSpec) -> DeltaTable | None:
        """The current snapshot, or None before the table's first commit."""
        return self.table(spec) if self.exists(spec) else None

    def version(self, spec: TableSpec) -> int | None:
        table = self.table_if_exists(spec)
        return table.version() if table is not None else None

    def row_count(self, spec: TableSpec) -> int:
        """Rows in the current version, from the log's per-file statistics (no data file is read)."""
        table = self.table_if_exists(spec)
        if table is None:
            return 0
        records = table.get_add_actions(flatten=True).column("num_records").to_pylist()
        if any(count is None for count in records):  # a file written without statistics
            return self.scan_table(table).select(pl.len()).collect().item()
        return int(sum(records))

    def rows_per_date(self, spec: TableSpec, start: date, end: date,
                      snapshot: DeltaTable | None = None) -> dict[int, int]:
        """Rows per ``gameDate`` of ``[start, end)``: what lets a long merge be cut into chunks of similar size.

        Read from ``snapshot`` when given, else from the current version. A table partitioned by date answers
        from its log (no data file is read; a file without statistics counts 0); any other layout reads the
        ``gameDate`` column of the files whose logged dates meet the window."""
        if snapshot is None:
            snapshot = self.table_if_exists(spec)
        if snapshot is None:
            return {}
        if GAME_DATE_COLUMN not in snapshot.metadata().partition_columns:
            counts = self.scan_window(snapshot, start, end).group_by(pl.col(GAME_DATE_COLUMN).cast(pl.Int64)).len()
            return dict(counts.collect().iter_rows())
        actions = pl.DataFrame(snapshot.get_add_actions(flatten=True))
        partition = f"partition.{GAME_DATE_COLUMN}"
        if actions.is_empty() or partition not in actions.columns:
            return {}
        counts = actions.group_by(pl.col(partition).cast(pl.Int64)).agg(pl.col("num_records").fill_null(0).sum())
        first, last = game_date_int(start), game_date_int(end)
        return {day: rows for day, rows in counts.iter_rows() if first <= day < last}

    def scan(self, spec: TableSpec, version: int | None = None) -> pl.LazyFrame:
        return self.scan_table(self.table(spec, version))

    def scan_table(self, table: DeltaTable, only_files: list[str] | None = None) -> pl.LazyFrame:
        """Rows of an already opened snapshot (opening the log once is what keeps big tables cheap), optionally
        of some of its files only (paths as in the add actions)."""
        return scan_snapshot(table, self.storage_options, only_files)

    def scan_window(self, table: DeltaTable, start: date, end: date) -> pl.LazyFrame:
        """Rows of ``[start, end)`` of an opened snapshot, read from the files whose logged dates meet the window
        only (a table laid out by season holds a window in a few of its files)."""
        return self.scan_table(table, only_files=files_dated_in(table, start, end)).filter(in_window(start, end))

    def read_window(self, spec: TableSpec, start: date, end: date) -> pl.DataFrame | None:
        """Rows of ``[start, end)``; None when the table does not exist yet."""
        table = self.table_if_exists(spec)
        return None if table is None else self.scan_window(table, start, end).collect()

    def latest(self, spec: TableSpec, start: date | None = None, end: date | None = None) -> pl.LazyFrame:
        """The current version of every key of a history table; with a window, the current rows dated in it
        (versions are judged over the whole table: a game moved to another date has its current rows there)."""
        if start is None or end is None:
            return latest_versions(self.scan(spec), spec)
        return latest_of_window_games(self, spec, start, end).lazy().filter(in_window(start, end))

    # -- staging: replace exactly one window ---------------------------------------------------------------

    def overwrite_window(self, spec: TableSpec, frame: pl.DataFrame, start: date, end: date,
                         snapshot: DeltaTable | None = None) -> WriteResult:
        """Replace the rows of ``[start, end)`` with ``frame``; rows outside the window are untouched.

        Delta validates every written row against the predicate, so a row of another date makes the write fail
        instead of silently landing outside its window. ``snapshot``: this table, opened earlier (e.g. for the
        previous window of the same run); it is brought up to date and written through, instead of opening the
        table again: a three-season rebuild overwrites each staging table ~36 times, and every open replays the
        growing log.
        """
        refuse_if_protected(spec, "overwrite")
        predicate = window_predicate(start, end)
        attempts = 0

        def write() -> int:
            # One snapshot per attempt serves the write and the version it reports. A retried attempt opens a
            # fresh one.
            nonlocal attempts
            attempts += 1
            table = snapshot if snapshot is not None and attempts == 1 else self.table_if_exists(spec)
            if table is snapshot and table is not None:
                table.update_incremental()  # reads only the commits made since it was opened
            if table is None:
                if frame.is_empty():
                    self.create_table(spec, frame)
                else:
                    write_deltalake(self.uri(spec), frame, mode="overwrite", partition_by=list(spec.partition_by)
                                    or None, schema_mode="merge", storage_options=self.storage_options)
                return self.version(spec) or 0
            if frame.is_empty():
                table.delete(predicate)
            else:
                # An existing table keeps the layout it was created with (staging created by date stays so).
                write_deltalake(table, frame, mode="overwrite", predicate=predicate, schema_mode="merge",
                                storage_options=self.storage_options)
            return table.version()  # the write advanced this snapshot to its own commit

        return WriteResult(spec.name, "overwrite_window", frame.height, retry_commit(write))

    # -- protected tables: append only -------------------------------------------------------------------------

    def append(self, spec: TableSpec, frame: pl.DataFrame, compress: bool = False) -> WriteResult:
        if frame.is_empty():
            return WriteResult(spec.name, "append", 0, self.version(spec) or 0)
        properties = WriterProperties(compression="ZSTD", compression_level=6) if compress else None

        guard = self.guard_for(spec)

        def write() -> int:
            # A protected table is checked before every write: appending to a tampered table would bury the
            # damage under new versions. The guard judges the very snapshot the append commits on.
            table = self.table_if_exists(spec)
            stamp = guard.before_commit(spec, table) if guard is not None else None
            write_deltalake(
                table if table is not None else self.uri(spec),
                frame,
                mode="append",
                commit_properties=stamp,
                # An existing table keeps the layout it was created with (a layout change is a migration).
                partition_by=None if table is not None else list(spec.partition_by) or None,
                configuration=APPEND_ONLY if spec.protected else None,
                schema_mode="merge",
                writer_properties=properties,
                storage_options=self.storage_options,
            )
            version = table.version() if table is not None else self.version(spec) or 0
            if guard is not None:
                guard.after_commit(spec, version)
            return version

        return WriteResult(spec.name, "append", frame.height, retry_commit(write))

    def merge_insert(self, spec: TableSpec, table: DeltaTable, source: pl.DataFrame, predicate: str) -> int:
        """Insert the ``source`` rows (alias ``s``) that match no target row (alias ``t``) under ``predicate``,
        committing on the opened snapshot ``table``; nothing is updated or deleted. The rows inserted."""
        guard = self.guard_for(spec)
        properties = guard.before_commit(spec, table) if guard is not None else None
        stats = (
            table.merge(source, predicate=predicate, source_alias="s", target_alias="t", merge_schema=True,
                        commit_properties=properties)
            .when_not_matched_insert_all()
            .execute()
        )
        if guard is not None:
            guard.after_commit(spec, table.version())
        return int(stats["num_target_rows_inserted"])

    # -- derived: full rebuild ---------------------------------------------------------------------------------

    def replace(self, spec: TableSpec, frame: pl.DataFrame) -> WriteResult:
        """Rebuild a derived table from scratch; only for tables that can be recomputed from history."""
        refuse_if_protected(spec, "replace")
        retry_commit(
            lambda: write_deltalake(self.uri(spec), frame, mode="overwrite", schema_mode="overwrite",
                                    storage_options=self.storage_options)
        )
        return WriteResult(spec.name, "replace", frame.height, self.version(spec) or 0)

    def create_table(self, spec: TableSpec, empty: pl.DataFrame, append_only: bool | None = None) -> None:
        """Create the table with ``empty``'s schema; a no-op when it exists. Protected tables are created
        append-only; ``append_only=True`` does so for an unprotected one too (a migration's new table)."""
        if self.exists(spec):
            return
        guard = self.guard_for(spec)
        properties = guard.before_commit(spec, None) if guard is not None else None
        write_deltalake(
            self.uri(spec),
            empty.clear(),
            mode="append",
            partition_by=list(spec.partition_by) or None,
            configuration=APPEND_ONLY if (spec.protected if append_only is None else append_only) else None,
            commit_properties=properties,
            storage_options=self.storage_options,
        )
        if guard is not None:
            guard.after_commit(spec, self.version(spec) or 0)
