"""compute_batch (bodies decoded and shift charts checked for the whole batch) == the plain per-game walk.

``reference_batch`` walks every game on its own in Python (the path every statistic was validated on);
``compute_batch`` must give exactly its frames and exactly its failures (same games, same messages), from dicts
and from JSON bytes alike, on the recorded games, on simulated games and on broken variants of both.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from functools import cache

import pytest

from nhl_bronze.stats import GameInput, compute_batch
from nhl_bronze.stats.batch.api import reference_batch
from nhl_bronze.stats.batch.shift_charts import SHIFT_TYPE_CODE
from nhl_bronze_tests.stats.samples import GAME_IDS, game_input


def _as_bytes(game: GameInput) -> GameInput:
    def encoded(body):
        return body if body is None else json.dumps(body).encode()

    return dataclasses.replace(game, play_by_play=encoded(game.play_by_play), boxscore=encoded(game.boxscore),
                               shift_chart=encoded(game.shift_chart))


def _assert_same(games: list[GameInput]) -> None:
    expected = reference_batch(games)
    for form in (games, [_as_bytes(g) for g in games]):
        result = compute_batch(form)
        assert result.frames.players.equals(expected.frames.players)
        assert result.frames.teams.equals(expected.frames.teams)
        assert [(form.index(g), str(e)) for g, e in result.failures] == [
            (games.index(g), str(e)) for g, e in expected.failures
        ]


@cache
def _simulated_bodies(count: int) -> list[tuple[str, dict, bytes, bytes, bytes | None]]:
    from nhl_bronze.simulator.synthetic import SyntheticNhl

    nhl = SyntheticNhl(today=datetime.date(2025, 6, 30), seed=3)
    found, day = [], datetime.date(2024, 10, 8)
    while len(found) < count:
        week = json.loads(nhl.handle("GET", f"/v1/schedule/{day}", {}).body)
        for week_day in week["gameWeek"]:
            for entry in week_day["games"][:2]:
                game_id = entry["id"]
                chart_query = {"cayenneExp": f"gameId={game_id}"}
                found.append((week_day["date"], entry,
                              nhl.handle("GET", f"/v1/gamecenter/{game_id}/play-by-play", {}).body,
                              nhl.handle("GET", f"/v1/gamecenter/{game_id}/boxscore", {}).body,
                              nhl.handle("GET", "/stats/rest/en/shiftcharts", chart_query).body))
        day += datetime.timedelta(days=7)
    return found[:count]


def _simulated(count: int) -> list[GameInput]:
    return [GameInput(datetime.date.fromisoformat(day), entry, json.loads(pbp), json.loads(box), json.loads(chart))
            for day, entry, pbp, box, chart in _simulated_bodies(count)]


def test_recorded_games_give_the_reference_rows():
    games = [game_input(g) for g in GAME_IDS] + [game_input(2024020009, with_shifts=False)]
    _assert_same(games)


def test_simulated_games_give_the_reference_rows():
    games = _simulated(24)
    assert sum(g.shift_chart is not None for g in games) > 20
    _assert_same(games)


def _first_shift(chart: dict) -> dict:
    return next(row for row in chart["data"] if row["typeCode"] == SHIFT_TYPE_CODE)


def _chart_variant(what: str) -> dict:
    chart = copy.deepcopy(game_input(2024020001).shift_chart)
    row = _first_shift(chart)
    rows = chart["data"]
    if what == "type code as a float":  # the walk compares it (517.0 == 517): still a shift
        row["typeCode"] = float(SHIFT_TYPE_CODE)
    elif what == "type code as a string":  # "517" != 517: not a shift for the walk
        row["typeCode"] = str(SHIFT_TYPE_CODE)
    elif what == "null type code":
        row["typeCode"] = None
    elif what == "no type code":
        del row["typeCode"]
    elif what == "unknown player":
        row["playerId"] = 8000001
    elif what == "player id as a string":  # int("8478402") is accepted by the walk
        row["playerId"] = str(row["playerId"])
    elif what == "ends before it starts":
        row["startTime"], row["endTime"] = "10:00", "09:00"
    elif what == "bad clock":
        row["endTime"] = "9 minutes"
    elif what == "unpadded clock":
        row["startTime"] = "0:00"
    elif what == "null row":
        rows.append(None)
    elif what == "duplicated shift":  # merged away, as the boxscore counts it
        rows.append(dict(row))
    elif what == "overlapping shift":
        rows.append({**row, "startTime": "00:10", "endTime": "01:30"})
    elif what == "longer than the game":
        rows += [{**row, "period": period, "startTime": "00:00", "endTime": "20:00"} for period in (1, 2, 3, 4)]
    elif what == "seventh skater":
        team = {r["playerId"]: r for r in rows if r["typeCode"] == SHIFT_TYPE_CODE and r["teamId"] == row["teamId"]}
        rows += [{**r, "period": 1, "startTime": "05:00", "endTime": "05:30"} for r in team.values()]
    elif what == "period zero":
        row["period"] = 0
    elif what == "no data":
        del chart["data"]
    return chart


CHART_VARIANTS = [
    "type code as a float", "type code as a string", "null type code", "no type code", "unknown player",
    "player id as a string", "ends before it starts", "bad clock", "unpadded clock", "null row", "duplicated shift",
    "overlapping shift", "longer than the game", "seventh skater", "period zero", "no data",
]


def test_changed_shift_charts_give_the_reference_rows_and_failures():
    """Each variant is a game of its own in one batch: its rows or its failure must be the walk's."""
    variants = [dataclasses.replace(game_input(2024020001), shift_chart=_chart_variant(w)) for w in CHART_VARIANTS]
    _assert_same([game_input(2024020009), *variants, *_simulated(4)])


