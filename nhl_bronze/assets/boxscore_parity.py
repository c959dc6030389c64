"""Per-game parity between our computed rows and the NHL's own boxscore totals.

The old system's worst bugs (goals not counted as shots, blocked shots on the wrong team) would each have
been caught by this comparison on the first game.
"""

from __future__ import annotations

import polars as pl

COMPARED_PLAYER_STATS = {"goals": "I_F_goals", "sog": "I_F_shotsOnGoal", "hits": "I_F_hits"}


def _boxscore_skater_totals(boxscore: dict) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for side in ("awayTeam", "homeTeam"):
        team = boxscore[side]["abbrev"]
        groups = boxscore.get("playerByGameStats", {}).get(side, {})
        for skater in [*groups.get("forwards", []), *groups.get("defense", [])]:
            for stat in COMPARED_PLAYER_STATS:
                totals[(team, stat)] = totals.get((team, stat), 0) + int(skater.get(stat) or 0)
        totals[(team, "team_sog")] = int(boxscore[side].get("sog") or 0)
    return totals


def boxscore_mismatches(game_id: int, boxscore: dict, players: pl.DataFrame, teams: pl.DataFrame) -> list[str]:
    """Human-readable differences between a game's ``all`` rows and its boxscore; empty when they agree."""
    expected = _boxscore_skater_totals(boxscore)
    ours: dict[tuple[str, str], int] = {}
    player_totals = (
        players.filter(pl.col("gameId") == game_id, pl.col("situation") == "all")
        .group_by("playerTeam")
        .agg(pl.col(column).sum().alias(stat) for stat, column in COMPARED_PLAYER_STATS.items())
    )
    for row in player_totals.iter_rows(named=True):
        for stat in COMPARED_PLAYER_STATS:
            ours[(row["playerTeam"], stat)] = int(row[stat] or 0)
    for team, sog in teams.filter(pl.col("gameId") == game_id, pl.col("situation") == "all").select(
        "team", "shotsOnGoalFor"
    ).iter_rows():
        ours[(team, "team_sog")] = int(sog or 0)
    return [
        f"game {game_id} {team} {stat}: ours {ours.get((team, stat))} != boxscore {value}"
        for (team, stat), value in sorted(expected.items())
        if ours.get((team, stat)) != value
    ]
