"""The raw landing store: every API response body ever fetched, compressed and append-only.

It is what makes a parser change cheap: staging can be rebuilt for any range from these bodies with zero API
calls. Rows are keyed by endpoint, resource key (a date or a game id) and fetch time; readers take the newest
body per (endpoint, key).

A body is landed only when it differs from the latest landed body of its (endpoint, key) (``body_sha256``), so
the store grows with new content, not with re-runs: a daily run that re-fetches three days of unchanged games
lands nothing for them, and the latest landed body is still the latest body the API returned. Rows landed
before the hash column existed read ``body_sha256`` null; their hash is computed from their body when needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, SCHEDULE_DAYS_PER_CALL, game_date_int, in_window
from nhl_bronze.storage.delta import DeltaStore, WriteResult
from nhl_bronze.storage.files import date_ranges, meets
from nhl_bronze.storage.tables import RAW_API_RESPONSES

if TYPE_CHECKING:
    from deltalake import DeltaTable

RAW_SCHEMA = pl.Schema(
    {
        "endpoint": pl.String,
        "key": pl.String,
        GAME_DATE_COLUMN: pl.Int32,
        "url": pl.String,
        "status": pl.Int32,
        "fetched_at": pl.Datetime("us", "UTC"),
        "body": pl.Binary,
        "body_sha256": pl.String,
    }
)
BODY_SHA256 = "body_sha256"
_RESOURCE = ("endpoint", "key")


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


def response_frame(responses: Iterable[RawResponseLike]) -> pl.DataFrame:
    """Responses as raw store rows (``RAW_SCHEMA``), each with its body's SHA-256."""
    return pl.DataFrame(
        [
            (r.endpoint, r.key, game_date_int(r.game_date), r.url, r.status, r.fetched_at, r.body,
             hashlib.sha256(r.body).hexdigest())
            for r in responses
        ],
        schema=RAW_SCHEMA,
        orient="row",
    )


