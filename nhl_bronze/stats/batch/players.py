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
from nhl_bronze.stats.batch.individual import INDIVIDUAL_COLUMNS
from nhl_bronze.stats.batch.on_ice import ON_ICE_COUNTS
from nhl_bronze.stats.batch.rollup import share, with_all
from nhl_bronze.stats.batch.teams import STEMS
from nhl_bronze.stats.situations import HOME, SITUATIONS

# the on-ice counts are named like the team's (a subset of its indicator -> MoneyPuck stem mapping)
_ON_ICE_STEMS = {
    column: STEMS[column]
    for column in ("sog", "missed", "blocked", "attempts", "goals", "low_shots", "medium_shots", "high_shots",
                   "low_goals", "medium_goals", "high_goals")
}
_ON_ICE_TEAM_EVENTS = ("hits", "takeaways", "giveaways")
_ON_ICE_NAMES = {
    **{f"F_{c}": f"OnIce_F_{stem}" for c, stem in _ON_ICE_STEMS.items()},
    **{f"A_{c}": f"OnIce_A_{stem}" for c, stem in _ON_ICE_STEMS.items()},
    **{f"F_{c}": f"{c}For" for c in _ON_ICE_TEAM_EVENTS},
    **{f"A_{c}": f"{c}Against" for c in _ON_ICE_TEAM_EVENTS},
}
assert set(_ON_ICE_NAMES) == {f"{fa}_{c}" for fa in "FA" for c in ON_ICE_COUNTS}
_OFF_ICE_STEMS = (
    "shotsOnGoal", "missedShots", "blockedShotAttempts", "shotAttempts", "unblockedShotAttempts", "goals",
)
_TEAM_TOTAL_STEMS = (
    "shotsOnGoal", "missedShots", "blockedShotAttempts", "shotAttempts", "unblockedShotAttempts", "goals",
    "rebounds", "reboundGoals", "savedShotsOnGoal", "savedUnblockedShotAttempts",
    "lowDangerShots", "mediumDangerShots", "highDangerShots",
    "lowDangerGoals", "mediumDangerGoals", "highDangerGoals",
)
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
_IS_HOME = _c("side") == HOME
_TEAM_TOTALS = [
    "gi", "side", "situation",
    *(_c(f"{stem}{suffix}") for suffix in ("For", "Against") for stem in _TEAM_TOTAL_STEMS),
    *(_c(f"playContinued{where}{suffix}").alias(f"continued{out}{suffix}")
      for where, out in (("InZone", "InZone"), ("OutsideZone", "OutOfZone")) for suffix in ("For", "Against")),
]
_ZEROS = [_c(INDIVIDUAL_COLUMNS).fill_null(0), _c("seconds", "count", *_ON_ICE_NAMES).fill_null(0)]
_SUMS = {
    "I_F_points": ("I_F_goals", "I_F_primaryAssists", "I_F_secondaryAssists"),
    "I_F_shotAttempts": ("I_F_shotsOnGoal", "I_F_missedShots", "I_F_blockedShotAttempts"),
    "I_F_unblockedShotAttempts": ("I_F_shotsOnGoal", "I_F_missedShots"),
    **{f"OnIce_{fa}_unblockedShotAttempts": (f"OnIce_{fa}_shotsOnGoal", f"OnIce_{fa}_missedShots") for fa in "FA"},
}
_DERIVED = [
    _c("playerId").cast(pl.String),
    pl.when(_IS_HOME).then(_c("homeTeam")).otherwise(_c("awayTeam")).alias("playerTeam"),
    pl.when(_IS_HOME).then(_c("awayTeam")).otherwise(_c("homeTeam")).alias("opposingTeam"),
    _c("side").str.to_uppercase().alias("home_or_away"),
    *(pl.sum_horizontal(parts).alias(name) for name, parts in _SUMS.items()),
    (_c("I_F_shotsOnGoal") - _c("I_F_goals")).alias("I_F_savedShotsOnGoal"),
    (_c("I_F_shotsOnGoal") + _c("I_F_missedShots") - _c("I_F_goals")).alias("I_F_savedUnblockedShotAttempts"),
    _c("seconds").cast(pl.Float64).alias("icetime"),
    _c("count").alias("shifts"),
]
_ON_VS_OFF = [
    # off-ice = the team's total in the situation minus what happened while the skater was on the ice
    *((_c(f"{stem}{suffix}") - _c(f"OnIce_{fa}_{stem}")).alias(f"OffIce_{fa}_{stem}")
      for stem in _OFF_ICE_STEMS for fa, suffix in (("F", "For"), ("A", "Against"))),
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
        .rename(_ON_ICE_NAMES)
        .with_columns(_DERIVED)
        .with_columns(_ON_VS_OFF)
        .with_columns(_RANK_AND_PERCENTAGES)
        .select(_OUTPUT)
    )
