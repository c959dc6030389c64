"""``bronze_skaters_2023_v2``: season sums per player, team, season and situation (the roster index).

A player traded mid-season keeps one row per team (the old table kept an arbitrary one); his name is the
latest non-empty one seen, so an empty-name row can no longer collide with a filled one.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import SKATERS_SCHEMA


def build_skaters(player_games: pl.LazyFrame) -> pl.DataFrame:
    """``player_games``: the latest version of every player-game-situation row."""
    return (
        player_games.sort("gameDate")
        .group_by("playerId", pl.col("playerTeam").alias("team"), "season", "situation")
        .agg(
            pl.col("name").filter(pl.col("name").fill_null("") != "").last().alias("name"),
            pl.col("position").drop_nulls().last().alias("position"),
            pl.col("icetime").sum().alias("player_icetime"),
            pl.col("I_F_goals").sum().alias("player_I_F_goals"),
            pl.col("I_F_shotsOnGoal").sum().alias("player_I_F_shotsOnGoal"),
            pl.col("I_F_shotAttempts").sum().alias("player_I_F_shotAttempts"),
        )
        .select(list(SKATERS_SCHEMA.names()))
        .cast(dict(SKATERS_SCHEMA))
        .sort("season", "team", "playerId", "situation")
        .collect()
    )
