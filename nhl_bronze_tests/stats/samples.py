"""Load the recorded real games as GameInput (schedule entry from the schedule sample or the boxscore)."""

from __future__ import annotations

import datetime
import json
from functools import cache

from nhl_bronze.stats import GameInput
from nhl_bronze_tests.common import SAMPLES

GAME_IDS = (2024020001, 2024020009, 2024020022, 2025030123)
GAMES_WITH_SHIFTS = (2024020001, 2024020009, 2024020022)


@cache
def _load(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def load_json(name: str):
    return json.loads(_load(name))  # a fresh copy every time: tests may mutate it


def schedule_entry(game_id: int, boxscore: dict) -> dict:
    week = load_json("schedule_2024-10-09.json")
    for day in week["gameWeek"]:
        for game in day["games"]:
            if game["id"] == game_id:
                return game
    return {
        "id": boxscore["id"],
        "season": boxscore["season"],
        "gameType": boxscore["gameType"],
        "gameState": boxscore["gameState"],
        "awayTeam": {"abbrev": boxscore["awayTeam"]["abbrev"]},
        "homeTeam": {"abbrev": boxscore["homeTeam"]["abbrev"]},
    }


def game_input(game_id: int, with_shifts: bool = True) -> GameInput:
    boxscore = load_json(f"boxscore_{game_id}.json")
    shift_file = SAMPLES / f"shiftcharts_{game_id}.json"
    shift_chart = load_json(shift_file.name) if with_shifts and shift_file.exists() else None
    return GameInput(
        game_date=datetime.date.fromisoformat(boxscore["gameDate"]),
        schedule_game=schedule_entry(game_id, boxscore),
        play_by_play=load_json(f"play-by-play_{game_id}.json"),
        boxscore=boxscore,
        shift_chart=shift_chart,
    )
