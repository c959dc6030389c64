"""The one partitioning of the game tables: a daily partition per NHL game date."""

import dagster as dg

from nhl_bronze.domain.dates import FIRST_GAME_DATE, NHL_TIMEZONE

game_date_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_GAME_DATE, timezone=NHL_TIMEZONE)
