"""Shift chart -> ice time, shift counts and on-ice attribution, per situation.

Only ``typeCode 517`` rows are shifts (``505`` rows are goal markers). ``startTime``/``endTime`` are
elapsed time in the period. Exact repeats of a shift (same player, period, start and end) are dropped.

Ice time: every shift [start, end) is split against the situation timeline (see
``situations.situation_timeline``), so a shift that spans the start of a power play gives its first
part to ``5on5`` and the rest to ``5on4``. ``all`` is the plain sum of shift lengths, which reproduces
the boxscore ``toi``. ``shifts`` counts a shift in the situation in force at its start (``all``: every
517 row).

On-ice: an event at clock time t is on-ice for a shift with start <= t < end (half-open, so an
on-the-fly change at the same second is not counted twice). Two deliberate exceptions:
* a goal stops play and the line on the ice is changed at that very second, so a goal at t is on-ice
  for shifts with start < t <= end (the players who were on the ice when it was scored; this is what
  the official plus/minus uses);
* an event at the very end of a period (t equal to the period's last shift end) is on-ice for the shifts
  ending then (otherwise nobody would be on the ice for it).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import ALL, own_situation

SHIFT_TYPE_CODE = 517
ON_ICE_EVENT_TYPES = ("shot-on-goal", "missed-shot", "blocked-shot", "goal", "hit", "takeaway", "giveaway")
ON_ICE_EVENT_COLUMNS = (
    "period", "t", "type", "actor_side", "sit_home", "sit_away", "sog", "missed", "blocked", "goals",
    "low_shots", "medium_shots", "high_shots", "low_goals", "medium_goals", "high_goals",
    "hits", "takeaways", "giveaways",
)
SHIFT_SCHEMA = {"player_id": pl.Int64, "period": pl.Int32, "start": pl.Int32, "end": pl.Int32}


def extract_shifts(shift_chart: dict | None) -> pl.DataFrame:
    """All 517 rows (skaters and goalies): player_id, period, start, end (seconds elapsed)."""
    cols: dict[str, list] = {name: [] for name in SHIFT_SCHEMA}
    if shift_chart is not None:
        for row in shift_chart["data"]:
            if row["typeCode"] != SHIFT_TYPE_CODE:
                continue
            cols["player_id"].append(int(row["playerId"]))
            cols["period"].append(int(row["period"]))
            cols["start"].append(clock_seconds(row["startTime"]))
            cols["end"].append(clock_seconds(row["endTime"]))
    # the stats API sometimes repeats a shift under the next shiftNumber (seen in 2024020022): the boxscore
    # counts it once, so exact repeats are dropped
    frame = pl.DataFrame(cols, schema=SHIFT_SCHEMA).unique(maintain_order=True)
    if frame.filter(pl.col("end") < pl.col("start")).height:
        raise ValueError("a shift ends before it starts")
    return frame


def skater_shifts(ctx: GameContext, shifts: pl.DataFrame) -> pl.DataFrame | None:
    """The skaters' shifts with their side, or None when the chart is missing or incomplete.

    Incomplete = some skater the boxscore credits with ice time has no shift at all (the stats API
    publishes empty or partial charts for some games); then no shift-derived number is trustworthy.
    """
    if shifts.height == 0:
        return None
    skaters = pl.DataFrame(
        {"player_id": [s.player_id for s in ctx.skaters], "side": [s.side for s in ctx.skaters]},
        schema={"player_id": pl.Int64, "side": pl.String},
    )
    covered = set(shifts.get_column("player_id").unique().to_list())
    if any(s.boxscore_toi > 0 and s.player_id not in covered for s in ctx.skaters):
        return None
    period_end = shifts.group_by("period").agg(period_end=pl.col("end").max())
    return shifts.join(skaters, on="player_id", how="inner").join(period_end, on="period", how="left")


def ice_time(shifts: pl.DataFrame, timeline: pl.DataFrame) -> pl.DataFrame:
    """player_id, situation, icetime (Float64 s), shifts (Int32) — ``all`` plus each bucket."""
    pieces = shifts.join(timeline, on="period", how="inner").with_columns(
        overlap=(
            pl.min_horizontal("end", "seg_end") - pl.max_horizontal("start", "seg_start")
        ).clip(lower_bound=0),
        starts_here=(pl.col("start") >= pl.col("seg_start")) & (pl.col("start") < pl.col("seg_end")),
        situation=own_situation("side"),
    )
    by_situation = (
        pieces.filter(pl.col("situation").is_not_null())
        .group_by("player_id", "situation")
        .agg(
            icetime=pl.col("overlap").sum().cast(pl.Float64),
            shifts=pl.col("starts_here").sum().cast(pl.Int32),
        )
    )
    overall = shifts.group_by("player_id").agg(
        icetime=(pl.col("end") - pl.col("start")).sum().cast(pl.Float64),
        shifts=pl.len().cast(pl.Int32),
    ).with_columns(situation=pl.lit(ALL))
    return pl.concat([overall.select("player_id", "situation", "icetime", "shifts"), by_situation])


def on_ice_events(shifts: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """One row per (skater on the ice, event): the event's columns plus player_id and side."""
    # only what the on-ice aggregation reads: the join multiplies rows by the shifts of the period
    ev = events.filter(
        pl.col("actor_side").is_not_null() & pl.col("type").is_in(ON_ICE_EVENT_TYPES)
    ).select(ON_ICE_EVENT_COLUMNS)
    joined = ev.join(shifts, on="period", how="inner")
    t, start, end = pl.col("t"), pl.col("start"), pl.col("end")
    at_period_end = (t == end) & (end == pl.col("period_end"))
    on_ice = (
        pl.when(pl.col("type") == "goal")
        .then((start < t) & (t <= end))
        .otherwise(((start <= t) & (t < end)) | at_period_end)
    )
    return joined.filter(on_ice)
