"""Team totals per situation -> rows of ``bronze_games_historical_v2`` (2 teams x 4 situations a game).

"For" = events credited to this team (``actor``), "Against" = the opponent's, each bucketed in the
situation seen from THIS team's side (a 5-on-4 event is ``5on4`` for one team, ``4on5`` for the other).
One exception to the mirror: ``blockedShotAttemptsAgainst`` counts only the opponent's attempts THIS team
blocked (``blocks``), while the opponent's ``blockedShotAttemptsFor`` also has its teammate-blocked attempts;
``shotAttempts`` is counted directly, so Corsi For/Against still mirror each other.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA
from nhl_bronze.stats.batch.indicators import (
    AGAINST,
    COUNTED,
    DERIVED,
    FOR,
    INDICATOR_COLUMNS,
    for_against_sums,
    team_columns,
)
from nhl_bronze.stats.batch.rollup import share, side_columns, sum_by_situation
from nhl_bronze.stats.situations import AWAY, HOME, SITUATIONS

COUNT_COLUMNS = team_columns()
_FOR_AGAINST = for_against_sums(
    COUNTED, pl.col("_for").cast(pl.Int32), lambda i: f"{i.stem}{FOR}", lambda i: f"{i.stem}{AGAINST}"
)


def team_counts(events: pl.LazyFrame) -> pl.LazyFrame:
    """COUNT_COLUMNS per (gi, side, situation), only for the (side, situation)s that had an event."""
    credited = events.filter(pl.col("actor").is_not_null()).select("gi", "actor", "sitHome", "sitAway",
                                                                    *INDICATOR_COLUMNS)
    views = pl.concat([
        credited.with_columns(side=pl.lit(side), situation=pl.col(column), _for=(pl.col("actor") == side))
        for side, column in ((HOME, "sitHome"), (AWAY, "sitAway"))
    ])
    return sum_by_situation(views, ["gi", "side"], _FOR_AGAINST)


_DERIVED = [
    statistic.expr(lambda stem, suffix=suffix: f"{stem}{suffix}").alias(f"{statistic.stem}{suffix}")
    for suffix in (FOR, AGAINST) for statistic in DERIVED
]


def team_totals(games: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """Every (gi, side, situation) of every game, counts and derived counts (0 where nothing happened)."""
    keys = games.select("gi").with_columns(
        side=pl.lit([AWAY, HOME]), situation=pl.lit(list(SITUATIONS))
    ).explode("side").explode("situation")
    return (
        keys.join(counts, on=["gi", "side", "situation"], how="left", maintain_order="left")
        .with_columns(pl.col(COUNT_COLUMNS).fill_null(0))
        .with_columns(_DERIVED)
    )


def _percentage(numerator: str, other: str) -> pl.Expr:
    return share(pl.col(numerator), pl.col(other)).round(2)


_SIDE = side_columns()
_COMPUTED = {
    **_SIDE,
    "playerTeam": _SIDE["team"],
    "playoffGame": pl.col("gameType") == 3,
    "corsiPercentage": _percentage("shotAttemptsFor", "shotAttemptsAgainst"),
    "fenwickPercentage": _percentage("unblockedShotAttemptsFor", "unblockedShotAttemptsAgainst"),
    "xGoalsFor": pl.lit(None),  # MoneyPuck xG: not reproducible from the public feed
    "xGoalsAgainst": pl.lit(None),
}
_TEAM_TABLE = [
    _COMPUTED.get(name, pl.col(name)).cast(dtype).alias(name) for name, dtype in GAMES_HISTORICAL_SCHEMA.items()
]


def team_table(games: pl.LazyFrame, totals: pl.LazyFrame) -> pl.LazyFrame:
    """``bronze_games_historical_v2`` rows: per game away then home, SITUATIONS order (contract columns)."""
    return totals.join(games, on="gi", how="left", maintain_order="left").select(_TEAM_TABLE)
