"""Per-game parity between our computed rows and the NHL's own boxscore totals.

The old system's worst bugs (goals not counted as shots, blocked shots on the wrong team) would each have
been caught by this comparison on the first game.
"""

from collections.abc import Iterable

import polars as pl

# boxscore skater stat -> our individual column, summed over a team's skaters
COMPARED_PLAYER_STATS = {"goals": "I_F_goals", "sog": "I_F_shotsOnGoal", "hits": "I_F_hits"}
TEAM_SHOTS = "team_sog"
_KEY = ["gameId", "team", "stat"]


def _expected_totals(games: Iterable[tuple[int, dict]]) -> pl.DataFrame:
    rows = []
    for game_id, boxscore in games:
        for side in ("awayTeam", "homeTeam"):
            team = boxscore[side]["abbrev"]
            groups = boxscore.get("playerByGameStats", {}).get(side, {})
            skaters = [*groups.get("forwards", []), *groups.get("defense", [])]
            for stat in COMPARED_PLAYER_STATS:
                rows.append((game_id, team, stat, sum(int(skater.get(stat) or 0) for skater in skaters)))
            rows.append((game_id, team, TEAM_SHOTS, int(boxscore[side].get("sog") or 0)))
    return pl.DataFrame(rows, schema={"gameId": pl.Int32, "team": pl.String, "stat": pl.String, "expected": pl.Int64},
                        orient="row")


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


def boxscore_mismatches(games: Iterable[tuple[int, dict]], players: pl.DataFrame, teams: pl.DataFrame) -> list[str]:
    """Human-readable differences between each game's ``all`` rows and its boxscore; empty when all agree."""
    compared = _expected_totals(games).join(_our_totals(players, teams), on=_KEY, how="left")
    return [
        f"game {game_id} {team} {stat}: ours {ours} != boxscore {expected}"
        for game_id, team, stat, expected, ours in compared.filter(
            pl.col("ours").is_null() | (pl.col("ours") != pl.col("expected"))
        ).sort(_KEY).iter_rows()
    ]
