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

from nhl_bronze.domain.dates import window_predicate
from nhl_bronze.storage.location import join_uri, normalize_root
from nhl_bronze.storage.scan import scan_snapshot
from nhl_bronze.storage.snapshot import TableSnapshot
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

    def open(self, spec: TableSpec) -> TableSnapshot:
        """The table's current version, opened once for every read, audit and write of one operation (a
        snapshot of a table that does not exist yet reads as empty)."""
        table = self.table(spec) if self.exists(spec) else None
        return TableSnapshot(spec, self.uri(spec), self.storage_options, table)

    def table_if_exists(self, spec: TableSpec) -> DeltaTable | None:
        """The current snapshot, or None before the table's first commit."""
        return self.open(spec).table

    def version(self, spec: TableSpec) -> int | None:
        return self.open(spec).version()

    def row_count(self, spec: TableSpec) -> int:
        """Rows in the current version, from the log's per-file statistics (no data file is read)."""
        return self.open(spec).row_count()

    def rows_per_date(self, spec: TableSpec, start: date, end: date) -> dict[int, int]:
        """Rows per ``gameDate`` of ``[start, end)`` in the current version (``TableSnapshot.rows_per_date``)."""
        return self.open(spec).rows_per_date(start, end)

    def scan(self, spec: TableSpec, version: int | None = None) -> pl.LazyFrame:
        return self.scan_table(self.table(spec, version))

    def scan_table(self, table: DeltaTable, only_files: list[str] | None = None) -> pl.LazyFrame:
        """Rows of an already opened Delta table (opening the log once is what keeps big tables cheap), optionally
        of some of its files only (paths as in the add actions)."""
        return scan_snapshot(table, self.storage_options, only_files)

    # -- staging: replace exactly one window ---------------------------------------------------------------

    def overwrite_window(self, target: TableSpec | TableSnapshot, frame: pl.DataFrame, start: date,
                         end: date) -> WriteResult:
        """Replace the rows of ``[start, end)`` with ``frame``; rows outside the window are untouched.

        Delta validates every written row against the predicate, so a row of another date makes the write fail
        instead of silently landing outside its window. ``target``: the table's spec, or its snapshot opened
        earlier (e.g. for the previous window of the same run), brought up to date and written through instead
        of opening the table again: a three-season rebuild overwrites each staging table ~36 times, and every
        open replays the growing log.
        """
        snapshot = target if isinstance(target, TableSnapshot) else self.open(target)
        spec = snapshot.spec
        refuse_if_protected(spec, "overwrite")
        predicate = window_predicate(start, end)
        opened_now = not isinstance(target, TableSnapshot)

        def write() -> int:
            # The snapshot serves the write and the version it reports; it is brought up to date first (only the
            # commits made since it was read are read), except on the first attempt of one opened just now.
            nonlocal opened_now
            table = snapshot.table if opened_now else snapshot.refresh().table
            opened_now = False
            if table is None:
                return self._create(spec, frame, absent=snapshot)
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
        # zstd level 1, not 6: on a month of landed bodies (203 games, 92 MB) level 6 took 2.5-3x the CPU for
        # files 1.6 % smaller; landing was as much of an API staging step's CPU as parsing.
        properties = WriterProperties(compression="ZSTD", compression_level=1) if compress else None

        guard = self.guard_for(spec)

        def write() -> int:
            # A protected table is checked before every write: appending to a tampered table would bury the
            # damage under new versions. The guard judges the very snapshot the append commits on.
            snapshot = self.open(spec)
            if snapshot.table is None:
                return self._create(spec, frame, writer_properties=properties, absent=snapshot)
            table = snapshot.table
            stamp = guard.before_commit(snapshot) if guard is not None else None
            write_deltalake(table, frame, mode="append", commit_properties=stamp,
                            configuration=_configuration(spec.protected), schema_mode="merge",
                            writer_properties=properties, storage_options=self.storage_options)
            if guard is not None:
                guard.after_commit(spec, table.version())
            return table.version()

        return WriteResult(spec.name, "append", frame.height, retry_commit(write))

    def merge_insert(self, snapshot: TableSnapshot, source: pl.DataFrame, predicate: str) -> int:
        """Insert the ``source`` rows (alias ``s``) that match no target row (alias ``t``) under ``predicate``,
        committing on ``snapshot`` (which the commit advances); nothing is updated or deleted. The rows
        inserted."""
        spec, table = snapshot.spec, snapshot.delta_table()
        guard = self.guard_for(spec)
        properties = guard.before_commit(snapshot) if guard is not None else None
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
        if not self.exists(spec):
            self._create(spec, empty.clear(), append_only=append_only)

    def _create(self, spec: TableSpec, frame: pl.DataFrame, append_only: bool | None = None,
                writer_properties: WriterProperties | None = None, absent: TableSnapshot | None = None) -> int:
        """The table's first commit, holding ``frame``: the one place a table is created (the spec's layout;
        protected tables append-only and through the guard, which judges the creation on ``absent``, the
        snapshot that found no table: a table the ledger records but that is gone is not created again). Its
        version."""
        guard = self.guard_for(spec)
        if absent is None:
            absent = TableSnapshot(spec, self.uri(spec), self.storage_options, None)
        properties = guard.before_commit(absent) if guard is not None else None
        write_deltalake(
            self.uri(spec),
            frame,
            mode="append",  # a table another writer created meanwhile is appended to, never replaced
            partition_by=list(spec.partition_by) or None,
            configuration=_configuration(spec.protected if append_only is None else append_only),
            schema_mode="merge",
            commit_properties=properties,
            writer_properties=writer_properties,
            storage_options=self.storage_options,
        )
        version = self.version(spec) or 0
        if guard is not None:
            guard.after_commit(spec, version)
        return version


def _configuration(append_only: bool) -> dict[str, str] | None:
    return APPEND_ONLY if append_only else None
