"""The season calendar: preseason, the regular season, a 16-team best-of-seven bracket, for 2010-11 .. 2026-27.

Built once per (season, seed) and cached: the schedule/score endpoints and game lookups only read from it.
Dates are the real NHL dates where known (season starts and ends from ``domain.seasons``, breaks approximately);
results come from ``outcomes``. The eras a backfill meets: 30, 31 or 32 clubs (``league``); the 2012-13 lockout
(48 games from 2013-01-19, no preseason); 2019-20 paused from 2020-03-12 (the rest of its 82-game schedule never
played) and its bubble playoffs from 2020-08-01 (a best-of-five qualifying round of seeds 5-12, round 0, then the
bracket, games on consecutive days); 2020-21's 56 games from 2021-01-13. Playoffs that would run past the real
last playoff day are played every day instead of every other day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from nhl_bronze.domain.seasons import SEASONS as SEASONS_OF_RECORD
from nhl_bronze.simulator.league import Team, teams_for_season
from nhl_bronze.simulator.outcomes import Outcome, draw_outcome

FIRST_DATE = date(2010, 9, 18)
LAST_DATE = date(2027, 6, 30)


@dataclass(frozen=True)
class SeasonDates:
    preseason_start: date | None  # None: no preseason (2012-13, 2020-21)
    regular_start: date
    regular_end: date  # the scheduled end (2019-20: the end of the schedule the pause cut short)
    break_days: tuple[date, date] | None  # All-Star / international break, inclusive, no games
    paused_from: date | None = None  # no regular-season game from this date on (2019-20)
    playoff_start: date | None = None  # default: two days after the regular season
    bubble: bool = False  # 2020: a qualifying round, then every series on consecutive days
    last_playoff_day: date | None = None  # the real one: the simulated playoffs end by then

    @property
    def last_regular_day(self) -> date:
        """The last date with regular-season games (what the schedule endpoint reports)."""
        return self.paused_from - timedelta(days=1) if self.paused_from else self.regular_end


def _dates(start_year: int, preseason: bool = True, break_days: tuple[tuple[int, int, int], tuple[int, int, int]]
           | None = None, scheduled_end: date | None = None, **eras) -> SeasonDates:
    season = SEASONS_OF_RECORD[start_year]
    return SeasonDates(season.first_regular_day - timedelta(days=17) if preseason else None,
                       season.first_regular_day, scheduled_end or season.last_regular_day,
                       (date(*break_days[0]), date(*break_days[1])) if break_days else None,
                       last_playoff_day=season.last_playoff_day, **eras)


_SEASON_DATES = {
    2010: _dates(2010, break_days=((2011, 1, 28), (2011, 1, 31))),
    2011: _dates(2011, break_days=((2012, 1, 27), (2012, 1, 30))),
    2012: _dates(2012, preseason=False),
    2013: _dates(2013, break_days=((2014, 2, 9), (2014, 2, 25))),  # Sochi
    2014: _dates(2014, break_days=((2015, 1, 23), (2015, 1, 26))),
    2015: _dates(2015, break_days=((2016, 1, 29), (2016, 2, 1))),
    2016: _dates(2016, break_days=((2017, 1, 27), (2017, 1, 30))),
    2017: _dates(2017, break_days=((2018, 1, 26), (2018, 1, 29))),
    2018: _dates(2018, break_days=((2019, 1, 25), (2019, 1, 28))),
    2019: _dates(2019, break_days=((2020, 1, 24), (2020, 1, 27)), scheduled_end=date(2020, 4, 4),
                 paused_from=date(2020, 3, 12), playoff_start=date(2020, 8, 1), bubble=True),
    2020: _dates(2020, preseason=False),
    2021: _dates(2021, break_days=((2022, 2, 4), (2022, 2, 7))),
    2022: _dates(2022, break_days=((2023, 2, 2), (2023, 2, 6))),
    2023: SeasonDates(date(2023, 9, 23), date(2023, 10, 10), date(2024, 4, 18), (date(2024, 2, 1), date(2024, 2, 5))),
    2024: SeasonDates(date(2024, 9, 21), date(2024, 10, 4), date(2025, 4, 17), (date(2025, 2, 10), date(2025, 2, 19))),
    2025: SeasonDates(date(2025, 9, 20), date(2025, 10, 7), date(2026, 4, 16), (date(2026, 2, 6), date(2026, 2, 24))),
    2026: SeasonDates(date(2026, 9, 19), date(2026, 10, 6), date(2027, 4, 15), (date(2027, 2, 4), date(2027, 2, 8))),
}
SEASONS = tuple(_SEASON_DATES)

PRESEASON, REGULAR, PLAYOFF = 1, 2, 3
POSTPONED_PER_SEASON = 3


def games_per_club(start_year: int) -> int:
    """As scheduled: 48 in the 2012-13 lockout, 56 in 2020-21, else 82 (2019-20's 82 were cut by the pause)."""
    season = SEASONS_OF_RECORD.get(start_year)
    return season.games_per_club if season else 82


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


def _circulant_pairs(clubs: int, games: int) -> list[tuple[int, int]]:
    """(away, home) slot pairs for ``clubs`` clubs of ``games`` games each, half at home: slot i hosts slot i+k for
    every offset k, so each offset gives every club one home and one away game. Everyone meets everyone home and
    away as often as the season allows, the rest against the nearest slots (division mates sit side by side)."""
    home_games = games // 2
    offsets: list[int] = []
    while len(offsets) + clubs - 1 <= home_games:
        offsets += range(1, clubs)
    nearest = [k for distance in range(1, clubs) for k in (distance, clubs - distance)]
    offsets += nearest[:home_games - len(offsets)]
    return [((i + k) % clubs, i) for i in range(clubs) for k in offsets]


def _season_pairs(clubs: int, games: int) -> list[tuple[int, int]]:
    if (clubs, games) == (32, 82):
        return _regular_season_pairs()
    return _circulant_pairs(clubs, games)


def _preseason_pairs(clubs: int = 32) -> list[tuple[int, int]]:
    # 6 games each (3 home, 3 away), mostly against geographic neighbours (nearby slots).
    return [((i + offset) % clubs, i) for i in range(clubs) for offset in (1, 2, 3)]


def _days(first: date, last: date, excluded: set[date]) -> list[date]:
    out, day = [], first
    while day <= last:
        if day not in excluded:
            out.append(day)
        day += timedelta(days=1)
    return out


def _strengths(start_year: int, seed: int) -> list[float]:
    rng = random.Random(f"strength:{seed}:{start_year}")
    return [rng.uniform(-0.45, 0.45) for _ in range(len(teams_for_season(start_year)))]


def _schedule_block(rng: random.Random, start_year: int, game_type: int, pairs, days) -> list[tuple]:
    teams = teams_for_season(start_year)
    rows = []
    for away, home, day in _place_on_days(rng, pairs, days):
        start = _local_start(teams[home], day, _start_hour(rng, day))
        rows.append((day, start, teams[home].abbrev, away, home))
    rows.sort()
    return rows


def _standings(games: list[ScheduledGame], clubs: int) -> dict[int, tuple[int, int]]:
    table = {slot: [0, 0] for slot in range(clubs)}  # points, regulation+OT wins
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


def _series(seed: int, start_year: int, teams, strengths: list[float], round_number: int, series_number: int,
            high: int, low: int, first_day: date, spacing: int, series_index: int,
            wins_needed: int = 4) -> tuple[list[ScheduledGame], int, date]:
    """One series: 2-2-1-1-1 home pattern (best of five: 2-2-1). Games every ``spacing`` days, the odd series of
    a round a day later when they are every other day."""
    hosts_high = (1, 2, 5, 7) if wins_needed == 4 else (1, 2, 5)
    rng = random.Random(f"series:{seed}:{start_year}:{round_number}:{series_number}")
    wins = {high: 0, low: 0}
    games: list[ScheduledGame] = []
    game_number = 0
    last_day = first_day
    while max(wins.values()) < wins_needed:
        game_number += 1
        host, guest = (high, low) if game_number in hosts_high else (low, high)
        offset = series_index % 2 + 2 * (game_number - 1) if spacing == 2 else game_number - 1
        day = first_day + timedelta(days=offset)
        last_day = max(last_day, day)
        game_id = start_year * 1_000_000 + PLAYOFF * 10_000 + round_number * 100 + series_number * 10 + game_number
        game_rng = random.Random(f"outline:{seed}:{game_id}")
        outcome = draw_outcome(game_rng, True, strengths[guest], strengths[host])
        high_wins = rng.random() < 0.56 + (strengths[high] - strengths[low]) / 3
        if (outcome.home_won == (host == high)) != high_wins:
            outcome = outcome.swapped()
        wins[high if high_wins else low] += 1
        start = _local_start(teams[host], day, 19 if day.weekday() < 5 else rng.choice((15, 19, 20)))
        games.append(ScheduledGame(game_id, start_year, PLAYOFF, day, start, teams[guest], teams[host],
                                   guest, host, outcome))
    return games, (high if wins[high] == wins_needed else low), last_day


# The longest a bracket takes with games every other day: four rounds of seven games, two days between rounds.
_LONGEST_BRACKET_DAYS = 58


def _playoffs(seed: int, start_year: int, first_day: date, regular: list[ScheduledGame], strengths: list[float],
              dates: SeasonDates):
    """Top 8 per conference by points, 1v8 2v7 3v6 4v5, re-bracketed by position; 2-2-1-1-1 home pattern.

    In the 2020 bubble, the top 12 per conference play: seeds 5-12 a best-of-five qualifying round (round 0)."""
    teams = teams_for_season(start_year)
    table = _standings(regular, len(teams))
    entrants = 12 if dates.bubble else 8
    seeds = {}
    for conference in ("E", "W"):
        slots = [slot for slot, team in enumerate(teams) if team.conference == conference]
        seeds[conference] = sorted(slots, key=lambda s: (-table[s][0], -table[s][1], s))[:entrants]
    spacing = 2
    if dates.bubble or (dates.last_playoff_day
                        and first_day + timedelta(days=_LONGEST_BRACKET_DAYS) > dates.last_playoff_day):
        spacing = 1

    games: list[ScheduledGame] = []
    series_log = []
    round_start = first_day
    if dates.bubble:
        last_day = round_start
        for conference_index, conference in enumerate(("E", "W")):
            r = seeds[conference]
            qualifiers = []
            for index, (high, low) in enumerate(((r[4], r[11]), (r[5], r[10]), (r[6], r[9]), (r[7], r[8]))):
                series_number = conference_index * 4 + index + 1
                played, winner, end = _series(seed, start_year, teams, strengths, 0, series_number, high, low,
                                              round_start, spacing, index, wins_needed=3)
                games += played
                series_log.append((0, series_number, high, low, winner))
                qualifiers.append(winner)
                last_day = max(last_day, end)
            seeds[conference] = r[:4] + sorted(qualifiers, key=r.index)
        round_start = last_day + timedelta(days=2)

    # Round 1 series numbering: East 1-4, West 5-8 (the real bracket letters A-H).
    bracket = []
    for conference in ("E", "W"):
        r = seeds[conference]
        bracket += [(r[0], r[7]), (r[3], r[4]), (r[1], r[6]), (r[2], r[5])]
    rank = {slot: i for conference in seeds.values() for i, slot in enumerate(conference)}
    for round_number in range(1, 5):
        winners = []
        last_day = round_start
        for series_index, (a, b) in enumerate(bracket):
            high, low = (a, b) if (rank[a], a) < (rank[b], b) else (b, a)
            series_number = series_index + 1
            played, winner, end = _series(seed, start_year, teams, strengths, round_number, series_number, high,
                                          low, round_start, spacing, series_index)
            games += played
            last_day = max(last_day, end)
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

    preseason = []
    if dates.preseason_start is not None:
        preseason_days = _days(dates.preseason_start, dates.regular_start - timedelta(days=1), set())
        for number, (day, start, _, away, home) in enumerate(
                _schedule_block(rng, start_year, PRESEASON, _preseason_pairs(len(teams)), preseason_days), start=1):
            game_id = start_year * 1_000_000 + PRESEASON * 10_000 + number
            outcome = draw_outcome(random.Random(f"outline:{seed}:{game_id}"), False, strengths[away],
                                   strengths[home])
            preseason.append(ScheduledGame(game_id, start_year, PRESEASON, day, start, teams[away], teams[home],
                                           away, home, outcome))

    excluded = set(_days(*dates.break_days, set())) if dates.break_days else set()
    excluded |= {date(start_year, 12, 24), date(start_year, 12, 25), date(start_year, 12, 26)}
    regular_days = _days(dates.regular_start, dates.regular_end, excluded)
    rows = _schedule_block(rng, start_year, REGULAR, _season_pairs(len(teams), games_per_club(start_year)),
                           regular_days)
    if dates.paused_from is not None:
        # The games scheduled after the pause were never played: the league took them off the schedule.
        rows = [row for row in rows if row[0] < dates.paused_from]
    regular = []
    for number, (day, start, _, away, home) in enumerate(rows, start=1):
        game_id = start_year * 1_000_000 + REGULAR * 10_000 + number
        outcome = draw_outcome(random.Random(f"outline:{seed}:{game_id}"), False, strengths[away], strengths[home])
        regular.append(ScheduledGame(game_id, start_year, REGULAR, day, start, teams[away], teams[home], away, home,
                                     outcome))
    # A few games are postponed (weather, arena issues): listed as PPD on their date and never played there.
    for index in rng.sample(range(100, len(regular) - 100), POSTPONED_PER_SEASON):
        regular[index] = replace(regular[index], postponed=True)

    first_playoff_day = dates.playoff_start or dates.regular_end + timedelta(days=2)
    playoff, series = _playoffs(seed, start_year, first_playoff_day, regular, strengths, dates)
    games = tuple(preseason + regular + playoff)
    by_date: dict[date, list[ScheduledGame]] = {}
    for game in games:
        by_date.setdefault(game.game_date, []).append(game)
    for day_games in by_date.values():
        day_games.sort(key=lambda g: (g.start_utc, g.id))
    return SeasonCalendar(start_year, dates, games, {g.id: g for g in games},
                          {d: tuple(v) for d, v in by_date.items()}, playoff[-1].game_date, series)


def _start_years(day: date) -> tuple[int, ...]:
    """The seasons with games on ``day``: its own, and in late summer 2020 the bubble playoffs of 2019-20."""
    start_year = season_start_year(day)
    previous = _SEASON_DATES.get(start_year - 1)
    if previous is not None and previous.bubble and day.month < 11:
        return start_year, start_year - 1
    return (start_year,)


def games_on(day: date, seed: int = 0) -> tuple[ScheduledGame, ...]:
    if not FIRST_DATE <= day <= LAST_DATE:
        return ()
    games: tuple[ScheduledGame, ...] = ()
    for start_year in _start_years(day):
        if start_year in _SEASON_DATES:
            games += season_calendar(start_year, seed).by_date.get(day, ())
    return games


def find_game(game_id: int, seed: int = 0) -> ScheduledGame | None:
    start_year = game_id // 1_000_000
    if start_year not in _SEASON_DATES:
        return None
    return season_calendar(start_year, seed).by_id.get(game_id)


def calendar_for_date(day: date, seed: int = 0) -> SeasonCalendar:
    """The season whose dates the schedule endpoint reports for ``day`` (nearest supported season)."""
    start_years = _start_years(day)
    start_year = start_years[-1] if len(start_years) > 1 and season_calendar(start_years[-1], seed).playoff_end \
        >= day else start_years[0]
    start_year = min(max(start_year, SEASONS[0]), SEASONS[-1])
    return season_calendar(start_year, seed)
