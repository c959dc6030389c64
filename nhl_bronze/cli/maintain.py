"""``nhl-bronze maintain``: compact, vacuum, checkpoint and clean the log of tables, outside Dagster.

The same ``maintain_table`` the weekly maintenance asset runs; from the command line it has no record of the
last maintained version, so every partition with several files counts as touched.
"""

from __future__ import annotations

from collections.abc import Callable

from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.maintenance import MaintenanceReport, maintain_table
from nhl_bronze.storage.tables import TableSpec


def describe(report: MaintenanceReport) -> str:
    if report.version_before is None:
        return f"{report.table}: no table, nothing to do"
    before, after = report.before, report.after
    return (f"{report.table}: files {before.files} -> {after.files}, bytes {before.bytes:,} -> {after.bytes:,}, "
            f"version {report.version_before} -> {report.version_after}, {report.files_compacted} files compacted "
            f"into {report.files_written}, {report.files_vacuumed} vacuumed, {report.seconds:.1f} s")


def maintain(store: DeltaStore, specs: list[TableSpec], retention_hours: int,
             progress: Callable[[str], None]) -> tuple[list[MaintenanceReport], list[str]]:
    """Maintain each table in turn; a failing table is reported by name and the others still run."""
    reports, problems = [], []
    for spec in specs:
        progress(f"maintaining {spec.name} (retention {retention_hours} h)")
        try:
            report = maintain_table(store, spec, retention_hours)
        except Exception as error:
            problems.append(f"{spec.name}: maintenance failed: {type(error).__name__}: {error}")
            continue
        reports.append(report)
    return reports, problems
