"""Flat rows of a batch of games -> the two bronze tables, as one polars plan over all games.

Per-game plan overhead (dozens of tiny joins per game) is what made a per-game polars version slow; over a
batch of ~100 games every join and aggregation runs once, on tens of thousands of rows.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.chart import chart_runs
from nhl_bronze.stats.batch.events import enrich_events
from nhl_bronze.stats.batch.extract import BatchColumns
from nhl_bronze.stats.batch.ice_time import ice_time
from nhl_bronze.stats.batch.individual import individual_counts
from nhl_bronze.stats.batch.on_ice import BatchClock, on_ice_counts
from nhl_bronze.stats.batch.players import player_table
from nhl_bronze.stats.batch.teams import team_counts, team_table, team_totals
from nhl_bronze.stats.batch.timeline import timeline_segments
from nhl_bronze.stats.model import GameFrames

# A batch is tens of thousands of rows: the in-memory engine runs such plans several times faster than the
# streaming engine (the polars 2 default), whose per-node pipeline setup dominates at this size.
ENGINE = "in-memory"
_I32, _I64, _F64, _STR, _BOOL = pl.Int32, pl.Int64, pl.Float64, pl.String, pl.Boolean
_TYPES = {
    "gi": _I32, "gameId": _I64, "season": _I64, "gameType": _I64, "gameDate": _I64, "awayTeam": _STR,
    "homeTeam": _STR, "hasShifts": _BOOL, "goalie": _BOOL, "order": _I32, "playerId": _I64, "side": _STR,
    "position": _STR,
    "name": _STR, "sortOrder": _I64, "period": _I64, "t": _I64, "type": _STR, "code": _STR,
    "homeDefends": _STR, "x": _F64, "y": _F64, "ownerSide": _STR, "shooter": _I64, "blocker": _I64,
    "assist1": _I64, "assist2": _I64, "hitter": _I64, "tgPlayer": _I64, "foWinner": _I64, "foLoser": _I64,
    "penBy": _I64, "penDrawn": _I64, "penMinutes": _F64, "teammateBlocked": _BOOL,
    "start": _I64, "end": _I64,
}


def _frame(columns: dict[str, list]) -> pl.DataFrame:
    return pl.DataFrame([pl.Series(name, values, dtype=_TYPES[name]) for name, values in columns.items()])


def _clock(events: pl.DataFrame, shifts: pl.DataFrame) -> BatchClock:
    periods = pl.concat([events["period"], shifts["period"]])
    clocks = pl.concat([events["t"], shifts["end"]])
    return BatchClock(periods.min() or 0, periods.max() or 0, clocks.max() or 0)


def _events_and_timeline(frames: dict[str, pl.DataFrame]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The enriched events (computed once: three aggregations read them) and the situation timeline."""
    roles = frames["sides"].lazy()
    events = enrich_events(frames["events"].lazy(), roles.select("gi", "playerId", "side"))
    events = events.collect(engine=ENGINE).lazy()
    return events, timeline_segments(events, chart_runs(frames["shifts"].lazy(), roles))


def situation_timeline(batch: BatchColumns) -> pl.DataFrame:
    """The situation segments of every game of ``batch`` (see ``timeline``), for inspection and tests."""
    return _events_and_timeline(_frames(batch))[1].collect(engine=ENGINE)


def _frames(batch: BatchColumns, shifts: pl.DataFrame | None = None,
            events: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    frames = {table: _frame(columns) for table, columns in batch.tables.items()}
    if shifts is not None:  # read and checked as a frame (``walk``), not as row tuples
        frames["shifts"] = shifts
    if events is not None:  # the games read as a frame, next to those walked into tuples; each game's rows in order
        typed = events.select(pl.col(name).cast(_TYPES[name]) for name in frames["events"].columns)
        frames["events"] = pl.concat([frames["events"], typed]).sort("gi", maintain_order=True)
    return frames


def compute_tables(batch: BatchColumns, shifts: pl.DataFrame | None = None,
                   events: pl.DataFrame | None = None) -> GameFrames:
    """Player and team rows of every game in ``batch`` (games in batch order, each as documented).

    ``shifts``: the batch's shift rows as a frame (gi, playerId, period, start, end), instead of the row
    tuples of ``batch``; ``events``: event rows of more games of the batch, as a frame.
    """
    frames = _frames(batch, shifts, events)
    clock = _clock(frames["events"], frames["shifts"])
    games, skaters, all_shifts = frames["games"].lazy(), frames["skaters"].lazy(), frames["shifts"].lazy()
    events, timeline = _events_and_timeline(frames)
    shifts = all_shifts.join(skaters.select("gi", "playerId", "side"), on=["gi", "playerId"], how="inner")
    totals = team_totals(games, team_counts(events))
    players = player_table(
        games, skaters, totals, individual_counts(events, skaters), ice_time(shifts, timeline),
        on_ice_counts(events, shifts, all_shifts, clock),
    )
    teams = team_table(games, totals)
    players, teams = pl.collect_all([players, teams], engine=ENGINE)
    return GameFrames(players=players, teams=teams)
