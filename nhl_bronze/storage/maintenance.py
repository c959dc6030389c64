"""Keeping a Delta table as cheap to open on day 1,000 as on day one: every Delta maintenance operation lives here.

Every daily run adds small files and log entries. ``maintain_table`` undoes that growth, in this order:

1. **compact** the partitions that received files since the last maintained version (``OPTIMIZE``: rewrites a
   partition's small files as one, ``dataChange=false``, so no row is added or removed and the operation is
   legal on ``delta.appendOnly`` history; a history audit treats it as legitimate). The season partitions of history
   and staging are rewritten sorted by game date into files of a few weeks each (``SORTED_FILE_BYTES``), so
   that file statistics keep a merge's reads, and a staging write's rewrite, to the files of its dates;
2. **vacuum** data files that no version inside the retention references: files tombstoned longer ago than the
   retention, and files no commit ever referenced (left by a killed run) once they are older than the retention.
   The retention is what keeps time travel honest, so it is never below ``MIN_RETENTION_HOURS``;
3. write a **checkpoint** (opening the table then reads one Parquet file instead of replaying JSON commits);
4. **clean up** log entries older than the table's log retention (``delta.logRetentionDuration``, 30 days by
   default) that the checkpoint made unnecessary.

Maintenance never changes what any version within the retention reads.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass

from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from nhl_bronze.domain.dates import GAME_DATE_COLUMN
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.location import is_uri
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    TableSpec,
)
from nhl_bronze.storage.writes import retry_commit

# One week, Delta's own default for ``delta.deletedFileRetentionDuration``: a reader may time-travel a week back.
DEFAULT_RETENTION_HOURS = 168
# Longer than any run (a three-season backfill takes ~25 min), so vacuum never deletes the not-yet-committed
# files of a writer that is still running, and a day of time travel always works.
MIN_RETENTION_HOURS = 24
# History (partitioned by season) is compacted into files sorted by game date of about this size: a month of a
# regular season (~20 kB per game of player rows, ~3 kB of team rows), so a season is a handful of files and a
# daily merge or a re-merge reads one or two of them whatever the size of history (issue 12, benchmarks 4 and 6).
# Smaller files cut the read of a merge, fewer files the cost of opening the log (one add action each): at 2 MB a
# 3 M-row history held 178 files and opening its snapshot cost 30 ms against 5 ms at 0.1 M rows.
SORT_MEMORY_BYTES = 1024 * 1024 * 1024
# Staging has the same layout, but a daily run rewrites the file holding its lookback dates: compacted at 4 MB
# (files of ~120 k player rows) a three-date overwrite took 0.42-0.50 s, at 1 MB (~12 k rows, ~17 files a season)
# 0.17 s.
SORTED_FILE_BYTES = {
    PLAYER_GAME_STATS_HISTORY.name: 4 * 1024 * 1024,
    GAMES_HISTORICAL_HISTORY.name: 1024 * 1024,
    PLAYER_GAME_STATS_STAGING.name: 1024 * 1024,
    GAMES_HISTORICAL_STAGING.name: 256 * 1024,
}


class RetentionTooShortError(ValueError):
    """A vacuum retention below ``MIN_RETENTION_HOURS`` would break time travel and in-flight writers."""


@dataclass(frozen=True)
class TableFootprint:
    """The live snapshot's data files, and (for a local table) what its log and all its files take on disk."""

    files: int
    bytes: int
    log_files: int | None  # None: the table is not on a local disk
    log_bytes: int | None
    stored_bytes: int | None  # every file under the table folder: live data, tombstoned files, orphans, log


@dataclass(frozen=True)
class MaintenanceReport:
    table: str
    since_version: int | None  # the version maintained last time (None: never, so every partition counts)
    version_before: int | None  # None: the table does not exist yet, nothing was done
    version_after: int | None  # pass as ``since_version`` next time
    partitions_touched: int  # partitions that received files after ``since_version``
    partitions_compacted: int
    files_compacted: int  # small files replaced by compaction
    files_written: int  # files compaction wrote in their place
    files_vacuumed: int
    checkpoint_version: int | None
    retention_hours: int
    before: TableFootprint | None
    after: TableFootprint | None
    seconds: float

    def metadata(self) -> dict[str, int | float | str | None]:
        """Flat values for a Dagster materialization (``files_before``, ``bytes_after``, ...)."""
        flat: dict[str, int | float | str | None] = {
            k: v for k, v in asdict(self).items() if k not in ("before", "after")
        }
        for label, footprint in (("before", self.before), ("after", self.after)):
            for name, value in (asdict(footprint) if footprint else {}).items():
                flat[f"{name}_{label}"] = value
        return flat


