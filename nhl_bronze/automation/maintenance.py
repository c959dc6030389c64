"""The weekly maintenance job and its schedule, bundled as Definitions that ``definitions.py`` merges in."""

import dagster as dg

from nhl_bronze import settings
from nhl_bronze.assets.maintenance import MAINTENANCE_ASSET, bronze_table_maintenance
from nhl_bronze.storage.maintenance import DEFAULT_RETENTION_HOURS

MAINTENANCE_CRON_ENV = settings.MAINTENANCE_CRON
RETENTION_HOURS_ENV = settings.MAINTENANCE_RETENTION_HOURS
# Sundays 06:00 UTC: the night's games are long over and the daily run (10:00 UTC) has not started yet.
DEFAULT_MAINTENANCE_CRON = "0 6 * * 0"

maintenance_job = dg.define_asset_job(
    "bronze_maintenance_job",
    selection=dg.AssetSelection.assets(bronze_table_maintenance),
    description="Compact, vacuum, checkpoint and clean the log of every bronze table.",
)


def build_maintenance_schedule(
    cron: str = DEFAULT_MAINTENANCE_CRON, retention_hours: int = DEFAULT_RETENTION_HOURS
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="maintenance",
        cron_schedule=cron,
        execution_timezone="UTC",
        job=maintenance_job,
        description=f"{cron} UTC: maintain every bronze table (vacuum retention {retention_hours} h).",
    )
    def maintenance(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(
            # One run per tick: a re-evaluated tick never maintains twice.
            run_key=f"maintenance:{context.scheduled_execution_time:%Y-%m-%dT%H:%M}",
            run_config={"ops": {MAINTENANCE_ASSET: {"config": {"retention_hours": retention_hours}}}},
            tags={"nhl_bronze/trigger": "maintenance"},
        )

    return maintenance


def maintenance_schedule_from_env() -> dg.ScheduleDefinition:
    return build_maintenance_schedule(
        settings.env(MAINTENANCE_CRON_ENV) or DEFAULT_MAINTENANCE_CRON,
        settings.env_int(RETENTION_HOURS_ENV, DEFAULT_RETENTION_HOURS),
    )


def maintenance_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[bronze_table_maintenance], jobs=[maintenance_job], schedules=[maintenance_schedule_from_env()]
    )
