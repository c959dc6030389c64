"""Games history holds without a shift chart: every latest player row of the game has no ice time.

A chart that is not published yet (404), published empty, or unusable leaves the shift-derived columns null
(never a misleading 0); ``domain.chart_reask`` says when such a game is asked for its chart again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from nhl_bronze.domain.chart_reask import next_chart_reask
from nhl_bronze.domain.dates import GAME_DATE_COLUMN, date_of_game_date_int, in_window
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import VERSION, latest_versions
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY


@dataclass(frozen=True)
class ChartlessGame:
    game_id: int
    game_date: date
    age_days: int  # days since the game
    next_ask: date | None  # when its chart is asked for again (None: no longer)

    def describe(self) -> str:
        when = f"asked again on {self.next_ask}" if self.next_ask else "no longer asked for"
        return (f"game {self.game_id} of {self.game_date} has no shift chart (no ice time), {self.age_days} days "
                f"after the game; {when}")


def games_without_chart(store: DeltaStore, start: date | None = None,
                        end: date | None = None) -> list[tuple[int, date]]:
    """(game id, game date) of every game of ``[start, end)`` (all when no window) whose latest player rows all
    lack ice time, oldest first."""
    spec = PLAYER_GAME_STATS_HISTORY
    if not store.exists(spec):
        return []
    rows = store.scan(spec)
    if start is not None and end is not None:
        rows = rows.filter(in_window(start, end))
    latest = latest_versions(rows.select(*spec.key, GAME_DATE_COLUMN, "icetime", VERSION), spec)
    chartless = (
        latest.group_by("gameId", GAME_DATE_COLUMN)
        .agg(pl.col("icetime").is_null().all().alias("no_chart"))
        .filter("no_chart")
        .sort(GAME_DATE_COLUMN, "gameId")
        .collect()
    )
    return [(game_id, date_of_game_date_int(day)) for game_id, day, _ in chartless.iter_rows()]


def chartless_games(store: DeltaStore, today: date) -> list[ChartlessGame]:
    """Every game history holds without a shift chart, with its age and the next time it is asked for again."""
    return [ChartlessGame(game_id, day, (today - day).days, next_chart_reask(day, today))
            for game_id, day in games_without_chart(store)]
