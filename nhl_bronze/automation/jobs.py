"""Jobs: the whole bronze graph for a window of game dates."""

import dagster as dg

from nhl_bronze.automation.freshness import FRESHNESS_CHECK_KEYS
from nhl_bronze.partitions import game_date_partitions

# schedule landing -> staging -> history -> derived. The landing and derived assets are unpartitioned and run
# once per run. The freshness checks are left to ``bronze_freshness_sensor``: they judge whether the date due at
# 8 a.m. Eastern is in history, which a run over other dates does not answer (and the daily run ends before that
# deadline), while a range run records one planned row per date for every check it selects (~0.55 s per check
# on PostgreSQL for a three-season rebuild). The checks are named by key, so Definitions holding this job hold
# them too (``definitions.py`` merges ``freshness_definitions()``); Dagster names any key it cannot find.
bronze_job = dg.define_asset_job(
    "bronze_job",
    selection=dg.AssetSelection.groups("landing", "staging", "history", "derived")
    - dg.AssetSelection.checks(*FRESHNESS_CHECK_KEYS),
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
