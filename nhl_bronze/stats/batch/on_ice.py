"""Events x skater shifts of a batch -> on-ice For/Against counts per skater and situation bucket.

An event at clock time t is on-ice for a shift with start <= t < end (half-open, so an on-the-fly change
at the same second is not counted twice). Two deliberate exceptions:
* a goal stops play and the line on the ice is changed at that very second, so a goal at t is on-ice
  for shifts with start < t <= end (the players who were on the ice when it was scored; this is what
  the official plus/minus uses);
* an event at the very end of a period (t equal to the period's last shift end, over all 517 rows) is
  on-ice for the shifts ending then (otherwise nobody would be on the ice for it).
A player with two overlapping shift rows that both contain t is counted once per row.

Matching is an interval join, not a cross join: (game, period) and the clock are folded into one Int64
"batch clock" in which every (game, period) has its own range, so start <= t <= end is a pure
two-inequality join (polars IEJoin) over the whole batch; the exact rule above then filters the pairs.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.indicators import ON_ICE, for_against_sums, on_ice_name
from nhl_bronze.stats.batch.rollup import bucket_of_side

ON_ICE_EVENT_TYPES = ("shot-on-goal", "missed-shot", "blocked-shot", "goal", "hit", "takeaway", "giveaway")
# the indicator columns an on-ice row reads (For and Against)
_READ = tuple(dict.fromkeys(c for i in ON_ICE for c in (i.column, i.against_column)))


class BatchClock:
    """Folds (gi, period, clock seconds) into one Int64 so that different (game, period)s never overlap."""

    def __init__(self, min_period: int, max_period: int, max_clock: int) -> None:
        self.min_period = min_period
        self.periods = max_period - min_period + 1
        self.span = max_clock + 1

    def __call__(self, clock: str) -> pl.Expr:
        key = pl.col("gi").cast(pl.Int64) * self.periods + (pl.col("period").cast(pl.Int64) - self.min_period)
        return key * self.span + pl.col(clock).cast(pl.Int64)


_T, _START, _END = pl.col("t"), pl.col("start"), pl.col("end")
_ON_ICE = pl.when(pl.col("type") == "goal").then(_START < _T).otherwise(
    (_T < _END) | ((_T == _END) & (pl.col("periodEnd") == _END))
)
_COUNTED = pl.col("actor").is_not_null() & pl.col("type").is_in(ON_ICE_EVENT_TYPES)
_IS_FOR = (pl.col("actor") == pl.col("side")).cast(pl.Int32).alias("_for")
_FOR_AGAINST = for_against_sums(ON_ICE, pl.col("_for"), lambda i: on_ice_name(i, "F"), lambda i: on_ice_name(i, "A"))
ON_ICE_COLUMNS = [on_ice_name(i, fa) for fa in "FA" for i in ON_ICE]


def on_ice_counts(events: pl.LazyFrame, shifts: pl.LazyFrame, all_shifts: pl.LazyFrame,
                  clock: BatchClock) -> pl.LazyFrame:
    """ON_ICE_COLUMNS (named as in the player table) per (gi, playerId, situation); situation null = no bucket.

    ``shifts``: the skaters' shift rows with their side; ``all_shifts``: every 517 row (for the period end).
    """
    period_end = all_shifts.group_by("gi", "period").agg(periodEnd=pl.col("end").max())
    counted = (
        events.filter(_COUNTED)
        .select("gi", "period", "t", "type", "actor", "sitHome", "sitAway", *_READ)
        .join(period_end, on=["gi", "period"], how="inner")
        .with_columns(_t=clock("t"))
        .drop("gi", "period")
    )
    skaters = shifts.select("gi", "playerId", "side", "start", "end", _a=clock("start"), _b=clock("end"))
    return (
        counted.join_where(skaters, pl.col("_a") <= pl.col("_t"), pl.col("_b") >= pl.col("_t"))
        .filter(_ON_ICE)
        .with_columns(bucket_of_side().alias("situation"), _IS_FOR)
        .group_by("gi", "playerId", "situation")
        .agg(_FOR_AGAINST)
    )
