"""Which columns each bronze table must have (the column contract plus history's lineage columns)."""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import (
    GAMES_HISTORICAL_COLUMNS,
    PLAYER_GAME_STATS_COLUMNS,
    SCHEDULE_COLUMNS,
    SKATERS_COLUMNS,
    Column,
)
from nhl_bronze.storage.history import INGESTED_AT, ROW_HASH, RUN_ID, VERSION
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    SCHEDULE,
    SKATERS,
    TableSpec,
)

# The tables that hold versions of rows (``_version``), read through ``latest_versions``.
HISTORY_TABLES: tuple[TableSpec, ...] = (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY)

HISTORY_LINEAGE_COLUMNS: tuple[Column, ...] = (
    Column(INGESTED_AT, pl.Datetime("us", "UTC"), nullable=False),
    Column(RUN_ID, pl.String, nullable=False),
    Column(ROW_HASH, pl.String, nullable=False),
    Column(VERSION, pl.Int32, nullable=False),
)

_CONTRACTS: dict[str, tuple[Column, ...]] = {
    PLAYER_GAME_STATS_STAGING.name: PLAYER_GAME_STATS_COLUMNS,
    GAMES_HISTORICAL_STAGING.name: GAMES_HISTORICAL_COLUMNS,
    PLAYER_GAME_STATS_HISTORY.name: PLAYER_GAME_STATS_COLUMNS + HISTORY_LINEAGE_COLUMNS,
    GAMES_HISTORICAL_HISTORY.name: GAMES_HISTORICAL_COLUMNS + HISTORY_LINEAGE_COLUMNS,
    SCHEDULE.name: SCHEDULE_COLUMNS,
    SKATERS.name: SKATERS_COLUMNS,
}


def contract_columns(spec: TableSpec) -> tuple[Column, ...]:
    """The columns the table must hold, in order; empty for tables without a column contract (raw landing)."""
    return _CONTRACTS.get(spec.name, ())


def contract_problems(spec: TableSpec, schema: pl.Schema) -> list[str]:
    """One line per contract column that is missing or has another type (extra columns are allowed)."""
    problems = []
    for column in contract_columns(spec):
        actual = schema.get(column.name)
        if actual is None:
            problems.append(f"{spec.name}: column {column.name} is missing (contract: {column.dtype})")
        elif actual != column.dtype:
            problems.append(f"{spec.name}: column {column.name} is {actual}, the contract says {column.dtype}")
    return problems
