"""Jobs: the whole bronze graph for a window of game dates."""

import dagster as dg

from nhl_bronze.assets.history import ALL_GAMES_MERGED_RUN_KEY
from nhl_bronze.assets.schedule_landing import SCHEDULE_LANDING
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.storage.tables import SCHEDULE

UNPARTITIONED_WITH_CHECKS = (dg.AssetKey(SCHEDULE_LANDING), dg.AssetKey(SCHEDULE.name))

# schedule landing -> staging -> history -> derived. The landing and derived assets are unpartitioned and run
# once per run. A range run records one planned row per date for every check it selects (~0.6 s per check on
# PostgreSQL for a three-season rebuild), so the job selects the assets without their checks: the staging and
# history steps report their checks as one evaluation each per run (assets/checks.py), and the only check step
# is ``all_games_merged`` (it fails the run after both merges when staging failed a game; one of its two keys is
# selected, the step reports the other). The freshness checks are left to ``bronze_freshness_sensor``: they judge
# whether the date due at 8 a.m. Eastern is in history, which a run over other dates does not answer.
# The schedule-contract checks of the unpartitioned landing and derived assets are selected: those assets are
# single assets that cannot run without their checks (two planned rows per date more in a range run).
bronze_job = dg.define_asset_job(
    "bronze_job",
    selection=dg.AssetSelection.groups("landing", "staging", "history", "derived").without_checks()
    | dg.AssetSelection.checks(ALL_GAMES_MERGED_RUN_KEY)
    | dg.AssetSelection.checks_for_assets(*UNPARTITIONED_WITH_CHECKS),
    partitions_def=game_date_partitions,
    description="Land the schedule, fetch a window of game dates into staging, merge it into history, rebuild "
    "the derived tables.",
)

# What the final-games sensor reads: the recent and upcoming schedule, landed in the raw store.
schedule_landing_job = dg.define_asset_job(
    "schedule_landing_job",
    selection=dg.AssetSelection.groups("landing"),
    description="Land the recent and upcoming NHL schedule in the raw store (read by the sensor).",
)


def partition_range_tags(start: str, end: str) -> dict[str, str]:
    """Tags that make one run cover the inclusive partition range ``start..end`` (single-run backfill)."""
    return {
        "dagster/asset_partition_range_start": start,
        "dagster/asset_partition_range_end": end,
    }
