"""Date windows of a run: the partition window, and the sub-windows work is split into."""

from __future__ import annotations

from datetime import date

import dagster as dg


def partition_window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """``[start, end)`` of the run's game dates: one partition, or a whole range in a single-run backfill."""
    window = context.partition_time_window
    # The partitions are defined in US Eastern time, so the window's wall-clock dates are NHL game dates.
    return window.start.date(), window.end.date()
