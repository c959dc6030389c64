"""Walking one game's JSON into flat rows: the only per-game Python of the batch computation.

Each game is validated and flattened on its own (into row tuples that start with the game's index in the
batch), so a malformed game fails alone and never leaves rows behind; everything that is computed from
these rows (situations, danger, on-ice, aggregations) is one polars plan over the whole batch.
Only conversions that validate the input happen here: ids through ``int``, clocks through
``clock_seconds``, coordinates and strings type-checked, exactly as the single-game contract requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext, build_context
from nhl_bronze.stats.shifts import Shift, check_shifts, merge_overlapping, trim_crowded
from nhl_bronze.stats.situations import AWAY, HOME

SHIFT_TYPE_CODE = 517  # 505 rows are goal markers
GOAL, BLOCKED = "goal", "blocked-shot"
# a blocked shot whose blocker is the shooter's own teammate: an attempt, but no block by the opponent
TEAMMATE_BLOCKED = "teammate-blocked"

# column names of the row tuples, in tuple order (the frames module gives them their types)
GAME_FIELDS = ("gi", "gameId", "season", "gameType", "gameDate", "awayTeam", "homeTeam", "hasShifts")
SKATER_FIELDS = ("gi", "order", "playerId", "side", "position", "name")
SIDE_FIELDS = ("gi", "playerId", "side", "goalie")
EVENT_FIELDS = (
    "gi", "sortOrder", "period", "t", "type", "code", "homeDefends", "x", "y", "ownerSide",
    "shooter", "blocker", "assist1", "assist2", "hitter", "tgPlayer", "foWinner", "foLoser",
    "penBy", "penDrawn", "penMinutes", "teammateBlocked",
)
SHIFT_FIELDS = ("gi", "playerId", "period", "start", "end")


@dataclass
class GameRows:
    """One game's row tuples (short-lived: they are turned into columns as soon as the game is done)."""

    games: list[tuple]
    skaters: list[tuple]
    sides: list[tuple]
    events: list[tuple]
    shifts: list[tuple]


_TABLES = {"games": GAME_FIELDS, "skaters": SKATER_FIELDS, "sides": SIDE_FIELDS, "events": EVENT_FIELDS,
           "shifts": SHIFT_FIELDS}


@dataclass
class BatchColumns:
    """Column lists of every game of a batch that was flattened without error (table -> field -> values).

    Rows are transposed game by game: a batch then holds a few hundred lists of plain values instead of
    ~100,000 row tuples, which would keep the cyclic garbage collector busy for nothing.
    """

    tables: dict[str, dict[str, list]] = field(
        default_factory=lambda: {table: {name: [] for name in fields} for table, fields in _TABLES.items()}
    )

    def add(self, game: GameRows) -> None:
        for table, fields in _TABLES.items():
            rows = getattr(game, table)
            if rows:
                columns = self.tables[table]
                for name, values in zip(fields, zip(*rows, strict=True), strict=True):
                    columns[name].extend(values)


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
    """One tuple per play (shootout plays dropped: they count nowhere), in feed order.

    Player fields hold the raw ids; which of them credits the event is decided in the plan.
    """
    rows = []
    side_of_team_id = ctx.side_of_team_id
    for play in play_by_play["plays"]:
        period_desc = play["periodDescriptor"]
        if period_desc.get("periodType") == "SO":
            continue
        kind = _str_or_none(play["typeDescKey"])
        d = play.get("details") or {}
        is_goal, is_penalty, is_faceoff = kind == GOAL, kind == "penalty", kind == "faceoff"
        duration = d.get("duration") if is_penalty else None
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
            _int_or_none(d.get("scoringPlayerId") if is_goal else d.get("shootingPlayerId")),
            _int_or_none(d.get("blockingPlayerId")) if kind == BLOCKED else None,
            _int_or_none(d.get("assist1PlayerId")) if is_goal else None,
            _int_or_none(d.get("assist2PlayerId")) if is_goal else None,
            _int_or_none(d.get("hittingPlayerId")),
            _int_or_none(d.get("playerId")) if kind in ("takeaway", "giveaway") else None,
            _int_or_none(d.get("winningPlayerId")),
            _int_or_none(d.get("losingPlayerId")) if is_faceoff else None,
            _int_or_none(d.get("committedByPlayerId")),
            _int_or_none(d.get("drawnByPlayerId")) if is_penalty else None,
            None if duration is None else float(duration),
            kind == BLOCKED and d.get("reason") == TEAMMATE_BLOCKED,
        ))
    return rows