def maintain_table(
    store: DeltaStore,
    spec: TableSpec,
    retention_hours: int = DEFAULT_RETENTION_HOURS,
    since_version: int | None = None,
    sorted_file_bytes: int | None = None,
) -> MaintenanceReport:
    """Compact what changed after ``since_version``, vacuum, checkpoint and clean the log of one table.

    Safe to re-run at any time: every step is idempotent (a second run finds nothing to compact or vacuum) and
    none of them changes the rows of any version inside the retention. ``sorted_file_bytes`` compacts into files
    sorted by game date of that size (default: ``SORTED_FILE_BYTES`` of the table, plain compaction without).
    """
    check_retention(spec, retention_hours)
    started = time.perf_counter()
    snapshot = store.open(spec)
    table = snapshot.table
    if table is None:
        return MaintenanceReport(spec.name, since_version, None, None, 0, 0, 0, 0, 0, None, retention_hours,
                                 None, None, time.perf_counter() - started)
    version_before = table.version()
    # A protected table is audited first (vacuuming a tampered table would destroy what recovery needs) and its
    # maintenance commits are recorded in the ledger like any other.
    guard = store.guard_for(spec)
    if guard is not None:
        guard.before_commit(snapshot)
    before = footprint(store, spec, table)
    touched = touched_partitions(store, spec, table, since_version)
    to_compact = touched & _partitions_with_several_files(table)
    target = sorted_file_bytes or SORTED_FILE_BYTES.get(spec.name)
    compaction = retry_commit(lambda: _compact(store.table(spec), to_compact, target)) if to_compact else {}
    # Full mode: also files no commit references (a killed run's), judged by their age on storage; files
    # removed by a commit inside the retention are kept whatever their age, so recent versions stay readable.
    vacuumed = store.table(spec).vacuum(
        retention_hours=retention_hours,
        dry_run=False,
        full=True,
        # Our own minimum was checked above; Delta's own check would refuse anything below 168 h.
        enforce_retention_duration=False,
    )
    # The version reported is the one checkpointed: a writer committing meanwhile counts as touched next time.
    table = store.table(spec)
    if guard is not None:
        for version in range(version_before + 1, table.version() + 1):
            guard.after_commit(spec, version)
    table.create_checkpoint()
    table.cleanup_metadata()
    return MaintenanceReport(
        table=spec.name,
        since_version=since_version,
        version_before=version_before,
        version_after=table.version(),
        partitions_touched=len(touched),
        partitions_compacted=int(compaction.get("partitionsOptimized", 0)),
        files_compacted=int(compaction.get("numFilesRemoved", 0)),
        files_written=int(compaction.get("numFilesAdded", 0)),
        files_vacuumed=len(vacuumed),
        checkpoint_version=table.version(),
        retention_hours=retention_hours,
        before=before,
        after=footprint(store, spec, table),
        seconds=time.perf_counter() - started,
    )


def check_retention(spec: TableSpec, retention_hours: int) -> None:
    if retention_hours < MIN_RETENTION_HOURS:
        raise RetentionTooShortError(
            f"refusing to vacuum {spec.name!r} with a retention of {retention_hours} h: the minimum is "
            f"{MIN_RETENTION_HOURS} h (shorter breaks time travel and can delete a running writer's files); "
            f"the default is {DEFAULT_RETENTION_HOURS} h"
        )


def touched_partitions(
    store: DeltaStore, spec: TableSpec, table: DeltaTable, since_version: int | None
) -> set[tuple[object, ...]]:
    """Partitions (tuples of partition values) holding a data file added after ``since_version``.

    The live files of the current version that the ``since_version`` snapshot does not reference are exactly
    the add actions of the later commits that still count; their partition values name the partitions to
    compact. When ``since_version`` is None or can no longer be loaded (its log was cleaned up), every
    partition counts.
    """
    current = _live_files(table)
    # Newer than the table: the table was re-created since (a migration), so its earlier versions mean nothing.
    if since_version is None or since_version > table.version():
        return set(current.values())
    if since_version == table.version():
        return set()
    try:
        earlier = _live_files(store.table(spec, since_version))
    except (DeltaError, OSError, ValueError):  # the log of that version is gone: maintain everything
        return set(current.values())
    return {partition for path, partition in current.items() if path not in earlier}


