"""The game headers of a batch as frames, built once: teams, skaters, every dressed player's side.

Each game's header (teams, roster) is read in Python (``roster.build_context``, a few dozen players); the
frames of all games are built here in one pass and serve every stage: the play and chart rules (who is on a
roster, which side a skater plays for) and the statistics (``BatchFrames``).
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import AWAY, HOME

GAME_SCHEMA = {"gi": pl.Int32, "gameId": pl.Int64, "season": pl.Int64, "gameType": pl.Int64, "gameDate": pl.Int64,
               "awayTeam": pl.String, "homeTeam": pl.String}
TEAM_ID_SCHEMA = {"gi": pl.Int32, "homeId": pl.Int64, "awayId": pl.Int64}
SKATER_SCHEMA = {"gi": pl.Int32, "order": pl.Int32, "playerId": pl.Int64, "side": pl.String, "position": pl.String,
                 "name": pl.String}
SIDE_SCHEMA = {"gi": pl.Int32, "playerId": pl.Int64, "side": pl.String, "goalie": pl.Boolean}


class BatchFrames(NamedTuple):
    """The flat frames of a batch's good games, everything the statistics are computed from."""

    games: pl.DataFrame  # GAME_SCHEMA + hasShifts, one row per game in batch order
    skaters: pl.DataFrame  # SKATER_SCHEMA, boxscore order
    sides: pl.DataFrame  # SIDE_SCHEMA: every dressed player (skaters and goalies)
    events: pl.DataFrame  # plays.EVENT_SCHEMA, each game's rows in feed order
    shifts: pl.DataFrame  # shift_charts.SHIFT_SCHEMA of the games with a usable chart


def _frame(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


class Rosters:
    """The headers of the games read (gi, roster context), as frames."""

    def __init__(self, contexts: list[tuple[int, GameContext]]) -> None:
        self.contexts = dict(contexts)
        self.games = _frame([(gi, c.game_id, c.season, c.game_type, c.game_date, c.abbrev[AWAY], c.abbrev[HOME])
                             for gi, c in contexts], GAME_SCHEMA)
        self.team_ids = _frame([(gi, c.team_id[HOME], c.team_id[AWAY]) for gi, c in contexts], TEAM_ID_SCHEMA)
        self.skaters = _frame([(gi, i, s.player_id, s.side, s.position, s.name)
                               for gi, c in contexts for i, s in enumerate(c.skaters)], SKATER_SCHEMA)
        self.sides = _frame([(gi, pid, side, pid in c.goalies)
                             for gi, c in contexts for pid, side in c.side_of_player.items()], SIDE_SCHEMA)

    @property
    def players(self) -> pl.DataFrame:
        """(gi, playerId) of everyone on a roster."""
        return self.sides.select("gi", "playerId")

    @property
    def skater_sides(self) -> pl.DataFrame:
        """(gi, playerId, side) of the skaters."""
        return self.skaters.select("gi", "playerId", "side")

    def batch_frames(self, failed: set[int], usable: set[int], events: pl.DataFrame,
                     shifts: pl.DataFrame) -> BatchFrames:
        """The frames of the games not ``failed``; shifts only of the ``usable`` charts (``chart_is_usable``)."""
        keep = ~pl.col("gi").is_in(list(failed))
        return BatchFrames(
            games=self.games.filter(keep).with_columns(hasShifts=pl.col("gi").is_in(list(usable))),
            skaters=self.skaters.filter(keep),
            sides=self.sides.filter(keep),
            events=events.filter(keep),
            shifts=shifts.filter(pl.col("gi").is_in(list(usable - failed))).sort("gi", maintain_order=True),
        )


# A chart holding less than this share of the ice time the boxscore credits a side's skaters with is partial
# (a period or a stretch of the game missing: seen in older seasons), not a rounding difference.
MIN_CHART_SHARE_OF_BOXSCORE_TOI = 0.9


def chart_is_usable(ctx: GameContext, charted: dict[int, int]) -> bool:
    """A shift chart is usable only if every skater the boxscore credits with ice time has a shift in it, and it
    holds at least 90% of the ice time the boxscore credits each side's skaters with.

    (The stats API publishes empty or partial charts for some games, older seasons more often: a chart missing
    players, or a period for everyone. The chart's rows are then dropped and every shift-derived number of the
    game is null, never an undercount.) ``charted``: seconds on the chart per player with at least one shift
    (``charted_seconds``).
    """
    if not charted or any(s.boxscore_toi > 0 and s.player_id not in charted for s in ctx.skaters):
        return False
    for side in {s.side for s in ctx.skaters}:
        credited = sum(max(s.boxscore_toi, 0) for s in ctx.skaters if s.side == side)
        on_chart = sum(charted.get(s.player_id, 0) for s in ctx.skaters if s.side == side)
        if on_chart < MIN_CHART_SHARE_OF_BOXSCORE_TOI * credited:
            return False
    return True


def charted_seconds(shifts: pl.DataFrame) -> dict[int, dict[int, int]]:
    """gi -> seconds on the chart per player, of merged shift rows (``shift_charts.SHIFT_SCHEMA``)."""
    per_player = shifts.group_by("gi", "playerId").agg(seconds=(pl.col("end") - pl.col("start")).sum())
    charted: dict[int, dict[int, int]] = {}
    for gi, player_id, seconds in per_player.iter_rows():
        charted.setdefault(gi, {})[player_id] = seconds
    return charted
