"""Whole-game behaviour: determinism, missing shift chart, shootout, filtering, bad input."""

from __future__ import annotations

import copy
import dataclasses

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats import GameParseError, compute_game_frames, compute_many, is_countable_game
from nhl_bronze.stats.batch.players import SHIFT_DERIVED
from nhl_bronze.stats.roster import UNKNOWN_POSITION
from nhl_bronze_tests.stats.samples import GAME_IDS, GAMES_WITH_SHIFTS, game_input

# several games in one batch: their charts are read and checked as one frame (every batch is, a batch of one too;
# the batch cases also check that one game's chart does not leak into another's)
SEVERAL_GAMES = 3


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_same_input_gives_the_same_frames(frames_by_game, game_id):
    again = compute_game_frames(game_input(game_id))
    assert_frame_equal(again.players, frames_by_game[game_id].players)
    assert_frame_equal(again.teams, frames_by_game[game_id].teams)


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_without_shift_chart_counting_stats_stay_and_shift_columns_are_null(frames_by_game, game_id):
    with_shifts = frames_by_game[game_id]
    for chart in (None, {"data": [], "total": 0}):
        game = dataclasses.replace(game_input(game_id), shift_chart=chart)
        frames = compute_game_frames(game)
        assert frames.players.schema == PLAYER_GAME_STATS_SCHEMA
        assert frames.players.height == with_shifts.players.height
        assert_frame_equal(frames.teams, with_shifts.teams)
        for column in SHIFT_DERIVED:
            assert frames.players[column].null_count() == frames.players.height, column
        kept = [c for c in PLAYER_GAME_STATS_SCHEMA if c not in SHIFT_DERIVED]
        assert_frame_equal(frames.players.select(kept), with_shifts.players.select(kept))


def test_incomplete_shift_chart_is_treated_as_missing():
    game = game_input(2024020001)
    missing = game.boxscore["playerByGameStats"]["homeTeam"]["forwards"][0]["playerId"]
    chart = {"data": [r for r in game.shift_chart["data"] if r["playerId"] != missing]}
    frames = compute_game_frames(dataclasses.replace(game, shift_chart=chart))
    assert frames.players["icetime"].null_count() == frames.players.height


@pytest.mark.parametrize("batch", [False, True], ids=["one game", "vectorised batch"])
def test_a_chart_missing_a_period_is_treated_as_missing(frames_by_game, batch):
    """Older charts sometimes lack a whole period: every player still has shifts, but ice time would be short by a
    third. The counting stats stay; the shift-derived columns are null, never an undercount."""
    game = game_input(2024020001)
    chart = {"data": [r for r in game.shift_chart["data"] if r["period"] != 3]}
    cut = dataclasses.replace(game, shift_chart=chart)
    if batch:  # the batch path reads and checks the charts as one frame
        batch_games = [cut, *(game_input(g) for g in GAMES_WITH_SHIFTS if g != 2024020001)]
        assert len(batch_games) >= SEVERAL_GAMES
        players = compute_many(batch_games).players.filter(pl.col("gameId") == 2024020001)
    else:
        players = compute_game_frames(cut).players
    assert players.height == frames_by_game[2024020001].players.height
    for column in SHIFT_DERIVED:
        assert players[column].null_count() == players.height, column
    kept = [c for c in PLAYER_GAME_STATS_SCHEMA if c not in SHIFT_DERIVED]
    assert_frame_equal(players.select(kept), frames_by_game[2024020001].players.select(kept))


def test_playoff_game_without_shift_chart_has_no_ice_time(frames_by_game):
    players = frames_by_game[2025030123].players
    assert players["icetime"].null_count() == players.height
    assert players["I_F_shotsOnGoal"].null_count() == 0


