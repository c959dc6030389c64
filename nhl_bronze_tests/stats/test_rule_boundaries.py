"""Every threshold of docs/DATA_DICTIONARY.md's counting rules, pinned on both sides of its edge.

Each case is a hand-made game (``tiny_game``: the home team attacks the net at x = +89 unless a play says it
defends the right side) run through ``compute_game_frames``; the expected bucket or count is worked out by
hand from the written rule (distances and angles in the comments), never from the code's formula.
Coordinates of the feed are whole feet, so an edge such as 15 ft or the blue line at 25 ft does occur.
"""

from __future__ import annotations

import polars as pl
import pytest

from nhl_bronze.stats import GameParseError, compute_game_frames, compute_many
from nhl_bronze_tests.stats.tiny_game import play, shot, tiny_game

_LEVELS = ("low", "medium", "high")


def _team(frames, team: str, situation: str = "all") -> dict:
    return frames.teams.filter((pl.col("team") == team) & (pl.col("situation") == situation)).row(0, named=True)


def _player(frames, player_id: int, situation: str = "all") -> dict:
    rows = frames.players.filter((pl.col("playerId") == str(player_id)) & (pl.col("situation") == situation))
    return rows.row(0, named=True)


def _defending_right(p: dict) -> dict:
    p["homeTeamDefendingSide"] = "right"
    return p


def _danger_of_one_shot(p: dict, team: str) -> str:
    frames = compute_game_frames(tiny_game([p]))
    row = _team(frames, team)
    (level,) = [level for level in _LEVELS if row[f"{level}DangerShotsFor"] == 1]
    return level


# (x, y) of a home shot at the net at (+89, 0): depth = 89 - x; distance and angle worked out by hand
DANGER_EDGES = [
    (74, 0, "high"),  # 15 ft straight on: the high edge itself
    (73, 0, "medium"),  # 16 ft
    (79, 7, "high"),  # depth 10, 7 wide: 12.2 ft at 34.99 deg
    (82, 5, "medium"),  # depth 7, 5 wide: 8.6 ft at 35.54 deg (close, but wider than 35 deg)
    (54, 0, "medium"),  # 35 ft: the medium edge itself
    (53, 0, "low"),  # 36 ft
    (68, 25, "medium"),  # depth 21, 25 wide: 32.6 ft at 49.97 deg
    (69, 24, "low"),  # depth 20, 24 wide: 31.2 ft at 50.19 deg
    (89, 10, "low"),  # on the goal line: 90 deg
]


@pytest.mark.parametrize(("x", "y", "expected"), DANGER_EDGES)
def test_danger_edges_of_a_home_shot(x, y, expected):
    assert _danger_of_one_shot(shot(10, 101, x=float(x), y=float(y)), "HHH") == expected
    assert _danger_of_one_shot(shot(10, 101, x=float(x), y=-float(y)), "HHH") == expected  # |y|


@pytest.mark.parametrize(("x", "y", "expected"), DANGER_EDGES)
def test_danger_edges_mirrored_for_the_away_team_and_after_the_ends_change(x, y, expected):
    # the away team attacks the net at -89 while the home team defends the left one
    assert _danger_of_one_shot(shot(10, 201, x=-float(x), y=float(y)), "AAA") == expected
    # the home team defending the right side attacks the net at -89 (the ends change every period)
    assert _danger_of_one_shot(_defending_right(shot(10, 101, x=-float(x), y=float(y))), "HHH") == expected


def test_a_shot_at_the_far_net_is_low():
    # 74 ft from centre on the side the home team defends: 163 ft from the net it attacks
    assert _danger_of_one_shot(shot(10, 101, x=-74.0), "HHH") == "low"
    assert _danger_of_one_shot(_defending_right(shot(10, 101, x=74.0)), "HHH") == "low"


@pytest.mark.parametrize(
    ("next_x", "defends", "in_zone"),
    [
        (25.0, "left", True),  # on the blue line, 25 ft from centre towards the attacked net
        (24.0, "left", False),
        (-25.0, "right", True),  # the next play says the home team now attacks -x
        (-24.0, "right", False),
        (-25.0, "left", False),  # the home team's own blue line
    ],
)
def test_home_play_continued_in_zone_from_the_blue_line_on(next_x, defends, in_zone):
    after = play(12, "hit", xCoord=next_x, yCoord=0.0, hittingPlayerId=102)
    after["homeTeamDefendingSide"] = defends
    home = _team(compute_game_frames(tiny_game([shot(10, 101, "missed-shot"), after])), "HHH")
    assert (home["playContinuedInZoneFor"], home["playContinuedOutsideZoneFor"]) == (int(in_zone), int(not in_zone))


