"""The schedule contract keeps the good part of an answer and names every item it sets aside."""

import json

from nhl_bronze.client.window import plan_window
from nhl_bronze.derived.schedule import schedule_entries
from nhl_bronze.domain.games import schedule_games_by_date
from nhl_bronze.domain.schedule_contract import check_schedule


def game(game_id, **fields):
    return {"id": game_id, "gameType": 2, "gameState": "OFF", "startTimeUTC": "2024-10-09T23:00:00Z",
            "easternUTCOffset": "-04:00", "venueUTCOffset": "-04:00", "awayTeam": {"abbrev": "BOS"},
            "homeTeam": {"abbrev": "FLA"}, **fields}


WEEK = {"gameWeek": [
    {"date": "2024-10-09", "games": [game(2024020009), game(-5), game(99999999999999999999)]},
    {"date": "2024-13-40", "games": [game(2024020015)]},
    {"date": "2024-10-11", "games": [game(2024020022, easternUTCOffset="noon"),
                                     game(2024020023, awayTeam="BOS"), game(2024020024, gameType="2")]},
    {"date": "2024-10-12", "games": [game(2024020030)]},
]}


def test_bad_items_are_set_aside_and_named_and_the_rest_of_the_week_is_kept():
    checked = check_schedule(json.loads(json.dumps(WEEK)))

    assert {day.isoformat(): [g["id"] for g in games] for day, games in checked.games_by_date.items()} == {
        "2024-10-09": [2024020009], "2024-10-11": [], "2024-10-12": [2024020030]}
    named = [(p.day, p.game_id, p.field, p.value) for p in checked.problems]
    assert named == [
        ("2024-10-09", "-5", "id", "-5"),
        ("2024-10-09", "99999999999999999999", "id", "99999999999999999999"),
        ("2024-13-40", "", "date", '"2024-13-40"'),
        ("2024-10-11", "2024020022", "easternUTCOffset", '"noon"'),
        ("2024-10-11", "2024020023", "awayTeam", '"BOS"'),
        ("2024-10-11", "2024020024", "gameType", '"2"'),
    ]
    assert checked.problems[2].problem == "invalid date"
    assert "outside the NHL's range" in checked.problems[0].problem
    assert checked.problems[2].describe() == 'day 2024-13-40: date = "2024-13-40": invalid date'


def test_every_reader_of_schedule_answers_skips_the_quarantined_items():
    # The plan (what staging fetches, what the sensor and verify call final) and the derived entries both
    # read through the contract: no bad id reaches a cast to Int32 or a game request.
    plan = plan_window([d for d in schedule_games_by_date(WEEK)], [WEEK])
    assert sorted(g["id"] for _, g in plan.to_fetch) == [2024020009, 2024020030]
    assert sorted(schedule_entries([WEEK])["GAME_ID"].to_list()) == [2024020009, 2024020030]


def test_an_answer_that_is_not_a_week_is_set_aside_whole():
    assert check_schedule([1, 2]).games_by_date == {}
    assert check_schedule({"gameWeek": "soon"}).problems[0].field == "gameWeek"
    assert check_schedule({"gameWeek": [{"date": "2024-10-09", "games": [7]}]}).problems[0].problem == (
        "a game is not a JSON object")