def test_shootout_attempts_count_nowhere(frames_by_game):
    game = game_input(2024020022)
    without_so = copy.deepcopy(game.play_by_play)
    without_so["plays"] = [p for p in without_so["plays"] if p["periodDescriptor"]["periodType"] != "SO"]
    assert len(without_so["plays"]) < len(game.play_by_play["plays"])
    frames = compute_game_frames(dataclasses.replace(game, play_by_play=without_so))
    assert_frame_equal(frames.players, frames_by_game[2024020022].players)
    assert_frame_equal(frames.teams, frames_by_game[2024020022].teams)


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_ice_time_ranks_and_percentages(frames_by_game, game_id):
    players = frames_by_game[game_id].players
    ranks = players.group_by("playerTeam", "situation").agg(pl.col("iceTimeRank").min())
    assert (ranks["iceTimeRank"] == 1).all()
    top = players.filter(pl.col("iceTimeRank") == 1)
    best = players.group_by("playerTeam", "situation").agg(pl.col("icetime").max().alias("best"))
    joined = top.join(best, on=["playerTeam", "situation"])
    assert (joined["icetime"] == joined["best"]).all()
    for column in ("corsiPercentage", "fenwickPercentage", "onIce_corsiPercentage", "offIce_fenwickPercentage"):
        assert players[column].is_between(0, 100).all()
    on_plus_off = players["OnIce_F_shotAttempts"] + players["OffIce_F_shotAttempts"]
    assert (on_plus_off == players["shotAttemptsFor"]).all()
    assert (players["corsiFor"] == players["OnIce_F_shotAttempts"]).all()


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_identity_columns(frames_by_game, game_id):
    game = game_input(game_id)
    players = frames_by_game[game_id].players
    assert players["season"].unique().to_list() == [int(game.schedule_game["season"])]
    expected_date = int(game.game_date.strftime("%Y%m%d"))
    assert players["gameDate"].unique().to_list() == [expected_date]
    assert set(players["home_or_away"].unique()) == {"HOME", "AWAY"}
    assert set(players["position"].unique()) <= {"C", "L", "R", "D"}
    assert players["name"].str.len_chars().min() > 3
    teams = frames_by_game[game_id].teams
    assert teams["playoffGame"].unique().to_list() == [1 if game_id // 10_000 % 100 == 3 else 0]
    assert (teams["team"] == teams["playerTeam"]).all()


def test_compute_many_concatenates_and_is_empty_with_schema_when_no_games(frames_by_game):
    empty = compute_many([])
    assert empty.players.schema == PLAYER_GAME_STATS_SCHEMA and empty.players.height == 0
    assert empty.teams.schema == GAMES_HISTORICAL_SCHEMA and empty.teams.height == 0
    both = compute_many(game_input(g) for g in (2024020001, 2024020009))
    assert both.players.height == sum(frames_by_game[g].players.height for g in (2024020001, 2024020009))
    assert both.teams.height == 16


def test_compute_many_equals_concatenated_single_games():
    # with and without shift charts, a shootout, a non-countable game in between, and a repeat
    no_chart = dataclasses.replace(game_input(2024020001), shift_chart=None)
    live = dataclasses.replace(
        game_input(2024020009), schedule_game={**game_input(2024020009).schedule_game, "gameState": "LIVE"}
    )
    games = [game_input(g) for g in GAME_IDS] + [no_chart, live, game_input(GAME_IDS[0])]
    singles = [compute_game_frames(game) for game in games]
    many = compute_many(games)
    assert many.players.equals(pl.concat([f.players for f in singles]))
    assert many.teams.equals(pl.concat([f.teams for f in singles]))
    assert many.players.schema == PLAYER_GAME_STATS_SCHEMA and many.teams.schema == GAMES_HISTORICAL_SCHEMA
    assert many.players.height == sum(f.players.height for f in singles) > 0


def test_compute_many_raises_on_a_malformed_game():
    with pytest.raises(GameParseError, match="2024020001"):
        compute_many([game_input(2024020009), _break(game_input(2024020001), "bad clock")])


@pytest.mark.parametrize(
    ("game_type", "state", "countable"),
    [(2, "OFF", True), (3, "FINAL", True), (1, "OFF", False), (2, "LIVE", False), (2, "FUT", False),
     (19, "OFF", False), (3, "CRIT", False)],
)
def test_is_countable_game(game_type, state, countable):
    assert is_countable_game({"id": 1, "gameType": game_type, "gameState": state}) is countable


def test_non_countable_game_gives_empty_frames():
    game = game_input(2024020001)
    live = dataclasses.replace(game, schedule_game={**game.schedule_game, "gameState": "LIVE"})
    frames = compute_game_frames(live)
    assert frames.players.height == 0 and frames.players.schema == PLAYER_GAME_STATS_SCHEMA
    assert frames.teams.height == 0 and frames.teams.schema == GAMES_HISTORICAL_SCHEMA


def _break(game, what):
    pbp, box, chart, sched = (copy.deepcopy(game.play_by_play), copy.deepcopy(game.boxscore),
                              copy.deepcopy(game.shift_chart), dict(game.schedule_game))
    if what == "no plays":
        del pbp["plays"]
    elif what == "no roster":
        del pbp["rosterSpots"]
    elif what == "bad clock":
        pbp["plays"][5]["timeInPeriod"] = "5 minutes"
    elif what == "plays not a list":
        pbp["plays"] = 42
    elif what == "no boxscore players":
        del box["playerByGameStats"]
    elif what == "no boxscore team id":
        del box["homeTeam"]["id"]
    elif what == "bad shift":
        chart["data"][0]["startTime"] = None
    elif what == "shift chart without data":
        chart = {"total": 0}
    elif what == "no season":
        del sched["season"]
    elif what == "other game's boxscore":
        box["id"] = 2024020002
    elif what == "earlier game's boxscore":
        box["id"] = 2024020000
    elif what == "boxscore not a dict":
        box = []
    return dataclasses.replace(game, play_by_play=pbp, boxscore=box, shift_chart=chart, schedule_game=sched)


@pytest.mark.parametrize(
    "what",
    ["no plays", "no roster", "bad clock", "plays not a list", "no boxscore players", "no boxscore team id",
     "bad shift", "shift chart without data", "no season", "other game's boxscore", "earlier game's boxscore",
     "boxscore not a dict"],
)
def test_malformed_input_raises_an_error_naming_the_game(what):
    with pytest.raises(GameParseError, match="2024020001") as info:
        compute_game_frames(_break(game_input(2024020001), what))
    assert isinstance(info.value, ValueError)


def test_a_postponed_game_marked_final_is_not_counted_the_same_rule_as_the_schedule():
    from nhl_bronze.domain.games import classify_schedule_game
    from nhl_bronze.stats import is_countable_game

    postponed = {"id": 2024020500, "gameType": 2, "gameState": "FINAL", "gameScheduleState": "PPD"}
    played = {**postponed, "gameScheduleState": "OK"}
    assert classify_schedule_game(postponed)[0] == "skipped"
    assert not is_countable_game(postponed)
    assert is_countable_game(played)


def test_a_dressed_skater_without_ice_time_does_not_make_the_shift_chart_unusable(frames_by_game):
    game = game_input(2024020001)
    extra = {"playerId": 8999998, "position": "C", "toi": "00:00", "goals": 0}
    game.boxscore["playerByGameStats"]["homeTeam"]["forwards"].append(extra)  # dressed, never on the ice
    game.play_by_play["rosterSpots"].append({"playerId": 8999998, "teamId": game.boxscore["homeTeam"]["id"],
                                             "positionCode": "C"})
    players = compute_game_frames(game).players
    assert players.filter(pl.col("playerId") != "8999998")["icetime"].null_count() == 0
    assert players.height == frames_by_game[2024020001].players.height + 4


def _without(game, *, box_field: str):
    game = copy.deepcopy(game)
    for side in ("awayTeam", "homeTeam"):
        for group in ("forwards", "defense", "goalies"):
            for row in game.boxscore["playerByGameStats"][side].get(group, []):
                row.pop(box_field, None)
    return game


@pytest.mark.parametrize("batch", [1, SEVERAL_GAMES], ids=["one game", "vectorised batch"])
def test_a_boxscore_without_positions_takes_them_from_the_roster_spots(frames_by_game, batch):
    """Fields older responses may lack are optional with a named default (``stats.roster``), never a failure."""
    game = game_input(2024020001)
    reference = frames_by_game[2024020001].players
    players = compute_many([_without(game, box_field="position")] * batch).players.head(reference.height)
    assert_frame_equal(players.drop("position"), reference.drop("position"))
    listed = {spot["playerId"]: spot["positionCode"] for spot in game.play_by_play["rosterSpots"]}
    assert players["position"].to_list() == [listed[int(player)] for player in players["playerId"]]


def test_a_position_neither_response_gives_is_the_named_default():
    game = _without(game_input(2024020001), box_field="position")
    for spot in game.play_by_play["rosterSpots"]:
        spot.pop("positionCode")
    players = compute_game_frames(game).players
    assert set(players["position"].to_list()) == {UNKNOWN_POSITION}
