"""The raw landing store: every API response body ever fetched, compressed and append-only.

It is what makes a parser change cheap: staging can be rebuilt for any range from these bodies with zero API
calls. Rows are keyed by endpoint, resource key (a date or a game id) and fetch time; a re-fetch adds a row and
readers take the newest body per (endpoint, key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, SCHEDULE_DAYS_PER_CALL, game_date_int, in_window
from nhl_bronze.storage.delta import DeltaStore, WriteResult
from nhl_bronze.storage.tables import RAW_API_RESPONSES

RAW_SCHEMA = pl.Schema(
    {
        "endpoint": pl.String,
        "key": pl.String,
        GAME_DATE_COLUMN: pl.Int32,
        "url": pl.String,
        "status": pl.Int32,
        "fetched_at": pl.Datetime("us", "UTC"),
        "body": pl.Binary,
    }
)


class RawResponseLike(Protocol):
    endpoint: str
    key: str
    game_date: date
    url: str
    status: int
    fetched_at: datetime
    body: bytes


@dataclass(frozen=True)
class StoredBodies:
    """The newest stored body of each resource needed to rebuild a window."""

    schedules: list[bytes]  # newest fetch first: for a day covered by several weeks, the newest answer wins
    game_bodies: dict[tuple[str, int], bytes]  # (endpoint, game id) -> body


class RawResponseStore:
    def __init__(self, store: DeltaStore):
        self.store = store

    def record(self, responses: Iterable[RawResponseLike]) -> WriteResult:
        frame = pl.DataFrame(
            [
                (r.endpoint, r.key, game_date_int(r.game_date), r.url, r.status, r.fetched_at, r.body)
                for r in responses
            ],
            schema=RAW_SCHEMA,
            orient="row",
        )
        return self.store.append(RAW_API_RESPONSES, frame, compress=True)

    def newest_bodies(self, start: date, end: date) -> StoredBodies:
        """Bodies for ``[start, end)``: schedules requested up to 6 days earlier still cover ``start``."""
        if not self.store.exists(RAW_API_RESPONSES):
            return StoredBodies([], {})
        first_request = start - timedelta(days=SCHEDULE_DAYS_PER_CALL - 1)
        newest = (
            self.store.scan(RAW_API_RESPONSES)
            .filter(
                in_window(first_request, end),
                pl.col("status") == 200,
            )
            .sort("fetched_at")
            .group_by("endpoint", "key", maintain_order=True)
            .last()
            .select("endpoint", "key", GAME_DATE_COLUMN, "fetched_at", "body")
            .collect()
        )
        schedules = [
            body
            for endpoint, *_, body in newest.sort("fetched_at", descending=True).iter_rows()
            if endpoint == "schedule"
        ]
        games = {
            (endpoint, int(key)): body
            for endpoint, key, game_date, _, body in newest.iter_rows()
            if endpoint != "schedule" and game_date_int(start) <= game_date < game_date_int(end)
        }
        return StoredBodies(schedules, games)

    def all_schedule_bodies(self) -> list[tuple[date, bytes]]:
        """The newest body of every stored schedule request, oldest request date first."""
        if not self.store.exists(RAW_API_RESPONSES):
            return []
        newest = (
            self.store.scan(RAW_API_RESPONSES)
            .filter(pl.col("endpoint") == "schedule", pl.col("status") == 200)
            .sort("fetched_at")
            .group_by("key", maintain_order=True)
            .last()
            .select("key", "body")
            .collect()
        )
        return sorted((date.fromisoformat(key), body) for key, body in newest.iter_rows())
