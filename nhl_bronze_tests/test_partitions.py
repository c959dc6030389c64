"""The partitions start at the configured first game date, read when the code location loads."""

import os
import subprocess
import sys

from nhl_bronze import settings
from nhl_bronze.partitions import game_date_partitions

PROBE = (
    "from nhl_bronze.definitions import defs\n"
    "partitions = defs.resolve_job_def('bronze_job').partitions_def\n"
    "asset = defs.resolve_assets_def('bronze_player_game_stats_v2')\n"
    "print(partitions.get_first_partition_key(), asset.partitions_def.get_first_partition_key())\n"
)


def test_the_default_partitions_start_on_2023_10_01():
    assert game_date_partitions.get_first_partition_key() == "2023-10-01"


def test_the_code_location_starts_every_partitioned_asset_at_the_configured_date():
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHL_BRONZE_")}
    env[settings.FIRST_GAME_DATE] = "2010-10-07"
    output = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "2010-10-07 2010-10-07"
