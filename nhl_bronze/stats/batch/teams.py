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
from nhl_bronze.stats.batch.events import AGAINST_INDICATOR, EVENT_COUNTS
from nhl_bronze.stats.batch.rollup import share, sum_by_situation
from nhl_bronze.stats.situations import AWAY, HOME, SITUATIONS

# indicator column -> MoneyPuck stem (the table adds For/Against)
STEMS = {
    "sog": "shotsOnGoal",
    "missed": "missedShots",
    "blocked": "blockedShotAttempts",
    "attempts": "shotAttempts",
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
AGAINST_SOURCE = {**{c: c for c in STEMS}, **AGAINST_INDICATOR}
assert set(STEMS) | {"blocks"} == set(EVENT_COUNTS)
COUNT_COLUMNS = [f"{stem}{suffix}" for suffix in ("For", "Against") for stem in STEMS.values()]


_IS_FOR = pl.col("_for").cast(pl.Int32)
_FOR_AGAINST = [
    *(pl.col(c).mul(_IS_FOR).sum().alias(f"{stem}For") for c, stem in STEMS.items()),
    *(pl.col(AGAINST_SOURCE[c]).mul(1 - _IS_FOR).sum().alias(f"{stem}Against") for c, stem in STEMS.items()),
]


def team_counts(events: pl.LazyFrame) -> pl.LazyFrame:
    """COUNT_COLUMNS per (gi, side, situation), only for the (side, situation)s that had an event."""
    credited = events.filter(pl.col("actor").is_not_null()).select("gi", "actor", "sitHome", "sitAway",
                                                                    *EVENT_COUNTS)
    views = pl.concat([
        credited.with_columns(side=pl.lit(side), situation=pl.col(column), _for=(pl.col("actor") == side))
        for side, column in ((HOME, "sitHome"), (AWAY, "sitAway"))
    ])
    return sum_by_situation(views, ["gi", "side"], _FOR_AGAINST)


def derived_counts() -> dict[str, pl.Expr]:
    """Unblocked attempts and saved shots from the base counts (For and Against)."""
    out = {}
    for suffix in ("For", "Against"):
        sog, missed, goals = pl.col(f"shotsOnGoal{suffix}"), pl.col(f"missedShots{suffix}"), pl.col(f"goals{suffix}")
        out[f"unblockedShotAttempts{suffix}"] = sog + missed
        out[f"savedShotsOnGoal{suffix}"] = sog - goals
        out[f"savedUnblockedShotAttempts{suffix}"] = sog + missed - goals
    return out


_DERIVED = [expr.alias(name) for name, expr in derived_counts().items()]


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


_HOME = pl.col("side") == HOME
_TEAM = pl.when(_HOME).then(pl.col("homeTeam")).otherwise(pl.col("awayTeam"))
_COMPUTED = {
    "team": _TEAM,
    "playerTeam": _TEAM,
    "opposingTeam": pl.when(_HOME).then(pl.col("awayTeam")).otherwise(pl.col("homeTeam")),
    "home_or_away": pl.col("side").str.to_uppercase(),
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