@pytest.mark.parametrize(("next_x", "in_zone"), [(-25.0, True), (-24.0, False), (25.0, False)])
def test_away_play_continued_in_zone_from_the_blue_line_on(next_x, in_zone):
    after = play(42, "takeaway", xCoord=next_x, yCoord=0.0, playerId=202)
    away = _team(compute_game_frames(tiny_game([shot(40, 201, "blocked-shot", x=-70.0, blockingPlayerId=102),
                                                after])), "AAA")
    assert (away["playContinuedInZoneFor"], away["playContinuedOutsideZoneFor"]) == (int(in_zone), int(not in_zone))
    home = _team(compute_game_frames(tiny_game([shot(40, 201, "blocked-shot", x=-70.0, blockingPlayerId=102),
                                                after])), "HHH")
    assert (home["playContinuedInZoneAgainst"], home["playContinuedOutsideZoneAgainst"]) == (
        int(in_zone), int(not in_zone))


@pytest.mark.parametrize(
    ("after", "continued"),
    [
        (play(12, "giveaway", xCoord=60.0, yCoord=0.0, playerId=201), True),
        (shot(12, 102, "goal", x=80.0), True),  # a goal is not a dead puck before it: play went on
        (play(12, "stoppage", xCoord=60.0, yCoord=0.0), False),
        (play(12, "faceoff", xCoord=69.0, yCoord=22.0, winningPlayerId=101, losingPlayerId=201), False),
        (play(12, "penalty", xCoord=60.0, yCoord=0.0, committedByPlayerId=201, duration=2), False),
        (play(12, "period-end"), False),
        (play(12, "hit", hittingPlayerId=102), False),  # no coordinates
        (play(12, "hit", period=2, xCoord=60.0, yCoord=0.0, hittingPlayerId=102), False),  # the next period
    ],
)
def test_a_shot_continued_only_into_a_live_located_next_event_of_its_period(after, continued):
    home = _team(compute_game_frames(tiny_game([shot(10, 101), after])), "HHH")
    assert home["playContinuedInZoneFor"] + home["playContinuedOutsideZoneFor"] == int(continued)


def test_a_goal_and_the_last_play_of_a_game_did_not_continue():
    frames = compute_game_frames(tiny_game([
        shot(10, 101, "goal"), play(12, "hit", xCoord=60.0, yCoord=0.0, hittingPlayerId=102),
        shot(20, 102, "missed-shot"),  # the last play: nothing after it
    ]))
    home = _team(frames, "HHH")
    assert (home["playContinuedInZoneFor"], home["playContinuedOutsideZoneFor"]) == (0, 0)


@pytest.mark.parametrize(("gap", "rebound"), [(0, True), (3, True), (4, False)])
def test_the_rebound_window_is_3_seconds_inclusive(gap, rebound):
    frames = compute_game_frames(tiny_game([shot(10, 101, "missed-shot"), shot(10 + gap, 102, "goal")]))
    home = _team(frames, "HHH")
    assert (home["reboundsFor"], home["reboundGoalsFor"]) == (int(rebound), int(rebound))
    assert (_player(frames, 102)["I_F_rebounds"], _team(frames, "AAA")["reboundsAgainst"]) == (int(rebound),) * 2


@pytest.mark.parametrize(
    ("between", "rebound"),
    [
        (play(11, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=201), True),
        (play(11, "takeaway", xCoord=0.0, yCoord=0.0, playerId=201), True),
        (shot(11, 201, "missed-shot", x=-70.0), True),  # the other team's attempt: the puck is live
        (play(11, "stoppage"), False),
        (play(11, "faceoff", winningPlayerId=101, losingPlayerId=201), False),
        (play(11, "penalty", committedByPlayerId=201, duration=2), False),
        (shot(11, 201, "goal", x=-70.0), False),
        (play(11, "period-end"), False),
    ],
)
def test_only_a_dead_puck_between_two_attempts_ends_the_rebound_window(between, rebound):
    frames = compute_game_frames(tiny_game([shot(10, 101), between, shot(12, 102)]))
    assert _team(frames, "HHH")["reboundsFor"] == int(rebound)


