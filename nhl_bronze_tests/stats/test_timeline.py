"""The situation timeline changes when the situation really changes (issue 9 §1).

Real games: the expected situation of every second is recomputed here in plain Python from the raw shift
chart (who is on the ice: goalies and skaters of each side), never with the module's code.
Synthetic games: each way a situation changes without an event of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

import polars as pl
import pytest

from nhl_bronze.stats.batch.api import game_timeline
from nhl_bronze.stats.batch.timeline import PERIOD_END, timeline_segments
from nhl_bronze.stats.situations import situation_expr
from nhl_bronze_tests.stats.samples import GAMES_WITH_SHIFTS, game_input, load_json


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def on_ice_by_second(game_id: int) -> dict[tuple[int, int], dict[str, list[int]]]:
    """(period, second) -> {"awayG"/"awayS"/"homeS"/"homeG": players on the ice} from the raw JSON."""
    boxscore = load_json(f"boxscore_{game_id}.json")
    role = {}
    for side, key in (("away", "awayTeam"), ("home", "homeTeam")):
        for group in ("forwards", "defense", "goalies"):
            for row in boxscore["playerByGameStats"][key][group]:
                role[row["playerId"]] = side + ("G" if group == "goalies" else "S")
    on_ice: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = {(r["playerId"], r["period"], _seconds(r["startTime"]), _seconds(r["endTime"]))
            for r in load_json(f"shiftcharts_{game_id}.json")["data"] if r["typeCode"] == 517}
    for player_id, period, start, end in rows:
        for second in range(start, end):
            on_ice[(period, second)][role[player_id]].append(player_id)
    return on_ice


def expected_skater_seconds(game_id: int) -> Counter:
    """(playerId, situation) -> seconds, situation of each second from the players on the ice then."""
    expected: Counter = Counter()
    for players in on_ice_by_second(game_id).values():
        if len(players["awayG"]) != 1 or len(players["homeG"]) != 1:
            continue  # an empty net: only "all"
        for side, other in (("away", "home"), ("home", "away")):
            own, opp = len(players[side + "S"]), len(players[other + "S"])
            situation = "5on5" if own == opp == 5 else "5on4" if own > opp else "4on5" if own < opp else None
            for player_id in players[side + "S"] if situation else ():
                expected[(str(player_id), situation)] += 1
    return expected


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_every_skaters_situation_ice_time_is_exact(frames_by_game, game_id):
    expected = expected_skater_seconds(game_id)
    players = frames_by_game[game_id].players.filter(pl.col("situation") != "all")
    wrong = [(pid, situation, icetime, expected[(pid, situation)])
             for pid, situation, icetime in players.select("playerId", "situation", "icetime").rows()
             if icetime != expected[(pid, situation)]]
    assert wrong == []
    assert sum(expected.values()) > 30_000  # the whole game, not a vacuous comparison


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_each_shift_counts_in_the_situation_at_its_first_second(frames_by_game, game_id):
    on_ice = on_ice_by_second(game_id)
    expected: Counter = Counter()
    for (period, second), players in on_ice.items():
        if len(players["awayG"]) != 1 or len(players["homeG"]) != 1:
            continue
        for side, other in (("away", "home"), ("home", "away")):
            own, opp = len(players[side + "S"]), len(players[other + "S"])
            situation = "5on5" if own == opp == 5 else "5on4" if own > opp else "4on5" if own < opp else None
            for player_id in players[side + "S"] if situation else ():
                if player_id not in on_ice.get((period, second - 1), {}).get(side + "S", ()):
                    expected[(str(player_id), situation)] += 1  # he was not on the ice the second before
    players = frames_by_game[game_id].players.filter(pl.col("situation") != "all")
    rows = players.select("playerId", "situation", "shifts").rows()
    counted = {(pid, situation): n for pid, situation, n in rows if n}
    assert counted == dict(expected)
    assert sum(expected.values()) > 500


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_at_every_second_of_a_segment_the_chart_has_the_skaters_of_its_code(game_id):
    on_ice = on_ice_by_second(game_id)
    checked = 0
    for period, start, end, code in game_timeline(game_input(game_id)).filter(
        pl.col("sitHome").is_not_null()
    ).select("period", "segStart", "segEnd", "code").rows():
        for second in range(start, min(end, 1200 if period <= 3 else 300)):
            players = on_ice.get((period, second))
            if players is None:
                break  # after the end of an overtime
            counts = (len(players["awayG"]), len(players["awayS"]), len(players["homeS"]), len(players["homeG"]))
            assert "".join(map(str, counts)) == code, (period, second)
            checked += 1
    assert checked > 3_000


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_both_teams_views_of_the_situations_agree(frames_by_game, game_id):
    """S seconds of 5on4 for one team are S seconds of 4on5 for the other: the skaters' summed ice time is the
    skater count times S on each side (5 x S against 4 x S at 5v4, 5 x S against 3 x S at 5v3)."""
    timeline = game_timeline(game_input(game_id)).with_columns(
        length=pl.min_horizontal("segEnd", pl.lit(1200)) - pl.col("segStart")
    )
    on_ice = on_ice_by_second(game_id)
    period_end = defaultdict(int)
    for period, second in on_ice:
        period_end[period] = max(period_end[period], second + 1)
    players = frames_by_game[game_id].players
    for home_or_away, side_column, digit in (("HOME", "sitHome", 2), ("AWAY", "sitAway", 1)):
        for situation in ("5on5", "5on4", "4on5"):
            segments = timeline.filter(pl.col(side_column) == situation)
            skater_seconds = sum(
                int(code[digit]) * len(range(start, min(end, period_end[period])))
                for period, start, end, code in segments.select("period", "segStart", "segEnd", "code").rows()
            )
            credited = players.filter((pl.col("home_or_away") == home_or_away) & (pl.col("situation") == situation))
            assert credited["icetime"].sum() == skater_seconds, (home_or_away, situation)
    for situation, mirror in (("5on5", "5on5"), ("5on4", "4on5"), ("4on5", "5on4")):
        home = timeline.filter(pl.col("sitHome") == situation)["length"].sum()
        away = timeline.filter(pl.col("sitAway") == mirror)["length"].sum()
        assert home == away > 0, situation
    five = players.filter(pl.col("situation") == "5on5").group_by("home_or_away").agg(pl.col("icetime").sum())
    assert five["icetime"].n_unique() == 1  # 5 x S for both teams


# -- synthetic games: events (period, t, type, code) and chart runs (period, start, end, code) -----------------

def _timeline(events: list[tuple], runs: list[tuple] | None) -> list[tuple]:
    frame = pl.LazyFrame(
        [(0, i, *event) for i, event in enumerate(events)],
        schema=["gi", "sortOrder", "period", "t", "type", "code"], orient="row",
    ).with_columns(sitHome=situation_expr(pl.col("code"), "home"), sitAway=situation_expr(pl.col("code"), "away"))
    chart = None if runs is None else pl.LazyFrame(
        [(0, *run) for run in runs], schema=["gi", "period", "runStart", "runEnd", "chartCode"], orient="row"
    )
    return timeline_segments(frame, chart).select("period", "segStart", "segEnd", "code").collect().rows()


END = PERIOD_END


def test_a_minor_expires_when_the_penalised_player_leaves_the_box_not_at_the_next_event():
    events = [(1, 0, "faceoff", "1551"), (1, 100, "penalty", "1551"), (1, 100, "faceoff", "1451"),
              (1, 150, "hit", "1451"), (1, 236, "shot-on-goal", "1551")]
    runs = [(1, 0, 100, "1551"), (1, 100, 220, "1451"), (1, 220, 1200, "1551")]
    assert _timeline(events, runs) == [(1, 0, 100, "1551"), (1, 100, 220, "1451"), (1, 220, END, "1551")]
    # without a shift chart the change stays at the first event that shows it
    assert _timeline(events, None) == [(1, 0, 100, "1551"), (1, 100, 236, "1451"), (1, 236, END, "1551")]


def test_a_power_play_goal_ends_the_minor_at_the_goal():
    events = [(1, 0, "faceoff", "1551"), (1, 100, "penalty", "1551"), (1, 100, "faceoff", "1451"),
              (1, 160, "goal", "1451"), (1, 160, "faceoff", "1551"), (1, 200, "hit", "1551")]
    runs = [(1, 0, 100, "1551"), (1, 100, 160, "1451"), (1, 160, 1200, "1551")]
    assert _timeline(events, runs) == [(1, 0, 100, "1551"), (1, 100, 160, "1451"), (1, 160, END, "1551")]


def test_a_double_minor_or_major_runs_its_full_length():
    events = [(1, 0, "faceoff", "1551"), (1, 100, "penalty", "1551"), (1, 100, "faceoff", "1541"),
              (1, 290, "hit", "1541"), (1, 410, "hit", "1551")]
    runs = [(1, 0, 100, "1551"), (1, 100, 400, "1541"), (1, 400, 1200, "1551")]  # a major: 300 s
    assert _timeline(events, runs) == [(1, 0, 100, "1551"), (1, 100, 400, "1541"), (1, 400, END, "1551")]


def test_a_penalty_carried_into_the_next_period_expires_there():
    events = [(1, 0, "faceoff", "1551"), (1, 1150, "penalty", "1551"), (1, 1150, "faceoff", "1451"),
              (2, 0, "faceoff", "1451"), (2, 30, "hit", "1451"), (2, 95, "hit", "1551")]
    runs = [(1, 0, 1150, "1551"), (1, 1150, 1200, "1451"), (2, 0, 70, "1451"), (2, 70, 1200, "1551")]
    assert _timeline(events, runs) == [
        (1, 0, 1150, "1551"), (1, 1150, END, "1451"), (2, 0, 70, "1451"), (2, 70, END, "1551")
    ]


def test_coincidental_penalties_change_nothing():
    events = [(1, 0, "faceoff", "1551"), (1, 300, "penalty", "1551"), (1, 300, "penalty", "1551"),
              (1, 300, "faceoff", "1551"), (1, 500, "hit", "1551")]
    runs = [(1, 0, 1200, "1551")]
    assert _timeline(events, runs) == [(1, 0, END, "1551")]


def test_a_goalie_pull_starts_when_his_shift_ends_and_the_return_when_his_next_starts():
    # delayed penalty: the home goalie leaves at 62; the penalty is called at 80 (its event shows the pulled
    # state); the goalie is back for the faceoff. Late in the game: pulled at 1100 until 1150.
    events = [(1, 0, "faceoff", "1551"), (1, 50, "hit", "1551"), (1, 70, "shot-on-goal", "1560"),
              (1, 80, "penalty", "1560"), (1, 80, "faceoff", "1451"), (1, 200, "faceoff", "1551"),
              (1, 1090, "hit", "1551"), (1, 1120, "shot-on-goal", "1560"), (1, 1160, "faceoff", "1551")]
    runs = [(1, 0, 62, "1551"), (1, 62, 80, "1560"), (1, 80, 200, "1451"), (1, 200, 1100, "1551"),
            (1, 1100, 1150, "1560"), (1, 1150, 1200, "1551")]
    assert _timeline(events, runs) == [
        (1, 0, 62, "1551"), (1, 62, 80, "1560"), (1, 80, 200, "1451"), (1, 200, 1100, "1551"),
        (1, 1100, 1150, "1560"), (1, 1150, END, "1551"),
    ]


def test_the_chart_never_moves_a_change_outside_the_events_that_bound_it():
    events = [(1, 0, "faceoff", "1551"), (1, 90, "hit", "1551"), (1, 100, "hit", "1451"), (1, 300, "hit", "1551")]
    # the chart says 1451 from 50, but the hit at 90 is 1551: the chart contradicts the events, they decide
    early = [(1, 0, 50, "1551"), (1, 50, 1200, "1451")]
    assert _timeline(events, early)[:2] == [(1, 0, 100, "1551"), (1, 100, 300, "1451")]
    disagrees = [(1, 0, 1200, "1551")]  # the chart never shows the power play: the events decide
    assert _timeline(events, disagrees) == [(1, 0, 100, "1551"), (1, 100, 300, "1451"), (1, 300, END, "1551")]


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_each_official_power_play_opportunity_is_a_timeline_advantage_gain(game_id):
    """right-rail ``powerPlay`` "goals/opportunities": an opportunity is an opponent penalty that gives the team
    a (bigger) skater advantage, i.e. a timeline change (both goalies in; delayed-penalty states skipped)
    after which the team has more skaters than before and more than the opponent (5v5 -> 5v4, 5v4 -> 5v3,
    4v4 -> 5v4 when coincidental minors end)."""
    right_rail = {row["category"]: row for row in load_json(f"right-rail_{game_id}.json")["teamGameStats"]}
    codes = [code for code in game_timeline(game_input(game_id))["code"] if code[0] == "1" and code[3] == "1"]
    for digit, value in ((1, "awayValue"), (2, "homeValue")):
        advantage = [int(code[digit]) - int(code[3 - digit]) for code in codes]
        gains = sum(1 for before, after in pairwise(advantage) if after > max(before, 0))
        assert gains == int(right_rail["powerPlay"][value].split("/")[1]), value
