"""Situation timeline: per (game, period) the intervals [segStart, segEnd) of constant ``situationCode``.

A new state starts at the clock time of the first event that carries it. This is exact for penalties and
goals (the penalty event still shows the old code, the faceoff at the same second the new one) and lags a
little for penalty expiries and goalie pulls, which have no event of their own. The first segment of a
period starts at 0 and the last one runs to the end of the period (1,000,000). Several code changes at the
same second: the last one is the state that lasts (empty segments are dropped). ``game-end`` codes are
meaningless (``0440``) and are ignored; shootout events never get here. A missing code always starts a
new segment (with no bucket).
"""

from __future__ import annotations

import polars as pl

PERIOD_END = 1_000_000


def timeline_segments(events: pl.LazyFrame) -> pl.LazyFrame:
    """(gi, period, segStart, segEnd, sitHome, sitAway) from events in (game, sortOrder) order.

    ``events`` needs gi, period, t, type, code, sitHome, sitAway (the buckets of ``code``).
    """
    code = pl.col("code")
    previous = code.shift(1).over("gi", "period")
    changes = (
        events.select("gi", "period", "t", "type", "code", "sitHome", "sitAway")
        .filter(pl.col("type").is_not_null() & (pl.col("type") != "game-end"))
        .filter(code.is_null() | previous.is_null() | (code != previous))
    )
    t = pl.col("t")
    return (
        changes.with_columns(
            segStart=pl.when(t == t.min().over("gi", "period")).then(0).otherwise(t),
            segEnd=t.shift(-1, fill_value=PERIOD_END).over("gi", "period"),
        )
        .filter(pl.col("segEnd") > pl.col("segStart"))
        .select("gi", "period", "segStart", "segEnd", "sitHome", "sitAway")
    )