def test_a_rebound_is_in_the_same_period():
    # no period markers in between: the second attempt, 1 s into period 2, is not a rebound of the last
    # attempt of period 1 (its clock is 1,199 s lower)
    frames = compute_game_frames(tiny_game([shot(1199, 101), shot(1, 102, period=2)]))
    assert _team(frames, "HHH")["reboundsFor"] == 0


@pytest.mark.parametrize(
    ("code", "home_bucket", "away_bucket"),
    [
        ("1551", "5on5", "5on5"),
        ("1451", "5on4", "4on5"),  # digits: away goalie, away skaters, home skaters, home goalie
        ("1541", "4on5", "5on4"),
        ("155", None, None),  # three digits
        ("15511", None, None),  # five digits
        ("1550", None, None),  # the home net empty
    ],
)
def test_situation_code_of_an_event_is_seen_from_each_side(code, home_bucket, away_bucket):
    p = shot(10, 101)
    p["situationCode"] = code
    frames = compute_game_frames(tiny_game([p]))
    for team, bucket, column in (("HHH", home_bucket, "shotsOnGoalFor"), ("AAA", away_bucket, "shotsOnGoalAgainst")):
        counted = {situation: _team(frames, team, situation)[column] for situation in ("5on5", "5on4", "4on5")}
        assert counted == {s: int(s == bucket) for s in counted}, team
        assert _team(frames, team)[column] == 1  # every event is in "all"


def _chart(rows: list[tuple[int, int, str, str]]) -> dict:
    data = [{"playerId": pid, "period": period, "startTime": start, "endTime": end, "typeCode": 517}
            for pid, period, start, end in rows]
    return {"data": data, "total": len(data)}


def _with_chart(plays: list[dict], rows: list[tuple[int, int, str, str]]):
    game = tiny_game(plays)
    return type(game)(game.game_date, game.schedule_game, game.play_by_play, game.boxscore, _chart(rows))


# home 101 on 00:00-00:20 and 00:40-01:00, 102 on 00:20-00:40; away 201 on the whole minute (202 dressed, no shift)
_SHIFTS = [(101, 1, "00:00", "00:20"), (102, 1, "00:20", "00:40"), (101, 1, "00:40", "01:00"),
           (201, 1, "00:00", "01:00")]


def test_on_ice_is_half_open_except_for_goals_and_the_periods_last_second():
    frames = compute_game_frames(_with_chart([
        play(0, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=101),  # 101 (starts at 0) and 201
        play(20, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=202),  # 102 starts at 20; 101's shift ended at 20
        shot(40, 102, "goal"),  # a goal: the shift ending at 40 (102's), not the one starting then
        play(60, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=202),  # the period's last second: shifts ending
    ], _SHIFTS))
    on_ice = {pid: tuple(_player(frames, pid)[c] for c in ("hitsFor", "hitsAgainst", "OnIce_F_goals", "OnIce_A_goals"))
              for pid in (101, 102, 201)}
    assert on_ice == {101: (1, 1, 0, 0), 102: (0, 1, 1, 0), 201: (2, 1, 0, 1)}
    assert {pid: _player(frames, pid)["icetime"] for pid in (101, 102, 201)} == {101: 40.0, 102: 20.0, 201: 60.0}
    assert {pid: _player(frames, pid)["shifts"] for pid in (101, 102, 201)} == {101: 2, 102: 1, 201: 1}


def test_touching_shift_rows_stay_two_shifts_overlapping_ones_merge():
    plays = [play(60, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=101)]
    touching = compute_game_frames(_with_chart(plays, [(101, 1, "00:00", "00:30"), (101, 1, "00:30", "01:00")]))
    overlapping = compute_game_frames(_with_chart(plays, [(101, 1, "00:00", "00:31"), (101, 1, "00:30", "01:00")]))
    assert (_player(touching, 101)["shifts"], _player(touching, 101)["icetime"]) == (2, 60.0)
    assert (_player(overlapping, 101)["shifts"], _player(overlapping, 101)["icetime"]) == (1, 60.0)


