"""``RecordedNhl``: serve a folder of recorded real API responses, at the games' real dates.

The folder holds files named like the test samples: ``play-by-play_<id>.json``, ``boxscore_<id>.json``,
``shiftcharts_<id>.json``, ``landing_<id>.json``, ``right-rail_<id>.json``, ``schedule_<date>.json``,
``score_<date>.json``, ``standings_<date>.json``.

Game endpoints are served as recorded (parsed and re-served as compact JSON, which is what api-web sends).
A game without a recorded shift chart answers 404, exactly like a shift chart the NHL has not published yet.

``/v1/schedule/{date}`` is built, not replayed: it is the real 7-day ``gameWeek`` shape starting at ``date``
and lists every *recorded* game (one with a boxscore or play-by-play) whose date falls in the week. Its entry
comes from a recorded schedule file when one lists the game, else it is synthesised from the boxscore header.
Games of recorded schedule files that are not final yet (FUT/PRE/LIVE/CRIT) or postponed are listed too:
a client never fetches those, and they let the recorded week show upcoming games. Final games of recorded
schedules without recorded game data are left out, since serving them would only produce 404s.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nhl_bronze.simulator.core import RoutedBackend, SimResponse

_FILE_NAME = re.compile(r"^(?P<endpoint>[a-z-]+)_(?P<key>\d{10}|\d{4}-\d{2}-\d{2})\.json$")
_GAME_ENDPOINTS = ("play-by-play", "boxscore", "landing", "right-rail", "shiftcharts")
_DATED_ENDPOINTS = ("schedule", "score", "standings")
_UNFETCHED_STATES = {"FUT", "PRE", "LIVE", "CRIT"}
_DAY_ABBREV = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
# Season-level fields of the real schedule body, copied from a recorded schedule of the same season.
_SEASON_FIELDS = ("preSeasonStartDate", "regularSeasonStartDate", "regularSeasonEndDate", "playoffEndDate")


class RecordedNhl(RoutedBackend):
    """A backend over a folder of recorded responses; see the module docstring for what it serves."""

    def __init__(self, folder: Path | str, today: date | None = None) -> None:
        self.folder = Path(folder)
        self._game_files: dict[tuple[str, int], Path] = {}
        self._dated_files: dict[tuple[str, date], Path] = {}
        for path in sorted(self.folder.glob("*.json")):
            match = _FILE_NAME.match(path.name)
            if not match:
                continue
            endpoint, key = match["endpoint"], match["key"]
            if endpoint in _GAME_ENDPOINTS and "-" not in key:
                self._game_files[(endpoint, int(key))] = path
            elif endpoint in _DATED_ENDPOINTS and "-" in key:
                self._dated_files[(endpoint, date.fromisoformat(key))] = path
        self._cache: dict[Path, Any] = {}
        self._responses: dict[tuple[str, str, tuple[tuple[str, str], ...]], SimResponse] = {}
        self._responses_lock = threading.Lock()
        self._schedule_entries = self._index_schedule_entries()
        # "today" only matters for /now redirects; the latest recorded game date is the natural choice.
        self.today = today or max(self._schedule_entries, default=date.today())

    @property
    def game_ids(self) -> list[int]:
        """Games with recorded game data (boxscore or play-by-play), in id order."""
        return sorted({gid for (endpoint, gid) in self._game_files if endpoint in ("boxscore", "play-by-play")})

    def game_date(self, game_id: int) -> date:
        header = self._game_header(game_id)
        return date.fromisoformat(header["gameDate"])

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        """Recorded data never changes: serialise each response once (a shift chart is ~8 ms of json.dumps)."""
        key = (method.upper(), path, tuple(sorted(query.items())))
        cached = self._responses.get(key)
        if cached is None:
            cached = super().handle(method, path, query)
            with self._responses_lock:
                self._responses[key] = cached
        # Fresh headers: callers (fault injection) may add to them.
        return SimResponse(cached.status, dict(cached.headers), cached.body)

    # -- RoutedBackend endpoints ---------------------------------------------------------------------
    def on_play_by_play(self, game_id: int) -> dict | None:
        return self._game_body("play-by-play", game_id)

    def on_boxscore(self, game_id: int) -> dict | None:
        return self._game_body("boxscore", game_id)

    def on_landing(self, game_id: int) -> dict | None:
        return self._game_body("landing", game_id)

    def on_right_rail(self, game_id: int) -> dict | None:
        return self._game_body("right-rail", game_id)

    def on_shiftcharts(self, game_id: int) -> dict | None:
        return self._game_body("shiftcharts", game_id)

    def on_score(self, day: date) -> dict | None:
        return self._dated_body("score", day)

    def on_standings(self, day: date) -> dict | None:
        return self._dated_body("standings", day)

    def on_schedule(self, day: date) -> dict:
        week = [day + timedelta(days=offset) for offset in range(7)]
        game_week = []
        for d in week:
            games = sorted(self._schedule_entries.get(d, {}).values(), key=lambda g: (g["startTimeUTC"], g["id"]))
            game_week.append({"date": d.isoformat(), "dayAbbrev": _DAY_ABBREV[d.weekday()],
                              "numberOfGames": len(games), "datePromo": [], "games": games})
        body: dict[str, Any] = {
            "nextStartDate": (day + timedelta(days=7)).isoformat(),
            "previousStartDate": (day - timedelta(days=7)).isoformat(),
            "gameWeek": game_week,
        }
        body.update(self._season_fields(day))
        body["numberOfGames"] = sum(w["numberOfGames"] for w in game_week)
        return body

    # -- internals -----------------------------------------------------------------------------------
    def _load(self, path: Path) -> Any:
        if path not in self._cache:
            self._cache[path] = json.loads(path.read_text(encoding="utf-8"))
        return self._cache[path]

    def _game_body(self, endpoint: str, game_id: int) -> dict | None:
        path = self._game_files.get((endpoint, game_id))
        return None if path is None else self._load(path)

    def _dated_body(self, endpoint: str, day: date) -> dict | None:
        path = self._dated_files.get((endpoint, day))
        return None if path is None else self._load(path)

    def _game_header(self, game_id: int) -> dict:
        body = self._game_body("boxscore", game_id) or self._game_body("play-by-play", game_id)
        if body is None:
            raise KeyError(f"game {game_id} is not recorded in {self.folder}")
        return body

    def _recorded_schedule_days(self) -> dict[date, dict[int, dict]]:
        days: dict[date, dict[int, dict]] = {}
        for (endpoint, _), path in sorted(self._dated_files.items()):
            if endpoint != "schedule":
                continue
            for day in self._load(path).get("gameWeek", []):
                entries = days.setdefault(date.fromisoformat(day["date"]), {})
                for game in day.get("games", []):
                    entries.setdefault(game["id"], game)
        return days

    def _index_schedule_entries(self) -> dict[date, dict[int, dict]]:
        recorded_days = self._recorded_schedule_days()
        entry_by_id = {gid: game for games in recorded_days.values() for gid, game in games.items()}
        index: dict[date, dict[int, dict]] = {}
        for game_id in self.game_ids:
            game_date = self.game_date(game_id)
            entry = entry_by_id.get(game_id) or synthesised_schedule_entry(self._game_header(game_id))
            index.setdefault(game_date, {})[game_id] = entry
        for day, games in recorded_days.items():
            for game_id, game in games.items():
                never_fetched = (game.get("gameState") in _UNFETCHED_STATES
                                 or game.get("gameScheduleState", "OK") != "OK")
                if never_fetched:
                    index.setdefault(day, {}).setdefault(game_id, game)
        return index

    def _season_fields(self, day: date) -> dict[str, str]:
        # Copy the season calendar from the recorded schedule closest in time (same season in practice).
        schedules = [(abs((d - day).days), d) for (endpoint, d) in self._dated_files if endpoint == "schedule"]
        if not schedules:
            return {}
        body = self._load(self._dated_files[("schedule", min(schedules)[1])])
        return {field: body[field] for field in _SEASON_FIELDS if field in body}


def synthesised_schedule_entry(header: dict) -> dict:
    """A ``/v1/schedule`` game entry built from a boxscore (or play-by-play) header."""

    def team(side: dict) -> dict:
        entry = {"id": side["id"]}
        for key in ("commonName", "placeName", "placeNameWithPreposition"):
            if key in side:
                entry[key] = side[key]
        entry["abbrev"] = side["abbrev"]
        for key in ("logo", "darkLogo", "score"):
            if key in side:
                entry[key] = side[key]
        return entry

    entry = {key: header[key] for key in ("id", "season", "gameType") if key in header}
    for key in ("venue", "neutralSite", "startTimeUTC", "easternUTCOffset", "venueUTCOffset", "venueTimezone",
                "gameState", "gameScheduleState", "tvBroadcasts"):
        if key in header:
            entry[key] = header[key]
    entry["gameDate"] = header["gameDate"]
    entry["awayTeam"] = team(header["awayTeam"])
    entry["homeTeam"] = team(header["homeTeam"])
    for key in ("periodDescriptor", "gameOutcome"):
        if key in header:
            entry[key] = header[key]
    return entry
