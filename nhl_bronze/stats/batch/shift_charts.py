"""The shift-chart input: its schema, the per-game walk of a chart, and the same rules over a whole batch.

The walk (``shift_rows`` with ``stats.shifts``) is the reference; ``batch_shift_rows`` is its vectorised twin
(the per-row Python walk over ~800 rows a game was a third of the parse time). The rules are not restated
differently there, only vectorised:

* rows of type 517 only; clocks ``M+:SS``; a player on neither roster or a shift ending before it starts
  is an error;
* overlapping rows of one player and period merge into their union (touching rows stay two shifts);
* no player on the ice longer than the game; never more than six skaters of a side on the ice (the walk repairs
  a chart breaking this one by the best-effort rule ``stats.shifts.trim_crowded`` and reports the repair).

Any game breaking a rule, or holding a value the batch path does not read exactly as the walk would (a null,
a missing key, an odd type, a body the typed decoder refuses), is *flagged* instead of failed: ``chart_shifts``
walks it, which gives the very same rows (repaired, for a crowded chart) or the very same error message as
before. So the batch path never decides a failure, nor a repair.
"""

from __future__ import annotations

import msgspec
import polars as pl
from msgspec.structs import astuple

from nhl_bronze.stats.batch.decode import Int64, clock_column, gis, json_bytes
from nhl_bronze.stats.batch.guard import decoded_body, game_id_for_message, guarded, walk_flagged
from nhl_bronze.stats.batch.rosters import Rosters
from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.shifts import MAX_SKATERS_A_SIDE, Shift, check_shifts, merge_overlapping, trim_crowded
from nhl_bronze.stats.situations import HOME

SHIFT_TYPE_CODE = 517  # 505 rows are goal markers
SHIFT_SCHEMA = {"gi": pl.Int32, "playerId": pl.Int64, "period": pl.Int64, "start": pl.Int64, "end": pl.Int64}


# -- the chart schema: the fields of a row the shifts read ---------------------------------------------------------
class _ShiftRow(msgspec.Struct, gc=False):  # gc=False: ~80,000 a batch, no cycles
    playerId: Int64 | None = None
    period: Int64 | None = None
    startTime: str | None = None
    endTime: str | None = None
    typeCode: Int64 | None = None


class _ShiftChart(msgspec.Struct, gc=False):
    data: list[_ShiftRow] | None = None


_CHART = msgspec.json.Decoder(_ShiftChart)
# the rows' fields in _ShiftRow order, clocks read as seconds (``decode.clock_column``)
CHART_ROWS_SCHEMA = {"gi": pl.Int32, "playerId": pl.Int64, "period": pl.Int64, "start": pl.Int64, "end": pl.Int64,
                     "typeCode": pl.Int64}
_CLOCKS = ("start", "end")


def chart_rows(charts: list[tuple[int, object]]) -> tuple[pl.DataFrame, set[int]]:
    """(every row of every chart as CHART_ROWS_SCHEMA columns; the ``gi`` of the charts refused).

    ``charts``: (gi, body as bytes or a decoded dict). A chart without ``data`` or with a row that is not an
    object is refused.
    """
    columns: dict[str, list] = {name: [] for name in CHART_ROWS_SCHEMA}
    fields = list(CHART_ROWS_SCHEMA)[1:]
    refused: set[int] = set()
    for gi, body in charts:
        encoded = json_bytes(body)
        try:
            rows = _CHART.decode(encoded).data if encoded is not None else None
        except (msgspec.DecodeError, msgspec.ValidationError):
            rows = None
        if rows is None:
            refused.add(gi)
            continue
        if not rows:
            continue
        columns["gi"] += [gi] * len(rows)
        # struct -> tuple in C, then one transpose: far cheaper than one getattr per field and row
        for name, values in zip(fields, zip(*map(astuple, rows), strict=True), strict=True):
            columns[name] += clock_column(values) if name in _CLOCKS else values
    frame = pl.DataFrame([pl.Series(name, columns[name], dtype) for name, dtype in CHART_ROWS_SCHEMA.items()])
    return frame, refused


# -- the per-game walk (the reference) -----------------------------------------------------------------------------


def shift_rows(gi: int, ctx: GameContext, shift_chart: dict | None, game_seconds: int,
               notes: list[str] | None = None) -> list[tuple]:
    """All 517 rows (skaters and goalies) as SHIFT_SCHEMA tuples, a player's overlapping rows merged into one shift.

    The stats API sometimes repeats a shift under the next shiftNumber (seen in 2024020022): the boxscore
    counts it once, and so does the merge. A player in the chart who is on neither roster, or a player on the
    ice longer than the game, fails the game (see ``stats.shifts``). A side with more than six skaters on the
    ice is repaired by ``stats.shifts.trim_crowded``, and the repair is appended to ``notes``: nothing is
    changed silently. Raises KeyError/TypeError/ValueError on malformed input.
    """
    if shift_chart is None:
        return []
    rows: list[Shift] = []
    for row in shift_chart["data"]:
        if row["typeCode"] != SHIFT_TYPE_CODE:
            continue
        player_id = int(row["playerId"])
        if player_id not in ctx.side_of_player:
            raise ValueError(f"player {player_id} of the shift chart is on neither team's roster")
        rows.append((player_id, int(row["period"]), clock_seconds(row["startTime"]), clock_seconds(row["endTime"])))
    if any(end < start for _, _, start, end in rows):
        raise ValueError("a shift ends before it starts")
    shifts = merge_overlapping(rows)
    skater_sides = {s.player_id: s.side for s in ctx.skaters}
    shifts, crowded = trim_crowded(shifts, skater_sides)
    if crowded is not None and notes is not None:
        notes.append(crowded)
    check_shifts(shifts, skater_sides, game_seconds)
    return [(gi, *shift) for shift in shifts]


