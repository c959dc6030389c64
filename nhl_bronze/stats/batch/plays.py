"""The play-by-play input: its schema, the per-game walk of its plays, and the same rules over a whole batch.

The play schema is declared once (``DETAILS``, ``PLAYER_FIELDS``): the typed decoder, the per-game walk
(``event_rows``, the reference) and the batch expressions (``batch_event_rows``) all follow from it.

Walking ~300 plays a game in Python (two dozen conversions and look-ups each) was the largest per-game cost
of the batch. So a strictly typed msgspec decoder reads only the play fields the rows need
(``typed_play_by_play``), their values are gathered column-wise for the whole batch (``PlayColumns``) and every
rule of ``event_rows`` is one polars expression: shootout plays dropped, clocks to seconds, the owner's side from
the team id, each player field kept only for the event kinds that credit it.

A game is *flagged*, never failed, when its plays hold anything the batch path does not read exactly like the
walk (a bad clock, a player on neither roster, a body the strict types refuse): ``play_events`` walks it with
``event_rows``, which gives the same rows or the same error message as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypedDict

import msgspec
import polars as pl
from msgspec.structs import astuple

from nhl_bronze.stats.batch.decode import Int64, clock_column, gis, json_bytes
from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded, walk_flagged
from nhl_bronze.stats.batch.rosters import Rosters
from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext, build_context
from nhl_bronze.stats.situations import AWAY, HOME

GOAL, BLOCKED, PENALTY, FACEOFF = "goal", "blocked-shot", "penalty", "faceoff"
# a blocked shot whose blocker is the shooter's own teammate: an attempt, but no block by the opponent
TEAMMATE_BLOCKED = "teammate-blocked"

# -- the play schema, declared once -------------------------------------------------------------------------------
_ID, _NUMBER, _TEXT = Int64 | None, float | None, str | None  # (an int is read as its float, as float() did)
# every key of a play's ``details`` that a row reads -> its strict type
DETAILS = {
    "xCoord": _NUMBER, "yCoord": _NUMBER, "eventOwnerTeamId": _ID,
    "scoringPlayerId": _ID, "shootingPlayerId": _ID, "blockingPlayerId": _ID, "assist1PlayerId": _ID,
    "assist2PlayerId": _ID, "hittingPlayerId": _ID, "playerId": _ID, "winningPlayerId": _ID, "losingPlayerId": _ID,
    "committedByPlayerId": _ID, "drawnByPlayerId": _ID, "duration": _NUMBER, "reason": _TEXT,
}
# the event columns naming a player -> (the details key read, the event kinds it is kept for; None: every kind);
# ``shooter`` is the scorer of a goal and the shooter of anything else
SHOOTER_KEYS = {GOAL: "scoringPlayerId", None: "shootingPlayerId"}
PLAYER_FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "blocker": ("blockingPlayerId", (BLOCKED,)),
    "assist1": ("assist1PlayerId", (GOAL,)),
    "assist2": ("assist2PlayerId", (GOAL,)),
    "hitter": ("hittingPlayerId", None),
    "tgPlayer": ("playerId", ("takeaway", "giveaway")),
    "foWinner": ("winningPlayerId", None),
    "foLoser": ("losingPlayerId", (FACEOFF,)),
    "penBy": ("committedByPlayerId", None),
    "penDrawn": ("drawnByPlayerId", (PENALTY,)),
}
PLAYER_COLUMNS = ("shooter", *PLAYER_FIELDS)
EVENT_SCHEMA = {
    "gi": pl.Int32, "sortOrder": pl.Int64, "period": pl.Int64, "t": pl.Int64, "type": pl.String, "code": pl.String,
    "homeDefends": pl.String, "x": pl.Float64, "y": pl.Float64, "ownerSide": pl.String,
    **dict.fromkeys(PLAYER_COLUMNS, pl.Int64), "penMinutes": pl.Float64, "teammateBlocked": pl.Boolean,
}


# gc=False: a batch decodes ~100,000 of these; they hold no cycles, so the garbage collector need not track them
class _Period(msgspec.Struct, gc=False):
    number: Int64
    periodType: str | None = None


_Details = msgspec.defstruct("_Details", [(key, kind, None) for key, kind in DETAILS.items()], gc=False)


class _Play(msgspec.Struct, gc=False):
    sortOrder: Int64
    periodDescriptor: _Period
    timeInPeriod: str
    typeDescKey: str | None  # required, as play["typeDescKey"]
    situationCode: str | None = None
    homeTeamDefendingSide: str | None = None
    details: _Details | None = None  # type: ignore[valid-type]


class RosterSpot(TypedDict, total=False):  # read by roster.build_context exactly as json.loads gives it
    playerId: Any
    teamId: Any
    positionCode: Any
    firstName: Any
    lastName: Any


class _PlayByPlay(TypedDict, total=False):
    id: Any
    rosterSpots: list[RosterSpot]
    plays: list[_Play]


_TYPED = msgspec.json.Decoder(_PlayByPlay)


def typed_play_by_play(body: object) -> dict | None:
    """``{"id"?, "rosterSpots", "plays": [typed plays]}`` of a body (bytes or a dict), None if the types refuse it."""
    encoded = json_bytes(body) if isinstance(body, dict) else body
    if not isinstance(encoded, bytes):
        return None
    try:
        decoded = _TYPED.decode(encoded)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return decoded if "plays" in decoded else None


# -- the per-game walk (the reference) -----------------------------------------------------------------------------


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)):  # (bool is an int: True -> 1.0, like the strict frame constructor)
        raise TypeError(f"coordinate {value!r} is not a number")
    return float(value)


def _str_or_none(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def event_rows(gi: int, ctx: GameContext, play_by_play: dict) -> list[tuple]:
    """One EVENT_SCHEMA tuple per play (shootout plays dropped: they count nowhere), in feed order.

    Player fields hold the raw ids, each only for the event kinds that credit it (``PLAYER_FIELDS``).
    Raises KeyError/TypeError/ValueError on malformed input (the caller names the game).
    """
    rows = []
    side_of_team_id = ctx.side_of_team_id
    for play in play_by_play["plays"]:
        period_desc = play["periodDescriptor"]
        if period_desc.get("periodType") == "SO":
            continue
        kind = _str_or_none(play["typeDescKey"])
        d = play.get("details") or {}
        duration = d.get("duration") if kind == PENALTY else None
        rows.append((
            gi,
            int(play["sortOrder"]),
            int(period_desc["number"]),
            clock_seconds(play["timeInPeriod"]),
            kind,
            _str_or_none(play.get("situationCode")),
            _str_or_none(play.get("homeTeamDefendingSide")),
            _float_or_none(d.get("xCoord")),
            _float_or_none(d.get("yCoord")),
            side_of_team_id(d.get("eventOwnerTeamId")),
            _int_or_none(d.get(SHOOTER_KEYS.get(kind, SHOOTER_KEYS[None]))),
            *(_int_or_none(d.get(key)) if kinds is None or kind in kinds else None
              for key, kinds in PLAYER_FIELDS.values()),
            None if duration is None else float(duration),
            kind == BLOCKED and d.get("reason") == TEAMMATE_BLOCKED,
        ))
    return rows


def game_seconds(events: list[tuple]) -> int:
    """How long the game lasted: the sum of every period's last clock (shootout excluded)."""
    last: dict[int, int] = {}
    for row in events:
        period, t = row[2], row[3]
        last[period] = max(last.get(period, 0), t)
    return sum(last.values())


