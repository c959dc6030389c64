"""Play-by-play -> the list of counted events, each credited to the right team, with 0/1 indicators.

One pass of plain Python over ``plays`` (a few hundred dicts) extracts the fields, a second one (in
``sortOrder`` order) adds situations, danger, rebounds and play continuation. Shootout plays
(periodType ``SO``) are dropped here, so they count nowhere: the shootout winner's extra goal is in the
boxscore score but not in these tables.

``actor_side`` is the side credited "For" an event:
* shot attempts (shot-on-goal, missed-shot, blocked-shot, goal): the shooter's roster side, never
  ``eventOwnerTeamId`` alone (for blocked shots the owner has not been stable across API seasons);
  fallbacks: the side opposite the blocker, then the owner;
* hit: the hitter's side; takeaway/giveaway: the player's side; faceoff: the winner's side;
  penalty: the side of the penalised player (``committedByPlayerId``), else the owner (bench minors).
"""

from __future__ import annotations

from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.danger import HIGH, LOW, MEDIUM, danger_bucket, sign_of_attack
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import AWAY, HOME, situation_pair

SHOT_ON_GOAL, MISSED, BLOCKED, GOAL = "shot-on-goal", "missed-shot", "blocked-shot", "goal"
SHOT_ATTEMPTS = (SHOT_ON_GOAL, MISSED, BLOCKED, GOAL)
REBOUND_SECONDS = 3
# after one of these the puck is dead (or a goal was scored): the next shot cannot be a rebound
PLAY_STOPPING = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "goal", "penalty")
# a shot followed by one of these did not lead to continued play
NOT_CONTINUED = ("stoppage", "faceoff", "period-start", "period-end", "game-end", "penalty")
OFFENSIVE_BLUE_LINE = 25.0

# indicator columns shared by the team and on-ice aggregations, in this order in ``Event.flags``
SHOT_COUNTS = ("sog", "missed", "blocked", "goals")
DANGER_COUNTS = ("low_shots", "medium_shots", "high_shots", "low_goals", "medium_goals", "high_goals")
EVENT_COUNTS = (
    *SHOT_COUNTS, "rebounds", "rebound_goals", *DANGER_COUNTS, "continued_in", "continued_out",
    "penalties", "faceoffs", "hits", "takeaways", "giveaways",
)
FLAG_INDEX = {name: i for i, name in enumerate(EVENT_COUNTS)}
_SIMPLE_FLAGS = {
    MISSED: (FLAG_INDEX["missed"],),
    BLOCKED: (FLAG_INDEX["blocked"],),
    "penalty": (FLAG_INDEX["penalties"],),
    "faceoff": (FLAG_INDEX["faceoffs"],),
    "hit": (FLAG_INDEX["hits"],),
    "takeaway": (FLAG_INDEX["takeaways"],),
    "giveaway": (FLAG_INDEX["giveaways"],),
}
_DANGER_SHOT = {LOW: FLAG_INDEX["low_shots"], MEDIUM: FLAG_INDEX["medium_shots"], HIGH: FLAG_INDEX["high_shots"]}
_DANGER_GOAL = {LOW: FLAG_INDEX["low_goals"], MEDIUM: FLAG_INDEX["medium_goals"], HIGH: FLAG_INDEX["high_goals"]}


class Event:
    """One counted play (after shootout removal). ``flags``: indices into EVENT_COUNTS whose value is 1."""

    __slots__ = (
        "actor_side",
        "assist1",
        "assist2",
        "code",
        "danger",
        "flags",
        "fo_loser",
        "fo_winner",
        "hitter",
        "home_defends",
        "pen_by",
        "pen_drawn",
        "pen_minutes",
        "period",
        "shooter",
        "sit_away",
        "sit_home",
        "sort_order",
        "t",
        "tg_player",
        "type",
        "x",
        "y",
    )

    def __init__(self, sort_order, period, t, kind, code, home_defends, x, y, actor_side, shooter, assist1,
                 assist2, hitter, tg_player, fo_winner, fo_loser, pen_by, pen_drawn, pen_minutes):
        self.sort_order = sort_order
        self.period = period
        self.t = t
        self.type = kind
        self.code = code
        self.home_defends = home_defends
        self.x = x
        self.y = y
        self.actor_side = actor_side
        self.shooter = shooter
        self.assist1 = assist1
        self.assist2 = assist2
        self.hitter = hitter
        self.tg_player = tg_player
        self.fo_winner = fo_winner
        self.fo_loser = fo_loser
        self.pen_by = pen_by
        self.pen_drawn = pen_drawn
        self.pen_minutes = pen_minutes
        self.sit_home: str | None = None
        self.sit_away: str | None = None
        self.danger: str | None = None
        self.flags: tuple[int, ...] = ()


