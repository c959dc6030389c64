"""Team totals per situation -> rows of ``bronze_games_historical_v2`` (2 teams x 4 situations).

"For" = events credited to this team (``actor_side``), "Against" = the opponent's, each bucketed in
the situation seen from THIS team's side (a 5-on-4 event is ``5on4`` for one team, ``4on5`` for the
other).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import ALL, AWAY, HOME, SITUATIONS

# indicator column -> MoneyPuck stem (the table adds For/Against)
STEMS = {
    "sog": "shotsOnGoal",
    "missed": "missedShots",
    "blocked": "blockedShotAttempts",
    "goals": "goals",
    "rebounds": "rebounds",
    "rebound_goals": "reboundGoals",
    "low_shots": "lowDangerShots",
    "medium_shots": "mediumDangerShots",
    "high_shots": "highDangerShots",
    "low_goals": "lowDangerGoals",
    "medium_goals": "mediumDangerGoals",
    "high_goals": "highDangerGoals",
    "continued_in": "playContinuedInZone",
    "continued_out": "playContinuedOutsideZone",
    "penalties": "penalties",
    "faceoffs": "faceOffsWon",
    "hits": "hits",
    "takeaways": "takeaways",
    "giveaways": "giveaways",
}


def _both_sides(events: pl.DataFrame) -> pl.DataFrame:
    """Every event twice, once per team, tagged with that team's situation, plus its ``all`` copy."""
    per_side = pl.concat(
        [
            events.with_columns(team_side=pl.lit(side), situation=pl.col(f"sit_{side}"))
            for side in (HOME, AWAY)
        ]
    )
    return pl.concat(
        [per_side.filter(pl.col("situation").is_not_null()), per_side.with_columns(situation=pl.lit(ALL))]
    )


def sum_for_against(
    rows: pl.DataFrame, keys: list[str], stems: dict[str, str], for_name: str, against_name: str
) -> pl.DataFrame:
    """Sum indicator columns by ``keys`` separately for ``is_for`` rows and the others, side by side.

    One plain group-by plus a join is much cheaper than one filtered aggregation per output column.
    """
    sums = rows.group_by([*keys, "is_for"]).agg(pl.col(list(stems)).sum().cast(pl.Int32))
    for_part = sums.filter(pl.col("is_for")).select(
        *keys, *(pl.col(c).alias(for_name.format(stem)) for c, stem in stems.items())
    )
    against_part = sums.filter(~pl.col("is_for")).select(
        *keys, *(pl.col(c).alias(against_name.format(stem)) for c, stem in stems.items())
    )
    return for_part.join(against_part, on=keys, how="full", coalesce=True)


def team_counts(ctx: GameContext, events: pl.LazyFrame) -> pl.LazyFrame:
    """team_side, situation and ``<stem>For``/``<stem>Against`` Int32 counts (all 8 rows, zeros filled)."""
    rows = _both_sides(events.filter(pl.col("actor_side").is_not_null())).with_columns(
        is_for=pl.col("actor_side") == pl.col("team_side")
    )
    counts = sum_for_against(rows, ["team_side", "situation"], {c: s for c, s in STEMS.items()}, "{}For", "{}Against")
    base = pl.DataFrame(
        {
            "team_side": [side for side in (AWAY, HOME) for _ in SITUATIONS],
            "situation": [s for _ in (AWAY, HOME) for s in SITUATIONS],
        }
    ).with_row_index("row_order")
    value_columns = [name.format(stem) for stem in STEMS.values() for name in ("{}For", "{}Against")]
    return base.lazy().join(counts, on=["team_side", "situation"], how="left").with_columns(
        pl.col(value_columns).fill_null(0)
    )


def with_derived_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Attempts, unblocked attempts and saved shots from the four base counts (For and Against)."""
    derived = []
    for suffix in ("For", "Against"):
        sog, missed = pl.col(f"shotsOnGoal{suffix}"), pl.col(f"missedShots{suffix}")
        blocked, goals = pl.col(f"blockedShotAttempts{suffix}"), pl.col(f"goals{suffix}")
        derived += [
            (sog + missed + blocked).alias(f"shotAttempts{suffix}"),
            (sog + missed).alias(f"unblockedShotAttempts{suffix}"),
            (sog - goals).alias(f"savedShotsOnGoal{suffix}"),
            (sog + missed - goals).alias(f"savedUnblockedShotAttempts{suffix}"),
        ]
    return frame.with_columns(derived)


def share(numerator: pl.Expr, other: pl.Expr) -> pl.Expr:
    """100 * n / (n + other), 50.0 when nobody had any."""
    total = numerator + other
    return pl.when(total > 0).then(100.0 * numerator / total).otherwise(50.0).cast(pl.Float64)


def team_rows(ctx: GameContext, counts: pl.LazyFrame) -> pl.LazyFrame:
    """Final ``bronze_games_historical_v2`` rows (exact contract schema)."""
    frame = with_derived_counts(counts)
    team = pl.col("team_side").replace_strict({HOME: ctx.abbrev[HOME], AWAY: ctx.abbrev[AWAY]})
    opponent = pl.col("team_side").replace_strict({HOME: ctx.abbrev[AWAY], AWAY: ctx.abbrev[HOME]})
    frame = frame.with_columns(
        gameId=pl.lit(ctx.game_id),
        season=pl.lit(ctx.season),
        gameDate=pl.lit(ctx.game_date),
        team=team,
        opposingTeam=opponent,
        playerTeam=team,
        home_or_away=pl.col("team_side").str.to_uppercase(),
        playoffGame=pl.lit(1 if ctx.game_type == 3 else 0),
        corsiPercentage=share(pl.col("shotAttemptsFor"), pl.col("shotAttemptsAgainst")).round(2),
        fenwickPercentage=share(
            pl.col("unblockedShotAttemptsFor"), pl.col("unblockedShotAttemptsAgainst")
        ).round(2),
        # proprietary model (MoneyPuck xG): not reproducible from the public feed
        xGoalsFor=pl.lit(None, dtype=pl.Float64),
        xGoalsAgainst=pl.lit(None, dtype=pl.Float64),
    )
    # a lazy join does not promise an order: away then home, SITUATIONS order (determinism)
    return frame.sort("row_order").select(
        [pl.col(name).cast(dtype) for name, dtype in GAMES_HISTORICAL_SCHEMA.items()]
    )
