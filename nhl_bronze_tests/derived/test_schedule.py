"""``build_schedule`` / ``schedule_entries``: completed games from history plus upcoming scheduled games."""

from datetime import date

import polars as pl

from nhl_bronze.contract import SCHEDULE_SCHEMA
from nhl_bronze.derived.schedule import build_schedule, schedule_entries

COMPLETED_SCHEMA = {"gameId": pl.Int32, "gameDate": pl.Int32, "team": pl.String, "home_or_away": pl.String}


def game(game_id, start_utc, away="CGY", home="VAN", game_type=2, state="OK"):
    return {"id": game_id, "gameType": game_type, "gameScheduleState": state, "startTimeUTC": start_utc,
            "easternUTCOffset": "-04:00", "venueUTCOffset": "-07:00", "awayTeam": {"abbrev": away},
            "homeTeam": {"abbrev": home}}


def week(*days):
    return {"gameWeek": [{"date": day, "games": games} for day, games in days]}


def test_completed_and_upcoming_games_one_row_each_with_eastern_and_local_times():
    completed = pl.DataFrame([(2024020009, 20241009, "CGY", "AWAY"), (2024020009, 20241009, "VAN", "HOME")],
                             schema=COMPLETED_SCHEMA, orient="row")
    bodies = [week(("2024-10-09", [game(2024020009, "2024-10-10T02:00:00Z")]),
                   ("2024-10-13", [game(2024020050, "2024-10-13T23:00:00Z", away="EDM", home="TOR"),
                                   game(2024010001, "2024-10-13T23:00:00Z", game_type=1),
                                   game(2024020051, "2024-10-13T23:00:00Z", state="PPD")]))]

    schedule = build_schedule(completed, schedule_entries(bodies), date(2024, 10, 11), date(2024, 10, 19))

    assert schedule.schema == SCHEDULE_SCHEMA
    # the preseason game (type 1) and the postponed one are not upcoming games
    assert schedule["GAME_ID"].to_list() == [2024020009, 2024020050]
    past = schedule.row(0, named=True)
    # 02:00 UTC is 10:00 PM Eastern (-04:00) and 7:00 PM in Vancouver (-07:00), on Wednesday Oct 9
    assert (past["AWAY"], past["HOME"], past["DAY"], past["EASTERN"], past["LOCAL"]) == (
        "CGY", "VAN", "Wed.", "10:00 PM", "7:00 PM")
    assert schedule.row(1, named=True)["DATE"] == date(2024, 10, 13)


def test_a_later_schedule_answer_wins_for_the_same_game():
    older = week(("2024-10-13", [game(2024020050, "2024-10-13T23:00:00Z")]))
    newer = week(("2024-10-14", [game(2024020050, "2024-10-14T23:30:00Z")]))

    entries = schedule_entries([older, newer])

    assert entries.height == 1
    assert entries.row(0, named=True)["DATE"] == date(2024, 10, 14)
