"""Maintenance of every bronze Delta table as an asset: compaction, vacuum, checkpoint and log cleanup.

Each materialization records the Delta version every table was maintained at; the next one reads it back and
compacts only the partitions that received files since then, so its cost follows the new data, not the size of
history. Runs in its own pool (``nhl_bronze_maintenance``), so instances that limit pools never run two of them
at once; a writer that does race it loses nothing (a lost Delta commit is re-planned and retried).
"""

import dagster as dg

from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.maintenance import DEFAULT_RETENTION_HOURS, MaintenanceReport, maintain_table
from nhl_bronze.storage.tables import ALL_TABLES

MAINTENANCE_ASSET = "bronze_table_maintenance"
MAINTENANCE_POOL = "nhl_bronze_maintenance"
MAINTAINED_VERSIONS = "maintained_versions"  # metadata: table -> the version it was maintained at


class MaintenanceConfig(dg.Config):
    retention_hours: int = DEFAULT_RETENTION_HOURS
    """Vacuum keeps every file a version of the last ``retention_hours`` needs (time travel); minimum 24."""


def previous_maintained_versions(instance: dg.DagsterInstance) -> dict[str, int]:
    """Table -> version at the last successful maintenance (empty when there was none on this instance)."""
    event = instance.get_latest_materialization_event(dg.AssetKey(MAINTENANCE_ASSET))
    if event is None or event.asset_materialization is None:
        return {}
    recorded = event.asset_materialization.metadata.get(MAINTAINED_VERSIONS)
    return {name: int(version) for name, version in (recorded.value if recorded else {}).items()}


def _totals(reports: list[MaintenanceReport]) -> dict[str, int]:
    measured = [r for r in reports if r.before is not None and r.after is not None]
    return {
        "files_before": sum(r.before.files for r in measured),
        "files_after": sum(r.after.files for r in measured),
        "bytes_before": sum(r.before.bytes for r in measured),
        "bytes_after": sum(r.after.bytes for r in measured),
        "files_compacted": sum(r.files_compacted for r in reports),
        "files_vacuumed": sum(r.files_vacuumed for r in reports),
    }


@dg.asset(
    name=MAINTENANCE_ASSET,
    group_name="maintenance",
    kinds={"deltalake"},
    pool=MAINTENANCE_POOL,
    description="Per bronze table: compacts the partitions touched since the last maintenance, vacuums files no "
    "version inside the retention needs (also files left by killed runs), writes a checkpoint and cleans expired "
    "log entries. Removes no row (legal on the append-only history); time travel within the retention keeps "
    "working.",
)
def bronze_table_maintenance(
    context: dg.AssetExecutionContext, config: MaintenanceConfig, lakehouse: LakehouseResource
) -> dg.MaterializeResult:
    store = lakehouse.store(context.run_id)
    since = previous_maintained_versions(context.instance)
    reports: list[MaintenanceReport] = []
    failures: list[str] = []
    for spec in ALL_TABLES:
        try:
            report = maintain_table(store, spec, config.retention_hours, since_version=since.get(spec.name))
        except Exception as error:  # one broken table must not keep the others unmaintained
            failures.append(f"{spec.name}: {type(error).__name__}: {error}")
            continue
        reports.append(report)
        context.log.info(
            f"{spec.name}: v{report.version_before} -> v{report.version_after}, "
            f"files {report.before.files if report.before else 0} -> {report.after.files if report.after else 0}, "
            f"{report.files_vacuumed} vacuumed, {report.seconds:.2f} s"
        )
    if failures:
        raise dg.Failure(f"maintenance failed for {len(failures)} table(s): " + "; ".join(failures))
    maintained = {**since, **{r.table: r.version_after for r in reports if r.version_after is not None}}
    return dg.MaterializeResult(
        metadata={
            **_totals(reports),
            "retention_hours": config.retention_hours,
            "seconds": round(sum(r.seconds for r in reports), 3),
            MAINTAINED_VERSIONS: dg.MetadataValue.json(maintained),
            **{r.table: dg.MetadataValue.json(r.metadata()) for r in reports},
        }
    )
