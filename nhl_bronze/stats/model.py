"""Input and output types of the statistics module (the public contract other modules rely on)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl


@dataclass(frozen=True)
class GameInput:
    """Everything needed to compute one game's bronze rows; all bodies are the parsed API JSON."""

    game_date: datetime.date  # the NHL (US Eastern) game date -> gameDate int YYYYMMDD
    schedule_game: dict  # the game's entry in /v1/schedule gameWeek[].games[]
    play_by_play: dict  # /v1/gamecenter/{id}/play-by-play body
    boxscore: dict  # /v1/gamecenter/{id}/boxscore body
    shift_chart: dict | None  # stats-API shiftcharts body {"data": [...], "total": n}; None = not published


class GameFrames(NamedTuple):
    players: pl.DataFrame  # contract.PLAYER_GAME_STATS_SCHEMA
    teams: pl.DataFrame  # contract.GAMES_HISTORICAL_SCHEMA
