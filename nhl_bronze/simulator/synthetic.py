"""``SyntheticNhl``: a deterministic synthetic league behind the real NHL API paths (see ``core.RoutedBackend``).

Seasons 2010-11 to 2026-27 (dates 2010-09-18 .. 2027-06-30) with the eras of ``calendar`` and ``league`` (30 to 32
real clubs, the lockout, the 2020 pause and bubble, the 56-game season): preseason, the regular season, a 16-team
best-of-seven bracket; older games more often lack a shift chart or publish a partial one (``shapes``).
Games before ``today`` are final (OFF; preseason FINAL), the rest are FUT, and a
few postponed games are PPD forever. Same ``(today, seed)`` -> byte-identical responses.

Cost model: a season calendar (~0.1 s) is built once and cached; a game (~15-20 ms) is generated on first use by
any of its endpoints and kept in a bounded LRU cache, so play-by-play, boxscore and shift chart share one run.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from nhl_bronze.simulator import shapes
from nhl_bronze.simulator.calendar import PRESEASON, ScheduledGame, calendar_for_date, find_game, games_on
from nhl_bronze.simulator.core import RoutedBackend
from nhl_bronze.simulator.game_gen import GeneratedGame, generate_game

_DAY_ABBREV = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


class SyntheticNhl(RoutedBackend):
    def __init__(self, today: date | None = None, seed: int = 0, game_cache_size: int = 256):
        self.today = today or date.today()
        self.seed = seed
        # Per instance (not a module-level cache) so two simulators with different seeds never share games.
        self._generate = lru_cache(maxsize=game_cache_size)(self._generate_uncached)

    # -- game state -----------------------------------------------------------------------------------------------
    def game_state(self, game: ScheduledGame) -> str:
        """OFF once the date has passed (preseason stays FINAL, as on the real club schedules); else FUT.

        Games dated ``today`` are FUT: the simulator has no clock, only a date.
        """
        if game.postponed or game.game_date >= self.today:
            return "FUT"
        return "FINAL" if game.game_type == PRESEASON else "OFF"

    def _generate_uncached(self, game_id: int) -> GeneratedGame:
        return generate_game(find_game(game_id, self.seed), self.seed)

    def played(self, game: ScheduledGame) -> GeneratedGame | None:
        return self._generate(game.id) if self.game_state(game) in ("OFF", "FINAL") else None

    def _lookup(self, game_id: int) -> tuple[ScheduledGame, str, GeneratedGame | None] | None:
        game = find_game(game_id, self.seed)
        if game is None:
            return None
        return game, self.game_state(game), self.played(game)

    # -- endpoints ------------------------------------------------------------------------------------------------
    def on_schedule(self, day: date) -> dict:
        calendar = calendar_for_date(day, self.seed)
        week = []
        for offset in range(7):
            current = day + timedelta(days=offset)
            games = games_on(current, self.seed)
            week.append({"date": current.isoformat(), "dayAbbrev": _DAY_ABBREV[current.weekday()],
                         "numberOfGames": len(games), "datePromo": [],
                         "games": [shapes.schedule_game(g, self.game_state(g), self.played(g)) for g in games]})
        return {"nextStartDate": (day + timedelta(days=7)).isoformat(),
                "previousStartDate": (day - timedelta(days=7)).isoformat(), "gameWeek": week,
                "preSeasonStartDate": (calendar.dates.preseason_start or calendar.dates.regular_start).isoformat(),
                "regularSeasonStartDate": calendar.dates.regular_start.isoformat(),
                "regularSeasonEndDate": calendar.dates.last_regular_day.isoformat(),
                "playoffEndDate": calendar.playoff_end.isoformat(),
                "numberOfGames": sum(day_entry["numberOfGames"] for day_entry in week)}

    def on_score(self, day: date) -> dict:
        week = []
        for offset in range(-3, 4):
            current = day + timedelta(days=offset)
            week.append({"date": current.isoformat(), "dayAbbrev": _DAY_ABBREV[current.weekday()],
                         "numberOfGames": len(games_on(current, self.seed))})
        games = games_on(day, self.seed)
        return {"prevDate": (day - timedelta(days=1)).isoformat(), "currentDate": day.isoformat(),
                "nextDate": (day + timedelta(days=1)).isoformat(), "gameWeek": week, "oddsPartners": [],
                "games": [shapes.score_game(g, self.game_state(g), self.played(g)) for g in games]}

    def on_play_by_play(self, game_id: int) -> dict | None:
        found = self._lookup(game_id)
        return shapes.play_by_play(*found) if found else None

    def on_boxscore(self, game_id: int) -> dict | None:
        found = self._lookup(game_id)
        return shapes.boxscore(*found) if found else None

    def on_shiftcharts(self, game_id: int) -> dict | None:
        found = self._lookup(game_id)
        return shapes.shift_chart(found[2], shapes.chart_publication(found[0], self.seed)) if found else None
