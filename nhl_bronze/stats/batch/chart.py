"""Who the shift chart puts on the ice: per (game, period) the runs of constant on-ice counts.

A run [runStart, runEnd) has one ``chartCode`` in the ``situationCode`` layout: away goalies, away skaters,
home skaters, home goalies on the ice (``"1451"``: the away team is a skater short). Shifts are half-open
[start, end), so a line change at one second is no overlap. Goalies are told apart by the ``goalie`` flag
of the roster (boxscore goalies and ``rosterSpots`` position G), so a pulled goalie shows as ``0``.

Computed as a sweep: every shift adds one at its start and removes one at its end; the running sums per
(game, period), in clock order, are the counts until the next change. The four counts travel packed in one
Int64 (``_BITS`` bits each: a count never exceeds a roster) and (game, period, second) folded into one Int64
(``on_ice.BatchClock``), so the sweep is one group-by and one sort on a single column and one running sum over
the whole batch: every (game, period) adds up to 0, so the batch's running sum is each group's own (no window
expression). Three sort keys and a window took ~2.5x as long (100 games, one core).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.on_ice import BatchClock
from nhl_bronze.stats.situations import AWAY, HOME

_CATEGORIES = {  # chartCode digit order
    "awayGoalies": (AWAY, True),
    "awaySkaters": (AWAY, False),
    "homeSkaters": (HOME, False),
    "homeGoalies": (HOME, True),
}
_BITS = 15  # 4 x 15 bits fit an Int64; a category counts at most the players of one roster
_SHIFTS = [_BITS * (len(_CATEGORIES) - 1 - i) for i in range(len(_CATEGORIES))]
_PACKED = pl.sum_horizontal(
    pl.when((pl.col("side") == side) & (pl.col("goalie") == goalie)).then(pl.lit(1 << shift, pl.Int64))
    .otherwise(pl.lit(0, pl.Int64))
    for (side, goalie), shift in zip(_CATEGORIES.values(), _SHIFTS, strict=True)
)
_COUNTS = pl.col("counts")
_CHART_CODE = pl.concat_str([((_COUNTS // (1 << shift)) % (1 << _BITS)).cast(pl.String) for shift in _SHIFTS])


def chart_runs(shifts: pl.LazyFrame, roles: pl.LazyFrame, clock: BatchClock) -> pl.LazyFrame:
    """(gi, period, runStart, runEnd, chartCode) of every game with shifts; the last run ends at the period's end.

    ``shifts``: (gi, playerId, period, start, end) of everyone; ``roles``: (gi, playerId, side, goalie);
    ``clock``: the batch clock of these shifts.
    """
    on_ice = shifts.join(roles, on=["gi", "playerId"], how="inner").select(
        start=clock("start"), end=clock("end"), delta=_PACKED
    )
    key, group = pl.col("key"), pl.col("key") // clock.span  # group: one per (game, period)
    counts = (
        pl.concat([on_ice.select(key="start", delta="delta"), on_ice.select(key="end", delta=-pl.col("delta"))])
        .group_by("key").agg(pl.col("delta").sum())
        .sort("key")
        .with_columns(counts=pl.col("delta").cum_sum())
    )
    return (
        counts.filter((group != group.shift(1)).fill_null(True) | (_COUNTS.shift(1) != _COUNTS))
        .with_columns(runEnd=pl.when(group == group.shift(-1)).then(key.shift(-1) % clock.span))
        .filter(pl.col("runEnd").is_not_null())  # the run after the last shift ended: nobody is on the ice
        .select(
            gi=(group // clock.periods).cast(pl.Int32), period=group % clock.periods + clock.min_period,
            runStart=key % clock.span, runEnd="runEnd", chartCode=_CHART_CODE,
        )
    )
