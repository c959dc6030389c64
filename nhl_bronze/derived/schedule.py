"""``bronze_schedule_2023_v2``: completed games (from history) plus upcoming games (from the schedule API).

Pure functions over polars frames; the asset does the reading and writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from nhl_bronze.contract import SCHEDULE_SCHEMA
from nhl_bronze.domain.dates import game_date_of
from nhl_bronze.domain.games import FETCHED_GAME_TYPES

_ENTRY_SCHEMA = pl.Schema(
    {
        "GAME_ID": pl.Int32,
        "gameType": pl.Int32,
        "gameScheduleState": pl.String,
        "DATE": pl.Date,
        "startTimeUTC": pl.String,
        "easternUTCOffset": pl.String,
        "venueUTCOffset": pl.String,
        "AWAY": pl.String,
        "HOME": pl.String,
    }
)


def schedule_entries(schedule_bodies: Iterable[dict]) -> pl.DataFrame:
    """One row per game of ``/v1/schedule`` bodies given oldest first; a later body's entry wins."""
    rows = [
        (
            game["id"],
            game.get("gameType"),
            game.get("gameScheduleState", "OK"),
            date.fromisoformat(day["date"]),
            game.get("startTimeUTC"),
            game.get("easternUTCOffset"),
            game.get("venueUTCOffset"),
            game.get("awayTeam", {}).get("abbrev"),
            game.get("homeTeam", {}).get("abbrev"),
        )
        for body in schedule_bodies
        for day in body.get("gameWeek", [])
        for game in day.get("games", [])
    ]
    entries = pl.DataFrame(rows, schema=_ENTRY_SCHEMA, orient="row")
    return entries.unique("GAME_ID", keep="last", maintain_order=True)


def _clock(utc: pl.Expr, offset: pl.Expr) -> pl.Expr:
    """'7:00 PM' wall-clock time of a UTC instant at an offset like '-04:00'."""
    sign = pl.when(offset.str.slice(0, 1) == "-").then(-1).otherwise(1)
    minutes = sign * (offset.str.slice(1, 2).cast(pl.Int64) * 60 + offset.str.slice(4, 2).cast(pl.Int64))
    local = utc + pl.duration(minutes=minutes)
    return local.dt.strftime("%-I:%M %p")


def build_schedule(
    completed: pl.DataFrame, entries: pl.DataFrame, upcoming_from: date, upcoming_through: date
) -> pl.DataFrame:
    """Completed games (``completed``: gameId, gameDate, team, home_or_away of latest history) plus the
    regular-season and playoff games scheduled in ``[upcoming_from, upcoming_through]``; one row per game."""
    past = (
        completed.group_by("gameId", "gameDate")
        .agg(
            pl.col("team").filter(pl.col("home_or_away") == "AWAY").max().alias("AWAY"),
            pl.col("team").filter(pl.col("home_or_away") == "HOME").max().alias("HOME"),
        )
        .select(
            pl.col("gameId").cast(pl.Int32).alias("GAME_ID"),
            game_date_of().alias("DATE"),
            "AWAY",
            "HOME",
        )
    )
    upcoming = (
        entries.filter(
            pl.col("DATE").is_between(upcoming_from, upcoming_through),
            pl.col("gameType").is_in(sorted(FETCHED_GAME_TYPES)),
            pl.col("gameScheduleState") == "OK",
        )
        .join(past, on="GAME_ID", how="anti")
        .select("GAME_ID", "DATE", "AWAY", "HOME")
    )
    start_times = entries.select(
        "GAME_ID",
        pl.col("startTimeUTC").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC", strict=False).alias("utc"),
        "easternUTCOffset",
        "venueUTCOffset",
    )
    return (
        pl.concat([past, upcoming])
        .join(start_times, on="GAME_ID", how="left")
        .with_columns(
            pl.col("DATE").dt.strftime("%a.").alias("DAY"),
            _clock(pl.col("utc"), pl.col("easternUTCOffset")).alias("EASTERN"),
            _clock(pl.col("utc"), pl.col("venueUTCOffset")).alias("LOCAL"),
        )
        .select(list(SCHEDULE_SCHEMA.names()))
        .cast(dict(SCHEDULE_SCHEMA))
        .sort("DATE", "GAME_ID")
    )
