"""Who the shift chart puts on the ice: per (game, period) the runs of constant on-ice counts.

A run [runStart, runEnd) has one ``chartCode`` in the ``situationCode`` layout: away goalies, away skaters,
home skaters, home goalies on the ice (``"1451"``: the away team is a skater short). Shifts are half-open
[start, end), so a line change at one second is no overlap. Goalies are told apart by the ``goalie`` flag
of the roster (boxscore goalies and ``rosterSpots`` position G), so a pulled goalie shows as ``0``.

Computed as a sweep: every shift adds one at its start and removes one at its end; the running sums per
(game, period), in clock order, are the counts until the next change.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.situations import AWAY, HOME

_CATEGORIES = {  # chartCode digit order
    "awayGoalies": (AWAY, True),
    "awaySkaters": (AWAY, False),
    "homeSkaters": (HOME, False),
    "homeGoalies": (HOME, True),
}
_IN_CATEGORY = [
    ((pl.col("side") == side) & (pl.col("goalie") == goalie)).cast(pl.Int32).alias(name)
    for name, (side, goalie) in _CATEGORIES.items()
]


def chart_runs(shifts: pl.LazyFrame, roles: pl.LazyFrame) -> pl.LazyFrame:
    """(gi, period, runStart, runEnd, chartCode) of every game with shifts; the last run ends at the period's end.

    ``shifts``: (gi, playerId, period, start, end) of everyone; ``roles``: (gi, playerId, side, goalie).
    """
    flagged = shifts.join(roles, on=["gi", "playerId"], how="inner").with_columns(_IN_CATEGORY)
    starts = flagged.select("gi", "period", pl.col("start").alias("t"), *_CATEGORIES)
    ends = flagged.select("gi", "period", pl.col("end").alias("t"), *(-pl.col(c) for c in _CATEGORIES))
    counts = (
        pl.concat([starts, ends])
        .group_by("gi", "period", "t").agg(pl.col(*_CATEGORIES).sum())
        .sort("gi", "period", "t")
        .with_columns(pl.col(*_CATEGORIES).cum_sum().over("gi", "period"))
        .with_columns(chartCode=pl.concat_str([pl.col(c).cast(pl.String) for c in _CATEGORIES]))
    )
    previous = pl.col("chartCode").shift(1).over("gi", "period")
    return (
        counts.filter(previous.is_null() | (pl.col("chartCode") != previous))
        .with_columns(runEnd=pl.col("t").shift(-1).over("gi", "period"))
        .filter(pl.col("runEnd").is_not_null())  # the run after the last shift ended: nobody is on the ice
        .select("gi", "period", pl.col("t").alias("runStart"), "runEnd", "chartCode")
    )
