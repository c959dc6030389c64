"""Date windows of a run: the partition window, and the sub-windows work is split into."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import dagster as dg


def partition_window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """``[start, end)`` of the run's game dates: one partition, or a whole range in a single-run backfill."""
    window = context.partition_time_window
    # The partitions are defined in US Eastern time, so the window's wall-clock dates are NHL game dates.
    return window.start.date(), window.end.date()


def chunk_window(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, chunk_start + timedelta(days=days))
        yield chunk_start, chunk_end
        chunk_start = chunk_end


def contiguous_windows(start: date, end: date, excluded: set[date]) -> Iterator[tuple[date, date]]:
    """The maximal ``[a, b)`` runs of ``[start, end)`` that contain no excluded date."""
    run_start: date | None = None
    day = start
    while day < end:
        if day in excluded:
            if run_start is not None:
                yield run_start, day
            run_start = None
        elif run_start is None:
            run_start = day
        day += timedelta(days=1)
    if run_start is not None:
        yield run_start, end