_PLAYER_INDEXES = [(list(EVENT_SCHEMA).index(name), name) for name in PLAYER_COLUMNS]


def _check_event_players(ctx: GameContext, events: list[tuple]) -> None:
    """Raises ValueError for a player field naming someone on neither roster (his side could only be guessed)."""
    for row in events:
        for column, name in _PLAYER_INDEXES:
            player_id = row[column]
            if player_id is not None and player_id not in ctx.side_of_player:
                raise ValueError(f"player {player_id} ({name} of play {row[1]}) is on neither team's roster")


class WalkedGame(NamedTuple):
    ctx: GameContext
    events: list[tuple]  # EVENT_SCHEMA tuples
    game_seconds: int


def walk_game(gi: int, game: GameInput) -> WalkedGame:
    """Roster context and event rows of one countable, decoded game; raises KeyError/TypeError/ValueError/... if
    it is malformed (the caller names the game)."""
    ctx = build_context(game.game_date, game.schedule_game, game.play_by_play, game.boxscore)
    events = event_rows(gi, ctx, game.play_by_play)
    _check_event_players(ctx, events)
    return WalkedGame(ctx, events, game_seconds(events))


# -- the same rules over a batch -----------------------------------------------------------------------------------

_DETAIL_TYPES = {key: pl.Float64 if kind is _NUMBER else pl.String if kind is _TEXT else pl.Int64
                 for key, kind in DETAILS.items()}
PLAY_SCHEMA = {"gi": pl.Int32, "sortOrder": pl.Int64, "period": pl.Int64, "periodType": pl.String,
               "t": pl.Int64, "type": pl.String, "code": pl.String, "homeDefends": pl.String, **_DETAIL_TYPES}
