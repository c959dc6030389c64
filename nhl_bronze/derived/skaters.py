"""``bronze_skaters_2023_v2``: season sums per player, team, season and situation (the roster index).

A player traded mid-season keeps one row per team (the old table kept an arbitrary one); his name is the
latest non-empty one seen, so an empty-name row can no longer collide with a filled one.

The table is kept from running totals (``skater_totals``: the sums plus the game date each name and position
came from and the number of rows summed), so a run only adds the player-game rows history gained and takes out
the versions they superseded (``apply_changes``) instead of summing the whole season again.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import SKATERS_SCHEMA

GROUP = ("playerId", "team", "season", "situation")
SUMS = {"icetime": "player_icetime", "I_F_goals": "player_I_F_goals", "I_F_shotsOnGoal": "player_I_F_shotsOnGoal",
        "I_F_shotAttempts": "player_I_F_shotAttempts"}
TOTALS_SCHEMA = pl.Schema(
    {
        **{c: SKATERS_SCHEMA[c] for c in ("playerId", "team", "season", "situation", "name", "position")},
        "name_date": pl.Int32,  # gameDate of the row the name came from (null: no row had a name)
        "position_date": pl.Int32,
        **{total: SKATERS_SCHEMA[total] for total in SUMS.values()},
        "rows": pl.Int64,  # player-game rows summed: a group whose rows were all superseded elsewhere disappears
    }
)


def _named(column: str) -> pl.Expr:
    return pl.col(column).fill_null("") != "" if column == "name" else pl.col(column).is_not_null()


def skater_totals(player_games: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Running totals of player-game rows (the latest version of each, or a set of rows to add or take out)."""
    return (
        player_games.lazy()
        .sort("gameDate")
        .group_by("playerId", pl.col("playerTeam").alias("team"), "season", "situation")
        .agg(
            *(pl.col(c).filter(_named(c)).last().alias(c) for c in ("name", "position")),
            *(pl.col("gameDate").filter(_named(c)).last().alias(f"{c}_date") for c in ("name", "position")),
            *(pl.col(column).sum().alias(total) for column, total in SUMS.items()),
            pl.len().cast(pl.Int64).alias("rows"),
        )
        .select(list(TOTALS_SCHEMA.names()))
        .cast(dict(TOTALS_SCHEMA))
        .collect()
    )


def skaters_from_totals(totals: pl.DataFrame) -> pl.DataFrame:
    return (
        totals.select(list(SKATERS_SCHEMA.names()))
        .cast(dict(SKATERS_SCHEMA))
        .sort("season", "team", "playerId", "situation")
    )


def build_skaters(player_games: pl.LazyFrame) -> pl.DataFrame:
    """``player_games``: the latest version of every player-game-situation row."""
    return skaters_from_totals(skater_totals(player_games))


def apply_changes(totals: pl.DataFrame, removed: pl.DataFrame, added: pl.DataFrame) -> pl.DataFrame | None:
    """``totals`` after taking out the ``removed`` player-game rows (versions superseded since) and adding the
    ``added`` ones (their new versions, and rows of new games); None when that cannot be known without the
    other rows: a removed row was where a group's name or position came from and no added row replaces it
    (the caller then sums everything again). Sums of whole numbers (seconds, counts) are exact in any order."""
    out, plus = skater_totals(removed), skater_totals(added)
    joined = (
        totals.join(out, on=GROUP, how="full", coalesce=True, suffix="_out")
        .join(plus, on=GROUP, how="full", coalesce=True, suffix="_in")
    )
    # Each total: old - removed + added (a side without the group contributes nothing).
    def net(column: str) -> pl.Expr:
        return pl.col(column).fill_null(0) - pl.col(f"{column}_out").fill_null(0) + pl.col(f"{column}_in").fill_null(0)

    picks, unknown = [], pl.lit(False)
    for column in ("name", "position"):
        old_date, out_date, in_date = (pl.col(f"{column}_date{side}") for side in ("", "_out", "_in"))
        # The group's source row was taken out (nothing later was) and no added row is at least as recent.
        lost = out_date.is_not_null() & (old_date.is_null() | (out_date >= old_date))
        added_wins = in_date.is_not_null() & (old_date.is_null() | (in_date >= old_date))
        unknown = unknown | (lost & ~added_wins)
        picks += [
            pl.when(added_wins).then(pl.col(f"{column}_in")).otherwise(pl.col(column)).alias(column),
            pl.when(added_wins).then(in_date).otherwise(old_date).alias(f"{column}_date"),
        ]
    updated = joined.with_columns(*(net(c).alias(c) for c in (*SUMS.values(), "rows")), *picks,
                                  (unknown & (net("rows") > 0)).alias("_unknown"))
    if updated["_unknown"].any():
        return None
    return updated.filter(pl.col("rows") > 0).select(list(TOTALS_SCHEMA.names())).cast(dict(TOTALS_SCHEMA))