def _opposite(side: str | None) -> str | None:
    return None if side is None else AWAY if side == HOME else HOME


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


def extract_events(ctx: GameContext, play_by_play: dict) -> list[Event]:
    """Raw events, shootout removed, in ``sortOrder`` order (stable)."""
    events: list[Event] = []
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
        is_attempt = kind in SHOT_ATTEMPTS
        if is_attempt:
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
        is_goal = kind == GOAL
        is_penalty = kind == "penalty"
        is_faceoff = kind == "faceoff"
        duration = d.get("duration") if is_penalty else None
        events.append(Event(
            int(play["sortOrder"]),
            int(period_desc["number"]),
            clock_seconds(play["timeInPeriod"]),
            _str_or_none(kind),
            _str_or_none(play.get("situationCode")),
            _str_or_none(play.get("homeTeamDefendingSide")),
            _float_or_none(d.get("xCoord")),
            _float_or_none(d.get("yCoord")),
            actor,
            shooter if is_attempt else None,
            _int_or_none(d.get("assist1PlayerId")) if is_goal else None,
            _int_or_none(d.get("assist2PlayerId")) if is_goal else None,
            hitter if kind == "hit" else None,
            tg_player,
            fo_winner if is_faceoff else None,
            _int_or_none(d.get("losingPlayerId")) if is_faceoff else None,
            pen_by if is_penalty else None,
            _int_or_none(d.get("drawnByPlayerId")) if is_penalty else None,
            None if duration is None else float(duration),
        ))
    events.sort(key=lambda ev: ev.sort_order)
    return events


def enrich_events(events: list[Event]) -> list[Event]:
    """Add situations, indicator flags, danger buckets, rebounds and play continuation (in place).

    A "play" is the run of events between two dead pucks (a goal/stoppage closes the play it is in);
    a rebound is an attempt <= 3 s after the previous attempt of the same team in the same play.
    """
    last_attempt: dict[tuple[int, str | None], int] = {}  # (play number, actor side) -> clock of last attempt
    play_id = 0
    n = len(events)
    for i, ev in enumerate(events):
        kind = ev.type
        ev.sit_home, ev.sit_away = situation_pair(ev.code)
        is_attempt = kind in SHOT_ATTEMPTS
        flags: list[int] = []
        if is_attempt:
            key = (play_id, ev.actor_side)
            prev = last_attempt.get(key)
            last_attempt[key] = ev.t
            is_goal = kind == GOAL
            if kind == SHOT_ON_GOAL or is_goal:
                flags.append(0)  # sog: every goal is a shot on goal
                sign = sign_of_attack(ev.actor_side, ev.home_defends, ev.x)
                ev.danger = danger_bucket(ev.x, ev.y, sign)
            if is_goal:
                flags.append(FLAG_INDEX["goals"])
            else:
                flags.extend(_SIMPLE_FLAGS.get(kind, ()))
            if prev is not None and ev.t - prev <= REBOUND_SECONDS:
                flags.append(FLAG_INDEX["rebounds"])
                if is_goal:
                    flags.append(FLAG_INDEX["rebound_goals"])
            if ev.danger is not None:
                flags.append(_DANGER_SHOT[ev.danger])
                if is_goal:
                    flags.append(_DANGER_GOAL[ev.danger])
            if not is_goal and i + 1 < n:
                nxt = events[i + 1]
                if (nxt.period == ev.period and nxt.type is not None and nxt.type not in NOT_CONTINUED
                        and nxt.x is not None):
                    next_sign = sign_of_attack(ev.actor_side, nxt.home_defends, nxt.x)
                    in_zone = nxt.x * next_sign >= OFFENSIVE_BLUE_LINE
                    flags.append(FLAG_INDEX["continued_in" if in_zone else "continued_out"])
        else:
            flags.extend(_SIMPLE_FLAGS.get(kind, ()))
        ev.flags = tuple(sorted(flags))
        if kind in PLAY_STOPPING:
            play_id += 1
    return events


def build_events(ctx: GameContext, play_by_play: dict) -> list[Event]:
    return enrich_events(extract_events(ctx, play_by_play))
