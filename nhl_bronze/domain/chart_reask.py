"""When a game stored without its shift chart is asked for it again: daily at first, then weekly, then never.

The stats API publishes some charts late, some empty at first, some never. A game stored without one has no ice
time; re-running its date once the chart is out adds a new history version with ice time. The rule bounds the
cost: every day for the first ``DAILY_DAYS`` days after the game, then once a week (on the game's weekday) until
the end of its season, then not any more (the game is still listed by ``status`` and ``verify``).
Stateless: whether a date is due depends only on the game's date and today, so a sensor needs no memory of it.
"""

from __future__ import annotations

from datetime import date, timedelta

DAILY_DAYS = 14
WEEKLY_DAYS = 7
SEASON_END_MONTH_DAY = (6, 30)  # the last playoff games are played by late June


def season_end(game_date: date) -> date:
    """June 30 closing the season a game of ``game_date`` belongs to (seasons run from the autumn to June)."""
    first_year = game_date.year if game_date.month > SEASON_END_MONTH_DAY[0] else game_date.year - 1
    return date(first_year + 1, *SEASON_END_MONTH_DAY)


def chart_reask_due(game_date: date, today: date) -> bool:
    """Is the shift chart of a game of ``game_date`` asked for again on ``today``?"""
    age = (today - game_date).days
    if age < 1:
        return False  # the game's own day: the normal run fetches it
    if age <= DAILY_DAYS:
        return True
    return today <= season_end(game_date) and (age - DAILY_DAYS) % WEEKLY_DAYS == 0


def next_chart_reask(game_date: date, today: date) -> date | None:
    """The first day from ``today`` on when the chart is asked for again; None once the rule has given up."""
    last = max(game_date + timedelta(days=DAILY_DAYS), season_end(game_date))
    day = today
    while day <= last:
        if chart_reask_due(game_date, day):
            return day
        day += timedelta(days=1)
    return None


def reask_window_start(today: date) -> date:
    """The earliest game date that can still be due on ``today`` (the scan window of the sensor)."""
    season_start = date(season_end(today).year - 1, SEASON_END_MONTH_DAY[0] + 1, 1)
    return min(today - timedelta(days=DAILY_DAYS), season_start)
