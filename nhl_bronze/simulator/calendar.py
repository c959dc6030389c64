"""The season calendar: preseason, an 82-game regular season (1,312 games), a 16-team best-of-seven bracket.

Built once per (season, seed) and cached: the schedule/score endpoints and game lookups only read from it.
Dates are the real NHL dates where known (season starts, ends, February breaks); results come from ``outcomes``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from nhl_bronze.simulator.league import Team, teams_for_season
from nhl_bronze.simulator.outcomes import Outcome, draw_outcome

FIRST_DATE = date(2023, 9, 20)
LAST_DATE = date(2027, 6, 30)


@dataclass(frozen=True)
class SeasonDates:
    preseason_start: date
    regular_start: date
    regular_end: date
    break_days: tuple[date, date]  # All-Star / international break, inclusive, no games


_SEASON_DATES = {
    2023: SeasonDates(date(2023, 9, 23), date(2023, 10, 10), date(2024, 4, 18), (date(2024, 2, 1), date(2024, 2, 5))),
    2024: SeasonDates(date(2024, 9, 21), date(2024, 10, 4), date(2025, 4, 17), (date(2025, 2, 10), date(2025, 2, 19))),
    2025: SeasonDates(date(2025, 9, 20), date(2025, 10, 7), date(2026, 4, 16), (date(2026, 2, 6), date(2026, 2, 24))),
    2026: SeasonDates(date(2026, 9, 19), date(2026, 10, 6), date(2027, 4, 15), (date(2027, 2, 4), date(2027, 2, 8))),
}
SEASONS = tuple(_SEASON_DATES)

PRESEASON, REGULAR, PLAYOFF = 1, 2, 3
REGULAR_SEASON_GAMES = 1312
POSTPONED_PER_SEASON = 3


@dataclass(frozen=True, slots=True)
class ScheduledGame:
    id: int
    start_year: int
    game_type: int
    game_date: date  # local date at the venue, as the API's gameDate
    start_utc: datetime
    away: Team
    home: Team
    away_slot: int
    home_slot: int
    outcome: Outcome
    postponed: bool = False

    @property
    def season(self) -> int:
        return self.start_year * 10001 + 1  # 2024 -> 20242025


@dataclass(frozen=True)
class SeasonCalendar:
    start_year: int
    dates: SeasonDates
    games: tuple[ScheduledGame, ...]  # every game of the season, in date order
    by_id: dict[int, ScheduledGame]
    by_date: dict[date, tuple[ScheduledGame, ...]]
    playoff_end: date
    series: tuple[tuple[int, int, int, int, int], ...]  # (round, series, higher slot, lower slot, winner slot)


def season_start_year(day: date) -> int:
    """The season a date belongs to; summer dates belong to the upcoming season (as the real schedule shows)."""
    return day.year if day.month >= 7 else day.year - 1


def _local_start(team: Team, day: date, hour: int) -> datetime:
    local = datetime.combine(day, time(hour, 0), ZoneInfo(team.timezone))
    return local.astimezone(timezone.utc)


def _start_hour(rng: random.Random, day: date) -> int:
    if day.weekday() == 5:
        return rng.choice((13, 15, 16, 19, 19, 19, 19))
    if day.weekday() == 6:
        return rng.choice((13, 15, 17, 18, 19))
    return rng.choice((19, 19, 19, 19, 19, 20))


# Games per calendar weekday (Mon..Sun) in proportion; Tuesday/Thursday/Saturday are the big nights.
_WEEKDAY_WEIGHT = (4, 9, 5, 10, 5, 13, 6)


def _place_on_days(rng: random.Random, pairs: list[tuple[int, int]], days: list[date]) -> list[tuple[int, int, date]]:
    """Spread (away, home) pairs over ``days``: nobody twice a day, no three days in a row, by weekday weight."""
    weights = [_WEEKDAY_WEIGHT[day.weekday()] for day in days]
    total = sum(weights)
    cumulative, running = [], 0
    for weight in weights:
        running += weight
        cumulative.append(running)
    busy: dict[int, set[int]] = {}  # day index -> slots playing
    per_day_cap = 16
    placed = []
    order = list(pairs)
    rng.shuffle(order)
    for k, (away, home) in enumerate(order):
        target = (k + 0.5) * total / len(order)
        target_day = next(i for i, c in enumerate(cumulative) if c >= target)

        def free(i: int, strict: bool, away: int = away, home: int = home) -> bool:
            playing = busy.get(i, set())
            if away in playing or home in playing or len(playing) >= 2 * per_day_cap:
                return False
            if not strict:
                return True
            for team in (away, home):
                run = [team in busy.get(j, ()) for j in (i - 2, i - 1, i + 1, i + 2)]
                if (run[0] and run[1]) or (run[1] and run[2]) or (run[2] and run[3]):
                    return False
            return True

        chosen = None
        for strict in (True, False):
            for distance in range(len(days)):
                for i in (target_day + distance, target_day - distance):
                    if 0 <= i < len(days) and free(i, strict):
                        chosen = i
                        break
                if chosen is not None:
                    break
            if chosen is not None:
                break
        if chosen is None:  # pragma: no cover - 82 games in ~180 days always fit
            raise RuntimeError("schedule does not fit")
        busy.setdefault(chosen, set()).update((away, home))
        placed.append((away, home, days[chosen]))
    return placed


def _regular_season_pairs() -> list[tuple[int, int]]:
    """(away, home) slot pairs: 82 games per team, 41 at home.

    Everyone meets everyone home and away (62 games), plus 20 more inside the conference: slot i hosts the next
    ten conference slots (cyclically), so each team gets 10 extra home and 10 extra away games. Slots are ordered
    with division mates adjacent, so the extra games lean towards division rivals, as in the real schedule.
    """
    pairs = [(a, h) for h in range(32) for a in range(32) if a != h]
    for conference_base in (0, 16):
        for i in range(16):
            for offset in range(1, 11):
                pairs.append((conference_base + (i + offset) % 16, conference_base + i))
    return pairs


def _preseason_pairs() -> list[tuple[int, int]]:
    # 6 games each (3 home, 3 away), mostly against geographic neighbours (nearby slots).
    return [((i + offset) % 32, i) for i in range(32) for offset in (1, 2, 3)]


def _days(first: date, last: date, excluded: set[date]) -> list[date]:
    out, day = [], first
    while day <= last:
        if day not in excluded:
            out.append(day)
        day += timedelta(days=1)
    return out


def _strengths(start_year: int, seed: int) -> list[float]:
    rng = random.Random(f"strength:{seed}:{start_year}")
    return [rng.uniform(-0.45, 0.45) for _ in range(32)]


def _schedule_block(rng: random.Random, start_year: int, game_type: int, pairs, days) -> list[tuple]:
    teams = teams_for_season(start_year)
    rows = []
    for away, home, day in _place_on_days(rng, pairs, days):
        start = _local_start(teams[home], day, _start_hour(rng, day))
        rows.append((day, start, teams[home].abbrev, away, home))
    rows.sort()
    return rows


def _standings(games: list[ScheduledGame]) -> dict[int, tuple[int, int]]:
    table = {slot: [0, 0] for slot in range(32)}  # points, regulation+OT wins
    for game in games:
        if game.postponed:
            continue
        o = game.outcome
        winner, loser = (game.home_slot, game.away_slot) if o.home_won else (game.away_slot, game.home_slot)
        table[winner][0] += 2
        if o.last_period_type != "SO":
            table[winner][1] += 1
        if o.last_period_type != "REG":
            table[loser][0] += 1
    return {slot: (points, wins) for slot, (points, wins) in table.items()}


def _playoffs(seed: int, start_year: int, first_day: date, regular: list[ScheduledGame], strengths: list[float]):
    """Top 8 per conference by points, 1v8 2v7 3v6 4v5, re-bracketed by position; 2-2-1-1-1 home pattern."""
    teams = teams_for_season(start_year)
    table = _standings(regular)
    seeds = {}
    for conference, slots in (("E", range(0, 16)), ("W", range(16, 32))):
        ranked = sorted(slots, key=lambda s: (-table[s][0], -table[s][1], s))[:8]
        seeds[conference] = ranked
    # Round 1 series numbering: East 1-4, West 5-8 (the real bracket letters A-H).
    bracket = []
    for conference in ("E", "W"):
        r = seeds[conference]
        bracket += [(r[0], r[7]), (r[3], r[4]), (r[1], r[6]), (r[2], r[5])]
    rank = {slot: i for conference in seeds.values() for i, slot in enumerate(conference)}

    games: list[ScheduledGame] = []
    series_log = []
    round_start = first_day
    for round_number in range(1, 5):
        winners = []
        last_day = round_start
        for series_index, (a, b) in enumerate(bracket):
            high, low = (a, b) if (rank[a], a) < (rank[b], b) else (b, a)
            series_number = series_index + 1
            rng = random.Random(f"series:{seed}:{start_year}:{round_number}:{series_number}")
            wins = {high: 0, low: 0}
            game_number = 0
            while max(wins.values()) < 4:
                game_number += 1
                host, guest = (high, low) if game_number in (1, 2, 5, 7) else (low, high)
                day = round_start + timedelta(days=series_index % 2 + 2 * (game_number - 1))
                last_day = max(last_day, day)
                game_id = start_year * 1_000_000 + PLAYOFF * 10_000 + round_number * 100 + series_number * 10 \
                    + game_number
                game_rng = random.Random(f"outline:{seed}:{game_id}")
                outcome = draw_outcome(game_rng, True, strengths[guest], strengths[host])
                high_wins = rng.random() < 0.56 + (strengths[high] - strengths[low]) / 3
                if (outcome.home_won == (host == high)) != high_wins:
                    outcome = outcome.swapped()
                wins[high if high_wins else low] += 1
                start = _local_start(teams[host], day, 19 if day.weekday() < 5 else rng.choice((15, 19, 20)))
                games.append(ScheduledGame(game_id, start_year, PLAYOFF, day, start, teams[guest], teams[host],
                                           guest, host, outcome))
            winner = high if wins[high] == 4 else low
            winners.append(winner)
            series_log.append((round_number, series_number, high, low, winner))
        bracket = [(winners[i], winners[i + 1]) for i in range(0, len(winners) - 1, 2)]
        round_start = last_day + timedelta(days=2)
    games.sort(key=lambda g: (g.game_date, g.start_utc, g.id))
    return games, tuple(series_log)


@lru_cache(maxsize=8)
def season_calendar(start_year: int, seed: int = 0) -> SeasonCalendar:
    dates = _SEASON_DATES[start_year]
    teams = teams_for_season(start_year)
    strengths = _strengths(start_year, seed)
    rng = random.Random(f"calendar:{seed}:{start_year}")

    preseason_days = _days(dates.preseason_start, dates.regular_start - timedelta(days=1), set())
    preseason = []
    for number, (day, start, _, away, home) in enumerate(
            _schedule_block(rng, start_year, PRESEASON, _preseason_pairs(), preseason_days), start=1):
        game_id = start_year * 1_000_000 + PRESEASON * 10_000 + number
        outcome = draw_outcome(random.Random(f"outline:{seed}:{game_id}"), False, strengths[away], strengths[home])
        preseason.append(ScheduledGame(game_id, start_year, PRESEASON, day, start, teams[away], teams[home], away, home,
                                       outcome))

    break_first, break_last = dates.break_days
    excluded = set(_days(break_first, break_last, set()))
    excluded |= {date(start_year, 12, 24), date(start_year, 12, 25), date(start_year, 12, 26)}
    regular_days = _days(dates.regular_start, dates.regular_end, excluded)
    regular = []
    for number, (day, start, _, away, home) in enumerate(
            _schedule_block(rng, start_year, REGULAR, _regular_season_pairs(), regular_days), start=1):
        game_id = start_year * 1_000_000 + REGULAR * 10_000 + number
        outcome = draw_outcome(random.Random(f"outline:{seed}:{game_id}"), False, strengths[away], strengths[home])
        regular.append(ScheduledGame(game_id, start_year, REGULAR, day, start, teams[away], teams[home], away, home,
                                     outcome))
    # A few games are postponed (weather, arena issues): listed as PPD on their date and never played there.
    for index in rng.sample(range(100, REGULAR_SEASON_GAMES - 100), POSTPONED_PER_SEASON):
        regular[index] = replace(regular[index], postponed=True)

    playoff, series = _playoffs(seed, start_year, dates.regular_end + timedelta(days=2), regular, strengths)
    games = tuple(preseason + regular + playoff)
    by_date: dict[date, list[ScheduledGame]] = {}
    for game in games:
        by_date.setdefault(game.game_date, []).append(game)
    for day_games in by_date.values():
        day_games.sort(key=lambda g: (g.start_utc, g.id))
    return SeasonCalendar(start_year, dates, games, {g.id: g for g in games},
                          {d: tuple(v) for d, v in by_date.items()}, playoff[-1].game_date, series)


def games_on(day: date, seed: int = 0) -> tuple[ScheduledGame, ...]:
    if not FIRST_DATE <= day <= LAST_DATE:
        return ()
    start_year = season_start_year(day)
    if start_year not in _SEASON_DATES:
        return ()
    return season_calendar(start_year, seed).by_date.get(day, ())


def find_game(game_id: int, seed: int = 0) -> ScheduledGame | None:
    start_year = game_id // 1_000_000
    if start_year not in _SEASON_DATES:
        return None
    return season_calendar(start_year, seed).by_id.get(game_id)


def calendar_for_date(day: date, seed: int = 0) -> SeasonCalendar:
    """The season whose dates the schedule endpoint reports for ``day`` (nearest supported season)."""
    start_year = min(max(season_start_year(day), SEASONS[0]), SEASONS[-1])
    return season_calendar(start_year, seed)
