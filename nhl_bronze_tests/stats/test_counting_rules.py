"""Counting rules on a hand-made game whose expected numbers are counted by eye (see ``tiny_game``).

Each test pins one written rule of docs/DATA_DICTIONARY.md at its edges, so that a changed threshold or a
swapped side fails (issue 9 §4: rebound window, blue line, penalties drawn, blocked shots' side).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats import compute_game_frames
from nhl_bronze_tests.stats.tiny_game import play, shot, tiny_game


def _team(frames, team: str, situation: str = "all") -> dict:
    return frames.teams.filter((pl.col("team") == team) & (pl.col("situation") == situation)).row(0, named=True)


def _player(frames, player_id: int, situation: str = "all") -> dict:
    rows = frames.players.filter((pl.col("playerId") == str(player_id)) & (pl.col("situation") == situation))
    return rows.row(0, named=True)


def test_rebounds_are_attempts_within_3_seconds_in_the_same_play():
    frames = compute_game_frames(tiny_game([
        play(0, "faceoff", winningPlayerId=101, losingPlayerId=201, eventOwnerTeamId=1),
        shot(10, 101),
        shot(13, 102, "missed-shot"),  # 3 s after the previous home attempt: rebound
        shot(17, 101),  # 4 s: not a rebound
        shot(18, 201),  # the away team's first attempt: never a rebound of the home team's
        shot(20, 102, "blocked-shot", blockingPlayerId=202),  # 3 s after 17: rebound (the away shot between)
        shot(40, 101),
        play(41, "stoppage"),
        play(41, "faceoff", winningPlayerId=201, losingPlayerId=101, eventOwnerTeamId=2),
        shot(42, 102, "goal"),  # 2 s after 40, but the play was stopped in between: not a rebound
        shot(70, 101),
        shot(72, 102, "goal"),  # rebound goal
        shot(100, 201),
        shot(129, 202),  # 29 s later: far outside the window
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    assert (home["reboundsFor"], home["reboundGoalsFor"], home["reboundsAgainst"]) == (3, 1, 0)
    assert (away["reboundsFor"], away["reboundsAgainst"], away["reboundGoalsAgainst"]) == (0, 3, 1)
    assert (_player(frames, 102)["I_F_rebounds"], _player(frames, 102)["I_F_reboundGoals"]) == (3, 1)


def test_play_continues_in_zone_beyond_the_blue_line_25_ft_from_centre():
    # the home team attacks +x in every period; the away team attacks -x
    frames = compute_game_frames(tiny_game([
        shot(10, 101, "missed-shot"), play(12, "hit", xCoord=30.0, yCoord=0.0, hittingPlayerId=102),  # in zone
        shot(20, 101, "missed-shot"), play(22, "hit", xCoord=10.0, yCoord=0.0, hittingPlayerId=102),  # neutral
        shot(30, 101, "missed-shot"), play(32, "hit", xCoord=-30.0, yCoord=0.0, hittingPlayerId=202),  # own zone
        shot(40, 201, "missed-shot", x=-70.0), play(42, "hit", xCoord=-26.0, yCoord=0.0, hittingPlayerId=202),
        shot(50, 201, "missed-shot", x=-70.0), play(52, "hit", xCoord=-5.0, yCoord=0.0, hittingPlayerId=202),
        shot(60, 201, "missed-shot", x=-70.0), play(61, "stoppage"),  # a dead puck: no continued play
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    assert (home["playContinuedInZoneFor"], home["playContinuedOutsideZoneFor"]) == (1, 2)
    assert (away["playContinuedInZoneFor"], away["playContinuedOutsideZoneFor"]) == (1, 1)


def test_penalties_taken_and_drawn_per_player_and_team():
    frames = compute_game_frames(tiny_game([
        play(100, "penalty", committedByPlayerId=201, drawnByPlayerId=101, duration=2, eventOwnerTeamId=2),
        play(100, "faceoff", code="1451", winningPlayerId=101, losingPlayerId=201, eventOwnerTeamId=1),
        play(300, "penalty", committedByPlayerId=202, drawnByPlayerId=101, duration=5, eventOwnerTeamId=2),
        play(500, "penalty", committedByPlayerId=101, drawnByPlayerId=202, duration=2, eventOwnerTeamId=1),
        # other roles of the same players: none of them is a penalty drawn
        play(600, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=101, eventOwnerTeamId=1),
        play(601, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=202, eventOwnerTeamId=2),
        play(602, "takeaway", xCoord=0.0, yCoord=0.0, playerId=202, eventOwnerTeamId=2),
    ]))
    drew = _player(frames, 101)
    assert (drew["penaltiesAgainst"], drew["penalityMinutesAgainst"]) == (2, 7.0)
    assert (drew["penaltiesFor"], drew["penalityMinutesFor"]) == (1, 2.0)
    assert (_player(frames, 202)["penaltiesAgainst"], _player(frames, 202)["penalityMinutesFor"]) == (1, 5.0)
    assert (_team(frames, "AAA")["penaltiesFor"], _team(frames, "AAA")["penaltiesAgainst"]) == (2, 1)
    assert _team(frames, "AAA")["corsiPercentage"] == 50.0  # no attempts at all: 50, not 0 or null


def test_a_blocked_shot_is_the_shooters_attempt_and_the_blockers_block():
    frames = compute_game_frames(tiny_game([
        shot(10, 101, "blocked-shot", blockingPlayerId=202),
        shot(20, 101, "blocked-shot", blockingPlayerId=202),
        shot(30, 201, "blocked-shot", x=-70.0, blockingPlayerId=102),
        shot(40, 102, "blocked-shot", blockingPlayerId=101, reason="teammate-blocked"),
        shot(50, 102, "missed-shot"),
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    assert (home["blockedShotAttemptsFor"], home["blockedShotAttemptsAgainst"]) == (3, 1)
    assert (away["blockedShotAttemptsFor"], away["blockedShotAttemptsAgainst"]) == (1, 2)
    assert (home["shotAttemptsFor"], home["unblockedShotAttemptsFor"], away["shotAttemptsAgainst"]) == (4, 1, 4)
    assert (home["missedShotsFor"], away["missedShotsFor"]) == (1, 0)
    assert (_player(frames, 101)["I_F_blockedShotAttempts"], _player(frames, 102)["I_F_shotAttempts"]) == (2, 2)


def test_danger_buckets_of_shots_and_goals_on_both_ends():
    # home attacks the net at x = +89, away the one at x = -89 (distances and angles by hand)
    frames = compute_game_frames(tiny_game([
        shot(10, 101, x=80.0, y=0.0),  # 9 ft, straight on: high
        shot(20, 101, x=60.0, y=0.0),  # 29 ft: medium
        shot(30, 101, x=40.0, y=0.0),  # 49 ft: low
        shot(40, 102, "goal", x=70.0, y=15.0),  # 24.2 ft at 38 deg: medium (too far for high)
        shot(50, 102, "goal", x=80.0, y=4.0),  # 9.8 ft, 24 deg: high
        shot(60, 102, "goal", x=30.0, y=0.0),  # 59 ft: low
        shot(65, 102, "goal", x=60.0, y=0.0),  # 29 ft: medium (distinct counts per bucket: 1 low, 2 medium, 1 high)
        shot(70, 101, "missed-shot", x=80.0, y=0.0),  # not on goal: no danger bucket
        shot(75, 101, x=85.0, y=5.0),  # 6.4 ft but at 51 deg: wider than medium's 50 deg, so low
        shot(80, 201, x=-80.0, y=-3.0),  # the away team at the other net: high
        shot(90, 201, x=80.0, y=0.0),  # the away team from the far end (169 ft): low
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    columns = [f"{level}Danger{kind}For" for kind in ("Shots", "Goals") for level in ("low", "medium", "high")]
    assert [home[c] for c in columns] == [3, 3, 2, 1, 2, 1]
    assert [away[c] for c in columns] == [1, 0, 1, 0, 0, 0]
    assert [home[c.replace("For", "Against")] for c in columns] == [1, 0, 1, 0, 0, 0]
    # 8 on goal (4 goals), 1 missed against 2 on goal: saved and unblocked counts, shares rounded to 2 places
    assert (home["savedShotsOnGoalFor"], home["savedUnblockedShotAttemptsFor"]) == (4, 5)
    assert (home["corsiPercentage"], home["fenwickPercentage"], away["corsiPercentage"]) == (81.82, 81.82, 18.18)
    assert _player(frames, 101)["name"] == "P 101"  # rosterSpots first + last name
    shooter = _player(frames, 101)  # 4 saved shots on goal and 1 missed shot, no goal
    assert (shooter["I_F_savedShotsOnGoal"], shooter["I_F_savedUnblockedShotAttempts"]) == (4, 5)
    scorer = _player(frames, 102)
    assert [scorer[f"I_F_{level}DangerGoals"] for level in ("low", "medium", "high")] == [1, 2, 1]
    assert [scorer[f"I_F_{level}DangerShots"] for level in ("low", "medium", "high")] == [1, 2, 1]


def test_a_play_of_unknown_type_counts_nowhere_and_does_not_stop_play():
    unknown = play(11, "hit", xCoord=60.0, yCoord=0.0, eventOwnerTeamId=1, hittingPlayerId=101)
    unknown["typeDescKey"] = None  # a play the feed did not classify
    frames = compute_game_frames(tiny_game([shot(10, 101), unknown, shot(12, 102)]))
    home = _team(frames, "HHH")
    assert (home["goalsFor"], home["hitsFor"], home["shotsOnGoalFor"]) == (0, 0, 2)
    assert home["reboundsFor"] == 1  # the unknown play between the shots is no stoppage


def test_a_penalty_is_the_committers_team_even_without_an_owner_team():
    frames = compute_game_frames(tiny_game([
        play(100, "penalty", committedByPlayerId=201, drawnByPlayerId=101, duration=2),  # no eventOwnerTeamId
        play(200, "penalty", duration=2, eventOwnerTeamId=1),  # a bench minor: only the owner says whose
    ]))
    assert (_team(frames, "AAA")["penaltiesFor"], _team(frames, "HHH")["penaltiesFor"]) == (1, 1)


def test_an_attempt_without_a_shooter_falls_back_to_the_blocker_then_the_owner():
    nobody = {"xCoord": 70.0, "yCoord": 0.0}  # (each owner team is the wrong answer, except for the missed shot)
    frames = compute_game_frames(tiny_game([
        play(10, "blocked-shot", blockingPlayerId=202, eventOwnerTeamId=2, **nobody),  # home's attempt
        play(20, "blocked-shot", blockingPlayerId=101, eventOwnerTeamId=1, **nobody),  # away's attempt
        play(30, "blocked-shot", blockingPlayerId=102, reason="teammate-blocked", eventOwnerTeamId=2, **nobody),
        play(40, "missed-shot", eventOwnerTeamId=2, **nobody),  # no shooter, no blocker: the owner's
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    assert (home["blockedShotAttemptsFor"], home["blockedShotAttemptsAgainst"]) == (2, 1)
    assert (away["blockedShotAttemptsFor"], away["blockedShotAttemptsAgainst"]) == (1, 1)
    assert (home["missedShotsFor"], away["missedShotsFor"]) == (0, 1)
