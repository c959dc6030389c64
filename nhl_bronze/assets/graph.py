"""The bronze asset graph, in lineage order: the one list the code location and the tests both assemble."""

from nhl_bronze.assets.derived import bronze_schedule_2023_v2, bronze_skaters_2023_v2
from nhl_bronze.assets.history import games_historical_history, player_game_stats_history
from nhl_bronze.assets.schedule_landing import bronze_schedule_raw
from nhl_bronze.assets.staging import bronze_staging

BRONZE_ASSETS = (
    bronze_schedule_raw,
    bronze_staging,
    player_game_stats_history,
    games_historical_history,
    bronze_schedule_2023_v2,
    bronze_skaters_2023_v2,
)
