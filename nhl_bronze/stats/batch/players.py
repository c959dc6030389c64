"""Skater rows of ``bronze_player_game_stats_v2``: one per boxscore skater x situation.

Four groups of columns:
* individual (``I_F_*``, faceoffs, penalties): the events whose player field names the skater,
  bucketed in the situation seen from the skater's own team;
* team totals (``shotsOnGoalFor`` ... ``highDangerGoalsAgainst``, ``continued*``): the skater's team's
  totals in that situation, copied from the team aggregation;
* on-ice (``OnIce_*``, ``corsi*``/``fenwick*``, ``hits``/``takeaways``/``giveaways`` For/Against) from
  the shift chart; off-ice = team total - on-ice;
* ice time and shifts from the shift chart.
Without a usable shift chart the shift-derived columns are null (never a misleading 0).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.batch.indicators import (
    AGAINST,
    COUNTED,
    DERIVED,
    FOR,
    ON_ICE,
    individual_name,
)
from nhl_bronze.stats.batch.individual import INDIVIDUAL_COLUMNS
from nhl_bronze.stats.batch.on_ice import ON_ICE_COLUMNS
from nhl_bronze.stats.batch.rollup import share, side_columns, with_all
from nhl_bronze.stats.situations import SITUATIONS

SHIFT_DERIVED = (
    "icetime", "iceTimeRank", "shifts",
    *(c for c in PLAYER_GAME_STATS_SCHEMA if c.startswith(("OnIce_", "OffIce_"))),
    "corsiFor", "corsiAgainst", "fenwickFor", "fenwickAgainst",
    "hitsFor", "hitsAgainst", "takeawaysFor", "takeawaysAgainst", "giveawaysFor", "giveawaysAgainst",
    "corsiPercentage", "fenwickPercentage",
    "onIce_corsiPercentage", "offIce_corsiPercentage", "onIce_fenwickPercentage", "offIce_fenwickPercentage",
)
# MoneyPuck counts these from tracked zone entries, which the public feed does not have
ALWAYS_NULL = ("zoneEntriesFor", "zoneEntriesAgainst", "xGoalsFor", "xGoalsAgainst")


# The expressions of the player table do not depend on the batch: built once (building them per call costs
# more than running them on one game).
_c = pl.col
_FA = (("F", FOR), ("A", AGAINST))
# the skater's team's totals in the situation, under the player table's names
_TEAM_TOTALS = [
    "gi", "side", "situation",
    *(_c(f"{i.stem}{suffix}").alias(f"{i.skater_team}{suffix}")
      for i in COUNTED if i.skater_team for suffix in (FOR, AGAINST)),
    *(_c(f"{d.stem}{suffix}") for d in DERIVED if d.skater_team for suffix in (FOR, AGAINST)),
]
_ZEROS = [_c(INDIVIDUAL_COLUMNS).fill_null(0), _c("seconds", "count", *ON_ICE_COLUMNS).fill_null(0)]
_SIDE = side_columns()
_DERIVED = [
    _c("playerId").cast(pl.String),
    _SIDE["team"].alias("playerTeam"),
    _SIDE["opposingTeam"],
    _SIDE["home_or_away"],
    pl.sum_horizontal("I_F_goals", "I_F_primaryAssists", "I_F_secondaryAssists").alias("I_F_points"),
    *(d.expr(individual_name).alias(individual_name(d.stem)) for d in DERIVED if d.individual),
    *(d.expr(lambda stem, fa=fa: f"OnIce_{fa}_{stem}").alias(f"OnIce_{fa}_{d.stem}")
      for d in DERIVED if d.on_ice for fa in "FA"),
    _c("seconds").cast(pl.Float64).alias("icetime"),
    _c("count").alias("shifts"),
]
# off-ice = the team's total in the situation minus what happened while the skater was on the ice
_OFF_ICE_STEMS = [i.stem for i in ON_ICE if i.off_ice] + [d.stem for d in DERIVED if d.off_ice]
_ON_VS_OFF = [
    *((_c(f"{stem}{suffix}") - _c(f"OnIce_{fa}_{stem}")).alias(f"OffIce_{fa}_{stem}")
      for stem in _OFF_ICE_STEMS for fa, suffix in _FA),
    _c("OnIce_F_shotAttempts").alias("corsiFor"),
    _c("OnIce_A_shotAttempts").alias("corsiAgainst"),
    _c("OnIce_F_unblockedShotAttempts").alias("fenwickFor"),
    _c("OnIce_A_unblockedShotAttempts").alias("fenwickAgainst"),
]
_RANK_AND_PERCENTAGES = [
    # rank within team and situation, 1 = most, ties share the lowest rank
    _c("icetime").rank("min", descending=True).over("gi", "side", "situation").alias("iceTimeRank"),
    share(_c("corsiFor"), _c("corsiAgainst")).alias("corsiPercentage"),
    share(_c("fenwickFor"), _c("fenwickAgainst")).alias("fenwickPercentage"),
    share(_c("corsiFor"), _c("corsiAgainst")).round(2).alias("onIce_corsiPercentage"),
    share(_c("fenwickFor"), _c("fenwickAgainst")).round(2).alias("onIce_fenwickPercentage"),
    share(_c("OffIce_F_shotAttempts"), _c("OffIce_A_shotAttempts")).round(2).alias("offIce_corsiPercentage"),
    share(_c("OffIce_F_unblockedShotAttempts"), _c("OffIce_A_unblockedShotAttempts")).round(2)
    .alias("offIce_fenwickPercentage"),
]
_OUTPUT = [
    pl.lit(None, dtype=dtype).alias(name) if name in ALWAYS_NULL
    else pl.when(_c("hasShifts")).then(_c(name)).cast(dtype).alias(name) if name in SHIFT_DERIVED
    else _c(name).cast(dtype)
    for name, dtype in PLAYER_GAME_STATS_SCHEMA.items()
]


def player_table(
    games: pl.LazyFrame,
    skaters: pl.LazyFrame,
    team_totals: pl.LazyFrame,
    individual: pl.LazyFrame,
    ice: pl.LazyFrame,
    on_ice: pl.LazyFrame,
) -> pl.LazyFrame:
    """Player rows (contract columns): per game the skaters in boxscore order, each x SITUATIONS."""
    keys = ["gi", "playerId", "situation"]
    return (
        skaters.with_columns(situation=pl.lit(list(SITUATIONS))).explode("situation")
        .join(games, on="gi", how="left", maintain_order="left")
        .join(team_totals.select(_TEAM_TOTALS), on=["gi", "side", "situation"], how="left", maintain_order="left")
        .join(individual, on=keys, how="left", maintain_order="left")
        .join(ice, on=keys, how="left", maintain_order="left")
        .join(with_all(on_ice, ["gi", "playerId"]), on=keys, how="left", maintain_order="left")
        .with_columns(_ZEROS)
        .with_columns(_DERIVED)
        .with_columns(_ON_VS_OFF)
        .with_columns(_RANK_AND_PERCENTAGES)
        .select(_OUTPUT)
    )
