"""Per-game parity between our computed rows and the NHL's own boxscore totals.

The old system's worst bugs (goals not counted as shots, blocked shots on the wrong team) would each have
been caught by this comparison on the first game. Reading a boxscore's totals is done per game
(``boxscore_totals`` raises ``GameParseError`` naming the game), so one malformed boxscore fails only its game;
the comparison itself is one vectorised join over every game of a batch.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.errors import GameParseError

# boxscore skater stat -> our individual column, summed over a team's skaters
COMPARED_PLAYER_STATS = {"goals": "I_F_goals", "sog": "I_F_shotsOnGoal", "hits": "I_F_hits"}
TEAM_SHOTS = "team_sog"
SIDES = ("awayTeam", "homeTeam")
_KEY = ["gameId", "team", "stat"]
TOTALS_SCHEMA = {"gameId": pl.Int32, "team": pl.String, "stat": pl.String, "expected": pl.Int64}


def boxscore_totals(game_id: int, boxscore: dict) -> list[tuple[int, str, str, int]]:
    """``(gameId, team, stat, expected)`` rows of one boxscore; ``GameParseError`` if a field is malformed."""
    try:
        rows = []
        for side in SIDES:
            team = boxscore[side]["abbrev"]
            groups = boxscore.get("playerByGameStats", {}).get(side, {})
            skaters = [*groups.get("forwards", []), *groups.get("defense", [])]
            for stat in COMPARED_PLAYER_STATS:
                rows.append((game_id, team, stat, sum(int(skater.get(stat) or 0) for skater in skaters)))
            rows.append((game_id, team, TEAM_SHOTS, int(boxscore[side].get("sog") or 0)))
        return rows
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise GameParseError(game_id, f"boxscore totals unreadable ({detail})") from exc


def totals_frame(rows: list[tuple[int, str, str, int]]) -> pl.DataFrame:
    """The ``boxscore_totals`` rows of many games as one frame (``TOTALS_SCHEMA``)."""
    return pl.DataFrame(rows, schema=TOTALS_SCHEMA, orient="row")


def _our_totals(players: pl.DataFrame, teams: pl.DataFrame) -> pl.DataFrame:
    individual = (
        players.filter(pl.col("situation") == "all")
        .group_by("gameId", pl.col("playerTeam").alias("team"))
        .agg(pl.col(column).sum().alias(stat) for stat, column in COMPARED_PLAYER_STATS.items())
        .unpivot(index=["gameId", "team"], variable_name="stat", value_name="ours")
    )
    team_shots = teams.filter(pl.col("situation") == "all").select(
        "gameId", "team", pl.lit(TEAM_SHOTS).alias("stat"), pl.col("shotsOnGoalFor").alias("ours")
    )
    return pl.concat([individual, team_shots], how="vertical_relaxed").with_columns(pl.col("ours").cast(pl.Int64))


def parity_mismatches(expected: pl.DataFrame, players: pl.DataFrame, teams: pl.DataFrame) -> list[str]:
    """Human-readable differences between ``expected`` (``totals_frame``) and our ``all`` rows."""
    compared = expected.join(_our_totals(players, teams), on=_KEY, how="left")
    return [
        f"game {game_id} {team} {stat}: ours {ours} != boxscore {expected}"
        for game_id, team, stat, expected, ours in compared.filter(
            pl.col("ours").is_null() | (pl.col("ours") != pl.col("expected"))
        ).sort(_KEY).iter_rows()
    ]

