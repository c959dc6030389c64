"""JSON bodies -> only what the parser reads, decoded by typed msgspec decoders.

Shift charts (``chart_rows``) and the play-by-play (``narrow_play_by_play``).

``json.loads`` builds every dict and string of a body (a shift chart is ~300 KB of names, colours and ids
nobody reads); a ``msgspec`` decoder typed with only the needed fields skips the rest in C and builds one small
object per row, ~5x faster (and ~2.5x faster than polars' JSON reader with a narrow schema, measured).

The types are strict (msgspec never coerces: a string where an int is expected is an error, not a number),
and a field that is absent or null decodes as None. A body that does not decode, or has a None where a value
is required, is *refused*: its game takes the per-game walk, which reads it exactly as before (it fails the game
with the same message, or accepts what it always accepted, e.g. a float 517.0 for the type code).
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import msgspec
import polars as pl

Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]  # a bigger int would not fit the frame


class _ShiftRow(msgspec.Struct):
    playerId: Int64 | None = None
    period: Int64 | None = None
    startTime: str | None = None
    endTime: str | None = None
    typeCode: Int64 | None = None


class _ShiftChart(msgspec.Struct):
    data: list[_ShiftRow] | None = None


_CHART = msgspec.json.Decoder(_ShiftChart)
CHART_ROWS_SCHEMA = {
    "gi": pl.Int32, "playerId": pl.Int64, "period": pl.Int64, "startTime": pl.String, "endTime": pl.String,
    "typeCode": pl.Int64,
}


class _Period(TypedDict, total=False):
    number: Any
    periodType: Any


class _Details(TypedDict, total=False):
    xCoord: Any
    yCoord: Any
    eventOwnerTeamId: Any
    scoringPlayerId: Any
    shootingPlayerId: Any
    blockingPlayerId: Any
    assist1PlayerId: Any
    assist2PlayerId: Any
    hittingPlayerId: Any
    playerId: Any
    winningPlayerId: Any
    losingPlayerId: Any
    committedByPlayerId: Any
    drawnByPlayerId: Any
    duration: Any
    reason: Any


class _Play(TypedDict, total=False):
    sortOrder: Any
    periodDescriptor: _Period
    timeInPeriod: Any
    typeDescKey: Any
    situationCode: Any
    homeTeamDefendingSide: Any
    details: _Details | None


class _Name(TypedDict, total=False):
    default: Any


class RosterSpot(TypedDict, total=False):  # read by roster.build_context exactly as json.loads gives it
    playerId: Any
    teamId: Any
    positionCode: Any
    firstName: _Name | None
    lastName: _Name | None


class _PlayByPlay(TypedDict, total=False):
    id: Any
    rosterSpots: list[RosterSpot]
    plays: list[_Play]


_PLAY_BY_PLAY = msgspec.json.Decoder(_PlayByPlay)


def narrow_play_by_play(body: bytes) -> dict | None:
    """The play-by-play as ``json.loads`` gives it, but holding only the keys the walk reads; None if unsure.

    Every key ``roster.build_context`` and ``extract.event_rows`` read is declared (``Any`` values decode as
    ``json.loads`` would), so the walk sees the same values, the same missing keys and raises the same errors.
    A body whose shape the declaration does not cover (``plays`` not a list, ``details`` not an object, ...) gives
    None: the caller decodes it in full, and the walk fails it (or accepts it) exactly as before.
    """
    try:
        return _PLAY_BY_PLAY.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def json_bytes(body: object) -> bytes | None:
    """``body`` as JSON bytes (a decoded dict is serialised), or None when it cannot be (non-string keys, ...)."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    try:
        return msgspec.json.encode(body)
    except (TypeError, ValueError, OverflowError):
        return None


def chart_rows(charts: list[tuple[int, object]]) -> tuple[pl.DataFrame, set[int]]:
    """(every row of every chart as CHART_ROWS_SCHEMA columns; the ``gi`` of the charts refused).

    ``charts``: (gi, body as bytes or a decoded dict). A chart without ``data`` or with a row that is not an
    object is refused.
    """
    columns: dict[str, list] = {name: [] for name in CHART_ROWS_SCHEMA}
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
        columns["gi"] += [gi] * len(rows)
        columns["playerId"] += [row.playerId for row in rows]
        columns["period"] += [row.period for row in rows]
        columns["startTime"] += [row.startTime for row in rows]
        columns["endTime"] += [row.endTime for row in rows]
        columns["typeCode"] += [row.typeCode for row in rows]
    frame = pl.DataFrame([pl.Series(name, values, dtype) for (name, dtype), values in
                          zip(CHART_ROWS_SCHEMA.items(), columns.values(), strict=True)])
    return frame, refused
