"""The contract a ``/v1/schedule`` answer must keep before anything reads its games: bad items are quarantined.

A schedule answer is landed in the append-only raw store as received, so one bad answer (a game id of -5, a day
dated ``2024-13-40``) stays there for good. Every reader therefore takes the games of an answer through
``check_schedule``: an item that breaks the contract is set aside with a named problem (day, game, field, value)
and the rest of the week is kept. What is checked is what the bronze tables rely on: a day's date is a date,
a game id is an NHL game id (``SSSSTTNNNN``, stored as Int32), and every field the derived tables cast has the
type they cast it to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

# SSSSTTNNNN: the season's first year, the game type, the game number. Seasons 1917-18 .. 2099-00 (all fit the
# Int32 the tables store game ids in).
NHL_GAME_ID_MIN = 1_917_000_000
NHL_GAME_ID_MAX = 2_099_999_999
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_UTC_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")
_TEXT_FIELDS = ("gameScheduleState", "gameState", "startTimeUTC")
_OFFSET_FIELDS = ("easternUTCOffset", "venueUTCOffset")
_TEAM_FIELDS = ("awayTeam", "homeTeam")


@dataclass(frozen=True)
class ScheduleProblem:
    """One quarantined item of a schedule answer: the whole answer, a day, or one game of a day."""

    day: str  # the day as the answer wrote it ("" when the answer itself is unusable)
    game_id: str  # the game's id as the answer wrote it ("" for a problem of a day or of the answer)
    field: str  # the field breaking the contract, e.g. "date", "id", "awayTeam.abbrev"
    value: str  # its value as JSON text (shortened)
    problem: str  # e.g. "invalid date", "game id outside the NHL's range"

    def describe(self) -> str:
        where = f"day {self.day}" if self.day else "answer"
        if self.game_id:
            where += f", game {self.game_id}"
        return f"{where}: {self.field} = {self.value}: {self.problem}"


@dataclass(frozen=True)
class CheckedSchedule:
    games_by_date: dict[date, list[dict]]  # the days and games that keep the contract
    problems: list[ScheduleProblem]  # everything set aside


def _text(value: object) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def game_problem(game: object) -> tuple[str, object, str] | None:
    """``(field, value, problem)`` of the first field of a schedule game that breaks the contract, or None."""
    if not isinstance(game, dict):
        return "(game)", game, "a game is not a JSON object"
    game_id = game.get("id")
    if not _is_int(game_id):
        return "id", game_id, "game id is not an integer"
    if not NHL_GAME_ID_MIN <= game_id <= NHL_GAME_ID_MAX:
        return "id", game_id, f"game id outside the NHL's range {NHL_GAME_ID_MIN}..{NHL_GAME_ID_MAX}"
    game_type = game.get("gameType")
    if game_type is not None and not (_is_int(game_type) and _INT32_MIN <= game_type <= _INT32_MAX):
        return "gameType", game_type, "game type is not a 32-bit integer"
    for name in _TEXT_FIELDS:
        if game.get(name) is not None and not isinstance(game[name], str):
            return name, game[name], "not a string"
    for name in _OFFSET_FIELDS:
        value = game.get(name)
        if value is not None and not (isinstance(value, str) and _UTC_OFFSET.fullmatch(value)):
            return name, value, "not a UTC offset like -04:00"
    for name in _TEAM_FIELDS:
        team = game.get(name)
        if team is None:
            continue
        if not isinstance(team, dict):
            return name, team, "team is not a JSON object"
        if team.get("abbrev") is not None and not isinstance(team["abbrev"], str):
            return f"{name}.abbrev", team["abbrev"], "not a string"
    return None


def _day_date(day: dict) -> date | None:
    text = day.get("date")
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_schedule(body: object) -> CheckedSchedule:
    """The days and games of a decoded schedule answer that keep the contract, and a problem per item that does
    not (a day whose date is not a date is set aside with its games; a bad game alone otherwise)."""
    if not isinstance(body, dict):
        return CheckedSchedule({}, [ScheduleProblem("", "", "(answer)", _text(body), "not a JSON object")])
    week = body.get("gameWeek", [])
    if not isinstance(week, list):
        return CheckedSchedule({}, [ScheduleProblem("", "", "gameWeek", _text(week), "not a list")])
    kept: dict[date, list[dict]] = {}
    problems: list[ScheduleProblem] = []
    for day in week:
        if not isinstance(day, dict):
            problems.append(ScheduleProblem("", "", "gameWeek[]", _text(day), "a day is not a JSON object"))
            continue
        day_text = str(day.get("date"))
        day_date = _day_date(day)
        if day_date is None:
            problems.append(ScheduleProblem(day_text, "", "date", _text(day.get("date")), "invalid date"))
            continue
        games = day.get("games", [])
        if not isinstance(games, list):
            problems.append(ScheduleProblem(day_text, "", "games", _text(games), "not a list"))
            continue
        good = []
        for game in games:
            found = game_problem(game)
            if found is None:
                good.append(game)
                continue
            field, value, problem = found
            game_id = game.get("id") if isinstance(game, dict) else None
            problems.append(ScheduleProblem(day_text, "" if game_id is None else _text(game_id), field,
                                            _text(value), problem))
        kept[day_date] = good
    return CheckedSchedule(kept, problems)