def test_a_crowded_chart_is_repaired_and_reported_alike_by_both_paths():
    """The batch rules flag a chart with a seventh skater: its game is walked, repaired and reported like the walk."""
    crowded = dataclasses.replace(game_input(2024020001), shift_chart=_chart_variant("seventh skater"))
    games = [game_input(2024020009), crowded, game_input(2024020022)]
    expected = reference_batch(games)
    [(game, note)] = expected.repaired_charts
    assert game is crowded and "skaters on the ice in period 1 at 05:00" in note
    for form in (games, [_as_bytes(g) for g in games]):
        result = compute_batch(form)
        assert [(form.index(g), n) for g, n in result.repaired_charts] == [(1, note)]
        assert result.frames.players.equals(expected.frames.players)


@pytest.mark.parametrize("body", [b'{"data": [', b"[]", b"null", b'"text"', b"{}"])
def test_a_shift_chart_body_that_is_not_a_chart_fails_only_its_game(body):
    bad = dataclasses.replace(_as_bytes(game_input(2024020001)), shift_chart=body)
    good = [_as_bytes(game_input(2024020009)), _as_bytes(game_input(2024020022))]
    result = compute_batch([good[0], bad, good[1]])
    assert [game for game, _ in result.failures] == [bad]
    assert str(result.failures[0][1]).startswith("game 2024020001: ")
    expected = compute_batch(good).frames
    assert result.frames.players.equals(expected.players) and result.frames.teams.equals(expected.teams)


@pytest.mark.parametrize("field", ["play_by_play", "boxscore"])
def test_a_body_that_is_not_json_fails_only_its_game(field):
    bad = dataclasses.replace(_as_bytes(game_input(2024020001)), **{field: b'{"id": 2024020001, "plays": ['})
    good = _as_bytes(game_input(2024020009))
    result = compute_batch([bad, good])
    assert [game for game, _ in result.failures] == [bad]
    assert "game 2024020001" in str(result.failures[0][1]) and "not valid JSON" in str(result.failures[0][1])
    assert set(result.frames.players["gameId"].unique()) == {2024020009}


def _play_by_play_variant(what: str) -> dict:
    pbp = copy.deepcopy(game_input(2024020001).play_by_play)
    play = next(p for p in pbp["plays"] if p.get("details", {}).get("xCoord") is not None)
    if what == "details null":  # `or {}`: a play without details
        play["details"] = None
    elif what == "details an empty list":
        play["details"] = []
    elif what == "period descriptor null":
        play["periodDescriptor"] = None
    elif what == "type as a number":
        play["typeDescKey"] = 505
    elif what == "coordinate as a string":
        play["details"]["xCoord"] = "12"
    elif what == "no sort order":
        del play["sortOrder"]
    elif what == "sort order as a string":  # int("12") is accepted by the walk
        play["sortOrder"] = str(play["sortOrder"])
    elif what == "first name a string":
        pbp["rosterSpots"][0]["firstName"] = "Auston"
    elif what == "first name null":
        pbp["rosterSpots"][0]["firstName"] = None
    elif what == "plays an object":
        pbp["plays"] = {"0": play}
    elif what == "no roster":
        del pbp["rosterSpots"]
    elif what == "no id":  # the id check is skipped, as before
        del pbp["id"]
    elif what == "unknown shooter":
        play["details"]["shootingPlayerId"] = 8000002
    elif what == "unknown player on a play that does not credit him":  # a hit's shootingPlayerId is read as shooter
        next(p for p in pbp["plays"] if p["typeDescKey"] == "faceoff")["details"]["blockingPlayerId"] = 8000003
    elif what == "shootout play with garbage":  # shootout plays are dropped before anything is read
        pbp["plays"].append({"periodDescriptor": {"number": 5, "periodType": "SO"}, "timeInPeriod": "bad",
                             "sortOrder": "x", "typeDescKey": 7, "details": {"xCoord": "far"}})
    elif what == "penalty minutes as a string":  # float("2") is accepted by the walk
        penalty = next(p for p in pbp["plays"] if p["typeDescKey"] == "penalty")
        penalty["details"]["duration"] = "2"
    elif what == "owner team id as a float":  # compared, never converted: 7.0 == 7
        play["details"]["eventOwnerTeamId"] = float(play["details"]["eventOwnerTeamId"])
    elif what == "coordinate as a bool":  # float(True) == 1.0 for the walk
        play["details"]["yCoord"] = True
    elif what == "type null":
        play["typeDescKey"] = None
    elif what == "no plays at all":
        pbp["plays"] = []
    elif what == "clock with unicode digits":  # str.isdigit accepts them, int() too
        play["timeInPeriod"] = "\u0661\u0662:\u0663\u0664"
    return pbp


PLAY_BY_PLAY_VARIANTS = [
    "details null", "details an empty list", "period descriptor null", "type as a number", "coordinate as a string",
    "no sort order", "sort order as a string", "first name a string", "first name null", "plays an object",
    "no roster", "no id", "unknown shooter", "unknown player on a play that does not credit him",
    "shootout play with garbage", "penalty minutes as a string", "owner team id as a float", "coordinate as a bool",
    "type null", "no plays at all", "clock with unicode digits",
]


def test_changed_play_by_play_bodies_give_the_reference_rows_and_failures():
    variants = [dataclasses.replace(game_input(2024020001), play_by_play=_play_by_play_variant(w))
                for w in PLAY_BY_PLAY_VARIANTS]
    _assert_same([game_input(2024020022), *variants])
