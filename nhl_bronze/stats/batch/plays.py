"""The plays of a whole batch -> event rows, as polars expressions (the fast twin of ``extract.event_rows``).

Walking ~300 plays a game in Python (two dozen conversions and look-ups each) was the largest per-game cost
left. Here a strictly typed msgspec decoder reads only the play fields the rows need (``typed_play_by_play``),
their values are gathered column-wise for the whole batch (``PlayColumns``) and every rule of ``event_rows``
is one polars expression: shootout plays dropped, clocks to seconds, the owner's side from the team id, each
player field kept only for the event kinds that credit it.

A game is *flagged*, never failed, when its plays hold anything this path does not read exactly like the
walk (a bad clock, a player on neither roster, a body the strict types refuse): the caller walks it in Python,
which gives the same rows or the same error message as before.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import msgspec
import polars as pl
from msgspec.structs import astuple

from nhl_bronze.stats.batch.decode import RosterSpot
from nhl_bronze.stats.batch.extract import BLOCKED, EVENT_FIELDS, GOAL, TEAMMATE_BLOCKED
from nhl_bronze.stats.clock import clock_seconds_expr
from nhl_bronze.stats.situations import AWAY, HOME

Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_I64, _F64, _STR = pl.Int64, pl.Float64, pl.String


class _Period(msgspec.Struct):
    number: Int64
    periodType: str | None = None


class _Details(msgspec.Struct):
    xCoord: float | None = None  # an int is read as its float, as float() did
    yCoord: float | None = None
    eventOwnerTeamId: Int64 | None = None
    scoringPlayerId: Int64 | None = None
    shootingPlayerId: Int64 | None = None
    blockingPlayerId: Int64 | None = None
    assist1PlayerId: Int64 | None = None
    assist2PlayerId: Int64 | None = None
    hittingPlayerId: Int64 | None = None
    playerId: Int64 | None = None
    winningPlayerId: Int64 | None = None
    losingPlayerId: Int64 | None = None
    committedByPlayerId: Int64 | None = None
    drawnByPlayerId: Int64 | None = None
    duration: float | None = None
    reason: str | None = None


class _Play(msgspec.Struct):
    sortOrder: Int64
    periodDescriptor: _Period
    timeInPeriod: str
    typeDescKey: str | None  # required, as play["typeDescKey"]
    situationCode: str | None = None
    homeTeamDefendingSide: str | None = None
    details: _Details | None = None


class _PlayByPlay(TypedDict, total=False):
    id: Any
    rosterSpots: list[RosterSpot]
    plays: list[_Play]


_TYPED = msgspec.json.Decoder(_PlayByPlay)
_NO_DETAILS = astuple(_Details())
_DETAIL_FIELDS = {name: _F64 if name in ("xCoord", "yCoord", "duration") else _STR if name == "reason" else _I64
                  for name in _Details.__struct_fields__}
PLAY_SCHEMA = {"gi": pl.Int32, "sortOrder": _I64, "period": _I64, "periodType": _STR, "clock": _STR, "type": _STR,
               "code": _STR, "homeDefends": _STR, **_DETAIL_FIELDS}


def typed_play_by_play(body: bytes) -> dict | None:
    """``{"id"?, "rosterSpots", "plays": [typed plays]}``, or None when the strict types refuse the body."""
    try:
        decoded = _TYPED.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return decoded if "plays" in decoded else None


class PlayColumns:
    """The typed plays of a batch, gathered column by column (one list per field for all games)."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in PLAY_SCHEMA}

    def add(self, gi: int, plays: list[_Play]) -> None:
        if not plays:
            return
        columns = self.columns
        columns["gi"] += [gi] * len(plays)
        # struct -> tuple in C, then one transpose: far cheaper than one getattr per field and play
        (sort_orders, periods, clocks, kinds, codes, defends, details) = zip(*map(astuple, plays), strict=True)
        numbers, period_types = zip(*map(astuple, periods), strict=True)
        for name, values in (("sortOrder", sort_orders), ("period", numbers), ("periodType", period_types),
                             ("clock", clocks), ("type", kinds), ("code", codes), ("homeDefends", defends)):
            columns[name] += values
        detail_columns = zip(*(astuple(d) if d is not None else _NO_DETAILS for d in details), strict=True)
        for name, values in zip(_DETAIL_FIELDS, detail_columns, strict=True):
            columns[name] += values

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([pl.Series(name, self.columns[name], dtype) for name, dtype in PLAY_SCHEMA.items()])


