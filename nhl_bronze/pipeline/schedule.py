"""The NHL schedule as landed in the raw store: fetched by one asset, read by the sensor and the derived schedule.

``land_schedule`` asks the API for the recent and upcoming weeks, and for a few of the older dates no stored
answer covers yet (newest first, until every date since the first partition is covered); every answer lands in
the raw store (``ApiSource``). Readers (``stored_schedule_bodies``, ``stored_final_games``) never call the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from nhl_bronze.client.window import plan_window
from nhl_bronze.domain.dates import (
    FIRST_GAME_DATE,
    GAME_DATE_COLUMN,
    SCHEDULE_DAYS_PER_CALL,
    contiguous_windows,
    date_of_game_date_int,
    in_window,
    window_dates,
)
from nhl_bronze.pipeline.source import ApiSource
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES

DEFAULT_FIRST_DATE = date.fromisoformat(FIRST_GAME_DATE)


@dataclass(frozen=True)
class ScheduleLanding:
    refreshed: tuple[date, date]  # [start, end) asked again on every landing
    backfilled_dates: int  # older dates no stored answer covered, asked once
    api_calls: int
    quarantined: list[str]  # items of the landed answers that break the schedule contract, each named


def stored_schedule_bodies(store: DeltaStore, start: date | None = None, end: date | None = None) -> list[dict]:
    """The newest stored answer of every schedule request covering ``[start, end)`` (all when no window),
    newest fetch first: for a day covered by several requests, the newest answer wins."""
    if not store.exists(RAW_API_RESPONSES):
        return []
    schedules = store.scan(RAW_API_RESPONSES).filter(pl.col("endpoint") == "schedule", pl.col("status") == 200)
    if start is not None and end is not None:
        # A request dated up to 6 days before ``start`` still covers it.
        schedules = schedules.filter(in_window(start - timedelta(days=SCHEDULE_DAYS_PER_CALL - 1), end))
    newest = (
        schedules.sort("fetched_at").group_by("key", maintain_order=True).last()
        .sort("fetched_at", descending=True).select("body").collect()
    )
    return [json.loads(body) for body in newest["body"]]


def stored_final_games(store: DeltaStore, start: date, end: date) -> dict[date, list[int]]:
    """Each date of ``[start, end)`` a stored schedule answer covers -> its final (fetchable) game ids."""
    plan = plan_window(window_dates(start, end), stored_schedule_bodies(store, start, end))
    finals: dict[date, list[int]] = {day: [] for day, games in plan.schedule_games.items() if games}
    for day, game in plan.to_fetch:
        finals.setdefault(day, []).append(game["id"])
    return {day: sorted(ids) for day, ids in finals.items()}


def covered_dates(store: DeltaStore) -> set[date]:
    """Dates some stored schedule request answered (a request dated D covers D .. D+6)."""
    if not store.exists(RAW_API_RESPONSES):
        return set()
    requested = (store.scan(RAW_API_RESPONSES).filter(pl.col("endpoint") == "schedule", pl.col("status") == 200)
                 .select(pl.col(GAME_DATE_COLUMN).unique()).collect()[GAME_DATE_COLUMN])
    return {date_of_game_date_int(v) + timedelta(days=n) for v in requested for n in range(SCHEDULE_DAYS_PER_CALL)}


def land_schedule(source: ApiSource, store: DeltaStore, today: date, recent_days: int, upcoming_days: int,
                  backfill_days: int, first_date: date = DEFAULT_FIRST_DATE) -> ScheduleLanding:
    """Land the schedule of ``[today - recent_days, today + upcoming_days]``, and of the ``backfill_days`` newest
    older dates no stored answer covers yet (so that, landing after landing, every date since the first partition,
    ``first_date``, gets covered without a burst of calls)."""
    refresh_start = max(first_date, today - timedelta(days=recent_days))
    refresh_end = today + timedelta(days=upcoming_days + 1)
    covered = covered_dates(store)
    uncovered = [day for day in reversed(window_dates(first_date, refresh_start)) if day not in covered]
    backfill = set(uncovered[:backfill_days])
    source.schedule_games(refresh_start, refresh_end)
    if backfill:
        for start, end in contiguous_windows(min(backfill), max(backfill) + timedelta(days=1),
                                             set(window_dates(min(backfill), max(backfill))) - backfill):
            source.schedule_games(start, end)
    return ScheduleLanding((refresh_start, refresh_end), len(backfill), source.api_calls,
                           list(source.schedule_problems))
