"""Pure selection logic, shared by the HTTP session and the raw-store rebuild."""

from __future__ import annotations

import json
from datetime import date

from nhl_bronze.client.window import GameBodies, window_fetch_from_bodies
from nhl_bronze.domain.dates import schedule_call_dates, window_dates
from nhl_bronze.domain.games import classify_schedule_game, schedule_games_by_date
from nhl_bronze_tests.common import SAMPLES


def load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_schedule_games_by_date_reads_the_recorded_week():
    by_date = schedule_games_by_date(load("schedule_2024-10-09.json"))
    assert len(by_date) == 7 and [g["id"] for g in by_date[date(2024, 10, 9)]][3] == 2024020009
    assert sum(len(g) for g in by_date.values()) == 50


def test_classify_schedule_game():
    game = {"id": 1, "gameType": 2, "gameState": "OFF", "gameScheduleState": "OK"}
    assert classify_schedule_game(game) == ("fetch", "")
    assert classify_schedule_game({**game, "gameState": "FINAL", "gameType": 3}) == ("fetch", "")
    for state in ("FUT", "PRE", "LIVE", "CRIT"):
        assert classify_schedule_game({**game, "gameState": state}) == ("pending", f"not final yet ({state})")
    assert classify_schedule_game({**game, "gameType": 1}) == ("skipped", "preseason")
    assert classify_schedule_game({**game, "gameType": 4}) == ("skipped", "all-star")
    assert classify_schedule_game({**game, "gameType": 19})[0] == "skipped"
    assert classify_schedule_game({**game, "gameScheduleState": "PPD"}) == ("skipped", "postponed")


def test_schedule_calls_cover_seven_days_each():
    days = window_dates(date(2024, 10, 1), date(2024, 10, 16))
    assert schedule_call_dates(days) == [date(2024, 10, 1), date(2024, 10, 8), date(2024, 10, 15)]
    assert schedule_call_dates([]) == []


def test_window_from_stored_bodies():
    schedule = load("schedule_2024-10-09.json")
    bodies = {2024020009: GameBodies(load("play-by-play_2024020009.json"), load("boxscore_2024020009.json"),
                                     {"data": [], "total": 0})}
    window = window_fetch_from_bodies([date(2024, 10, 9)], [schedule], bodies)
    assert [g.game_id for g in window.games] == [2024020009]
    assert window.games[0].shift_chart_status == "empty"
    # the other four final games of the day have no stored bodies: they fail their date, named
    assert sorted(f.game_id for f in window.failures if f.endpoint == "boxscore") == [
        2024020006, 2024020007, 2024020008, 2024020010]
    assert window.failed_dates == {date(2024, 10, 9)}
