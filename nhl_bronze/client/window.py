"""What a window fetch returns, and how it is assembled from response bodies.

``plan_window`` + ``assemble_window_fetch`` hold all the selection logic (which games are fetched, pending,
skipped; what a missing shift chart means). They are pure, so a rebuild from the raw landing store gets exactly
the same ``WindowFetch`` as the HTTP session that stored the bodies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import Literal

from nhl_bronze.client.bodies import ShiftChartStatus, shift_chart_status
from nhl_bronze.client.errors import GameFetchError
from nhl_bronze.domain.games import classify_schedule_game, schedule_games_by_date

Endpoint = Literal["schedule", "play-by-play", "boxscore", "shiftcharts"]
__all__ = ["ShiftChartStatus", "shift_chart_status"]  # re-exported: where callers have always found them


@dataclass(frozen=True)
class RawResponse:
    """One successful response, as received (the raw landing store keeps these bytes)."""

    endpoint: Endpoint
    key: str  # the schedule's start date (ISO) or the game id
    game_date: date  # the schedule's start date, or the game's schedule date
    url: str
    status: int
    fetched_at: datetime  # UTC
    body: bytes


@dataclass(frozen=True)
class FetchedGame:
    game_date: date
    schedule_game: dict
    # bytes: still JSON (from the API or the raw store), decoded where it is parsed; dicts from tests
    play_by_play: dict | bytes
    boxscore: dict | bytes
    shift_chart: dict | bytes | None  # None when not published yet
    # Known when the body was already looked at (the API session checks it); else read from the body when first
    # asked for (``shift_chart_status``): a worker that parsed the chart's shifts never needs to read it again.
    known_shift_chart_status: ShiftChartStatus | None = None

    @property
    def game_id(self) -> int:
        return self.schedule_game["id"]

    @cached_property
    def shift_chart_status(self) -> ShiftChartStatus:
        if self.known_shift_chart_status is not None:
            return self.known_shift_chart_status
        try:
            return shift_chart_status(self.shift_chart)
        except ValueError as error:  # only a body that did not come through the client (which checks it) gets here
            raise ValueError(f"game {self.game_id} ({self.game_date}): the shift chart is not JSON: {error}") from error


@dataclass(frozen=True)
class UnfetchedGame:
    """A scheduled game that was not fetched: pending (not final yet) or skipped (not covered)."""

    game_date: date
    game_id: int
    reason: str
    schedule_game: dict


@dataclass(frozen=True)
class GameBodies:
    """The bodies of one game (JSON bytes or decoded); ``None`` means absent (a 404, or not in the store)."""

    play_by_play: dict | bytes | None
    boxscore: dict | bytes | None
    shift_chart: dict | bytes | None
    # Known when the body was already looked at (the API session checks it); else read from the body.
    shift_chart_status: ShiftChartStatus | None = None


@dataclass
class WindowFetch:
    dates: list[date]
    schedule_games: dict[date, list[dict]]
    games: list[FetchedGame]
    pending: list[UnfetchedGame]
    skipped: list[UnfetchedGame]
    failures: list[GameFetchError]
    api_calls: int = 0
    retries: int = 0
    bytes_received: int = 0
    elapsed_seconds: float = 0.0

    @property
    def failed_dates(self) -> set[date]:
        """Dates with at least one failed game: only these dates are incomplete."""
        return {failure.game_date for failure in self.failures}

    def games_on(self, day: date) -> list[FetchedGame]:
        return [game for game in self.games if game.game_date == day]

    def without_bodies(self, charts_with_shifts: Set[int] = frozenset()) -> WindowFetch:
        """This fetch with every game's bodies emptied: what is kept of a window once its games went to be parsed
        (ids, dates, schedule entries, shift-chart status, failures), at a few KB instead of ~45 MB a week.

        ``charts_with_shifts``: ids of games whose shift chart is known to list shifts (their parse used them):
        their status is "ok" without reading the chart again."""
        games = [replace(g, play_by_play=b"", boxscore=b"", shift_chart=None if g.shift_chart is None else b"",
                         known_shift_chart_status="ok" if g.game_id in charts_with_shifts else g.shift_chart_status)
                 for g in self.games]
        return replace(self, games=games)


@dataclass(frozen=True)
class WindowPlan:
    """The schedule of a window, split into games to fetch, pending and skipped."""

    dates: list[date]
    schedule_games: dict[date, list[dict]]
    to_fetch: list[tuple[date, dict]] = field(default_factory=list)
    pending: list[UnfetchedGame] = field(default_factory=list)
    skipped: list[UnfetchedGame] = field(default_factory=list)


def plan_window(dates: Iterable[date], schedule_bodies: Iterable[dict]) -> WindowPlan:
    """Classify every scheduled game of ``dates``.

    Schedule bodies may cover other dates and may overlap; the first body listing a day wins, so a caller
    holding several fetches of the same week (the raw store) should pass the newest first.
    """
    dates = sorted(set(dates))
    by_date: dict[date, list[dict]] = {}
    for body in schedule_bodies:
        for day, games in schedule_games_by_date(body).items():
            by_date.setdefault(day, games)  # the first body wins for a day listed twice
    plan = WindowPlan(dates, {day: by_date.get(day, []) for day in dates})
    seen: set[int] = set()
    for day in dates:
        for game in plan.schedule_games[day]:
            verdict, reason = classify_schedule_game(game)
            if verdict == "fetch":
                # A game listed twice (e.g. on its postponed and its new date) is fetched once.
                if game["id"] not in seen:
                    plan.to_fetch.append((day, game))
                    seen.add(game["id"])
            else:
                target = plan.pending if verdict == "pending" else plan.skipped
                target.append(UnfetchedGame(day, game["id"], reason, game))
    return plan


def assemble_window_fetch(plan: WindowPlan, bodies: Mapping[int, GameBodies],
                          failures: Iterable[GameFetchError] = ()) -> WindowFetch:
    """The ``WindowFetch`` of a plan, given the bodies obtained (from HTTP or storage) and the failures."""
    failures = list(failures)
    failed_ids = {failure.game_id for failure in failures}
    games: list[FetchedGame] = []
    for day, game in plan.to_fetch:
        game_id = game["id"]
        if game_id in failed_ids:
            continue
        found = bodies.get(game_id)
        missing = [name for name, body in (("play-by-play", found and found.play_by_play),
                                           ("boxscore", found and found.boxscore)) if body is None]
        if found is None or missing:
            failures.extend(GameFetchError(game_id, day, name, "", "no body available") for name in missing)
            continue
        games.append(FetchedGame(day, game, found.play_by_play, found.boxscore, found.shift_chart,
                                 found.shift_chart_status))
    return WindowFetch(plan.dates, plan.schedule_games, games, plan.pending, plan.skipped, failures)


def window_fetch_from_bodies(dates: Iterable[date], schedule_bodies: Iterable[dict],
                             game_bodies: Mapping[int, GameBodies]) -> WindowFetch:
    """Rebuild a window from stored bodies, with the same selection rules as the HTTP session."""
    return assemble_window_fetch(plan_window(dates, schedule_bodies), game_bodies)