def test_a_player_may_be_on_the_ice_for_the_whole_game_but_not_a_second_longer():
    plays = [play(60, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=101)]  # the game lasts 60 s
    whole = compute_game_frames(_with_chart(plays, [(101, 1, "00:00", "01:00")]))
    assert _player(whole, 101)["icetime"] == 60.0
    with pytest.raises(GameParseError, match=r"game 2024029999: .*player 101 is on the ice for 61 s"):
        compute_game_frames(_with_chart(plays, [(101, 1, "00:00", "00:30"), (101, 2, "00:00", "00:31")]))


def test_a_goal_at_a_periods_last_second_is_not_on_the_ice_of_the_next_periods_first_shifts():
    # period 1 ends at 01:01 (an odd second: the latest clock of the game), period 2 starts with 201 alone
    frames = compute_game_frames(_with_chart([
        shot(61, 101, "goal"), play(10, "hit", period=2, xCoord=0.0, yCoord=0.0, hittingPlayerId=201),
    ], [(101, 1, "00:00", "01:01"), (201, 1, "00:00", "01:01"), (201, 2, "00:00", "00:10")]))
    assert (_player(frames, 101)["OnIce_F_goals"], _player(frames, 201)["OnIce_A_goals"]) == (1, 1)
    assert (_player(frames, 201)["hitsFor"], _player(frames, 101)["hitsAgainst"]) == (1, 0)


def _without_ends(p: dict) -> dict:
    del p["homeTeamDefendingSide"]
    return p


@pytest.mark.parametrize(("x", "expected"), [(74, "high"), (73, "medium"), (-74, "high"), (-73, "medium")])
def test_without_the_defended_side_a_shot_is_at_the_nearer_net(x, expected):
    assert _danger_of_one_shot(_without_ends(shot(10, 101, x=float(x))), "HHH") == expected


def _renumbered(game, game_id: int):
    """The same tiny game under another id (two games in one batch)."""
    schedule, plays, box = (dict(body, id=game_id) for body in (game.schedule_game, game.play_by_play, game.boxscore))
    return type(game)(game.game_date, schedule, plays, box, game.shift_chart)


def test_the_last_shot_of_a_game_does_not_continue_into_the_next_game_of_the_batch():
    first = tiny_game([shot(10, 101, "missed-shot")])  # the game's last play
    second = _renumbered(tiny_game([play(5, "hit", xCoord=60.0, yCoord=0.0, hittingPlayerId=102)]), 2024029998)
    teams = compute_many([first, second]).teams.filter(pl.col("situation") == "all", pl.col("team") == "HHH")
    assert teams["playContinuedInZoneFor"].to_list() == [0, 0]
    assert teams["playContinuedOutsideZoneFor"].to_list() == [0, 0]


def test_goals_of_each_danger_bucket_are_counted_apart():
    # 1 high (15 ft), 2 medium (35 ft), 3 low (36 ft) goals by 102: no two buckets share a count
    goals = [shot(t, 102, "goal", x=x) for t, x in ((10, 74.0), (20, 54.0), (30, 54.0), (40, 53.0), (50, 53.0),
                                                    (60, 53.0))]
    frames = compute_game_frames(tiny_game(goals))
    home, away, scorer = _team(frames, "HHH"), _team(frames, "AAA"), _player(frames, 102)
    for kind in ("Shots", "Goals"):
        assert [home[f"{level}Danger{kind}For"] for level in _LEVELS] == [3, 2, 1]
        assert [away[f"{level}Danger{kind}Against"] for level in _LEVELS] == [3, 2, 1]
        assert [scorer[f"I_F_{level}Danger{kind}"] for level in _LEVELS] == [3, 2, 1]


@pytest.mark.parametrize(
    ("blocked", "team"),
    [
        ({"blockingPlayerId": 202, "eventOwnerTeamId": 2}, "HHH"),  # blocked by an away skater: a home attempt
        ({"blockingPlayerId": 101, "eventOwnerTeamId": 1}, "AAA"),
        ({"blockingPlayerId": 102, "reason": "teammate-blocked", "eventOwnerTeamId": 2}, "HHH"),
    ],
)
def test_a_blocked_attempt_without_a_shooter_is_the_side_opposite_its_blocker(blocked, team):
    frames = compute_game_frames(tiny_game([play(10, "blocked-shot", xCoord=70.0, yCoord=0.0, **blocked)]))
    assert {t: _team(frames, t)["blockedShotAttemptsFor"] for t in ("HHH", "AAA")} == {
        t: int(t == team) for t in ("HHH", "AAA")}