def footprint(store: DeltaStore, spec: TableSpec, table: DeltaTable) -> TableFootprint:
    sizes = table.get_add_actions(flatten=True).column("size_bytes").to_pylist()
    folder = _local_folder(store, spec)
    if folder is None:
        return TableFootprint(len(sizes), int(sum(sizes)), None, None, None)
    log = [entry.stat().st_size for entry in os.scandir(os.path.join(folder, "_delta_log")) if entry.is_file()]
    return TableFootprint(len(sizes), int(sum(sizes)), len(log), sum(log), _folder_bytes(folder))


# -- helpers -------------------------------------------------------------------------------------------------------


def _compact(table: DeltaTable, partitions: set[tuple[object, ...]], sorted_file_bytes: int | None) -> dict:
    columns = list(table.metadata().partition_columns)
    if not columns:
        return table.optimize.compact()
    # A table still partitioned by date (staging created before issue 11) holds one date per partition: sorting
    # it gains nothing and would cost one OPTIMIZE per date.
    if sorted_file_bytes is not None and GAME_DATE_COLUMN not in columns:
        return _sorted_compaction(table, columns, partitions, sorted_file_bytes)
    # One IN filter per partition column selects a superset of the wanted partitions when there are several
    # columns; compacting an extra partition is harmless (same rows, fewer files).
    filters = [
        (column, "in", sorted({str(partition[i]) for partition in partitions}))
        for i, column in enumerate(columns)
    ]
    return table.optimize.compact(partition_filters=filters)


def _sorted_compaction(table: DeltaTable, columns: list[str], partitions: set[tuple[object, ...]],
                       sorted_file_bytes: int) -> dict:
    """Each partition rewritten in game-date order into files of about ``sorted_file_bytes``: every file's logged
    gameDate and gameId ranges are narrow, so a merge (literal date predicate) and its version lookup (gameId
    statistics) open the few files of their dates, not the season's whole file.

    One partition per OPTIMIZE (the sort's memory is one season's, never history's), bounded by
    ``SORT_MEMORY_BYTES`` beyond which it spills to disk (a season of 470k player rows peaked at 680 MB alone;
    the bound must leave room for merging the spilled runs: 256 MB failed on such a season)."""
    totals: dict[str, int] = {}
    for partition in sorted(partitions, key=str):
        filters = [(column, "=", str(partition[i])) for i, column in enumerate(columns)]
        metrics = table.optimize.z_order([GAME_DATE_COLUMN], partition_filters=filters,
                                         target_size=sorted_file_bytes, max_spill_size=SORT_MEMORY_BYTES)
        for name in ("partitionsOptimized", "numFilesRemoved", "numFilesAdded"):
            totals[name] = totals.get(name, 0) + int(metrics.get(name, 0))
    return totals


def _live_files(table: DeltaTable) -> dict[str, tuple[object, ...]]:
    """Path -> partition values of every data file the loaded version references."""
    actions = table.get_add_actions(flatten=True)
    columns = [actions.column(f"partition.{c}").to_pylist() for c in table.metadata().partition_columns]
    paths = actions.column("path").to_pylist()
    return {path: tuple(values[i] for values in columns) for i, path in enumerate(paths)}


def _partitions_with_several_files(table: DeltaTable) -> set[tuple[object, ...]]:
    counts: dict[tuple[object, ...], int] = {}
    for partition in _live_files(table).values():
        counts[partition] = counts.get(partition, 0) + 1
    return {partition for partition, count in counts.items() if count > 1}


def _local_folder(store: DeltaStore, spec: TableSpec) -> str | None:
    uri = store.uri(spec)
    return None if is_uri(uri) else uri


def _folder_bytes(folder: str) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # removed by a concurrent vacuum while we walked
                total += os.path.getsize(os.path.join(root, name))
    return total
