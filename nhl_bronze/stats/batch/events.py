"""Play-by-play rows of a batch -> counted events with their credited side and 0/1 indicator columns.

``actor`` is the side credited "For" an event:
* shot attempts (shot-on-goal, missed-shot, blocked-shot, goal): the shooter's roster side, never
  ``eventOwnerTeamId`` alone (for blocked shots the owner has not been stable across API seasons);
  fallbacks: the side opposite the blocker (the blocker's own side for a "teammate-blocked" attempt), then
  the owner;
* hit: the hitter's side; takeaway/giveaway: the player's side; faceoff: the winner's side;
  penalty: the side of the penalised player (``committedByPlayerId``), else the owner (bench minors).

A "play" is the run of events between two dead pucks (a goal/stoppage closes the play it is in); a rebound
is an attempt <= 3 s after the previous attempt of the same team in the same play. A shot (not a goal)
"continued" when the next event of the game is in the same period, is not a dead puck and has an x
coordinate: in the shooter's offensive zone (x beyond the blue line towards the attacked net) or not.
Shootout plays never get here (see ``plays``).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.indicators import (
    CONTINUED,
    IN_ZONE,
    INDICATORS,
    IS_ATTEMPT,
    IS_GOAL,
    ON_NET,
    REBOUND,
    SHOT_ATTEMPTS,
)
from nhl_bronze.stats.danger import attack_sign, danger_expr
from nhl_bronze.stats.situations import AWAY, HOME, situation_expr

REBOUND_SECONDS = 3
# after one of these the puck is dead (or a goal was scored): the next shot cannot be a rebound
PLAY_STOPPING = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "goal", "penalty")
# a shot followed by one of these did not lead to continued play
NOT_CONTINUED = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "penalty")
OFFENSIVE_BLUE_LINE = 25.0


def _flag(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).cast(pl.Int32)


# The expressions do not depend on the batch: built once (building them per call costs more than running
# them on one game).
_KIND = pl.col("type")

# the player whose side is credited (null: the blocker's opposite side, then the owner, decides)
_CREDITED_PLAYER = (
    pl.when(_KIND.is_in(SHOT_ATTEMPTS)).then(pl.col("shooter"))
    .when(_KIND == "hit").then(pl.col("hitter"))
    .when(pl.col("tgPlayer").is_not_null()).then(pl.col("tgPlayer"))
    .when(_KIND == "faceoff").then(pl.col("foWinner"))
    .when(_KIND == "penalty").then(pl.col("penBy"))
    .alias("_pid")
)
_BLOCKER_SIDE = pl.col("_blockerSide")
_CREDIT = [
    pl.coalesce(
        "_side",
        # (only a blocked shot has a blocker: ``plays.PLAYER_FIELDS`` keeps blockingPlayerId for no other type)
        pl.when(pl.col("teammateBlocked")).then(_BLOCKER_SIDE)
        .when(_BLOCKER_SIDE == HOME).then(pl.lit(AWAY))
        .when(_BLOCKER_SIDE == AWAY).then(pl.lit(HOME)),
        "ownerSide",
    ).alias("actor"),
    # player fields only for the event type they belong to
    pl.when(IS_ATTEMPT).then("shooter").alias("shooter"),
    pl.when(_KIND == "hit").then("hitter").alias("hitter"),
    pl.when(_KIND == "faceoff").then("foWinner").alias("foWinner"),
    pl.when(_KIND == "penalty").then("penBy").alias("penBy"),
    # events before this one that stop play (counted over the batch: only used together with gi)
    _KIND.is_in(PLAY_STOPPING).fill_null(False).cast(pl.Int32).cum_sum().shift(1, fill_value=0).alias("play"),
]

# the next event of the same game (events are sorted by game: a shift over the batch and a mask)
_SAME_GAME = pl.col("gi").shift(-1) == pl.col("gi")
_NEXT = {c: pl.when(_SAME_GAME).then(pl.col(c).shift(-1)) for c in ("period", "type", "x", "homeDefends")}
_CONTINUED = (
    IS_ATTEMPT & ~IS_GOAL & (_NEXT["period"] == pl.col("period")) & _NEXT["type"].is_not_null()
    & ~_NEXT["type"].is_in(NOT_CONTINUED) & _NEXT["x"].is_not_null()
).fill_null(False)
_IN_ZONE = _NEXT["x"] * attack_sign(pl.col("actor"), _NEXT["homeDefends"], _NEXT["x"]) >= OFFENSIVE_BLUE_LINE
# (period too: a feed without the period-end/period-start plays between two periods is still two plays)
_PREVIOUS_ATTEMPT = (
    pl.when(IS_ATTEMPT).then(pl.col("t")).shift(1).forward_fill().over("gi", "period", "play", "actor")
)
_REBOUND = IS_ATTEMPT & ((pl.col("t") - _PREVIOUS_ATTEMPT) <= REBOUND_SECONDS).fill_null(False)
_DANGER = pl.when(ON_NET).then(
    danger_expr(pl.col("x"), pl.col("y"), attack_sign(pl.col("actor"), pl.col("homeDefends"), pl.col("x")))
)
_SEQUENCE = [_DANGER.alias("danger"), _REBOUND.alias(REBOUND), _CONTINUED.alias(CONTINUED), _IN_ZONE.alias(IN_ZONE)]
_FLAG_COLUMNS = [_flag(indicator.when).alias(indicator.column) for indicator in INDICATORS]
_CODE = pl.col("code")
_BUCKETS = [situation_expr(_CODE, HOME).alias("sitHome"), situation_expr(_CODE, AWAY).alias("sitAway")]


def _buckets(events: pl.LazyFrame) -> pl.LazyFrame:
    """(code, sitHome, sitAway) for each distinct code: a game has a handful, so decode each once."""
    return events.select(_CODE.unique()).filter(_CODE.is_not_null()).with_columns(_BUCKETS)


def enrich_events(events: pl.LazyFrame, sides: pl.LazyFrame) -> pl.LazyFrame:
    """Events in (game, sortOrder) order with ``actor``, ``sitHome``/``sitAway``, danger and the indicators.

    ``sides``: (gi, playerId, side) of every dressed player; player fields are kept only for the event
    type they belong to (shooter: attempts, assists: goals, hitter: hits, ...).
    """
    return (
        events.sort("gi", "sortOrder", maintain_order=True)
        .with_columns(_CREDITED_PLAYER)
        .join(sides.rename({"playerId": "_pid", "side": "_side"}), on=["gi", "_pid"], how="left",
              maintain_order="left")
        .join(sides.rename({"playerId": "blocker", "side": "_blockerSide"}), on=["gi", "blocker"], how="left",
              maintain_order="left")
        .with_columns(_CREDIT)
        .drop("_pid", "_side", "_blockerSide", "blocker")
        .join(_buckets(events), on="code", how="left", maintain_order="left")
        .with_columns(_SEQUENCE)
        .with_columns(_FLAG_COLUMNS)
        .drop(REBOUND, CONTINUED, IN_ZONE, "teammateBlocked")
    )
