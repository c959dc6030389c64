"""Flat rows of a batch of games -> the two bronze tables, as one polars plan over all games.

Per-game plan overhead (dozens of tiny joins per game) is what made a per-game polars version slow; over a
batch of ~100 games every join and aggregation runs once, on tens of thousands of rows.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.chart import chart_runs
from nhl_bronze.stats.batch.events import enrich_events
from nhl_bronze.stats.batch.ice_time import ice_time
from nhl_bronze.stats.batch.individual import individual_counts
from nhl_bronze.stats.batch.on_ice import BatchClock, on_ice_counts
from nhl_bronze.stats.batch.players import player_table
from nhl_bronze.stats.batch.rosters import BatchFrames
from nhl_bronze.stats.batch.teams import team_counts, team_table, team_totals
from nhl_bronze.stats.batch.timeline import timeline_segments
from nhl_bronze.stats.model import GameFrames

# A batch is tens of thousands of rows: the in-memory engine runs such plans several times faster than the
# streaming engine (the polars 2 default), whose per-node pipeline setup dominates at this size.
ENGINE = "in-memory"


def _clock(events: pl.DataFrame, shifts: pl.DataFrame) -> BatchClock:
    periods = pl.concat([events["period"], shifts["period"]])
    clocks = pl.concat([events["t"], shifts["end"]])
    return BatchClock(periods.min() or 0, periods.max() or 0, clocks.max() or 0)


def _events_and_timeline(frames: BatchFrames, clock: BatchClock) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The enriched events (computed once: three aggregations read them) and the situation timeline."""
    roles = frames.sides.lazy()
    events = enrich_events(frames.events.lazy(), roles.select("gi", "playerId", "side"))
    events = events.collect(engine=ENGINE).lazy()
    return events, timeline_segments(events, chart_runs(frames.shifts.lazy(), roles, clock))


def situation_timeline(frames: BatchFrames) -> pl.DataFrame:
    """The situation segments of every game of ``frames`` (see ``timeline``), for inspection and tests."""
    return _events_and_timeline(frames, _clock(frames.events, frames.shifts))[1].collect(engine=ENGINE)


def compute_tables(frames: BatchFrames) -> GameFrames:
    """Player and team rows of every game of ``frames`` (games in batch order, each as documented)."""
    clock = _clock(frames.events, frames.shifts)
    games, skaters, all_shifts = frames.games.lazy(), frames.skaters.lazy(), frames.shifts.lazy()
    events, timeline = _events_and_timeline(frames, clock)
    shifts = all_shifts.join(skaters.select("gi", "playerId", "side"), on=["gi", "playerId"], how="inner")
    totals = team_totals(games, team_counts(events))
    players = player_table(
        games, skaters, totals, individual_counts(events, skaters), ice_time(shifts, timeline),
        on_ice_counts(events, shifts, all_shifts, clock),
    )
    teams = team_table(games, totals)
    players, teams = pl.collect_all([players, teams], engine=ENGINE)
    return GameFrames(players=players, teams=teams)
