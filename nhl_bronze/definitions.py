"""The Dagster code location: assembles the bronze asset graph, its automation and its resources."""

import dagster as dg

from nhl_bronze.assets.derived import bronze_schedule_2023_v2, bronze_skaters_2023_v2
from nhl_bronze.assets.history import games_historical_history, player_game_stats_history
from nhl_bronze.assets.staging import bronze_staging
from nhl_bronze.automation.jobs import bronze_job
from nhl_bronze.automation.maintenance import maintenance_definitions
from nhl_bronze.automation.schedules import daily_schedule_from_env
from nhl_bronze.automation.sensors import bronze_failure_summary, final_games_sensor
from nhl_bronze.resources.factory import resources_from_env

defs = dg.Definitions(
    assets=[
        bronze_staging,
        player_game_stats_history,
        games_historical_history,
        bronze_schedule_2023_v2,
        bronze_skaters_2023_v2,
    ],
    jobs=[bronze_job],
    schedules=[daily_schedule_from_env()],
    sensors=[final_games_sensor, bronze_failure_summary],
    resources=resources_from_env(),
    # A process per step costs ~2 s; the work here is I/O-bound and small per step.
    executor=dg.in_process_executor,
)
defs = dg.Definitions.merge(defs, maintenance_definitions())
