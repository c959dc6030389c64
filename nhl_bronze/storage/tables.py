"""The registry of every Delta table this project owns, and which of them are protected.

Protected tables are the system of record: they are created with ``delta.appendOnly=true`` and the storage
layer (``nhl_bronze.storage.delta``) refuses every operation that could remove a row from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhl_bronze.contract import GAMES_HISTORICAL_KEY, PLAYER_GAME_STATS_KEY
from nhl_bronze.domain.dates import GAME_DATE_COLUMN


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    partition_by: tuple[str, ...] = (GAME_DATE_COLUMN,)
    protected: bool = False


# History is partitioned by season, not by day (issue 12): with compaction a season is tens of files instead of
# one per day, so opening the log does not grow with every day of history. A merge still prunes to its window by
# the literal date range (per-file gameDate statistics); tables created by day are moved with
# ``nhl_bronze.protection.migrate.migrate_history_layout``.
HISTORY_PARTITION_BY = ("season",)
# Staging has history's layout (issue 11): a write of many dates is one file, not one per date. By date, a
# three-season rebuild wrote 2,008 files of ~300 rows, each paying deltalake's per-file cost (6.5 against 4.4
# CPU-s for the player table) and its writer held ~17 MB per date partition open. A window is still replaced
# exactly (the overwrite's date predicate, checked against every written row) and read by per-file gameDate
# statistics. A staging table created by date keeps that layout and works as before; to move it, delete it and
# rebuild it from the raw store (no API call). Not in place: deltalake 1.6 rebases a staging write committed
# during a layout-changing overwrite onto the new layout and leaves a table that no longer opens (seen here).
STAGING_PARTITION_BY = HISTORY_PARTITION_BY
PLAYER_GAME_STATS_STAGING = TableSpec(
    "bronze_player_game_stats_v2_staging", PLAYER_GAME_STATS_KEY, partition_by=STAGING_PARTITION_BY
)
GAMES_HISTORICAL_STAGING = TableSpec(
    "bronze_games_historical_v2_staging", GAMES_HISTORICAL_KEY, partition_by=STAGING_PARTITION_BY
)
PLAYER_GAME_STATS_HISTORY = TableSpec(
    "bronze_player_game_stats_v2", PLAYER_GAME_STATS_KEY, partition_by=HISTORY_PARTITION_BY, protected=True
)
GAMES_HISTORICAL_HISTORY = TableSpec(
    "bronze_games_historical_v2", GAMES_HISTORICAL_KEY, partition_by=HISTORY_PARTITION_BY, protected=True
)
SCHEDULE = TableSpec("bronze_schedule_2023_v2", ("GAME_ID",), partition_by=())
SKATERS = TableSpec("bronze_skaters_2023_v2", ("playerId", "team", "season", "situation"), partition_by=())
# The raw store's schedule answers, parsed once each (one row per game an answer lists): the derived schedule reads
# this instead of parsing every stored answer on every run. Derived, rebuildable from the raw store.
SCHEDULE_ENTRIES = TableSpec("bronze_schedule_entries", ("key", "fetched_at", "ordinal"), partition_by=())
# What the schedule contract set aside in those answers (a day that is not a date, a game id outside the NHL's
# range...), one row per item: kept beside the entries, shown by the derived schedule's check and by status.
SCHEDULE_QUARANTINE = TableSpec("bronze_schedule_quarantine", ("key", "fetched_at", "ordinal"), partition_by=())
# The running totals behind the skaters table (sums, rows summed, where each name came from) and the history
# version they reflect: a run adds only what history gained since. Derived, rebuildable from history.
SKATER_TOTALS = TableSpec("bronze_skater_totals", ("playerId", "team", "season", "situation"), partition_by=())
# Every API response body ever fetched: the input that lets staging be rebuilt offline after a parser change.
# Partitioned by endpoint too, so the schedule bodies (start times, upcoming games) are read without the rest.
RAW_API_RESPONSES = TableSpec(
    "raw_nhl_api_responses", ("endpoint", "key", "fetched_at"), partition_by=("endpoint", GAME_DATE_COLUMN),
    protected=True,
)

ALL_TABLES: tuple[TableSpec, ...] = (
    PLAYER_GAME_STATS_STAGING,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    GAMES_HISTORICAL_HISTORY,
    SCHEDULE,
    SKATERS,
    SCHEDULE_ENTRIES,
    SCHEDULE_QUARANTINE,
    SKATER_TOTALS,
    RAW_API_RESPONSES,
)
