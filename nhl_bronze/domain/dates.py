"""Game dates: their integer encoding in the tables, ``[start, end)`` windows, and how windows are split."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import polars as pl

GAME_DATE_COLUMN = "gameDate"
# The default first partition (the tables' names say 2023); a deployment sets its own with
# NHL_BRONZE_FIRST_GAME_DATE (``settings.first_game_date``), as early as 2010-10-07.
FIRST_GAME_DATE = "2023-10-01"
# Partition D holds the games the NHL dates D, which is a US Eastern date whatever the machine's timezone.
NHL_TIMEZONE = "America/New_York"
SCHEDULE_DAYS_PER_CALL = 7  # /v1/schedule/{date} answers the week starting at date


def game_date_int(day: date) -> int:
    """The tables' ``gameDate`` encoding: 2024-10-04 -> 20241004 (the old system's column type)."""
    return day.year * 10_000 + day.month * 100 + day.day


def date_of_game_date_int(value: int) -> date:
    return date(value // 10_000, value // 100 % 100, value % 100)


def game_date_of(column: str = GAME_DATE_COLUMN) -> pl.Expr:
    """Polars: the ``gameDate`` integer encoding back to a date (20241004 -> 2024-10-04)."""
    return pl.col(column).cast(pl.String).str.to_date("%Y%m%d")


def in_window(start: date, end: date, column: str = GAME_DATE_COLUMN) -> pl.Expr:
    """Polars filter for game dates in ``[start, end)``."""
    return pl.col(column).is_between(game_date_int(start), game_date_int(end), closed="left")


def window_predicate(start: date, end: date, alias: str | None = None) -> str:
    """A literal ``[start, end)`` SQL predicate on gameDate: delta-rs prunes files only on literals."""
    column = f"{alias}.{GAME_DATE_COLUMN}" if alias else GAME_DATE_COLUMN
    return f"{column} >= {game_date_int(start)} AND {column} < {game_date_int(end)}"


def window_dates(start: date, end: date) -> list[date]:
    """Dates of ``[start, end)``."""
    return [start + timedelta(days=n) for n in range((end - start).days)]


def chunk_window(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    """``[start, end)`` cut into consecutive windows of at most ``days`` days."""
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, chunk_start + timedelta(days=days))
        yield chunk_start, chunk_end
        chunk_start = chunk_end


def contiguous_windows(start: date, end: date, excluded: set[date]) -> Iterator[tuple[date, date]]:
    """The maximal ``[a, b)`` runs of ``[start, end)`` that contain no excluded date."""
    run_start: date | None = None
    day = start
    while day < end:
        if day in excluded:
            if run_start is not None:
                yield run_start, day
            run_start = None
        elif run_start is None:
            run_start = day
        day += timedelta(days=1)
    if run_start is not None:
        yield run_start, end


def schedule_call_dates(needed: list[date]) -> list[date]:
    """Start dates of the week-long schedule calls covering ``needed`` (sorted): one call per 7 days at most."""
    starts: list[date] = []
    for day in sorted(needed):
        if not starts or day >= starts[-1] + timedelta(days=SCHEDULE_DAYS_PER_CALL):
            starts.append(day)
    return starts
