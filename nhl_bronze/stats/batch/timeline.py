"""Situation timeline: per (game, period) the intervals [segStart, segEnd) of constant ``situationCode``.

The play-by-play says which state holds at each event, but not when it began: a penalty expiry (after a
minor, a double minor, a major, one ended early by a power-play goal, one carried over from the previous
period, or the release of coincidental penalties) and a goalie pull or return have no event of their own.
So each change of code is placed in two steps:

1. the window: it happened after the last event that still carries the old code and no later than the
   first event that carries the new one (every event keeps its own code);
2. the moment inside the window: the shift chart settles it. The player leaving the penalty box starts a
   shift, a pulled goalie's shift ends and a returning goalie's starts, so the on-ice counts of the chart
   (``chart.chart_runs``) switch to the new code exactly when the situation does. The change is the start of
   the chart run that holds the new code at the first new-code event (the run at its second or the one that
   ends then), if that run starts inside the window. Otherwise (no shift chart, or a chart that disagrees
   with the events there) the change stays at that event's clock time.

The first segment of a period starts at 0 and the last one runs to the end of the period (1,000,000).
Several code changes at the same second: the last one is the state that lasts (empty segments are dropped).
``game-end`` codes are meaningless (``0440``) and are ignored; shootout events never get here. A missing code
always starts a new segment (with no bucket).
"""

from __future__ import annotations

import polars as pl

PERIOD_END = 1_000_000
_T, _CODE = pl.col("t"), pl.col("code")
# the chart run in force at the event: the one running at its second, or the one ending then (an event at the
# second of a change, like a penalty called as the delayed-penalty extra attacker leaves, shows the state
# before it)
_HOLDS_AT_EVENT = (pl.col("runStart") <= _T) & (pl.col("runEnd") >= _T)


def timeline_segments(events: pl.LazyFrame, chart: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """(gi, period, segStart, segEnd, code, sitHome, sitAway) from events in (game, sortOrder) order.

    ``events`` needs gi, sortOrder, period, t, type, code, sitHome, sitAway (the buckets of ``code``);
    ``chart``: the shift chart's runs (``chart.chart_runs``); without it every change is at its event.
    """
    previous = _CODE.shift(1).over("gi", "period")
    changes = (
        events.select("gi", "sortOrder", "period", "t", "type", "code", "sitHome", "sitAway")
        .filter(pl.col("type").is_not_null() & (pl.col("type") != "game-end"))
        .with_columns(windowStart=_T.shift(1).over("gi", "period"))  # the last event before: the old code
        .filter(_CODE.is_null() | previous.is_null() | (previous != _CODE))
    )
    if chart is not None:
        settled = (
            changes.join(chart, on=["gi", "period"], how="inner")
            .filter(_HOLDS_AT_EVENT & (pl.col("chartCode") == _CODE) & (pl.col("runStart") >= pl.col("windowStart")))
            .select("gi", "sortOrder", changeAt=pl.col("runStart"))
        )
        changes = changes.join(settled, on=["gi", "sortOrder"], how="left", maintain_order="left").with_columns(
            pl.coalesce("changeAt", _T).alias("t")
        )
    return (
        changes.with_columns(
            segStart=pl.when(pl.col("windowStart").is_null()).then(0).otherwise(_T),
            segEnd=_T.shift(-1, fill_value=PERIOD_END).over("gi", "period"),
        )
        .filter(pl.col("segEnd") > pl.col("segStart"))
        .select("gi", "period", "segStart", "segEnd", "code", "sitHome", "sitAway")
    )
