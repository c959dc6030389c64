"""Boxscore goalie and skater numbers as oracles (issue 9 §3); expected values are the official JSON.

Goalies' strength split is the NHL's: power-play shots against = shots while the opponent is on the power
play (our ``4on5`` row), short-handed = while the goalie's team is (``5on4``), both exact. Even strength is
wider than our ``5on5``: the NHL also counts 4v4 and 3v3 (overtime) and 6v5 against a team that pulled its
goalie (this goalie in net) as even strength, which are only in our ``all`` rows; the test counts those
shots from the raw play-by-play codes. Shots into an empty net count for the team, never for a goalie.
"""

from __future__ import annotations

import polars as pl
import pytest

from nhl_bronze_tests.stats.samples import GAME_IDS, load_json

SIDES = (("AWAY", "awayTeam"), ("HOME", "homeTeam"))
ON_GOAL = ("shot-on-goal", "goal")


def _goalies(boxscore: dict, key: str) -> list[dict]:
    return [g for g in boxscore["playerByGameStats"][key]["goalies"] if g["toi"] != "00:00"]


def _shots(value: str) -> int:
    return int(value.split("/")[1])  # "saves/shots"


def _team(frames_by_game, game_id: int, home_or_away: str) -> dict[str, dict]:
    rows = frames_by_game[game_id].teams.filter(pl.col("home_or_away") == home_or_away)
    return {row["situation"]: row for row in rows.iter_rows(named=True)}


def _against(plays: list[dict], defending_team_id: int, home_defends: bool, include) -> tuple[int, int]:
    """(shots on goal, goals) against the defending team, shootout excluded, whose code passes ``include``.

    ``include(code, defending_goalie_in)`` sees the code as [away goalie][away][home][home goalie].
    """
    shots = goals = 0
    for play in plays:
        if play["typeDescKey"] not in ON_GOAL or play["periodDescriptor"]["periodType"] == "SO":
            continue
        if play["details"]["eventOwnerTeamId"] == defending_team_id:
            continue
        code = play["situationCode"]
        if include(code, code[3 if home_defends else 0] == "1"):
            shots += 1
            goals += play["typeDescKey"] == "goal"
    return shots, goals


def _even_strength_outside_5on5(code: str, goalie_in: bool) -> bool:
    """4v4 / 3v3 with both goalies in, or 6v5 with the shooting team's net empty: NHL even strength."""
    both_in = code[0] == "1" and code[3] == "1"
    extra_attacker = not both_in and abs(int(code[1]) - int(code[2])) == 1 and "6" in code[1:3]
    return goalie_in and ((both_in and code[1] == code[2] and code[1] != "5") or extra_attacker)


@pytest.mark.parametrize("game_id", GAME_IDS)
@pytest.mark.parametrize(("field", "situation"), [("powerPlay", "4on5"), ("shorthanded", "5on4")])
def test_goalie_special_teams_shots_and_goals_against(frames_by_game, game_id, field, situation):
    boxscore = load_json(f"boxscore_{game_id}.json")
    for home_or_away, key in SIDES:
        goalies = _goalies(boxscore, key)
        row = _team(frames_by_game, game_id, home_or_away)[situation]
        assert row["shotsOnGoalAgainst"] == sum(_shots(g[f"{field}ShotsAgainst"]) for g in goalies), home_or_away
        assert row["goalsAgainst"] == sum(g[f"{field}GoalsAgainst"] for g in goalies), home_or_away


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_goalie_even_strength_is_5on5_plus_the_other_even_states(frames_by_game, game_id):
    boxscore = load_json(f"boxscore_{game_id}.json")
    plays = load_json(f"play-by-play_{game_id}.json")["plays"]
    for home_or_away, key in SIDES:
        goalies = _goalies(boxscore, key)
        extra_shots, extra_goals = _against(plays, boxscore[key]["id"], key == "homeTeam",
                                            _even_strength_outside_5on5)
        five = _team(frames_by_game, game_id, home_or_away)["5on5"]
        official_shots = sum(_shots(g["evenStrengthShotsAgainst"]) for g in goalies)
        assert five["shotsOnGoalAgainst"] + extra_shots == official_shots, home_or_away
        assert five["goalsAgainst"] + extra_goals == sum(g["evenStrengthGoalsAgainst"] for g in goalies)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_goalie_shots_against_are_the_team_shots_against_minus_empty_net_shots(frames_by_game, game_id):
    boxscore = load_json(f"boxscore_{game_id}.json")
    plays = load_json(f"play-by-play_{game_id}.json")["plays"]
    for home_or_away, key in SIDES:
        empty_net, _ = _against(plays, boxscore[key]["id"], key == "homeTeam", lambda _code, goalie_in: not goalie_in)
        goalies = _goalies(boxscore, key)
        row = _team(frames_by_game, game_id, home_or_away)["all"]
        assert row["shotsOnGoalAgainst"] - empty_net == sum(g["shotsAgainst"] for g in goalies), home_or_away
        assert row["goalsAgainst"] <= sum(g["goalsAgainst"] for g in goalies) + empty_net


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_skater_faceoff_percentage_is_official(frames_by_game, game_id):
    boxscore = load_json(f"boxscore_{game_id}.json")
    players = frames_by_game[game_id].players.filter(pl.col("situation") == "all")
    won_lost = {row[0]: row[1:] for row in players.select("playerId", "faceOffsWonFor", "faceOffsLostFor").rows()}
    took_faceoffs = 0
    for _, key in SIDES:
        for group in ("forwards", "defense"):
            for skater in boxscore["playerByGameStats"][key][group]:
                won, lost = won_lost[str(skater["playerId"])]
                if won + lost:
                    took_faceoffs += 1
                    assert won / (won + lost) == pytest.approx(skater["faceoffWinningPctg"], abs=5e-7)
                else:
                    assert skater["faceoffWinningPctg"] == 0
    assert took_faceoffs >= 6
