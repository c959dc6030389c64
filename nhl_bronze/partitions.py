"""The one partitioning of the game tables: a daily partition per NHL game date."""

import dagster as dg

FIRST_GAME_DATE = "2023-10-01"
# Partition D holds the games the NHL dates D, which is a US Eastern date whatever the machine's timezone.
NHL_TIMEZONE = "America/New_York"

game_date_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_GAME_DATE, timezone=NHL_TIMEZONE)