def shift_rows(gi: int, ctx: GameContext, shift_chart: dict | None, game_seconds: int,
               notes: list[str] | None = None) -> list[tuple]:
    """All 517 rows (skaters and goalies), a player's overlapping rows merged into one shift.

    The stats API sometimes repeats a shift under the next shiftNumber (seen in 2024020022): the boxscore
    counts it once, and so does the merge. A player in the chart who is on neither roster, or a player on the
    ice longer than the game, fails the game (see ``stats.shifts``). A side with more than six skaters on the
    ice is repaired by ``stats.shifts.trim_crowded``, and the repair is appended to ``notes``: nothing is
    changed silently.
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


def _game_seconds(events: list[tuple]) -> int:
    """How long the game lasted: every period's last play (shootout excluded)."""
    last: dict[int, int] = {}
    for row in events:
        period, t = row[2], row[3]
        last[period] = max(last.get(period, 0), t)
    return sum(last.values())


# the event columns that name a player (the side of an unknown one could only be guessed)
_PLAYER_COLUMNS = [EVENT_FIELDS.index(name) for name in (
    "shooter", "blocker", "assist1", "assist2", "hitter", "tgPlayer", "foWinner", "foLoser", "penBy", "penDrawn",
)]


def _check_event_players(ctx: GameContext, events: list[tuple]) -> None:
    for row in events:
        for column in _PLAYER_COLUMNS:
            player_id = row[column]
            if player_id is not None and player_id not in ctx.side_of_player:
                raise ValueError(
                    f"player {player_id} ({EVENT_FIELDS[column]} of play {row[1]}) is on neither team's roster"
                )


@dataclass(frozen=True)
class WalkedGame:
    """One game walked up to its shift chart: its roster context, its event rows and how long it lasted."""

    gi: int
    ctx: GameContext
    events: list[tuple]
    game_seconds: int


def walk_game(gi: int, game: GameInput) -> WalkedGame:
    """Context and event rows of one countable game; raises KeyError/TypeError/ValueError/... on malformed input."""
    ctx = build_context(game.game_date, game.schedule_game, game.play_by_play, game.boxscore)
    events = event_rows(gi, ctx, game.play_by_play)
    _check_event_players(ctx, events)
    return WalkedGame(gi, ctx, events, _game_seconds(events))


# A chart holding less than this share of the ice time the boxscore credits a side's skaters with is partial
# (a period or a stretch of the game missing: seen in older seasons), not a rounding difference.
MIN_CHART_SHARE_OF_BOXSCORE_TOI = 0.9


def chart_is_usable(ctx: GameContext, charted: dict[int, int]) -> bool:
    """A shift chart is usable only if every skater the boxscore credits with ice time has a shift in it, and it
    holds at least 90% of the ice time the boxscore credits each side's skaters with.

    (The stats API publishes empty or partial charts for some games, older seasons more often: a chart missing
    players, or a period for everyone. The chart's rows are then dropped and every shift-derived number of the
    game is null, never an undercount.) ``charted``: seconds on the chart per player with at least one shift.
    """
    if not charted or any(s.boxscore_toi > 0 and s.player_id not in charted for s in ctx.skaters):
        return False
    for side in {s.side for s in ctx.skaters}:
        credited = sum(max(s.boxscore_toi, 0) for s in ctx.skaters if s.side == side)
        on_chart = sum(charted.get(s.player_id, 0) for s in ctx.skaters if s.side == side)
        if on_chart < MIN_CHART_SHARE_OF_BOXSCORE_TOI * credited:
            return False
    return True


def charted_seconds(shifts: list[tuple]) -> dict[int, int]:
    """Seconds on the chart per player, from merged shift rows ``(gi, playerId, period, start, end)``."""
    seconds: dict[int, int] = {}
    for _, player_id, _, start, end in shifts:
        seconds[player_id] = seconds.get(player_id, 0) + end - start
    return seconds


def walked_rows(walked: WalkedGame, usable: bool, shifts: list[tuple]) -> GameRows:
    """The row tuples of a walked game (``shifts``: its merged rows when the chart is usable, else none)."""
    gi, ctx = walked.gi, walked.ctx
    return GameRows(
        games=[(gi, ctx.game_id, ctx.season, ctx.game_type, ctx.game_date, ctx.abbrev[AWAY], ctx.abbrev[HOME],
                usable)],
        skaters=[(gi, i, s.player_id, s.side, s.position, s.name) for i, s in enumerate(ctx.skaters)],
        sides=[(gi, pid, side, pid in ctx.goalies) for pid, side in ctx.side_of_player.items()],
        events=walked.events,
        shifts=shifts if usable else [],
    )


def game_rows(gi: int, game: GameInput) -> GameRows:
    """Flat rows of one countable game; raises KeyError/TypeError/ValueError/... on malformed input.

    The per-game reference walk: ``batch_walk`` gives the same rows for a batch with the shift charts
    read and checked as polars expressions.
    """
    walked = walk_game(gi, game)
    shifts = shift_rows(gi, walked.ctx, game.shift_chart, walked.game_seconds)
    return walked_rows(walked, chart_is_usable(walked.ctx, charted_seconds(shifts)), shifts)
