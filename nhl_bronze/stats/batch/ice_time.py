"""Skater shift rows of a batch -> ice time and shift counts per situation.

Every shift [start, end) is split against the situation timeline (see ``timeline``), so a shift that spans
the start of a power play gives its first part to ``5on5`` and the rest to ``5on4``. ``all`` is the plain
sum of shift lengths, which reproduces the boxscore ``toi``. ``shifts`` counts a shift in the situation in
force at its start (``all``: every 517 row).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.rollup import bucket_of_side
from nhl_bronze.stats.situations import ALL

_START, _END = pl.col("start"), pl.col("end")
_SEG_START, _SEG_END = pl.col("segStart"), pl.col("segEnd")
# a shift meets a segment if they overlap (segStart < end and segEnd > start) or if its start is inside
# the segment (a zero-length shift): segStart <= max(end - 1, start) and segEnd > start
_MEETS = (pl.max_horizontal(_END - 1, _START) >= _SEG_START) & (_SEG_END > _START)
_OVERLAP = pl.min_horizontal(_END, _SEG_END) - pl.max_horizontal(_START, _SEG_START)
_STARTS_INSIDE = (_SEG_START <= _START) & (_START < _SEG_END)
# (a pair that meets never overlaps by less than 0: a zero-length shift overlaps by exactly 0)
_PER_BUCKET = [_OVERLAP.sum().alias("seconds"), _STARTS_INSIDE.sum().alias("count")]
_PER_PLAYER = [(_END - _START).sum().alias("seconds"), pl.len().alias("count")]


def ice_time(shifts: pl.LazyFrame, segments: pl.LazyFrame) -> pl.LazyFrame:
    """``seconds`` and shift ``count`` per (gi, playerId, situation): the buckets the skater played in and ``all``.

    ``shifts``: the skaters' shift rows with their ``side``; ``segments``: the situation timeline.
    A (game, period) has ~300 skater shifts and a handful of segments with a bucket, so an equality join on
    (gi, period) and a filter is cheaper than an interval join.
    """
    in_buckets = (
        shifts.join(segments.filter(pl.col("sitHome").is_not_null()), on=["gi", "period"], how="inner")
        .filter(_MEETS)
        .with_columns(bucket_of_side().alias("situation"))
        .group_by("gi", "playerId", "situation")
        .agg(_PER_BUCKET)
    )
    total = shifts.group_by("gi", "playerId").agg(_PER_PLAYER).with_columns(situation=pl.lit(ALL))
    return pl.concat([in_buckets, total], how="diagonal")
