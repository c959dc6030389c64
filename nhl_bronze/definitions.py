"""The Dagster code location: assembles the bronze asset graph, its automation and its resources.

Resources are wired to their environment variables here (``nhl_bronze.settings`` names them): a variable that is
set becomes a ``dg.EnvVar``, so the launchpad shows where the value comes from and Dagster resolves it at run time.
"""

from collections.abc import Callable

import dagster as dg

from nhl_bronze import settings
from nhl_bronze.assets.graph import BRONZE_ASSETS
from nhl_bronze.assets.history import all_games_merged
from nhl_bronze.automation.alerts import alert_definitions
from nhl_bronze.automation.backfills import with_backfill_policy
from nhl_bronze.automation.freshness import freshness_definitions
from nhl_bronze.automation.jobs import bronze_job, schedule_landing_job
from nhl_bronze.automation.maintenance import maintenance_definitions
from nhl_bronze.automation.schedules import build_daily_schedule, build_schedule_refresh
from nhl_bronze.automation.sensors import bronze_failure_summary, build_final_games_sensor
from nhl_bronze.catalog import add_table_metadata
from nhl_bronze.pipeline.source import StagingSource
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.nhl_api import NhlApiResource


def _env_config(fields: dict[str, tuple[str, Callable]]) -> dict:
    """Resource config from the variables that are set: field -> EnvVar (floats parsed: Dagster has no float
    EnvVar)."""
    config: dict = {}
    for var, (field, kind) in fields.items():
        value = settings.env(var)
        if value is None:
            continue
        config[field] = dg.EnvVar(var) if kind is str else dg.EnvVar.int(var) if kind is int else kind(value)
    return config


def nhl_api_from_env() -> NhlApiResource:
    """The real NHL API; ``NHL_BRONZE_OFFLINE=1``: every request answered in-process by the synthetic league
    (its "today" is ``NHL_BRONZE_TODAY``). The simulator is imported only then."""
    config = _env_config(settings.API_FIELDS)
    if settings.env_flag(settings.OFFLINE):
        from nhl_bronze.resources.simulated import SimulatedNhlApiResource

        return SimulatedNhlApiResource(simulator_today=settings.env(settings.TODAY), **config)
    return NhlApiResource(**config)


def resources_from_env() -> dict:
    return {
        "nhl_api": nhl_api_from_env(),
        "lakehouse": LakehouseResource(**_env_config({settings.DATA_DIR: ("data_dir", str),
                                                       settings.LEDGER_ROOT: ("ledger_root", str)})),
        "clock": ClockResource(**_env_config({settings.TODAY: ("today", str)})),
        "ingest": IngestResource(**_env_config({settings.SOURCE: ("source", lambda v: StagingSource(v.lower())),
                                                settings.PARSE_WORKERS: ("parse_workers", int)})),
    }


automation = settings.automation_settings()
defs = dg.Definitions(
    assets=with_backfill_policy(BRONZE_ASSETS, automation.backfill_days_per_run),
    asset_checks=[all_games_merged],
    jobs=[bronze_job, schedule_landing_job],
    schedules=[build_daily_schedule(automation.daily_cron, automation.lookback_days, automation.first_game_date),
               build_schedule_refresh(automation.schedule_refresh_cron)],
    sensors=[build_final_games_sensor(automation), bronze_failure_summary],
    resources=resources_from_env(),
    # A process per step costs ~2 s; the work here is I/O-bound and small per step (parsing a long window
    # spreads over a process pool inside the staging step).
    executor=dg.in_process_executor,
)
defs = dg.Definitions.merge(defs, maintenance_definitions())
defs = dg.Definitions.merge(defs, freshness_definitions())
defs = dg.Definitions.merge(defs, alert_definitions(settings.alert_settings()))
# Columns (type, meaning), table name and location on every table asset before its first run.
defs = add_table_metadata(defs)
