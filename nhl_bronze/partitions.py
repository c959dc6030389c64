"""The one partitioning of the game tables: a daily partition per NHL game date.

It starts at the deployment's first game date (``NHL_BRONZE_FIRST_GAME_DATE``, default 2023-10-01), read once
when the code location loads: Dagster keeps the partitions definition inside every asset and job definition.
Moving the date earlier only adds partitions before the old first one; no stored row changes.
"""

import dagster as dg

from nhl_bronze import settings
from nhl_bronze.domain.dates import NHL_TIMEZONE


def game_date_partitions_from(first_game_date) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=first_game_date.isoformat(), timezone=NHL_TIMEZONE)


FIRST_DATE = settings.first_game_date()
game_date_partitions = game_date_partitions_from(FIRST_DATE)