def test_faceoffs_hits_takeaways_and_giveaways_are_the_players_side_whatever_the_owner():
    frames = compute_game_frames(tiny_game([  # every owner team is the other one
        play(0, "faceoff", xCoord=0.0, yCoord=0.0, winningPlayerId=101, losingPlayerId=201, eventOwnerTeamId=2),
        play(10, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=202, eventOwnerTeamId=1),
        play(20, "takeaway", xCoord=0.0, yCoord=0.0, playerId=102, eventOwnerTeamId=2),
        play(30, "giveaway", xCoord=0.0, yCoord=0.0, playerId=201, eventOwnerTeamId=1),
    ]))
    home, away = _team(frames, "HHH"), _team(frames, "AAA")
    columns = ("faceOffsWonFor", "hitsFor", "takeawaysFor", "giveawaysFor")
    assert [home[c] for c in columns] == [1, 0, 1, 0]
    assert [away[c] for c in columns] == [0, 1, 0, 1]


def test_a_player_field_on_a_play_of_another_type_credits_nobody():
    # each play carries a field that belongs to another type (hitter, faceoff winner, penalised player)
    frames = compute_game_frames(tiny_game([
        play(0, "faceoff", xCoord=0.0, yCoord=0.0, winningPlayerId=201, losingPlayerId=101, hittingPlayerId=102,
             eventOwnerTeamId=2),
        shot(10, 101, "blocked-shot", blockingPlayerId=202, winningPlayerId=102),
        play(20, "giveaway", xCoord=0.0, yCoord=0.0, playerId=201, committedByPlayerId=102, eventOwnerTeamId=2),
        play(30, "stoppage", committedByPlayerId=102, hittingPlayerId=102, winningPlayerId=102),
    ]))
    player = _player(frames, 102)
    assert (player["I_F_hits"], player["faceOffsWonFor"], player["penaltiesFor"]) == (0, 0, 0)
    assert (_team(frames, "HHH")["penaltiesFor"], _team(frames, "HHH")["faceOffsWonFor"]) == (0, 0)


def test_on_and_off_ice_shares_are_rounded_to_2_places_the_corsi_share_is_not():
    # 102 is on the ice for the first 30 s: 1 home and 2 away shots then, 1 home and 2 away shots after
    frames = compute_game_frames(_with_chart([
        shot(10, 101), shot(20, 201, x=-70.0), shot(25, 201, x=-70.0),
        shot(40, 201, x=-70.0), shot(45, 201, x=-70.0), shot(50, 101),
        play(60, "hit", xCoord=0.0, yCoord=0.0, hittingPlayerId=101),
    ], [(101, 1, "00:00", "01:00"), (102, 1, "00:00", "00:30"), (201, 1, "00:00", "01:00")]))
    player = _player(frames, 102)
    assert (player["corsiFor"], player["corsiAgainst"]) == (1, 2)
    assert player["corsiPercentage"] == pytest.approx(100 / 3, abs=1e-9)  # 33.333...
    assert [player[c] for c in ("onIce_corsiPercentage", "onIce_fenwickPercentage", "offIce_corsiPercentage",
                                "offIce_fenwickPercentage")] == [33.33] * 4


def test_a_penalty_without_a_duration_adds_no_minutes():
    frames = compute_game_frames(tiny_game([
        play(100, "penalty", committedByPlayerId=201, drawnByPlayerId=101, eventOwnerTeamId=2),  # no duration
        play(200, "penalty", committedByPlayerId=201, drawnByPlayerId=101, duration=2, eventOwnerTeamId=2),
    ]))
    assert (_player(frames, 201)["penaltiesFor"], _player(frames, 201)["penalityMinutesFor"]) == (2, 2.0)
    assert (_player(frames, 101)["penaltiesAgainst"], _player(frames, 101)["penalityMinutesAgainst"]) == (2, 2.0)
