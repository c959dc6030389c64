"""Changing the layout (partition columns) of a protected table: a migration, never a rewrite in place.

1. **build** ``<table>__migrating`` with the new layout from the live table's current version, one commit per
   partition value of the new layout (a crash loses at most the commit in flight; a re-run appends only the
   rows the new table still lacks, by key and ``_version``);
2. **verify** that every version of every row is there: row counts, one row per (key, ``_version``), and a
   content digest of all columns, per table;
3. **switch**: the live table's folder becomes ``<table>__backup_<old layout>`` (kept, append-only, read by
   nothing; the operator removes it when satisfied) and the new table takes the live name.

Safe to re-run after a crash at any step: each step is recognised from what exists (a live table already in
the new layout is done; a missing live table with a verified new table and a backup finishes the switch).
The switch renames folders, so it needs a local table root; on an object store run it against a local copy
(or a mounted bucket) and upload the result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.protection.adopt import adopt_table
from nhl_bronze.storage.history import VERSION
from nhl_bronze.storage.location import is_uri
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import require_protected

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore

MIGRATING_SUFFIX = "__migrating"


def migrating_spec(spec: TableSpec, partition_by: tuple[str, ...]) -> TableSpec:
    """The table a migration builds: ``spec``'s rows in the new layout, append-only on disk. Not a protected spec:
    it is outside the ledger until the switch (then the ledger adopts the live table), and only this module
    writes it, through the store like every write."""
    return TableSpec(spec.name + MIGRATING_SUFFIX, spec.key, partition_by, protected=False)


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class TableDigest:
    rows: int
    distinct_versions: int  # distinct (key, _version): equal to rows in a healthy history table
    content: str  # SHA-1 over the sorted row hashes of all columns


@dataclass(frozen=True)
class MigrationReport:
    table: str
    old_partition_by: tuple[str, ...]
    new_partition_by: tuple[str, ...]
    source_version: int | None
    rows_copied: int
    digest: TableDigest | None
    backup: str | None
    already_done: bool = False


def migrate_history_layout(
    store: DeltaStore,
    spec: TableSpec,
    partition_by: tuple[str, ...] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> MigrationReport:
    """Move ``spec``'s table to ``partition_by`` (default: the spec's layout). ``on_step(name)`` is called after
    each step that changed something (progress reporting; tests use it to simulate a crash)."""
    require_protected(spec)
    if is_uri(store.root):
        raise MigrationError(f"{spec.name}: the switch renames folders, which needs a local table root "
                             f"(got {store.root!r}): migrate a local copy")
    target = tuple(partition_by if partition_by is not None else spec.partition_by)
    temp = migrating_spec(spec, target)
    live = store.uri(spec)
    step = on_step or (lambda _name: None)
    if not store.exists(spec):
        return _finish_interrupted_switch(store, spec, target, live, temp, step)
    old = tuple(store.table(spec).metadata().partition_columns)
    if old == target:
        return MigrationReport(spec.name, old, target, None, 0, None, None, already_done=True)
    backup = f"{live}__backup_{'_'.join(old) or 'unpartitioned'}"
    if os.path.exists(backup):
        raise MigrationError(f"{spec.name}: a backup already exists at {backup}; remove it (after checking it) "
                             "before migrating again")

    copied = 0
    while True:  # copy until the new table holds the live table's latest version (a writer may have committed)
        source = store.table(spec)
        copied += _copy_missing_rows(store, spec, source, temp, step)
        if store.table(spec).version() == source.version():
            break
    digest = _verify(store, spec, store.scan_table(source), temp)
    step("verified")
    os.rename(live, backup)
    step("backed up")
    os.rename(store.uri(temp), live)
    step("switched")
    adopt_table(store, spec, reason="migration", again=True)  # the ledger's new anchor: the table just verified
    return MigrationReport(spec.name, old, target, source.version(), copied, digest, backup)


def table_digest(rows: pl.LazyFrame, spec: TableSpec) -> TableDigest:
    """Counts and an order-independent digest of every column of every row (comparable within one process:
    polars' row hash is not stable across versions). Only 8 bytes per row are held in memory."""
    columns = sorted(rows.collect_schema().names())
    identity = [*spec.key, VERSION]
    hashes = rows.select(pl.struct(columns).hash(seed=0).alias("h")).collect(engine="streaming")["h"].sort()
    distinct = rows.select(identity).unique().select(pl.len()).collect(engine="streaming").item()
    content = hashlib.sha1(",".join(map(str, hashes.to_list())).encode()).hexdigest()
    return TableDigest(hashes.len(), distinct, content)


def _copy_missing_rows(store: DeltaStore, spec: TableSpec, source: DeltaTable, temp: TableSpec,
                       step: Callable[[str], None]) -> int:
    rows = store.scan_table(source)
    identity = [*spec.key, VERSION]
    target = temp.partition_by
    store.create_table(temp, rows.head(0).collect(), append_only=True)  # a no-op when a crashed run created it
    copied = 0
    groups = rows.select(target).unique().collect().rows() if target else [()]
    for values in sorted(groups, key=str):
        condition = pl.lit(True)
        for column, value in zip(target, values, strict=True):
            condition &= pl.col(column).is_null() if value is None else pl.col(column) == value
        have = store.scan(temp).filter(condition)
        missing = rows.filter(condition).join(have.select(identity), on=identity, how="anti", nulls_equal=True)
        chunk = missing.collect()
        if chunk.is_empty():
            continue
        store.append(temp, chunk)
        copied += chunk.height
        step(f"copied {dict(zip(target, values, strict=True))}")
    return copied


def _verify(store: DeltaStore, spec: TableSpec, source_rows: pl.LazyFrame, temp: TableSpec) -> TableDigest:
    expected = table_digest(source_rows, spec)
    actual = table_digest(store.scan(temp), spec)
    if actual != expected:
        raise MigrationError(f"{spec.name}: the new table does not hold every version of every row "
                             f"(old: {expected}, new: {actual}); the live table is untouched")
    return actual


def _finish_interrupted_switch(store: DeltaStore, spec: TableSpec, target: tuple[str, ...], live: str,
                               temp: TableSpec, step: Callable[[str], None]) -> MigrationReport:
    """The live folder is gone: a crash between the two renames. Verify the new table against the backup
    and complete the switch; anything else is not a migration this module started."""
    parent = os.path.dirname(live)
    backups = sorted(p for p in os.listdir(parent) if p.startswith(f"{spec.name}__backup_")) if os.path.isdir(
        parent) else []
    if not backups or not store.exists(temp):
        raise MigrationError(f"{spec.name}: no live table at {live} and no interrupted migration to finish")
    backup = os.path.join(parent, backups[-1])
    source = DeltaTable(backup, storage_options=store.storage_options)
    digest = _verify(store, spec, store.scan_table(source), temp)
    os.rename(store.uri(temp), live)
    step("switched")
    adopt_table(store, spec, reason="migration", again=True)
    old = tuple(source.metadata().partition_columns)
    return MigrationReport(spec.name, old, target, source.version(), 0, digest, backup)

