"""The shift charts of a whole batch -> merged, checked shift rows, as polars expressions.

The vectorised twin of ``extract.shift_rows`` + ``stats.shifts`` (merge overlapping rows, then the two sanity
rules): the per-row Python walk over ~800 rows a game was a third of the parse time. The rules are not
restated differently here, only vectorised:

* rows of type 517 only; clocks ``M+:SS``; a player on neither roster or a shift ending before it starts
  is an error;
* overlapping rows of one player and period merge into their union (touching rows stay two shifts);
* no player on the ice longer than the game; never more than six skaters of a side on the ice.

Any game breaking a rule, or holding a value this path does not read exactly as the Python walk would (a null,
a missing key, an odd type), is *flagged* instead of failed: the caller runs the per-game walk on it, which
gives the very same rows or the very same error message as before. So the fast path never decides a failure.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.clock import clock_seconds_expr
from nhl_bronze.stats.shifts import MAX_SKATERS_A_SIDE
from nhl_bronze.stats.situations import HOME

SHIFT_TYPE_CODE = 517  # 505 rows are goal markers
SHIFT_SCHEMA = {"gi": pl.Int32, "playerId": pl.Int64, "period": pl.Int64, "start": pl.Int64, "end": pl.Int64}
_KEY = ["gi", "playerId", "period"]
# larger than any clock second the clock pattern lets through (at most 7 minute digits: < 6.1e8 s)
_GROUP_STRIDE = _CLOCK_STRIDE = 1 << 30
_MAX_PERIOD = 64  # periods 1..63 are packed into sort keys; a game with another period number is flagged


def _gis(frame: pl.DataFrame) -> set[int]:
    return set(frame["gi"].unique().to_list())


def _chart_rows(rows: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
    """(gi, playerId, period, start, end) of every 517 row; games with an unreadable 517 row flagged.

    ``rows``: every row of every chart (``decode.CHART_ROWS_SCHEMA``).
    """
    flagged = _gis(rows.filter(pl.col("typeCode").is_null()))  # missing (KeyError) or null: the walk decides
    rows = rows.filter(pl.col("typeCode") == SHIFT_TYPE_CODE).select(
        "gi", "playerId", "period", start=clock_seconds_expr("startTime"), end=clock_seconds_expr("endTime"),
    )
    flagged |= _gis(rows.filter(pl.any_horizontal(pl.all().is_null())))
    flagged |= _gis(rows.filter(pl.col("end") < pl.col("start")))
    flagged |= _gis(rows.filter((pl.col("period") < 1) | (pl.col("period") >= _MAX_PERIOD)))
    return rows, flagged


def _merged(rows: pl.DataFrame) -> pl.DataFrame:
    """Each run of overlapping rows of a (game, player, period) replaced by its union.

    In start order, a row opens a new shift when it starts at or after the latest end seen so far in its
    group (touching is not overlapping), exactly the sweep of ``stats.shifts.merge_overlapping``. The
    per-group running maximum is one global ``cum_max`` of ``end + group * _GROUP_STRIDE`` (groups are sorted,
    so an earlier group's values are always smaller): no window expression, which is several times slower.
    """
    rows = rows.sort(*_KEY, "start", "end").with_columns(
        offset=pl.struct(_KEY).rle_id().cast(pl.Int64) * _GROUP_STRIDE
    ).with_columns(reach=(pl.col("end") + pl.col("offset")).cum_max())
    # a new group always opens a shift: its start + offset exceeds every earlier group's reach
    opens = (pl.col("start") + pl.col("offset") >= pl.col("reach").shift(1)).fill_null(True)
    rows = rows.with_columns(opens=opens).with_columns(closes=pl.col("opens").shift(-1).fill_null(True))
    starts = rows.filter(pl.col("opens")).select(*_KEY, "start")
    # at a shift's last row the group's running maximum is the shift's own latest end
    ends = rows.filter(pl.col("closes")).select(end=pl.col("reach") - pl.col("offset"))
    return starts.hstack(ends)


def _too_long(shifts: pl.DataFrame, game_seconds: pl.DataFrame) -> set[int]:
    """Games where a player's merged shifts add up to more than the game lasted."""
    per_player = shifts.group_by("gi", "playerId").agg(seconds=(pl.col("end") - pl.col("start")).sum())
    return _gis(per_player.join(game_seconds, on="gi").filter(pl.col("seconds") > pl.col("gameSeconds")))


def _crowded(shifts: pl.DataFrame, skater_sides: pl.DataFrame) -> set[int]:
    """Games where a side has more than six skaters on the ice at some second (a sweep of +1 starts, -1 ends).

    The sweep order (game, period, side, second, ends before starts) is packed into one Int64 sort key: one
    column sorts several times faster than five. Every (game, period, side) adds up to 0, so one running sum
    over the sorted batch is each group's own count (no window expression).
    """
    skater_shifts = shifts.join(skater_sides, on=["gi", "playerId"]).filter(pl.col("end") > pl.col("start"))
    group = (pl.col("gi").cast(pl.Int64) * _MAX_PERIOD + pl.col("period")) * 2 + (pl.col("side") == HOME)
    changes = pl.concat([
        skater_shifts.select(key=(group * _CLOCK_STRIDE + pl.col("start")) * 2 + 1, delta=pl.lit(1, pl.Int64)),
        skater_shifts.select(key=(group * _CLOCK_STRIDE + pl.col("end")) * 2, delta=pl.lit(-1, pl.Int64)),
    ])
    on_ice = changes.sort("key").select(gi=pl.col("key") // (2 * _CLOCK_STRIDE * 2 * _MAX_PERIOD),
                                        on_ice=pl.col("delta").cum_sum())
    return _gis(on_ice.filter(pl.col("on_ice") > MAX_SKATERS_A_SIDE))


def batch_shift_rows(chart_rows: pl.DataFrame, players: pl.DataFrame, skater_sides: pl.DataFrame,
                     game_seconds: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
    """(merged shift rows of the unflagged games, SHIFT_SCHEMA; the flagged games' ``gi``).

    ``chart_rows``: the rows of the charts (``decode.chart_rows``); ``players``: (gi, playerId) of everyone on a roster;
    ``skater_sides``: (gi, playerId, side) of the skaters; ``game_seconds``: (gi, gameSeconds).
    """
    rows, flagged = _chart_rows(chart_rows)
    flagged |= _gis(rows.join(players, on=["gi", "playerId"], how="anti"))  # on neither team's roster
    rows = rows.filter(~pl.col("gi").is_in(list(flagged)))
    shifts = _merged(rows)
    flagged |= _too_long(shifts, game_seconds) | _crowded(shifts, skater_sides)
    shifts = shifts.filter(~pl.col("gi").is_in(list(flagged)))
    return shifts.select(pl.col(name).cast(dtype) for name, dtype in SHIFT_SCHEMA.items()), flagged
