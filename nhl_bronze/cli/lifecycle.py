"""``nhl-bronze migrate`` and ``nhl-bronze import``: the long-life operations on history, from the shell.

Both are the storage layer's own functions (``migrate_history_layout``, ``import_into_history``); this module
only chooses the tables, reports progress and says per table what happened.
"""

from __future__ import annotations

from collections.abc import Callable

from nhl_bronze.protection.importer import ImportReport, import_into_history
from nhl_bronze.protection.migrate import MigrationReport, migrate_history_layout
from nhl_bronze.readers.schema import HISTORY_TABLES
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import TableSpec


def _layout(columns: tuple[str, ...]) -> str:
    return ", ".join(columns) or "nothing"


def describe_migration(report: MigrationReport) -> str:
    if report.already_done:
        return f"{report.table}: already partitioned by {_layout(report.new_partition_by)}, nothing to do"
    digest = report.digest
    verified = f"verified {digest.rows:,} rows / {digest.distinct_versions:,} versions" if digest else "verified"
    return (f"{report.table}: partitioned by {_layout(report.old_partition_by)} -> {_layout(report.new_partition_by)}"
            f"; {report.rows_copied:,} rows copied, {verified}; the old table is kept at {report.backup}")


def migrate(store: DeltaStore, specs: list[TableSpec], partition_by: tuple[str, ...] | None,
            progress: Callable[[str], None]) -> tuple[list[MigrationReport], list[str]]:
    """Migrate each history table in turn; a failure is named with its table and the others still run."""
    reports, problems = [], []
    for spec in specs or list(HISTORY_TABLES):
        progress(f"migrating {spec.name}")
        try:
            reports.append(migrate_history_layout(
                store, spec, partition_by, on_step=lambda step, name=spec.name: progress(f"{name}: {step}")))
        except Exception as error:
            problems.append(f"{spec.name}: migration failed: {type(error).__name__}: {error}")
    return reports, problems


def describe_import(report: ImportReport) -> str:
    return (f"{report.table}: {report.rows_read:,} rows read from {report.source}, {report.rows_inserted:,} "
            f"inserted as versions of run {report.source_label!r}, {report.rows_unchanged:,} unchanged, "
            f"{report.rows_skipped_existing:,} skipped (keys history already holds); table version "
            f"{report.table_version}")


def import_table(store: DeltaStore, spec: TableSpec, source: str, label: str, supersede: bool,
                 progress: Callable[[str], None]) -> tuple[ImportReport | None, list[str]]:
    progress(f"importing {source} into {spec.name} as {label!r}")
    try:
        return import_into_history(store, spec, source, label, supersede=supersede), []
    except Exception as error:
        return None, [f"{spec.name}: import of {source} failed: {type(error).__name__}: {error}"]