def _kept_if(condition: pl.Expr, column: str) -> pl.Expr:
    return pl.when(condition).then(pl.col(column))


_KIND = pl.col("type")
_IS_GOAL, _IS_BLOCKED, _IS_PENALTY = _KIND == GOAL, _KIND == BLOCKED, _KIND == "penalty"
_owner = pl.col("eventOwnerTeamId")
_EVENT_COLUMNS = [
    pl.col("gi"), pl.col("sortOrder"), pl.col("period"), clock_seconds_expr("clock").alias("t"), _KIND,
    pl.col("code"), pl.col("homeDefends"), pl.col("xCoord").alias("x"), pl.col("yCoord").alias("y"),
    pl.when(_owner == pl.col("homeId")).then(pl.lit(HOME)).when(_owner == pl.col("awayId")).then(pl.lit(AWAY))
    .alias("ownerSide"),
    pl.when(_IS_GOAL).then(pl.col("scoringPlayerId")).otherwise(pl.col("shootingPlayerId")).alias("shooter"),
    _kept_if(_IS_BLOCKED, "blockingPlayerId").alias("blocker"),
    _kept_if(_IS_GOAL, "assist1PlayerId").alias("assist1"),
    _kept_if(_IS_GOAL, "assist2PlayerId").alias("assist2"),
    pl.col("hittingPlayerId").alias("hitter"),
    _kept_if(_KIND.is_in(["takeaway", "giveaway"]), "playerId").alias("tgPlayer"),
    pl.col("winningPlayerId").alias("foWinner"),
    _kept_if(_KIND == "faceoff", "losingPlayerId").alias("foLoser"),
    pl.col("committedByPlayerId").alias("penBy"),
    _kept_if(_IS_PENALTY, "drawnByPlayerId").alias("penDrawn"),
    _kept_if(_IS_PENALTY, "duration").alias("penMinutes"),
    (_IS_BLOCKED & (pl.col("reason") == TEAMMATE_BLOCKED)).fill_null(False).alias("teammateBlocked"),
]
_PLAYER_COLUMNS = ["shooter", "blocker", "assist1", "assist2", "hitter", "tgPlayer", "foWinner", "foLoser", "penBy",
                   "penDrawn"]
assert [c.meta.output_name() for c in _EVENT_COLUMNS] == list(EVENT_FIELDS)


def _gis(frame: pl.DataFrame) -> set[int]:
    return set(frame["gi"].unique().to_list())


def batch_event_rows(plays: pl.DataFrame, team_ids: pl.DataFrame,
                     players: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, set[int]]:
    """(event rows of the unflagged games in EVENT_FIELDS order; (gi, gameSeconds); the flagged games' ``gi``).

    ``plays``: ``PlayColumns.frame()``; ``team_ids``: (gi, homeId, awayId); ``players``: (gi, playerId) of
    everyone on a roster. Game length as ``extract._game_seconds``: the sum of every period's last clock.
    """
    events = (
        plays.filter(pl.col("periodType").ne_missing("SO"))
        .join(team_ids, on="gi", how="left", maintain_order="left")
        .select(_EVENT_COLUMNS)
    )
    flagged = _gis(events.filter(pl.col("t").is_null()))
    # (stacking the columns is ~40x cheaper than exploding a list of them)
    named = pl.concat([events.select("gi", pl.col(column).alias("playerId")) for column in _PLAYER_COLUMNS])
    unknown = named.drop_nulls().join(players, on=["gi", "playerId"], how="anti")
    flagged |= _gis(unknown)
    events = events.filter(~pl.col("gi").is_in(list(flagged)))
    game_seconds = (
        events.group_by("gi", "period").agg(pl.col("t").max())
        .group_by("gi").agg(gameSeconds=pl.col("t").sum())
    )
    return events, game_seconds, flagged
