"""Individual skater counts (``I_F_*``, faceoffs, penalties) of a batch, per situation.

The events whose player field names the skater, bucketed in the situation seen from the skater's own team
(the boxscore side). Only boxscore skaters get rows (goalies' credits are dropped).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.indicators import INDIVIDUAL, individual_name
from nhl_bronze.stats.batch.rollup import bucket_of_side, sum_by_situation

# the shooter's indicators: the shot attempts and what followed from them
_SHOOTER_STATS = {i.column: individual_name(i.stem) for i in INDIVIDUAL}
# event column naming the player (the plan keeps it only for its own event type) -> output columns; the
# takeaway/giveaway player needs the event type too; penalties also add the penalty minutes
_ROLE = pl.col("role")
_MINUTES = pl.col("penMinutes").fill_null(0.0)
_ROLE_STATS = {
    "I_F_primaryAssists": _ROLE == "assist1",
    "I_F_secondaryAssists": _ROLE == "assist2",
    "I_F_hits": _ROLE == "hitter",
    "I_F_takeaways": (_ROLE == "tgPlayer") & (pl.col("type") == "takeaway"),
    "I_F_giveaways": (_ROLE == "tgPlayer") & (pl.col("type") == "giveaway"),
    "faceOffsWonFor": _ROLE == "foWinner",
    "faceOffsLostFor": _ROLE == "foLoser",
    "penaltiesFor": _ROLE == "penBy",
    "penalityMinutesFor": pl.when(_ROLE == "penBy").then(_MINUTES).otherwise(0.0),
    "penaltiesAgainst": _ROLE == "penDrawn",
    "penalityMinutesAgainst": pl.when(_ROLE == "penDrawn").then(_MINUTES).otherwise(0.0),
}
_ROLES = ("assist1", "assist2", "hitter", "tgPlayer", "foWinner", "foLoser", "penBy", "penDrawn")
INDIVIDUAL_COLUMNS = [*_SHOOTER_STATS.values(), *_ROLE_STATS]


def individual_counts(events: pl.LazyFrame, skaters: pl.LazyFrame) -> pl.LazyFrame:
    """INDIVIDUAL_COLUMNS per (gi, playerId, situation) for the skaters named in an event's player field."""
    base = ["gi", "sitHome", "sitAway"]
    shots = events.filter(pl.col("shooter").is_not_null()).select(
        *base, pl.col("shooter").alias("playerId"), *(pl.col(c).alias(out) for c, out in _SHOOTER_STATS.items())
    )
    roles = (
        events.select(*base, "type", "penMinutes", *_ROLES)
        .unpivot(on=list(_ROLES), index=[*base, "type", "penMinutes"], variable_name="role", value_name="playerId")
        .filter(pl.col("playerId").is_not_null())
        .select(*base, "playerId", *(value.alias(out) for out, value in _ROLE_STATS.items()))
    )
    rows = pl.concat([shots, roles], how="diagonal").join(
        skaters.select("gi", "playerId", "side"), on=["gi", "playerId"], how="inner"
    )
    return sum_by_situation(
        rows.with_columns(situation=bucket_of_side()), ["gi", "playerId"], [pl.col(INDIVIDUAL_COLUMNS).sum()]
    )
