"""Jobs: the whole bronze graph for a window of game dates."""

import dagster as dg

from nhl_bronze.partitions import game_date_partitions

# staging -> history -> derived. The derived tables are unpartitioned and rebuilt once at the end of each run.
bronze_job = dg.define_asset_job(
    "bronze_job",
    selection=dg.AssetSelection.groups("staging", "history", "derived"),
    partitions_def=game_date_partitions,
    description="Fetch a window of game dates into staging, merge it into history, rebuild the derived tables.",
)


def partition_range_tags(start: str, end: str) -> dict[str, str]:
    """Tags that make one run cover the inclusive partition range ``start..end`` (single-run backfill)."""
    return {
        "dagster/asset_partition_range_start": start,
        "dagster/asset_partition_range_end": end,
    }
