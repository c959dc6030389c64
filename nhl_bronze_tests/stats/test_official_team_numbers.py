"""Every team number the NHL itself publishes for a recorded game is an oracle for the ``all`` team rows.

Expected values are read from the official JSON (right-rail ``teamGameStats``, boxscore), never recomputed
with the module's own rules.
"""

from __future__ import annotations

import polars as pl
import pytest

from nhl_bronze_tests.stats.samples import GAME_IDS, GAMES_WITH_SHIFTS, load_json

GAMES_WITH_RIGHT_RAIL = (2024020001, 2024020009, 2024020022)
SIDES = (("AWAY", "awayValue", "awayTeam"), ("HOME", "homeValue", "homeTeam"))


def official(game_id: int) -> dict[str, dict[str, object]]:
    """right-rail teamGameStats as {category: {"AWAY": value, "HOME": value}}."""
    stats = load_json(f"right-rail_{game_id}.json")["teamGameStats"]
    return {row["category"]: {side: row[key] for side, key, _ in SIDES} for row in stats}


def team_row(frames_by_game, game_id: int, home_or_away: str, situation: str = "all") -> dict:
    teams = frames_by_game[game_id].teams
    return teams.filter((pl.col("home_or_away") == home_or_away) & (pl.col("situation") == situation)).row(
        0, named=True
    )


@pytest.mark.parametrize("game_id", GAMES_WITH_RIGHT_RAIL)
@pytest.mark.parametrize(
    ("category", "column"),
    [
        ("sog", "shotsOnGoalFor"),
        ("hits", "hitsFor"),
        ("giveaways", "giveawaysFor"),
        ("takeaways", "takeawaysFor"),
        # the team's blocks are the opponent's attempts it blocked (teammate-blocked attempts are not blocks)
        ("blockedShots", "blockedShotAttemptsAgainst"),
    ],
)
def test_team_counts_are_the_official_team_game_stats(frames_by_game, game_id, category, column):
    for side, _, _ in SIDES:
        assert team_row(frames_by_game, game_id, side)[column] == official(game_id)[category][side], (side, column)


@pytest.mark.parametrize("game_id", GAMES_WITH_RIGHT_RAIL)
def test_faceoff_wins_and_total_are_official(frames_by_game, game_id):
    for side, _, _ in SIDES:
        won, total = (int(part) for part in official(game_id)["faceoffWins"][side].split("/"))
        row = team_row(frames_by_game, game_id, side)
        assert (row["faceOffsWonFor"], row["faceOffsWonFor"] + row["faceOffsWonAgainst"]) == (won, total), side


@pytest.mark.parametrize("game_id", GAMES_WITH_RIGHT_RAIL)
def test_power_play_goals_are_the_official_conversions(frames_by_game, game_id):
    for side, _, _ in SIDES:
        converted = int(official(game_id)["powerPlay"][side].split("/")[0])
        assert team_row(frames_by_game, game_id, side, "5on4")["goalsFor"] == converted, side


@pytest.mark.parametrize("game_id", GAMES_WITH_RIGHT_RAIL)
def test_penalty_minutes_add_up_to_the_official_team_pim(frames_by_game, game_id):
    """Team PIM = the skaters' minutes (our rows) + the goalies' (boxscore) + bench penalties (no player)."""
    boxscore = load_json(f"boxscore_{game_id}.json")
    plays = load_json(f"play-by-play_{game_id}.json")["plays"]
    players = frames_by_game[game_id].players.filter(pl.col("situation") == "all")
    for side, _, key in SIDES:
        team_id = boxscore[key]["id"]
        skaters = players.filter(pl.col("home_or_away") == side)["penalityMinutesFor"].sum()
        goalies = sum(g["pim"] for g in boxscore["playerByGameStats"][key]["goalies"])
        bench = sum(
            p["details"]["duration"] for p in plays
            if p["typeDescKey"] == "penalty" and "committedByPlayerId" not in p["details"]
            and p["details"]["eventOwnerTeamId"] == team_id
        )
        assert skaters + goalies + bench == official(game_id)["pim"][side], side


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_blocks_are_the_boxscore_skaters_blocked_shots(frames_by_game, game_id):
    """The boxscore credits a block to the blocker; the team's sum is its blockedShotAttemptsAgainst."""
    boxscore = load_json(f"boxscore_{game_id}.json")
    for side, _, key in SIDES:
        team = boxscore["playerByGameStats"][key]
        blocks = sum(row["blockedShots"] for group in ("forwards", "defense") for row in team[group])
        assert team_row(frames_by_game, game_id, side)["blockedShotAttemptsAgainst"] == blocks, side


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_teammate_blocked_attempts_are_attempts_but_no_block_by_the_opponent(frames_by_game, game_id):
    boxscore = load_json(f"boxscore_{game_id}.json")
    plays = load_json(f"play-by-play_{game_id}.json")["plays"]
    for side, _, key in SIDES:
        own_roster = {
            row["playerId"] for group in ("forwards", "defense") for row in boxscore["playerByGameStats"][key][group]
        }
        teammate_blocked = sum(
            1 for p in plays
            if p["typeDescKey"] == "blocked-shot" and p["details"].get("reason") == "teammate-blocked"
            and p["details"]["shootingPlayerId"] in own_roster
        )
        opponent = "HOME" if side == "AWAY" else "AWAY"
        row, other = team_row(frames_by_game, game_id, side), team_row(frames_by_game, game_id, opponent)
        assert row["blockedShotAttemptsFor"] - other["blockedShotAttemptsAgainst"] == teammate_blocked, side
        assert row["shotAttemptsFor"] == other["shotAttemptsAgainst"], side  # Corsi still mirrors
    assert sum(
        p["details"].get("reason") == "teammate-blocked" for p in plays if p["typeDescKey"] == "blocked-shot"
    ) > 0  # every recorded game has at least one: the test is not vacuous


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_on_ice_blocks_against_add_up_to_the_team_blocks(frames_by_game, game_id):
    """Five skaters are on the ice for each block (at even strength), none for a teammate-blocked attempt."""
    players = frames_by_game[game_id].players.filter(pl.col("situation") == "5on5")
    for side, _, _ in SIDES:
        mine = players.filter(pl.col("home_or_away") == side)
        blocks = team_row(frames_by_game, game_id, side, "5on5")["blockedShotAttemptsAgainst"]
        assert mine["OnIce_A_blockedShotAttempts"].sum() == 5 * blocks, side