class RawResponseStore:
    def __init__(self, store: DeltaStore):
        self.store = store

    def record(self, responses: Iterable[RawResponseLike]) -> WriteResult:
        frame = self._new_content(response_frame(responses))
        return self.store.append(RAW_API_RESPONSES, frame, compress=True)

    def _new_content(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The rows whose (status, body) differs from the one landed just before for the same (endpoint, key),
        looking first at the store's latest row and then at the earlier rows of this batch."""
        if frame.is_empty():
            return frame
        compared = ["status", BODY_SHA256]
        landed = self._latest_landed(frame).select(*_RESOURCE, *compared, pl.lit(-1, pl.Int64).alias("_order"))
        batch = frame.sort("fetched_at").with_row_index("_order").with_columns(pl.col("_order").cast(pl.Int64))
        sequence = pl.concat([landed, batch.select(landed.columns)]).sort("_order")
        previous = [pl.col(c).shift(1).over(_RESOURCE, order_by="_order") for c in compared]
        changed = sequence.filter(
            pl.col("_order") >= 0,
            pl.any_horizontal(pl.col(c).ne_missing(p) for c, p in zip(compared, previous, strict=True)),
        )
        return batch.join(changed.select("_order"), on="_order", how="semi").drop("_order")

    def _latest_landed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Status and body hash of the latest landed row of each (endpoint, key) in ``frame``; read from the
        partitions of the frame's endpoints and dates only, and without the bodies (except for rows landed before
        the hash column existed)."""
        empty = pl.DataFrame(schema={"endpoint": pl.String, "key": pl.String, "status": pl.Int32,
                                     BODY_SHA256: pl.String})
        if not self.store.exists(RAW_API_RESPONSES):
            return empty
        rows = self.store.scan(RAW_API_RESPONSES).filter(
            pl.col("endpoint").is_in(frame["endpoint"].unique().implode()),
            pl.col(GAME_DATE_COLUMN).is_in(frame[GAME_DATE_COLUMN].unique().implode()),
            pl.col("key").is_in(frame["key"].unique().implode()),
        )
        hashed = BODY_SHA256 in rows.collect_schema()
        latest = (
            rows.select(*_RESOURCE, "fetched_at", "status",
                        pl.col(BODY_SHA256) if hashed else pl.lit(None, pl.String).alias(BODY_SHA256))
            .sort("fetched_at")
            .group_by(_RESOURCE, maintain_order=True)
            .last()
            .collect()
        )
        unhashed = latest.filter(pl.col(BODY_SHA256).is_null())
        if unhashed.is_empty():
            return latest.select(empty.columns)
        bodies = rows.join(unhashed.lazy().select(*_RESOURCE, "fetched_at"), on=[*_RESOURCE, "fetched_at"]).select(
            *_RESOURCE, "fetched_at", "body").collect()
        computed = bodies.select(
            *_RESOURCE, "fetched_at",
            pl.Series(BODY_SHA256, [hashlib.sha256(b).hexdigest() for b in bodies["body"]], pl.String),
        )
        return (
            latest.join(computed, on=[*_RESOURCE, "fetched_at"], how="left", suffix="_computed")
            .with_columns(pl.coalesce(BODY_SHA256, f"{BODY_SHA256}_computed").alias(BODY_SHA256))
            .select(empty.columns)
        )

    def snapshot(self) -> DeltaTable | None:
        """The store's current version, to read many windows from one opening of the log (a rebuild reads ~150
        weeks: re-opening the log for each cost more than reading the week's small files)."""
        return self.store.table_if_exists(RAW_API_RESPONSES)

    def newest_bodies(self, start: date, end: date, snapshot: DeltaTable | None = None) -> StoredBodies:
        """Bodies for ``[start, end)``: schedules requested up to 6 days earlier still cover ``start``.

        Read from ``snapshot`` when given (``snapshot()``), else from the current version. Only the files of the
        window's partitions are opened (picked from the log, not by listing every partition), and the newest row
        of each (endpoint, key) is chosen on the small columns before any body is copied.
        """
        snapshot = snapshot if snapshot is not None else self.snapshot()
        if snapshot is None:
            return StoredBodies([], {})
        first_request = start - timedelta(days=SCHEDULE_DAYS_PER_CALL - 1)
        files = _window_files(snapshot, game_date_int(first_request), game_date_int(start), game_date_int(end))
        rows = (
            self.store.scan_table(snapshot, only_files=files)
            .filter(in_window(first_request, end), pl.col("status") == 200)
            .select("endpoint", "key", GAME_DATE_COLUMN, "fetched_at", "body")
            .collect()
        )
        newest = (
            rows.select(pl.exclude("body")).with_row_index("_row")
            .sort("fetched_at").group_by("endpoint", "key", maintain_order=True).last()
        )
        is_schedule = pl.col("endpoint") == "schedule"
        schedules = newest.filter(is_schedule).sort("fetched_at", descending=True)
        games = newest.filter(~is_schedule, in_window(start, end))
        return StoredBodies(
            rows["body"].gather(schedules["_row"]).to_list(),
            dict(zip(zip(games["endpoint"].to_list(), games["key"].cast(pl.Int64).to_list(), strict=True),
                     rows["body"].gather(games["_row"]).to_list(), strict=True)),
        )

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


def _window_files(snapshot: DeltaTable, first_request: int, start: int, end: int) -> list[str]:
    """The data files of the schedule partitions of ``[first_request, end)`` and the game partitions of
    ``[start, end)`` (``gameDate`` as integers), from the log's partition values."""
    dated = date_ranges(snapshot)
    if dated.is_empty():
        return []
    return dated.filter(
        pl.when(pl.col("partition.endpoint") == "schedule").then(meets(first_request, end))
        .otherwise(meets(start, end))
    )["path"].to_list()
