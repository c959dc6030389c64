"""Small hand-written history rows for the storage tests (two teams of one game, one situation)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

D1, D2, D3 = date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)
NOW = datetime(2024, 10, 10, 12, tzinfo=UTC)


def team_rows(day: date, game_id: int, goals: int = 3, extra: dict | None = None) -> pl.DataFrame:
    rows = {
        "gameId": [game_id, game_id],
        "gameDate": [day.year * 10000 + day.month * 100 + day.day] * 2,
        "season": [20242025, 20242025],
        "team": ["TOR", "MTL"],
        "situation": ["all", "all"],
        "goalsFor": [goals, 1],
    }
    frame = pl.DataFrame(rows, schema_overrides={"gameId": pl.Int32, "gameDate": pl.Int32, "season": pl.Int32,
                                                          "goalsFor": pl.Int32})
    return frame.with_columns(**{k: pl.lit(v) for k, v in (extra or {}).items()})
