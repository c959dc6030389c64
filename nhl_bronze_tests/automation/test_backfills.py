import os
import subprocess
import sys

import dagster as dg
import pytest

from nhl_bronze import settings
from nhl_bronze.assets.derived import bronze_skaters_2023_v2
from nhl_bronze.assets.history import player_game_stats_history
from nhl_bronze.assets.staging import bronze_staging
from nhl_bronze.automation.backfills import with_backfill_policy


def test_by_default_a_backfill_of_any_length_is_one_run():
    assets = with_backfill_policy([bronze_staging, player_game_stats_history], None)
    assert [a.backfill_policy for a in assets] == [dg.BackfillPolicy.single_run()] * 2


def test_days_per_run_cuts_partitioned_assets_into_runs_and_leaves_unpartitioned_ones_alone():
    staging, history, skaters = with_backfill_policy(
        [bronze_staging, player_game_stats_history, bronze_skaters_2023_v2], 31
    )
    assert staging.backfill_policy == dg.BackfillPolicy.multi_run(max_partitions_per_run=31)
    assert history.backfill_policy == dg.BackfillPolicy.multi_run(max_partitions_per_run=31)
    assert skaters.backfill_policy is None
    # The staging multi-asset keeps its checks and its API pool.
    assert staging.check_keys == bronze_staging.check_keys
    assert staging.op.pool == "nhl_api"
    # Runs cut this way run side by side; their history writes still queue for the one history pool slot.
    assert history.op.pool == "nhl_bronze_history" and history.check_keys == player_game_stats_history.check_keys


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_non_positive_days_per_run_is_refused_naming_the_variable(value):
    with pytest.raises(ValueError, match=settings.BACKFILL_DAYS_PER_RUN):
        settings.automation_settings({settings.BACKFILL_DAYS_PER_RUN: value})


def test_the_code_location_reads_days_per_run_from_the_environment():
    probe = (
        "from nhl_bronze.definitions import defs\n"
        "print(defs.resolve_assets_def('bronze_games_historical_v2').backfill_policy.max_partitions_per_run)\n"
    )
    env = {**os.environ, settings.BACKFILL_DAYS_PER_RUN: "14"}
    output = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "14"
