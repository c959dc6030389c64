"""Play-by-play -> one polars frame of counted events, each credited to the right team.

One pass of plain Python over ``plays`` (a few hundred dicts) extracts the fields; everything after
that is vectorised. Shootout plays (periodType ``SO``) are dropped here, so they count nowhere: the
shootout winner's extra goal is in the boxscore score but not in these tables.

``actor_side`` is the side credited "For" an event:
* shot attempts (shot-on-goal, missed-shot, blocked-shot, goal): the shooter's roster side, never
  ``eventOwnerTeamId`` alone (for blocked shots the owner has not been stable across API seasons);
  fallbacks: the side opposite the blocker, then the owner;
* hit: the hitter's side; takeaway/giveaway: the player's side; faceoff: the winner's side;
  penalty: the side of the penalised player (``committedByPlayerId``), else the owner (bench minors).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.danger import attack_sign, danger_expr
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import AWAY, HOME, with_situations

SHOT_ON_GOAL, MISSED, BLOCKED, GOAL = "shot-on-goal", "missed-shot", "blocked-shot", "goal"
SHOT_ATTEMPTS = (SHOT_ON_GOAL, MISSED, BLOCKED, GOAL)
REBOUND_SECONDS = 3
# after one of these the puck is dead (or a goal was scored): the next shot cannot be a rebound
PLAY_STOPPING = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "goal", "penalty")
# a shot followed by one of these did not lead to continued play
NOT_CONTINUED = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "penalty")
OFFENSIVE_BLUE_LINE = 25.0

_INT_FIELDS = (
    "shooter", "assist1", "assist2", "hitter", "tg_player", "fo_winner", "fo_loser", "pen_by", "pen_drawn",
)
EVENT_SCHEMA = {
    "sort_order": pl.Int64,
    "period": pl.Int32,
    "t": pl.Int32,
    "type": pl.String,
    "code": pl.String,
    "home_defends": pl.String,
    "x": pl.Float64,
    "y": pl.Float64,
    "actor_side": pl.String,
    **{name: pl.Int64 for name in _INT_FIELDS},
    "pen_minutes": pl.Float64,
}


def _opposite(side: str | None) -> str | None:
    return None if side is None else AWAY if side == HOME else HOME


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)


def extract_events(ctx: GameContext, play_by_play: dict) -> pl.DataFrame:
    """Raw event frame (EVENT_SCHEMA), shootout removed, in ``sortOrder`` order."""
    cols: dict[str, list] = {name: [] for name in EVENT_SCHEMA}
    side_of = ctx.side_of_player.get
    for play in play_by_play["plays"]:
        period_desc = play["periodDescriptor"]
        if period_desc.get("periodType") == "SO":
            continue
        kind = play["typeDescKey"]
        d = play.get("details") or {}
        owner = ctx.side_of_team_id(d.get("eventOwnerTeamId"))
        shooter = _int_or_none(d.get("scoringPlayerId") if kind == GOAL else d.get("shootingPlayerId"))
        hitter = _int_or_none(d.get("hittingPlayerId"))
        tg_player = _int_or_none(d.get("playerId")) if kind in ("takeaway", "giveaway") else None
        fo_winner = _int_or_none(d.get("winningPlayerId"))
        pen_by = _int_or_none(d.get("committedByPlayerId"))
        if kind in SHOT_ATTEMPTS:
            actor = side_of(shooter) if shooter is not None else None
            if actor is None and kind == BLOCKED:
                actor = _opposite(side_of(_int_or_none(d.get("blockingPlayerId"))))
        elif kind == "hit":
            actor = side_of(hitter)
        elif tg_player is not None:
            actor = side_of(tg_player)
        elif kind == "faceoff":
            actor = side_of(fo_winner)
        elif kind == "penalty":
            actor = side_of(pen_by)
        else:
            actor = None
        if actor is None:
            actor = owner
        duration = d.get("duration") if kind == "penalty" else None
        cols["sort_order"].append(int(play["sortOrder"]))
        cols["period"].append(int(period_desc["number"]))
        cols["t"].append(clock_seconds(play["timeInPeriod"]))
        cols["type"].append(kind)
        cols["code"].append(play.get("situationCode"))
        cols["home_defends"].append(play.get("homeTeamDefendingSide"))
        cols["x"].append(d.get("xCoord"))
        cols["y"].append(d.get("yCoord"))
        cols["actor_side"].append(actor)
        cols["shooter"].append(shooter if kind in SHOT_ATTEMPTS else None)
        cols["assist1"].append(_int_or_none(d.get("assist1PlayerId")) if kind == GOAL else None)
        cols["assist2"].append(_int_or_none(d.get("assist2PlayerId")) if kind == GOAL else None)
        cols["hitter"].append(hitter if kind == "hit" else None)
        cols["tg_player"].append(tg_player)
        cols["fo_winner"].append(fo_winner if kind == "faceoff" else None)
        cols["fo_loser"].append(_int_or_none(d.get("losingPlayerId")) if kind == "faceoff" else None)
        cols["pen_by"].append(pen_by if kind == "penalty" else None)
        cols["pen_drawn"].append(_int_or_none(d.get("drawnByPlayerId")) if kind == "penalty" else None)
        cols["pen_minutes"].append(None if duration is None else float(duration))
    return pl.DataFrame(cols, schema=EVENT_SCHEMA).sort("sort_order")


def _flag(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).cast(pl.Int32)


def enrich_events(raw: pl.DataFrame) -> pl.DataFrame:
    """Add situations, 0/1 indicator columns, danger buckets, rebounds and play continuation."""
    kind = pl.col("type")
    is_attempt = kind.is_in(SHOT_ATTEMPTS)
    # a "play" is the run of events between two dead pucks; a goal/stoppage closes the play it is in
    stops = kind.is_in(PLAY_STOPPING).cast(pl.Int32)
    events = with_situations(raw).with_columns(
        play_id=stops.cum_sum() - stops,
        sign=attack_sign(pl.col("actor_side"), pl.col("home_defends"), pl.col("x")),
        next_type=kind.shift(-1),
        next_period=pl.col("period").shift(-1),
        next_x=pl.col("x").shift(-1),
        next_home_defends=pl.col("home_defends").shift(-1),
    )
    attempts_time = pl.when(is_attempt).then(pl.col("t"))
    events = events.with_columns(
        # previous attempt by the same team within the same play (by clock, not list adjacency)
        prev_attempt_t=attempts_time.shift(1)
        .forward_fill()
        .over(["play_id", "actor_side"]),  # frame is already in sortOrder order
        danger=pl.when(kind.is_in((SHOT_ON_GOAL, GOAL))).then(
            danger_expr(pl.col("x"), pl.col("y"), pl.col("sign"))
        ),
        next_sign=attack_sign(pl.col("actor_side"), pl.col("next_home_defends"), pl.col("next_x")),
    )
    continued = (
        is_attempt
        & (kind != GOAL)
        & (pl.col("next_period") == pl.col("period"))
        & ~pl.col("next_type").is_in(NOT_CONTINUED)
        & pl.col("next_x").is_not_null()
    )
    in_zone = pl.col("next_x") * pl.col("next_sign") >= OFFENSIVE_BLUE_LINE
    rebound = is_attempt & ((pl.col("t") - pl.col("prev_attempt_t")) <= REBOUND_SECONDS)
    return events.with_columns(
        sog=_flag(kind.is_in((SHOT_ON_GOAL, GOAL))),  # every goal is a shot on goal
        missed=_flag(kind == MISSED),
        blocked=_flag(kind == BLOCKED),
        goals=_flag(kind == GOAL),
        rebounds=_flag(rebound),
        rebound_goals=_flag(rebound & (kind == GOAL)),
        low_shots=_flag(pl.col("danger") == "low"),
        medium_shots=_flag(pl.col("danger") == "medium"),
        high_shots=_flag(pl.col("danger") == "high"),
        low_goals=_flag((pl.col("danger") == "low") & (kind == GOAL)),
        medium_goals=_flag((pl.col("danger") == "medium") & (kind == GOAL)),
        high_goals=_flag((pl.col("danger") == "high") & (kind == GOAL)),
        continued_in=_flag(continued & in_zone),
        continued_out=_flag(continued & ~in_zone),
        penalties=_flag(kind == "penalty"),
        faceoffs=_flag(kind == "faceoff"),
        hits=_flag(kind == "hit"),
        takeaways=_flag(kind == "takeaway"),
        giveaways=_flag(kind == "giveaway"),
    ).drop("next_type", "next_period", "next_x", "next_home_defends", "next_sign", "prev_attempt_t")


# indicator columns shared by the team and on-ice aggregations
SHOT_COUNTS = ("sog", "missed", "blocked", "goals")
DANGER_COUNTS = ("low_shots", "medium_shots", "high_shots", "low_goals", "medium_goals", "high_goals")
EVENT_COUNTS = (
    *SHOT_COUNTS, "rebounds", "rebound_goals", *DANGER_COUNTS, "continued_in", "continued_out",
    "penalties", "faceoffs", "hits", "takeaways", "giveaways",
)


def build_events(ctx: GameContext, play_by_play: dict) -> pl.DataFrame:
    return enrich_events(extract_events(ctx, play_by_play))
