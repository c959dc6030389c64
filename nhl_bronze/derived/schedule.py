"""``bronze_schedule_2023_v2``: completed games (from history) plus upcoming games (from the schedule API).

Pure functions over polars frames; the asset does the reading and writing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import polars as pl

from nhl_bronze.contract import SCHEDULE_SCHEMA
from nhl_bronze.domain.dates import game_date_of
from nhl_bronze.domain.games import FETCHED_GAME_TYPES, schedule_games_by_date
from nhl_bronze.domain.schedule_contract import ScheduleProblem, check_schedule

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


# Entries of stored schedule answers, one row per game listed in one answer: what the derived schedule keeps of
# the raw store's schedule bodies (parsed once per body instead of every body on every run).
BODY_ENTRY_SCHEMA = pl.Schema(
    {"key": pl.String, "fetched_at": pl.Datetime("us", "UTC"), "ordinal": pl.Int32, **_ENTRY_SCHEMA}
)


def _entry(day: date, game: dict) -> tuple:
    return (
        game["id"],
        game.get("gameType"),
        game.get("gameScheduleState", "OK"),
        day,
        game.get("startTimeUTC"),
        game.get("easternUTCOffset"),
        game.get("venueUTCOffset"),
        game.get("awayTeam", {}).get("abbrev"),
        game.get("homeTeam", {}).get("abbrev"),
    )


def _listed(body: dict) -> list[tuple]:
    # Quarantined days and games (``schedule_contract``) are left out: one bad answer in the append-only raw
    # store must not fail the derived schedule on every later run.
    return [_entry(day, game) for day, games in schedule_games_by_date(body).items() for game in games]


def schedule_entries(schedule_bodies: Iterable[dict]) -> pl.DataFrame:
    """One row per game of ``/v1/schedule`` bodies given oldest first; a later body's entry wins."""
    rows = [entry for body in schedule_bodies for entry in _listed(body)]
    entries = pl.DataFrame(rows, schema=_ENTRY_SCHEMA, orient="row")
    return entries.unique("GAME_ID", keep="last", maintain_order=True)


def body_entries(bodies: pl.DataFrame) -> pl.DataFrame:
    """``bodies`` (``key``, ``fetched_at``, JSON ``body`` of stored schedule answers) -> one row per listed game,
    tagged with the answer it came from and its position in it (``BODY_ENTRY_SCHEMA``)."""
    rows = [
        (key, fetched_at, ordinal, *entry)
        for key, fetched_at, body in bodies.select("key", "fetched_at", "body").iter_rows()
        for ordinal, entry in enumerate(_listed(_decoded(body)))
    ]
    return pl.DataFrame(rows, schema=BODY_ENTRY_SCHEMA, orient="row")


def _decoded(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:  # not JSON: lists no game (``body_problems`` names it)
        return {}


# What the schedule contract set aside in stored answers (``domain.schedule_contract``), one row per item.
QUARANTINE_SCHEMA = pl.Schema(
    {"key": pl.String, "fetched_at": pl.Datetime("us", "UTC"), "ordinal": pl.Int32, "day": pl.String,
     "game_id": pl.String, "field": pl.String, "value": pl.String, "problem": pl.String}
)


def body_problems(bodies: pl.DataFrame) -> pl.DataFrame:
    """``bodies`` as in ``body_entries`` -> one row per quarantined item of each answer (``QUARANTINE_SCHEMA``)."""
    rows = []
    for key, fetched_at, body in bodies.select("key", "fetched_at", "body").iter_rows():
        try:
            problems = check_schedule(json.loads(body)).problems
        except ValueError as error:  # stored before the client checked bodies: the whole answer is set aside
            problems = [ScheduleProblem("", "", "(answer)", f"{len(body)} bytes", f"not JSON: {error}")]
        rows += [(key, fetched_at, ordinal, p.day, p.game_id, p.field, p.value, p.problem)
                 for ordinal, p in enumerate(problems)]
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA, orient="row")


def quarantine_lines(quarantined: pl.DataFrame) -> list[str]:
    """One line per quarantined item: the endpoint, the answer (request date, fetch time) and the named problem."""
    return [
        f"schedule {row['key']} (fetched {row['fetched_at']:%Y-%m-%d %H:%M} UTC): "
        + ScheduleProblem(row["day"], row["game_id"], row["field"], row["value"], row["problem"]).describe()
        for row in quarantined.sort("key", "fetched_at", "ordinal").iter_rows(named=True)
    ]


def latest_answers(entries: pl.DataFrame) -> pl.DataFrame:
    """The entries of the newest stored answer of every schedule request (``key``): older answers to the same
    request are superseded, even for a game the newest answer no longer lists."""
    return entries.filter(pl.col("fetched_at") == pl.col("fetched_at").max().over("key"))


def newest_entries(entries: pl.DataFrame) -> pl.DataFrame:
    """``schedule_entries`` over body entries: among the newest answers of every request, the most recently
    fetched answer listing a game wins (ties between requests fetched at the same instant: the larger key)."""
    return (
        latest_answers(entries)
        .sort("fetched_at", "key", "ordinal")
        .unique("GAME_ID", keep="last", maintain_order=True)
        .select(list(_ENTRY_SCHEMA.names()))
    )


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