_NO_DETAILS = astuple(_Details())


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
        columns["t"] += clock_column(clocks)  # None (a clock the batch path does not read) flags the game
        for name, values in (("sortOrder", sort_orders), ("period", numbers), ("periodType", period_types),
                             ("type", kinds), ("code", codes), ("homeDefends", defends)):
            columns[name] += values
        detail_columns = zip(*(astuple(d) if d is not None else _NO_DETAILS for d in details), strict=True)
        for name, values in zip(_DETAIL_TYPES, detail_columns, strict=True):
            columns[name] += values

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([pl.Series(name, self.columns[name], dtype) for name, dtype in PLAY_SCHEMA.items()])


_KIND = pl.col("type")


def _kept_for(kinds: tuple[str, ...] | None, key: str) -> pl.Expr:
    return pl.col(key) if kinds is None else pl.when(_KIND.is_in(kinds)).then(pl.col(key))


_owner = pl.col("eventOwnerTeamId")
_EVENT_COLUMNS = [
    pl.col("gi"), pl.col("sortOrder"), pl.col("period"), pl.col("t"), _KIND,
    pl.col("code"), pl.col("homeDefends"), pl.col("xCoord").alias("x"), pl.col("yCoord").alias("y"),
    pl.when(_owner == pl.col("homeId")).then(pl.lit(HOME)).when(_owner == pl.col("awayId")).then(pl.lit(AWAY))
    .alias("ownerSide"),
    pl.when(_KIND == GOAL).then(pl.col(SHOOTER_KEYS[GOAL])).otherwise(pl.col(SHOOTER_KEYS[None])).alias("shooter"),
    *(_kept_for(kinds, key).alias(column) for column, (key, kinds) in PLAYER_FIELDS.items()),
    _kept_for((PENALTY,), "duration").alias("penMinutes"),
    ((_KIND == BLOCKED) & (pl.col("reason") == TEAMMATE_BLOCKED)).fill_null(False).alias("teammateBlocked"),
]


def batch_event_rows(plays: pl.DataFrame, team_ids: pl.DataFrame,
                     players: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, set[int]]:
    """(EVENT_SCHEMA rows of the unflagged games; (gi, gameSeconds); the flagged games' ``gi``).

    ``plays``: ``PlayColumns.frame()``; ``team_ids``: (gi, homeId, awayId); ``players``: (gi, playerId) of
    everyone on a roster. Game length as ``game_seconds``: the sum of every period's last clock.
    """
    events = (
        plays.filter(pl.col("periodType").ne_missing("SO"))
        .join(team_ids, on="gi", how="left", maintain_order="left")
        .select(_EVENT_COLUMNS)
    )
    flagged = gis(events.filter(pl.col("t").is_null()))
    # (stacking the columns is ~40x cheaper than exploding a list of them)
    named = pl.concat([events.select("gi", pl.col(column).alias("playerId")) for column in PLAYER_COLUMNS])
    flagged |= gis(named.drop_nulls().join(players, on=["gi", "playerId"], how="anti"))
    events = events.filter(~pl.col("gi").is_in(list(flagged)))
    seconds = (
        events.group_by("gi", "period").agg(pl.col("t").max())
        .group_by("gi").agg(gameSeconds=pl.col("t").sum())
    )
    return events, seconds, flagged


def events_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


class PlayEvents(NamedTuple):
    events: pl.DataFrame  # EVENT_SCHEMA rows of every game read without error
    game_seconds: dict[int, int]  # gi -> how long the game lasted (games without events: absent)


def play_events(games: dict[int, GameInput], plays: PlayColumns, flagged: set[int], rosters: Rosters,
                failures: list[tuple[int, GameParseError]]) -> PlayEvents:
    """The event rows of ``games`` (gi -> game): those in ``plays`` read at once, the flagged ones walked.

    ``flagged``: games whose plays are not in ``plays`` (the typed decoder refused them); more are flagged by
    ``batch_event_rows``. A walked game's failure is appended to ``failures``.
    """
    events, seconds, more_flagged = batch_event_rows(plays.frame(), rosters.team_ids, rosters.players)
    walked = walk_flagged([(gi, games[gi]) for gi in sorted(flagged | more_flagged)], _walk, failures)
    game_seconds = dict(seconds.iter_rows())
    game_seconds.update((gi, game.game_seconds) for gi, game in walked.items())
    return PlayEvents(pl.concat([events, *(events_frame(game.events) for game in walked.values())]), game_seconds)


def _walk(gi: int, game: GameInput) -> WalkedGame:
    decoded = decoded_input(game)
    return guarded(game_id_for_message(decoded), walk_game, gi, decoded)