def shifts_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SHIFT_SCHEMA, orient="row")


# -- the same rules over a batch -----------------------------------------------------------------------------------
_KEY = ["gi", "playerId", "period"]
# larger than any clock second the clock pattern lets through (at most 7 minute digits: < 6.1e8 s)
_GROUP_STRIDE = _CLOCK_STRIDE = 1 << 30
_MAX_PERIOD = 64  # periods 1..63 are packed into sort keys; a game with another period number is flagged


def _chart_rows(rows: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
    """(gi, playerId, period, start, end) of every 517 row; games with an unreadable 517 row flagged.

    ``rows``: every row of every chart (``decode.CHART_ROWS_SCHEMA``).
    """
    flagged = gis(rows.filter(pl.col("typeCode").is_null()))  # missing (KeyError) or null: the walk decides
    rows = rows.filter(pl.col("typeCode") == SHIFT_TYPE_CODE).select("gi", "playerId", "period", "start", "end")
    flagged |= gis(rows.filter(pl.any_horizontal(pl.all().is_null())))
    flagged |= gis(rows.filter(pl.col("end") < pl.col("start")))
    flagged |= gis(rows.filter((pl.col("period") < 1) | (pl.col("period") >= _MAX_PERIOD)))
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
    return gis(per_player.join(game_seconds, on="gi").filter(pl.col("seconds") > pl.col("gameSeconds")))


def _crowded(shifts: pl.DataFrame, skater_sides: pl.DataFrame) -> set[int]:
    """Games where a side has more than six skaters on the ice at some second (a sweep of +1 starts, -1 ends):
    flagged, so that the walk repairs their chart (``trim_crowded``) and reports it.

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
    return gis(on_ice.filter(pl.col("on_ice") > MAX_SKATERS_A_SIDE))


def batch_shift_rows(chart_rows: pl.DataFrame, players: pl.DataFrame, skater_sides: pl.DataFrame,
                     game_seconds: pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
    """(merged shift rows of the unflagged games, SHIFT_SCHEMA; the flagged games' ``gi``).

    ``chart_rows``: the rows of the charts (``chart_rows``); ``players``: (gi, playerId) of everyone on a roster;
    ``skater_sides``: (gi, playerId, side) of the skaters; ``game_seconds``: (gi, gameSeconds).
    """
    rows, flagged = _chart_rows(chart_rows)
    flagged |= gis(rows.join(players, on=["gi", "playerId"], how="anti"))  # on neither team's roster
    rows = rows.filter(~pl.col("gi").is_in(list(flagged)))
    shifts = _merged(rows)
    flagged |= _too_long(shifts, game_seconds) | _crowded(shifts, skater_sides)
    shifts = shifts.filter(~pl.col("gi").is_in(list(flagged)))
    return shifts.select(pl.col(name).cast(dtype) for name, dtype in SHIFT_SCHEMA.items()), flagged


def chart_shifts(charted: list[tuple[int, GameInput, GameContext]], game_seconds: dict[int, int], rosters: Rosters,
                 failures: list[tuple[int, GameParseError]], repaired: list[tuple[int, str]]) -> pl.DataFrame:
    """Merged, checked SHIFT_SCHEMA rows of every (gi, game, roster context) of ``charted``; failures appended to
    ``failures``, and (gi, what it did) of each chart a best-effort rule repaired (``trim_crowded``) to ``repaired``.

    ``game_seconds``: gi -> how long the game lasted (0 when absent: a game without plays).
    """
    rows, refused = chart_rows([(gi, game.shift_chart) for gi, game, _ in charted])
    seconds = pl.DataFrame({"gi": [gi for gi, _, _ in charted],
                            "gameSeconds": [game_seconds.get(gi, 0) for gi, _, _ in charted]},
                           schema={"gi": pl.Int32, "gameSeconds": pl.Int64})
    shifts, flagged = batch_shift_rows(rows, rosters.players, rosters.skater_sides, seconds)
    flagged |= refused
    walked = walk_flagged([(gi, (game, ctx, game_seconds.get(gi, 0))) for gi, game, ctx in charted if gi in flagged],
                          _walk, failures)
    repaired += [(gi, note) for gi, (_, notes) in walked.items() for note in notes]
    return pl.concat([shifts, *(shifts_frame(rows) for rows, _ in walked.values())])


def _walk(gi: int, charted: tuple[GameInput, GameContext, int]) -> tuple[list[tuple], list[str]]:
    """(the chart's shift rows by the per-game walk; what a best-effort rule repaired in it)."""
    game, ctx, seconds = charted
    game_id = game_id_for_message(game)
    chart = decoded_body(game_id, "shift chart", game.shift_chart)
    if not isinstance(chart, dict):
        raise GameParseError(game_id, f"shift chart is a {type(chart).__name__}, not a dict")
    notes: list[str] = []
    return guarded(game_id, shift_rows, gi, ctx, chart, seconds, notes), notes
